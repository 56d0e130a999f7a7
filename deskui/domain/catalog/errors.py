"""Problems found in sample data, and the one error that carries all of them.

A ``Problem`` names the file, the line, the field path and the reason, so a person can go
straight to the spot; ``SampleDataError`` lists every problem found, one per line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# A field path: mapping keys (str) and list positions (int), from the top of a file.
FieldPath = tuple[str | int, ...]


def format_path(path: FieldPath) -> str:
    """``("policies", 1, "priorities", 0)`` → ``"policies[1].priorities[0]"``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem the domain checks found, located by field path only (no file, no line)."""

    path: FieldPath
    reason: str


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem: ``FILE:LINE: FIELD: REASON`` (line and field left out when unknown)."""

    file: str
    line: int | None
    path: FieldPath
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        field = format_path(self.path)
        return f"{where}: {field}: {self.reason}" if field else f"{where}: {self.reason}"

    def sort_key(self) -> tuple[str, int, str]:
        return (self.file, self.line or 0, format_path(self.path))


class SampleDataError(ValueError):
    """Sample data that cannot be loaded; ``str()`` gives one line per problem."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: Sequence[Problem] = tuple(sorted(problems, key=Problem.sort_key))
        super().__init__("\n".join(str(p) for p in self.problems) or "invalid sample data")
