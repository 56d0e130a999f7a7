"""Every ``deskui`` sub-command under hostile command lines: never a traceback, an exit code
from the documented set, one line on stderr for bad input, the database unchanged on refusal.

Command lines are each sub-command's own options (discovered from the parser, so a new option
is fuzzed without touching this file) mixed with hostile values: extreme dates and instants,
huge and negative integers, ``inf`` and ``nan``, NUL bytes, undecodable bytes (lone
surrogates, as Python hands them over), markup and terminal escape sequences, and plausible
names. Commands that would open the app, serve, loop or generate millions of tickets have
their parser fuzzed only; every other one runs in-process through ``main`` against a seeded
SQLite database. A few command lines of the bug report also run in a subprocess.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fuzzing import fuzz_settings, nasty_text
from hypothesis import given
from hypothesis import strategies as st

from deskui.cli import build_parser, main
from deskui.cli.common import CommandError
from deskui.services.catalog.seeding import seed_directory
from deskui.store.session import Database

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"
NOW = "2026-11-24T14:00:00+00:00"
# The exit codes the README documents: 0 done, 1 some queued mail not sent (send-pending),
# 2 bad input, 3 refused for lack of a role, 65 a message quarantined, 75 try again later.
EXIT_CODES = {0, 1, 2, 3, 65, 75}
# Sub-commands that open the app, serve, loop until stopped or write millions of rows when
# their arguments are good: their parsers are fuzzed, their handlers are not run.
PARSE_ONLY = {
    ("run",),
    ("demo",),
    ("board",),
    ("serve", "ssh"),
    ("serve", "web"),
    ("serve", "lmtp"),
    # Reads the teams' IMAP mailboxes: a good command line would reach for their servers.
    ("mail", "fetch"),
    ("pager", "run"),
    ("db", "generate"),
}

VALUES = (
    "DSK-000001",
    "DSK-999999",
    "amorgan",
    "jmorales",
    "kenco",
    "acme-foods",
    "maria.lopez@acme-foods.example",
    "itworks-et",
    "itworks-standard",
    "high",
    "resolution",
    "open",
    "all",
    "resolved",
    "0",
    "1",
    "-1",
    "5",
    "2147483648",
    "99999999999999999999999",
    "9" * 5000,
    "1e309",
    "inf",
    "-inf",
    "nan",
    "0.0001",
    "10d",
    "0h",
    "999999999999d",
    "1h30m",
    "0001-01-01",
    "1899-12-31",
    "2026-11-24",
    "2999-12-31",
    "9999-12-31",
    "2026-11-24T10:00",
    "9999-12-31T23:59:59",
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00+14:00",
    "2026-02-30T10:00",
    "/nonexistent/file.eml",
    "sqlite:///",
    "postgresql://nobody@127.0.0.1:1/none",
    "-",
    "--",
    "\ud800",
    "a\x00b",
    "\x1b[31mred\x1b[0m",
    "[bold]markup[/bold]",
)
values = st.one_of(st.sampled_from(VALUES), nasty_text)


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _leaves(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    children = _subparsers(parser)
    if not children:
        yield path, parser
        return
    for name, child in children.items():
        yield from _leaves(child, (*path, name))


LEAVES = dict(_leaves(build_parser([], every_group=True)))
OPTIONS = {
    path: sorted(
        {o for action in parser._actions for o in action.option_strings if o not in ("-h",)}
    )
    for path, parser in LEAVES.items()
}
RUNNABLE = sorted(path for path in LEAVES if path not in PARSE_ONLY)


def test_every_sub_command_is_fuzzed() -> None:
    """The discovery found the groups the README lists (so nothing is skipped silently)."""
    groups = {path[0] for path in LEAVES}
    assert {"sla", "ticket", "mail", "report", "oncall", "pager", "db", "audit"} <= groups
    assert ("mail", "ingest") in RUNNABLE and ("ticket", "list") in RUNNABLE
    assert len(LEAVES) >= 30


@st.composite
def command_lines(draw: st.DrawFn, paths: list[tuple[str, ...]]) -> list[str]:
    path = draw(st.sampled_from(paths))
    options = OPTIONS[path]
    words = st.one_of(st.sampled_from(options), values) if options else values
    rest = draw(st.lists(words, max_size=7))
    return [*path, *rest]


def _dump(url: str) -> str:
    """A digest of every row (a logical dump: a WAL checkpoint may move bytes, not data)."""
    path = url.removeprefix("sqlite:///")
    connection = sqlite3.connect(path)
    try:
        return hashlib.sha256("\n".join(connection.iterdump()).encode()).hexdigest()
    finally:
        connection.close()


@pytest.fixture
def desk_url(sqlite_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    database = Database(sqlite_db_url)
    try:
        seed_directory(database, SAMPLE_DATA, now=dt.datetime(2026, 11, 23, tzinfo=dt.UTC))
    finally:
        database.dispose()
    monkeypatch.setenv("DESKUI_NOW", NOW)
    monkeypatch.setenv("DESKUI_DATABASE_URL", sqlite_db_url)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    for name in ("SMTP_HOST", "MAIL_TEAM", "PAGER_WEBHOOK_URL", "AGENT", "CONFIG"):
        monkeypatch.delenv(f"DESKUI_{name}", raising=False)
    monkeypatch.chdir(tmp_path)
    return sqlite_db_url


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    sys.stdin = io.TextIOWrapper(io.BytesIO(b""))
    try:
        code = main(argv)
    except SystemExit as exited:  # argparse: --help (0) or a usage error (2)
        code = exited.code if isinstance(exited.code, int) else 2
        assert code in (0, 2), argv
    out, err = capsys.readouterr()
    return code, out, err


@fuzz_settings(examples=150)
@given(argv=command_lines(RUNNABLE))
def test_command_lines_never_crash(
    desk_url: str, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    before = _dump(desk_url)
    try:
        code, _out, err = _run(argv, capsys)
    finally:
        sys.stdin = sys.__stdin__
    assert code in EXIT_CODES, (argv, code, err)
    assert "Traceback" not in err
    if code == 2:
        lines = err.splitlines()
        assert lines and lines[-1].startswith("deskui: ") and err.endswith("\n"), (argv, err)
        # Only ``db seed`` lists problems first, one FILE:LINE: FIELD: REASON line each.
        assert len(lines) == 1 or argv[:2] == ["db", "seed"], (argv, err)
        assert _dump(desk_url) == before, argv


@fuzz_settings(examples=150)
@given(argv=command_lines(sorted(LEAVES)))
def test_every_parser_refuses_in_one_line(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    parser = build_parser(argv)
    try:
        parser.parse_args(argv)
    except SystemExit as exited:
        assert exited.code in (0, 2), argv
        if exited.code == 2:
            err = capsys.readouterr().err
            assert err.startswith("deskui: ") and err.count("\n") == 1, (argv, err)
    except CommandError as exc:
        assert exc.exit_code == 2 and "\n" not in str(exc), (argv, str(exc))
    capsys.readouterr()


# ---- the bug report's command lines, as a shell runs them -----------------------------------

REPORTED = [
    (
        [
            *("sla", "due", "--calendar", "itworks-et", "--start", "9999-12-31T23:00"),
            *("--duration", "10d", "--data", str(SAMPLE_DATA)),
        ],
        "--start '9999-12-31T23:00' is outside the supported range 1900-01-01 to 2999-12-31",
    ),
    (
        ["oncall", "show", "--at", "9999-12-31T23:59:59"],
        "--at '9999-12-31T23:59:59' is outside the supported range",
    ),
    (
        ["report", "sla", "--from", "0001-01-01", "--to", "9999-12-31"],
        "--from '0001-01-01' is outside the supported range",
    ),
    (
        ["ticket", "list", "--limit", "99999999999999999999999"],
        "--limit must be at most 100000, not '99999999999999999999999'",
    ),
    (
        ["mail", "retry", "99999999999999999999999", "--as", "amorgan"],
        "ID must be at most 2147483647",
    ),
    (["pager", "run", "--interval", "inf"], "--interval 'inf' is not a finite number"),
    (["pager", "run", "--interval", "nan"], "--interval 'nan' is not a finite number"),
]


@pytest.mark.parametrize(("argv", "message"), REPORTED, ids=[" ".join(a[:2]) for a, _ in REPORTED])
def test_reported_command_lines_are_one_line_errors(
    desk_url: str, argv: list[str], message: str
) -> None:
    before = _dump(desk_url)
    done = subprocess.run(
        [sys.executable, "-m", "deskui", *argv],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert done.stderr.startswith("deskui: ") and done.stderr.count("\n") == 1, done.stderr
    assert message in done.stderr
    assert _dump(desk_url) == before
