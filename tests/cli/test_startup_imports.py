"""What a CLI call imports: only the command group it names, and no heavy library it does not
use (``deskui --version`` loads no group, no ORM; ``deskui ticket list`` no Textual, Alembic or
SSH). The lazily listed commands are the ones the groups register, and the cheap schema check
agrees with Alembic's own answer."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from deskui.cli import COMMANDS, build_parser
from deskui.store.engine import make_engine
from deskui.store.migrate import alembic_config, current_revision, head_revision, upgrade

HEAVY = ("sqlalchemy", "pydantic", "textual", "alembic", "asyncssh", "numpy", "holidays")

# Runs ``deskui ARGS`` in this interpreter, then prints which heavy modules got imported.
_PROBE = """
import json, runpy, sys
heavy = json.loads(sys.argv[1])
sys.argv = ["deskui", *sys.argv[2:]]
try:
    runpy.run_module("deskui", run_name="__main__")
except SystemExit as exit:
    code = exit.code
print(json.dumps({"code": code, "loaded": [m for m in heavy if m in sys.modules]}))
"""


def imported_by(*argv: str) -> tuple[int, list[str]]:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(HEAVY), *argv],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={"DESKUI_NOW": "2026-12-01T10:00:00-05:00", "PATH": "/usr/bin:/bin"},
    )
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    return answer["code"], answer["loaded"]


def test_version_imports_no_command_group_and_no_heavy_library() -> None:
    code, loaded = imported_by("--version")
    assert code == 0
    assert loaded == []


def test_ticket_list_skips_the_app_the_migrations_and_ssh(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    upgrade(url)
    code, loaded = imported_by("--db", url, "ticket", "list", "--json")
    assert code == 0
    assert "sqlalchemy" in loaded  # the probe does see imports
    assert not {"textual", "alembic", "asyncssh"} & set(loaded)


def test_listed_commands_are_the_ones_the_groups_register() -> None:
    parser = build_parser([], every_group=True)
    (commands,) = (a for a in parser._actions if a.dest == "command")
    registered = {
        choice.dest: choice.help
        for choice in commands._choices_actions  # type: ignore[attr-defined]
    }
    assert registered == {name: help_line for name, (_, help_line) in COMMANDS.items()}
    assert list(registered) == list(COMMANDS)


def test_the_named_group_parses_in_full_after_global_options() -> None:
    argv = ["--db", "sqlite://", "ticket", "list", "--json"]
    args = build_parser(argv).parse_args(argv)
    assert (args.command, args.ticket_command, args.json) == ("ticket", "list", True)


def test_head_revision_read_from_the_files_is_alembics_head() -> None:
    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_current_revision_is_what_alembic_reads(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    assert current_revision(url) is None
    upgrade(url)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            assert (
                current_revision(engine)
                == MigrationContext.configure(connection).get_current_revision()
            )
    finally:
        engine.dispose()
    assert current_revision(url) == head_revision()
