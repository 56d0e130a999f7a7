"""Validate one sample-data entry and turn pydantic's errors into findings a person can use.

Pydantic's error locations are mapped back onto the data as written: union tags and other
internal parts are dropped, a missing field points at the mapping that lacks it, an unknown
key lists the keys that are allowed there.
"""

from __future__ import annotations

import types
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from deskui.domain.catalog.errors import FieldPath, Finding

M = TypeVar("M", bound=BaseModel)

_SHORT_INPUT = 60


def validate_entry(model: type[M], data: Any, base: FieldPath) -> tuple[M | None, list[Finding]]:
    """``model`` built from ``data`` (found at ``base`` in its file), or the findings."""
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, [_finding(model, data, base, error) for error in exc.errors()]


def _finding(model: type[BaseModel], data: Any, base: FieldPath, error: ErrorDetails) -> Finding:
    loc = error["loc"]
    path: list[str | int] = []
    node = data
    last: str | int | None = None
    for position, part in enumerate(loc):
        if isinstance(node, Mapping) and isinstance(part, str) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, Sequence) and not isinstance(node, str) and isinstance(part, int):
            if not 0 <= part < len(node):
                break
            path.append(part)
            node = node[part]
        elif position == len(loc) - 1:
            # A missing field or an unusable dict key: name it, point at its parent.
            last = part
        # else: a pydantic-internal part (a union member's tag): not in the data, skip it.
    return Finding((*base, *path), _reason(model, error, loc, last))


def _reason(
    model: type[BaseModel], error: ErrorDetails, loc: tuple[str | int, ...], last: str | int | None
) -> str:
    kind = error["type"]
    if kind == "missing" and last is not None:
        return f"{last} is missing"
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, loc[:-1])
        key = loc[-1] if loc else "?"
        hint = f" (allowed here: {', '.join(allowed)})" if allowed else ""
        return f"unknown key {key!r}{hint}"
    message = error["msg"]
    if kind in {"value_error", "assertion_error"}:
        return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    given = error.get("input")
    if isinstance(given, str | int | float) and len(repr(given)) <= _SHORT_INPUT:
        message = f"{message}, not {given!r}"
    return message[0].lower() + message[1:] if message else kind


def _allowed_keys(model: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    """The field names of the model that sits at ``loc`` inside ``model``, if there is one."""
    current: type[BaseModel] = model
    for part in loc:
        if isinstance(part, str) and part in current.model_fields:
            inner = _models_in(current.model_fields[part].annotation)
            if len(inner) != 1:
                return []
            current = inner[0]
    return list(current.model_fields)


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origin = get_origin(annotation)
    if origin is None:
        return []
    args = get_args(annotation)
    if origin is Annotated:
        args = args[:1]
    elif origin is dict or (isinstance(origin, type) and issubclass(origin, Mapping)):
        args = args[1:]
    elif origin not in (tuple, list, Union, types.UnionType):
        return []
    found: list[type[BaseModel]] = []
    for arg in args:
        for item in _models_in(arg):
            if item not in found:
                found.append(item)
    return found
