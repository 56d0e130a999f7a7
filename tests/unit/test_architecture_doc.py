"""The architecture document names only paths that exist, and the services stay small at the top.

Every backquoted path in ``docs/architecture.md`` (a token with a ``/`` or ending in ``.py``,
written from the repository root) must exist, so a moved or deleted module cannot leave the
map pointing at nothing. Globs (``themes/*.toml``) must match something.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"
# A path as the document writes one: no spaces, a slash or a .py ending, from the root.
PATH = re.compile(r"`([A-Za-z0-9_.*/-]+)`")


def named_paths(text: str) -> list[str]:
    found = []
    for token in PATH.findall(text):
        if "/" not in token and not token.endswith(".py"):
            continue  # a module attribute or a command, not a path
        found.append(token)
    return found


def test_every_path_the_architecture_document_names_exists() -> None:
    text = DOC.read_text(encoding="utf-8")
    paths = named_paths(text)
    assert len(paths) > 50, "the document names its modules by path"
    missing = [p for p in paths if not (list(ROOT.glob(p)) if "*" in p else (ROOT / p).exists())]
    assert missing == []


def test_the_checker_sees_a_missing_path() -> None:
    assert named_paths("see `deskui/services/nowhere.py` and `Actor`") == [
        "deskui/services/nowhere.py"
    ]
    assert not (ROOT / "deskui/services/nowhere.py").exists()


def test_services_keep_at_most_eight_top_level_modules() -> None:
    top = sorted(
        p.name for p in (ROOT / "deskui" / "services").glob("*.py") if p.name != "__init__.py"
    )
    assert len(top) <= 8, top
