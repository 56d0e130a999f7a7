"""`deskui oncall show` through ``deskui.cli.main`` on a seeded database (SQLite and
PostgreSQL), with ``DESKUI_NOW`` frozen on a weekday night, a weekend and a US holiday."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from deskui.cli import main
from deskui.services.catalog.seeding import seed_directory
from deskui.store.session import Database

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"
SEEDED_AT = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)
# Tuesday 23:00, Saturday noon and Thanksgiving noon, Eastern (UTC-5 in November).
WEEKDAY_NIGHT = "2026-11-25T04:00:00+00:00"
WEEKEND = "2026-12-05T17:00:00+00:00"
THANKSGIVING = "2026-11-26T17:00:00+00:00"
TEAM_KEYS = {
    "team",
    "name",
    "timezone",
    "calendar",
    "at",
    "business_hours",
    "primary",
    "secondary",
    "next_primary",
    "next_secondary",
}
SHIFT_KEYS = {"handle", "name", "starts_at", "ends_at", "override_reason"}

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> Cli:
    """Run ``deskui oncall show ARGS`` on a freshly seeded database; (code, stdout, stderr)."""
    database = Database(db_url)
    try:
        seed_directory(database, SAMPLE_DATA, now=SEEDED_AT)
    finally:
        database.dispose()
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")

    def run(*argv: str, now: str = WEEKDAY_NIGHT) -> tuple[int, str, str]:
        monkeypatch.setenv("DESKUI_NOW", now)
        code = main(["oncall", "show", *argv, "--db", db_url, "--config", str(config)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def shift(out: str, role: str) -> tuple[str, str, str, str | None] | None:
    [team] = json.loads(out)["teams"]
    value = team[role]
    if value is None:
        return None
    assert set(value) == SHIFT_KEYS
    return value["handle"], value["starts_at"], value["ends_at"], value["override_reason"]


def test_weekday_night_weekend_and_holiday_as_json(cli: Cli) -> None:
    code, out, err = cli("--json", now=WEEKDAY_NIGHT)
    assert (code, err) == (0, "")
    [team] = json.loads(out)["teams"]
    assert set(team) == TEAM_KEYS
    assert team["team"] == "kenco"
    assert team["timezone"] == "America/New_York"
    assert team["at"] == "2026-11-24T23:00:00-05:00"
    assert team["business_hours"] is False
    week = ("2026-11-23T09:00:00-05:00", "2026-11-25T17:00:00-05:00", None)
    cover = ("2026-11-25T17:00:00-05:00", "2026-11-30T09:00:00-05:00", "Thanksgiving cover")
    assert shift(out, "primary") == ("lchen", *week)
    assert shift(out, "secondary") == ("jmorales", *week)
    assert shift(out, "next_primary") == ("lchen", *cover)
    assert shift(out, "next_secondary") == ("jmorales", *cover)

    code, out, _ = cli("--json", "--team", "kenco", now=THANKSGIVING)
    assert code == 0
    assert json.loads(out)["teams"][0]["business_hours"] is False
    assert shift(out, "primary") == ("lchen", *cover)
    assert shift(out, "secondary") == ("jmorales", *cover)
    next_week = ("2026-11-30T09:00:00-05:00", "2026-12-07T09:00:00-05:00", None)
    assert shift(out, "next_primary") == ("jmorales", *next_week)

    code, out, _ = cli("--json", now=WEEKEND)
    assert code == 0
    assert json.loads(out)["teams"][0]["business_hours"] is False
    assert shift(out, "primary") == ("jmorales", *next_week)
    assert shift(out, "secondary") == ("dpatel", *next_week)


def test_at_overrides_the_clock_and_wall_time_is_the_teams_zone(cli: Cli) -> None:
    # Tuesday noon Eastern, given as wall time and with an offset: both in business hours.
    for at in ("2026-11-24T12:00", "2026-11-24T17:00:00+00:00"):
        code, out, err = cli("--json", "--at", at, now=WEEKEND)
        assert (code, err) == (0, "")
        [team] = json.loads(out)["teams"]
        assert team["at"] == "2026-11-24T12:00:00-05:00"
        assert team["business_hours"] is True
        assert shift(out, "primary") is not None
        assert shift(out, "primary")[0] == "lchen"  # type: ignore[index]


def test_text_output_names_people_times_and_hours(cli: Cli) -> None:
    code, out, err = cli(now=THANKSGIVING)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    # The app's one date style, in the reader's zone (nobody signed in: the desk's).
    assert lines[0] == "kenco (Kenco WES help desk) at Thu 26 Nov 12:00: after hours"
    assert lines[1].split()[:2] == ["primary", "lchen"]
    assert "Wed 25 Nov 17:00 to Mon 30 Nov 09:00 (Thanksgiving cover)" in lines[1]
    assert lines[2].split()[:2] == ["secondary", "jmorales"]
    assert lines[3].split()[:3] == ["next", "primary", "jmorales"]
    assert lines[4].split()[:3] == ["next", "secondary", "dpatel"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--team", "nope"], "unknown team 'nope'"),
        (["--team", "itworks"], "team 'itworks' has no on-call rotation"),
        (["--at", "tomorrow"], "--at 'tomorrow' is not an ISO 8601 time"),
        (["--at", "2026-13-01T00:00"], "--at '2026-13-01T00:00'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(cli: Cli, argv: list[str], message: str) -> None:
    code, out, err = cli(*argv)
    assert code == 2
    assert out == ""
    assert err.startswith("deskui: ") and message in err
    assert err.count("\n") == 1
