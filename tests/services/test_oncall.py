"""``on_call`` on the seeded sample data (SQLite and PostgreSQL): Kenco's rotation on a weekday
night, in business hours, over the Thanksgiving override (a US holiday) and on a weekend."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from deskui.domain.vocabulary import ShiftRole
from deskui.services.catalog.seeding import seed_directory
from deskui.services.oncall.shifts import (
    ShiftView,
    TeamOnCall,
    UnknownTeamError,
    on_call,
    team_zones,
)
from deskui.store.session import Database

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"
SEEDED_AT = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)
EASTERN = ZoneInfo("America/New_York")


def eastern(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=EASTERN)  # type: ignore[misc]


def who(shift: ShiftView | None) -> tuple[str, dt.datetime, dt.datetime, str | None] | None:
    if shift is None:
        return None
    return shift.handle, shift.starts_at, shift.ends_at, shift.override_reason


def kenco(database: Database, at: dt.datetime) -> TeamOnCall:
    [team] = on_call(database, at, "kenco")
    return team


@pytest.fixture
def seeded(database: Database) -> Database:
    seed_directory(database, SAMPLE_DATA, now=SEEDED_AT)
    return database


def test_kenco_on_call_at_night_in_hours_on_thanksgiving_and_at_the_weekend(
    seeded: Database,
) -> None:
    week_47 = (eastern(2026, 11, 23, 9), eastern(2026, 11, 25, 17))
    thanksgiving = (eastern(2026, 11, 25, 17), eastern(2026, 11, 30, 9), "Thanksgiving cover")
    week_48 = (eastern(2026, 11, 30, 9), eastern(2026, 12, 7, 9), None)

    # Tuesday 23:00 Eastern: a weekday night, the normal rota (week 46 from 5 January).
    night = kenco(seeded, eastern(2026, 11, 24, 23))
    assert night.business_hours is False
    assert night.timezone == "America/New_York"
    assert night.calendar == "kenco-business"
    assert night.at == eastern(2026, 11, 24, 23)
    assert who(night.primary) == ("lchen", *week_47, None)
    assert who(night.secondary) == ("jmorales", *week_47, None)
    assert who(night.next_primary) == ("lchen", *thanksgiving)
    assert who(night.next_secondary) == ("jmorales", *thanksgiving)
    assert night.primary is not None and night.primary.role is ShiftRole.PRIMARY
    assert night.primary.starts_at.tzinfo == EASTERN

    # The same Tuesday at noon: in business hours, same people.
    noon = kenco(seeded, eastern(2026, 11, 24, 12))
    assert noon.business_hours is True
    assert who(noon.primary) == ("lchen", *week_47, None)

    # Thanksgiving Day (a US federal holiday) at noon: closed, the override's cover.
    holiday = kenco(seeded, eastern(2026, 11, 26, 12))
    assert holiday.business_hours is False
    assert who(holiday.primary) == ("lchen", *thanksgiving)
    assert who(holiday.secondary) == ("jmorales", *thanksgiving)
    assert who(holiday.next_primary) == ("jmorales", *week_48)
    assert who(holiday.next_secondary) == ("dpatel", *week_48)

    # Saturday 5 December: the weekend of week 47 of the rota (jmorales, then dpatel).
    weekend = kenco(seeded, eastern(2026, 12, 5, 12))
    assert weekend.business_hours is False
    assert who(weekend.primary) == ("jmorales", *week_48)
    assert who(weekend.secondary) == ("dpatel", *week_48)
    assert who(weekend.next_primary) == (
        "dpatel",
        eastern(2026, 12, 7, 9),
        eastern(2026, 12, 14, 9),
        None,
    )
    assert who(weekend.next_secondary) == (
        "lchen",
        eastern(2026, 12, 7, 9),
        eastern(2026, 12, 14, 9),
        None,
    )

    # Exactly at a handover the incoming shift holds (shifts are [start, end)).
    handover = kenco(seeded, eastern(2026, 11, 30, 9))
    assert who(handover.primary) == ("jmorales", *week_48)


def test_every_team_with_a_rotation_and_only_those(seeded: Database) -> None:
    teams = on_call(seeded, SEEDED_AT)
    assert [team.team for team in teams] == ["kenco"]
    assert team_zones(seeded) == {"kenco": EASTERN}
    assert team_zones(seeded, "kenco") == {"kenco": EASTERN}


def test_no_shift_stored_means_nobody(seeded: Database) -> None:
    long_before = kenco(seeded, dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert long_before.primary is None and long_before.secondary is None
    assert long_before.next_primary is not None


def test_unknown_team_and_team_without_rotation_are_named(seeded: Database) -> None:
    with pytest.raises(UnknownTeamError, match=r"unknown team 'nope' .*kenco"):
        on_call(seeded, SEEDED_AT, "nope")
    with pytest.raises(UnknownTeamError, match=r"'itworks' has no on-call rotation"):
        on_call(seeded, SEEDED_AT, "itworks")
