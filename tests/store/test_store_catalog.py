"""Calendars and policies round-trip exactly through their JSON spec columns, and the priority
rows always agree with the spec."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from store_factories import POLICY, make_ticket, seed_minimal

from deskui.domain.calendar.spec import CalendarSpec
from deskui.domain.sla.policy import PolicySpec
from deskui.domain.storage_errors import StoreFailedError
from deskui.store.catalog_store import (
    load_calendar_specs,
    load_policy_specs,
    save_calendar,
    save_policy,
)
from deskui.store.models import SlaPolicy, SlaPriority
from deskui.store.session import Database

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"


def _sample(kind: str) -> list[dict]:
    return yaml.safe_load((SAMPLE_DATA / f"{kind}.yaml").read_text())[kind]


def _priority_rows(database: Database, policy: str) -> list[tuple]:
    with database.read() as session:
        return [
            tuple(row)
            for row in session.execute(
                select(
                    SlaPriority.rank,
                    SlaPriority.slug,
                    SlaPriority.label,
                    SlaPriority.acknowledgement_target,
                    SlaPriority.response_target,
                    SlaPriority.resolution_target,
                )
                .join(SlaPolicy)
                .where(SlaPolicy.name == policy)
                .order_by(SlaPriority.rank)
            )
        ]


def test_sample_calendars_and_policies_round_trip_exactly(database: Database) -> None:
    calendars = [CalendarSpec.model_validate(item) for item in _sample("calendars")]
    policies = [PolicySpec.model_validate(item) for item in _sample("policies")]
    with database.write() as session:
        for calendar in calendars:
            save_calendar(session, calendar)
        for policy in policies:
            save_policy(session, policy)
    with database.read() as session:
        assert load_calendar_specs(session) == {c.name: c for c in calendars}
        assert load_policy_specs(session) == {p.name: p for p in policies}


def test_priority_rows_follow_the_spec(database: Database) -> None:
    with database.write() as session:
        seed_minimal(session)
    assert _priority_rows(database, "test-standard") == [
        (0, "very-high", "Very High", None, "2h", "4h"),
        (1, "high", "High", None, "4h", "8h"),
        (2, "medium", "Medium", None, "8h", "2d"),
        (3, "low", "Low", None, "3d", "negotiated"),
    ]


def test_saving_again_reorders_relabels_and_drops_priorities(database: Database) -> None:
    with database.write() as session:
        seed_minimal(session)
    changed = POLICY.model_copy(
        update={
            "priorities": (
                POLICY.priorities[1].model_copy(update={"label": "Urgent"}),
                POLICY.priorities[0],
                POLICY.priorities[2],
            ),
            "mapping": {},
        }
    )
    with database.write() as session:
        save_policy(session, changed)
    assert _priority_rows(database, "test-standard") == [
        (0, "high", "Urgent", None, "4h", "8h"),
        (1, "very-high", "Very High", None, "2h", "4h"),
        (2, "medium", "Medium", None, "8h", "2d"),
    ]
    with database.read() as session:
        assert load_policy_specs(session)["test-standard"] == changed


def test_a_priority_in_use_cannot_be_dropped(database: Database) -> None:
    with database.write() as session:
        make_ticket(session, seed_minimal(session), priority="low")
    without_low = POLICY.model_copy(update={"priorities": POLICY.priorities[:3], "mapping": {}})
    with pytest.raises(StoreFailedError) as refused, database.write() as session:
        save_policy(session, without_low)
    # The store's own error; the driver's refusal is its cause.
    assert isinstance(refused.value.__cause__, IntegrityError)
    assert [row[1] for row in _priority_rows(database, "test-standard")][-1] == "low"


def test_a_ticket_needs_a_priority_of_its_policy(database: Database) -> None:
    with pytest.raises(StoreFailedError) as refused, database.write() as session:
        ticket = make_ticket(session, seed_minimal(session), priority="low")
        ticket.priority = "critical"
        session.flush()
    # The store's own error; the driver's refusal is its cause.
    assert isinstance(refused.value.__cause__, IntegrityError)


def test_policy_needs_its_calendar_saved_first(database: Database) -> None:
    with pytest.raises(ValueError, match="test-et"), database.write() as session:
        save_policy(session, POLICY)
