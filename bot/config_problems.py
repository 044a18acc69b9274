"""supportbot.toml's mistakes in the words of the file: "[section] key: what is wrong — what it is for".

Pydantic reports locations as tuples of field names; these turn them into the keys a person edits,
with the field's description as the hint, and name the keys that were renamed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError


def validation_problems(exc: ValidationError, model: type[BaseModel]) -> list[str]:
    """One line per wrong key: where it is, what is wrong, and the field's description as the hint."""
    problems: list[str] = []
    for error in exc.errors():
        message = str(error["msg"]).removeprefix("Value error, ")
        if not error["loc"]:  # checks across sections name their keys themselves
            problems += message.splitlines()
            continue
        key, description = describe(model, tuple(error["loc"]))
        if error["type"] == "extra_forbidden":
            parent = known_keys(model, tuple(error["loc"][:-1]))
            problems.append(f"{key}: unknown key; known keys here: {', '.join(parent)}")
        elif error["type"] == "missing":
            hint = f" ({description})" if description else ""
            problems.append(f"{key}: missing; add it{hint}")
        else:
            hint = f" — {description}" if description else ""
            problems.append(f"{key}: {message}{hint}")
    return problems


@dataclass(frozen=True)
class _Keyed:
    """A dict[str, Model] field such as [plans.<id>]: the next location part is a key, then the model."""

    model: type[BaseModel]


def _submodel(annotation: Any) -> type[BaseModel] | _Keyed | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) is dict:
        value = get_args(annotation)[1]
        if isinstance(value, type) and issubclass(value, BaseModel):
            return _Keyed(value)
    return None


def describe(model: type[BaseModel], loc: tuple[Any, ...]) -> tuple[str, str | None]:
    """Turn a pydantic error location into "[section] key" plus the field's description."""
    section: list[str] = []
    current: Any = model
    description = None
    for part in loc:
        if isinstance(part, int):
            section[-1] = f"{section[-1]}[{part}]" if section else str(part)
            continue
        section.append(str(part))
        if isinstance(current, _Keyed):
            current = current.model
            continue
        field = getattr(current, "model_fields", {}).get(part) if current is not None else None
        if field is not None:
            description = field.description
            current = _submodel(field.annotation)
        else:
            current = None
    if len(section) == 1:
        return section[0], description
    return f"[{'.'.join(section[:-1])}] {section[-1]}", description


# Keys that were replaced: a config still using one fails at start naming the new key.
REPLACED = {
    ("escalation", "oncall_fallback"): '[oncall] fallback (a user group ID "S…", or "here" for @here)',
    ("oncall", "fallback_usergroup"): '[oncall] fallback (a user group ID "S…", or "here" for @here)',
}


def without_replaced_keys(data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The document without keys that were replaced, and a problem line for each one found."""
    problems = []
    data = dict(data)
    for (section, key), new in REPLACED.items():
        if isinstance(data.get(section), dict) and key in data[section]:
            data[section] = {k: v for k, v in data[section].items() if k != key}
            problems.append(f"[{section}] {key}: replaced by {new}; rename the key")
    return data, problems


def known_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys a section accepts (for "unknown key" problems); none for keyed tables."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if isinstance(current, _Keyed):
            current = current.model
            continue
        field = current.model_fields.get(part)
        current = _submodel(field.annotation) if field else None
        if current is None:
            return []
    if isinstance(current, _Keyed):
        return []
    return [name for name in current.model_fields if name != "base_dir"]
