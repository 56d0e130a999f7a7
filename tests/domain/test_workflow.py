"""The ticket lifecycle rules (``deskui.domain.workflow``)."""

from __future__ import annotations

import itertools

import pytest

from deskui.domain.vocabulary import Status
from deskui.domain.workflow import (
    TRANSITIONS,
    IllegalTransitionError,
    allowed_next,
    can_transition,
    check_transition,
    clock_event_kind,
)

S = Status
# Written out in full, so that a change to the table has to change this list too.
ALLOWED = {
    (S.NEW, S.ACKNOWLEDGED),
    (S.ACKNOWLEDGED, S.IN_PROGRESS),
    (S.ACKNOWLEDGED, S.WAITING_ON_CUSTOMER),
    (S.ACKNOWLEDGED, S.RESOLVED),
    (S.IN_PROGRESS, S.WAITING_ON_CUSTOMER),
    (S.IN_PROGRESS, S.RESOLVED),
    (S.WAITING_ON_CUSTOMER, S.IN_PROGRESS),
    (S.WAITING_ON_CUSTOMER, S.RESOLVED),
    (S.RESOLVED, S.IN_PROGRESS),
    (S.RESOLVED, S.CLOSED),
}


def test_every_status_has_a_rule() -> None:
    assert set(TRANSITIONS) == set(Status)


@pytest.mark.parametrize(("current", "wanted"), list(itertools.product(Status, Status)))
def test_transition_table(current: Status, wanted: Status) -> None:
    allowed = (current, wanted) in ALLOWED
    assert can_transition(current, wanted) is allowed
    if allowed:
        check_transition(current, wanted)
    else:
        with pytest.raises(IllegalTransitionError) as caught:
            check_transition(current, wanted)
        assert (caught.value.current, caught.value.wanted) == (current, wanted)


def test_the_error_says_what_is_allowed() -> None:
    with pytest.raises(IllegalTransitionError) as caught:
        check_transition(S.NEW, S.RESOLVED)
    assert str(caught.value) == (
        "a ticket that is new cannot become resolved (from new it can become: acknowledged)"
    )
    with pytest.raises(IllegalTransitionError, match="nothing: it is final"):
        check_transition(S.CLOSED, S.IN_PROGRESS)


def test_allowed_next_in_lifecycle_order() -> None:
    assert allowed_next(S.ACKNOWLEDGED) == (S.IN_PROGRESS, S.WAITING_ON_CUSTOMER, S.RESOLVED)
    assert allowed_next(S.CLOSED) == ()


def test_every_status_can_reach_closed_and_closed_is_final() -> None:
    for start in Status:
        seen, frontier = {start}, [start]
        while frontier:
            for following in TRANSITIONS[frontier.pop()]:
                if following not in seen:
                    seen.add(following)
                    frontier.append(following)
        assert S.CLOSED in seen
    assert TRANSITIONS[S.CLOSED] == frozenset()


@pytest.mark.parametrize(
    ("before", "after", "meaning"),
    [
        ("new", "acknowledged", "acknowledged"),
        ("acknowledged", "waiting-on-customer", "paused"),
        ("in-progress", "waiting-on-customer", "paused"),
        ("waiting-on-customer", "in-progress", "resumed"),
        ("waiting-on-customer", "resolved", "resolved"),
        ("in-progress", "resolved", "resolved"),
        ("resolved", "in-progress", "reopened"),
        ("acknowledged", "in-progress", None),
        ("resolved", "closed", None),
        ("in-progress", "in-progress", None),
        (None, "resolved", "resolved"),
        ("resolved", None, None),
        ("bogus", "in-progress", None),
        ("resolved", "bogus", None),
    ],
)
def test_clock_meaning_of_a_status_change(
    before: str | None, after: str | None, meaning: str | None
) -> None:
    assert clock_event_kind(before, after) == meaning
