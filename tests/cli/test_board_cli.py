"""`deskui board` through ``deskui.cli.main``: help, bad arguments, and the supervisor check
(on SQLite only: the role check reads one agent, the backend adds nothing here)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from deskui.cli import main
from deskui.services.catalog.seeding import seed_directory
from deskui.store.session import Database

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"
SEEDED_AT = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)


def test_help_names_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["board", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "usage: deskui board" in out
    assert "--read-only" in out and "--as" in out


def test_unknown_arguments_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["board", "--wall"])
    assert exit_info.value.code == 2
    assert "unrecognized arguments: --wall" in capsys.readouterr().err


@pytest.fixture
def seeded(sqlite_db_url: str, tmp_path: Path) -> tuple[str, Path]:
    database = Database(sqlite_db_url)
    try:
        seed_directory(database, SAMPLE_DATA, now=SEEDED_AT)
    finally:
        database.dispose()
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    return sqlite_db_url, config


@pytest.mark.parametrize("read_only", [[], ["--read-only"]])
def test_an_agent_without_the_supervisor_role_is_refused(
    seeded: tuple[str, Path], capsys: pytest.CaptureFixture[str], read_only: list[str]
) -> None:
    url, config = seeded
    code = main(["board", "--as", "mbrennan", *read_only, "--db", url, "--config", str(config)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip() == (
        "deskui: the breach board is for supervisors: mbrennan does not have the supervisor "
        "role (sign in with --as HANDLE)"
    )


def test_an_unknown_agent_is_named(
    seeded: tuple[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    url, config = seeded
    code = main(["board", "--as", "nobody", "--db", url, "--config", str(config)])
    assert code == 2
    assert "unknown agent 'nobody'" in capsys.readouterr().err
