"""Shared fixtures for the domain tests: the shipped sample calendars and policies."""

from __future__ import annotations

import pytest
from sample_specs import sample_calendar_specs, sample_policy_specs

from deskui.domain.calendar.book import CalendarBook
from deskui.domain.sla.policy import PolicySpec


@pytest.fixture(scope="session")
def book() -> CalendarBook:
    return CalendarBook(sample_calendar_specs())


@pytest.fixture(scope="session")
def policies() -> dict[str, PolicySpec]:
    return {policy.name: policy for policy in sample_policy_specs()}
