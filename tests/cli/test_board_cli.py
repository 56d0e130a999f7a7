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
        "role (sign in with --as HANDLE, or use --read-only without one)"
    )


def test_an_unknown_agent_is_named(
    seeded: tuple[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    url, config = seeded
    code = main(["board", "--as", "nobody", "--db", url, "--config", str(config)])
    assert code == 2
    assert "unknown agent 'nobody'" in capsys.readouterr().err


@pytest.fixture
def wall(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The app `deskui board` would run, caught instead of run (no terminal in a test)."""
    from deskui.ui.app import DeskApp

    monkeypatch.delenv("DESKUI_AGENT", raising=False)
    started: list[object] = []

    def run(self: DeskApp) -> None:
        started.append(self)
        self.desk.database.dispose()

    monkeypatch.setattr(DeskApp, "run", run)
    return started


@pytest.mark.parametrize("team", [[], ["--team", "itworks"]])
def test_read_only_needs_nobody_signed_in(
    seeded: tuple[str, Path], wall: list[object], team: list[str]
) -> None:
    from deskui.ui.app import DeskApp

    url, config = seeded
    assert main(["board", "--read-only", *team, "--db", url, "--config", str(config)]) == 0
    [app] = wall
    assert isinstance(app, DeskApp)
    assert app.read_only and app.desk.is_viewer
    assert app.desk.agent_label == "wall display"
    assert app.board_team == (team[1] if team else None)


def test_an_unknown_team_is_named_with_the_known_ones(
    seeded: tuple[str, Path], wall: list[object], capsys: pytest.CaptureFixture[str]
) -> None:
    url, config = seeded
    code = main(["board", "--read-only", "--team", "nosuch", "--db", url, "--config", str(config)])
    assert code == 2 and not wall
    assert capsys.readouterr().err.strip() == (
        "deskui: unknown team 'nosuch' (known: itworks, kenco, keystone, paritor, velsoft)"
    )


def test_a_supervisor_with_an_unknown_team_is_refused_too(
    seeded: tuple[str, Path], wall: list[object], capsys: pytest.CaptureFixture[str]
) -> None:
    url, config = seeded
    args = ["board", "--as", "sokafor", "--team", "nosuch", "--db", url, "--config", str(config)]
    assert main(args) == 2 and not wall
    assert "unknown team 'nosuch' (known: itworks," in capsys.readouterr().err


def test_without_read_only_nobody_signed_in_is_still_asked_who(
    seeded: tuple[str, Path], wall: list[object], capsys: pytest.CaptureFixture[str]
) -> None:
    url, config = seeded
    assert main(["board", "--db", url, "--config", str(config)]) == 2 and not wall
    assert "who is signing in? pass --as HANDLE" in capsys.readouterr().err
