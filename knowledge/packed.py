"""Strings and entries as flat numpy arrays, for the index cache (`knowledge.index_cache`).

numpy reads such arrays from disk in one go; JSON builds every list and string on the way, and
pickle could run code found in a file. A list of strings is one UTF-8 buffer of NUL-terminated
texts, split again in one call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from knowledge.loader import Audience, Entry, Link

Arrays = dict[str, npt.NDArray[Any]]
_END = "\x00"


def strings(values: Iterable[str]) -> npt.NDArray[np.uint8]:
    """Texts as one buffer; ValueError for a text that holds NUL (it could not be split again)."""
    listed = list(values)
    text = _END.join(listed) + _END if listed else ""
    if text.count(_END) != len(listed):
        raise ValueError("a text holds a NUL character")
    return np.frombuffer(text.encode("utf-8"), np.uint8)


def unstrings(array: npt.NDArray[Any]) -> list[str]:
    return bytes(array).decode("utf-8").split(_END)[:-1]


def interned(values: list[str]) -> list[str]:
    """One string object per distinct value (word kinds: a handful of values, thousands of times)."""
    seen: dict[str, str] = {}
    return [seen.setdefault(value, value) for value in values]


def pack_keys(prefix: str, table: Mapping[str, tuple[tuple[str, str], ...]]) -> Arrays:
    """A word table (text -> its words' (key, kind)) as arrays, in the table's order."""
    return {
        f"{prefix}_names": strings(table),
        f"{prefix}_counts": np.array([len(keys) for keys in table.values()], np.int32),
        f"{prefix}_keys": strings(key for keys in table.values() for key, _ in keys),
        f"{prefix}_kinds": strings(kind for keys in table.values() for _, kind in keys),
    }


def unpack_keys(prefix: str, arrays: Mapping[str, Any]) -> dict[str, tuple[tuple[str, str], ...]]:
    names = unstrings(arrays[f"{prefix}_names"])
    counts = arrays[f"{prefix}_counts"].tolist()
    pairs = list(zip(unstrings(arrays[f"{prefix}_keys"]), interned(unstrings(arrays[f"{prefix}_kinds"])), strict=True))
    if len(names) != len(counts) or sum(counts) != len(pairs):
        raise ValueError(f"inconsistent {prefix} table")
    table = {}
    position = 0
    for name, count in zip(names, counts, strict=True):
        table[name] = tuple(pairs[position : position + count])
        position += count
    return table


def pack_entries(entries: Sequence[Entry]) -> Arrays:
    """Entries as arrays: one per field, lists (alternatives, links, sections) flattened with counts."""
    arrays: Arrays = {
        f"entry_{name}": strings(getattr(e, name) for e in entries)
        for name in ("id", "question", "category", "answer", "source", "audience")
    }
    arrays["entry_escalation"] = strings(e.escalation or "" for e in entries)
    arrays["entry_has_escalation"] = np.array([e.escalation is not None for e in entries], np.bool_)
    arrays["entry_line"] = np.array([e.line for e in entries], np.int64)
    arrays["entry_alternatives"] = strings(a for e in entries for a in e.alternatives)
    arrays["entry_alternative_counts"] = np.array([len(e.alternatives) for e in entries], np.int32)
    arrays["entry_links"] = strings(t for e in entries for link in e.links for t in (link.title, link.url, link.label))
    arrays["entry_link_counts"] = np.array([len(e.links) for e in entries], np.int32)
    arrays["entry_sections"] = strings(t for e in entries for section in e.sections for t in section)
    arrays["entry_section_counts"] = np.array([len(e.sections) for e in entries], np.int32)
    return arrays


def unpack_entries(arrays: Mapping[str, Any]) -> list[Entry]:
    fields = [unstrings(arrays[f"entry_{name}"]) for name in ("id", "question", "category", "answer", "source")]
    audiences: dict[str, Audience] = {value.value: value for value in Audience}
    audience = [audiences[value] for value in unstrings(arrays["entry_audience"])]
    escalation = unstrings(arrays["entry_escalation"])
    has_escalation = arrays["entry_has_escalation"].tolist()
    lines = arrays["entry_line"].tolist()
    alternatives = _groups(unstrings(arrays["entry_alternatives"]), arrays["entry_alternative_counts"], 1)
    links = _groups(unstrings(arrays["entry_links"]), arrays["entry_link_counts"], 3)
    sections = _groups(unstrings(arrays["entry_sections"]), arrays["entry_section_counts"], 2)
    columns = (*fields, audience, escalation, has_escalation, lines, alternatives, links, sections)
    if len({len(column) for column in columns}) != 1:
        raise ValueError("inconsistent entry arrays")
    return [
        Entry(
            id=key,
            question=question,
            category=category,
            answer=answer,
            alternatives=tuple(alternative for (alternative,) in alternative_rows),
            escalation=escalation_text if has else None,
            links=tuple(Link(*row) for row in link_rows),
            sections=tuple((label, text) for label, text in section_rows),
            source=source,
            line=line,
            audience=who,
        )
        for (
            key,
            question,
            category,
            answer,
            source,
            who,
            escalation_text,
            has,
            line,
            alternative_rows,
            link_rows,
            section_rows,
        ) in zip(*columns, strict=True)
    ]


def _groups(values: list[str], counts: npt.NDArray[Any], width: int) -> list[list[tuple[str, ...]]]:
    """Flattened rows of `width` texts back into each entry's list of rows."""
    if int(counts.sum()) * width != len(values):
        raise ValueError("inconsistent entry arrays")
    rows = [tuple(values[start : start + width]) for start in range(0, len(values), width)]
    grouped = []
    position = 0
    for count in counts.tolist():
        grouped.append(rows[position : position + count])
        position += count
    return grouped
