"""Drafts of the desk's forms, kept as small JSON files in the user data directory.

A form that is closed with text in it (``escape``, the app quitting, the connection dropping)
keeps what was typed under a key naming the ticket and the form (``Internal note · DSK-000010``,
``New ticket``); reopening that form brings the text back, and saving it deletes the draft.
Files, not a table: a draft is one person's unfinished typing on one machine, and must survive
even when the database is the thing that is away. One directory per agent handle, so agents
sharing a machine account (SSH front end) never see each other's drafts.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from deskui.settings import APP_NAME


@dataclass(frozen=True, slots=True)
class FormDraft:
    values: dict[str, str | None]
    saved_at: dt.datetime


def drafts_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME)) / "drafts"


class FormDrafts:
    """The drafts of one agent. Every method swallows I/O errors: keeping a draft is a
    courtesy that must never stop the form from working."""

    def __init__(self, handle: str, root: Path | None = None) -> None:
        self.root = (root or drafts_dir()) / _safe(handle)

    def _path(self, key: str) -> Path:
        # Readable and unique: the key's safe spelling plus a short hash of the exact key.
        digest = hashlib.sha256(key.encode()).hexdigest()[:10]
        return self.root / f"{_safe(key)[:60]}-{digest}.json"

    def load(self, key: str) -> FormDraft | None:
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
            values = {str(k): (None if v is None else str(v)) for k, v in data["values"].items()}
            return FormDraft(values, dt.datetime.fromisoformat(data["saved_at"]))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def save(self, key: str, values: dict[str, str | None], at: dt.datetime) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".tmp")
            payload = {"key": key, "saved_at": at.isoformat(), "values": values}
            partial.write_text(json.dumps(payload), encoding="utf-8")
            partial.replace(path)  # never a half-written draft
        except OSError:
            pass

    def discard(self, key: str) -> None:
        with contextlib.suppress(OSError):
            self._path(key).unlink(missing_ok=True)


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_.") or "draft"
