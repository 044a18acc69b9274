"""Customer lists as files: CSV (what Excel and spreadsheets write) and TOML, read and written.

Reading keeps where each customer came from ("line 4", or "entry 2" in a TOML file written without
[[customers]] headers) so an import can say which line is wrong. Writing produces what reading
accepts, so `export` → `import` changes nothing.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from bot.customers import CustomerData

COLUMNS = ("id", "name", "plan", "channels", "contract_end", "notes")
FileFormat = Literal["csv", "toml"]
_TOML_ENTRY = re.compile(r"^[ \t]*\[\[[ \t]*customers[ \t]*\]\]", re.MULTILINE)


class CustomerFileError(Exception):
    """The file as a whole cannot be read; the message says why and how to fix it."""


@dataclass(frozen=True)
class SourceRow:
    """One customer as found in a file, before checking its values."""

    location: str
    values: dict[str, Any]
    problems: tuple[str, ...] = ()


def format_of(path: Path) -> FileFormat:
    return "toml" if path.suffix.lower() == ".toml" else "csv"


def read_customer_file(path: Path, file_format: FileFormat | None = None) -> list[SourceRow]:
    """Rows of a CSV (UTF-8, with or without the BOM Excel writes) or TOML customer file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CustomerFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CustomerFileError(
            f"{path} is not UTF-8 text (Excel's plain 「CSV (コンマ区切り)」 saves Shift_JIS); save it as "
            "「CSV UTF-8 (コンマ区切り)」 and import again"
        ) from None
    if (file_format or format_of(path)) == "toml":
        return read_toml(text, str(path))
    return read_csv(text, str(path))


def read_csv(text: str, source: str = "customers.csv") -> list[SourceRow]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip().lower() for name in next(reader, [])]
    missing = [name for name in COLUMNS if name not in header]
    unknown = [name for name in header if name not in COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        found = ",".join(header) or "nothing"
        raise CustomerFileError(
            f"{source} line 1: the header must name the columns {','.join(COLUMNS)} (in any order), found {found}"
        )
    rows: list[SourceRow] = []
    line = reader.line_num + 1
    for record in reader:
        if any(cell.strip() for cell in record):
            problems: tuple[str, ...] = ()
            if len(record) != len(header):
                problems = (
                    f"has {len(record)} values for {len(header)} columns (put a value containing a comma "
                    'in double quotes: "…")',
                )
            rows.append(SourceRow(f"line {line}", dict(zip(header, record, strict=False)), problems))
        line = reader.line_num + 1
    return rows


def read_toml(text: str, source: str = "customers.toml") -> list[SourceRow]:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CustomerFileError(f"{source} is not valid TOML: {exc}") from None
    extra = sorted(set(document) - {"customers"})
    entries = document.get("customers", [])
    if extra or not isinstance(entries, list):
        raise CustomerFileError(
            f"{source}: expected only [[customers]] tables (keys {', '.join(COLUMNS)}), found {', '.join(extra)}"
        )
    headers = [text.count("\n", 0, match.start()) + 1 for match in _TOML_ENTRY.finditer(text)]
    rows = []
    for number, entry in enumerate(entries, start=1):
        location = f"line {headers[number - 1]}" if len(headers) == len(entries) else f"entry {number}"
        if not isinstance(entry, dict):
            rows.append(SourceRow(location, {}, ("is not a table of id, name, plan, … keys",)))
            continue
        unknown = [key for key in entry if key not in COLUMNS]
        problems = tuple(f"unknown key {key!r} (known: {', '.join(COLUMNS)})" for key in unknown)
        rows.append(SourceRow(location, dict(entry), problems))
    return rows


def write_csv(customers: Iterable[CustomerData]) -> str:
    """CSV with the import's columns; channels space-separated, dates as YYYY-MM-DD."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for c in customers:
        contract_end = c.contract_end.isoformat() if c.contract_end else ""
        writer.writerow([c.id, c.name, c.plan or "", " ".join(c.channels), contract_end, c.notes or ""])
    return out.getvalue()


def write_toml(customers: Iterable[CustomerData]) -> str:
    """[[customers]] tables; keys without a value are left out."""
    parts = ["# supportbot customers: `supportbot customers import` reads this file back.\n"]
    for c in customers:
        lines = ["", "[[customers]]", f"id = {_string(c.id)}", f"name = {_string(c.name)}"]
        if c.plan:
            lines.append(f"plan = {_string(c.plan)}")
        lines.append(f"channels = [{', '.join(_string(channel) for channel in c.channels)}]")
        if c.contract_end:
            lines.append(f"contract_end = {c.contract_end.isoformat()}")
        if c.notes:
            lines.append(f"notes = {_string(c.notes)}")
        parts.append("\n".join(lines) + "\n")
    return "".join(parts)


def _string(value: str) -> str:
    # JSON's escapes (\" \\ \n \uXXXX) are all valid in a TOML basic string.
    return json.dumps(value, ensure_ascii=False)
