"""Optimistic locking across transactions: an edit carries the version it was based on.

Within one write transaction SQLAlchemy's ``version_id_col`` already refuses a lost update
(``StaleEditError`` via ``Database.write()``). An agent's edit, though, is based on what they
saw earlier, in another transaction: ``expect_version`` compares that version with the one now
stored before anything is changed.
"""

from __future__ import annotations

from typing import Protocol

from deskui.domain.storage_errors import StaleEditError


class Versioned(Protocol):
    version: int


def expect_version(record: Versioned, expected: int, *, what: str = "this record") -> None:
    """Raise ``StaleEditError`` unless ``record`` is still at version ``expected``."""
    actual = record.version
    if actual != expected:
        raise StaleEditError(
            f"{what} was changed by someone else since you opened it (version {expected}, "
            f"now {actual}); your change was not applied. Reload it, then apply it again.",
            expected=expected,
            actual=actual,
        )
