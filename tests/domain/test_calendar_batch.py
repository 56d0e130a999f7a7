"""The numpy batch functions give exactly the scalar results, element by element."""

from __future__ import annotations

import os
from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sample_specs import sample_calendar_specs
from synthetic_calendars import SYNTHETIC

from deskui.domain.calendar.compiled import CompiledCalendar, compile_calendar

SPECS = {s.name: s for s in [*sample_calendar_specs(), *SYNTHETIC]}
START = 1_735_689_600  # 2025-01-01
END = 1_893_456_000  # 2030-01-01
BATCH = settings(max_examples=25, deadline=None, derandomize=os.environ.get("CI") == "true")


@cache
def compiled(name: str) -> CompiledCalendar:
    return compile_calendar(SPECS[name])


instants = st.lists(st.integers(START, END), min_size=1, max_size=60)


@pytest.mark.parametrize("name", sorted(SPECS))
@BATCH
@given(starts=instants, data=st.data())
def test_batch_equals_scalar(name: str, starts: list[int], data: st.DataObject) -> None:
    cal = compiled(name)
    seconds = data.draw(
        st.lists(st.integers(0, 30 * 86400), min_size=len(starts), max_size=len(starts))
    )
    ends = data.draw(st.lists(st.integers(START, END), min_size=len(starts), max_size=len(starts)))
    assert cal.add_many(starts, seconds).tolist() == [
        cal.add_epoch(t, d) for t, d in zip(starts, seconds, strict=True)
    ]
    assert cal.elapsed_many(starts, ends).tolist() == [
        cal.elapsed_epoch(a, b) for a, b in zip(starts, ends, strict=True)
    ]
    assert cal.positions_many(starts).tolist() == [cal.position_epoch(t) for t in starts]
    assert cal.is_open_many(starts).tolist() == [cal.is_open_epoch(t) for t in starts]


def test_batch_broadcasts_and_handles_empty_arrays() -> None:
    cal = compile_calendar(SPECS["itworks-et"])
    starts = np.array([START, START + 86400 * 10], dtype=np.int64)
    assert cal.add_many(starts, 3600).tolist() == [cal.add_epoch(int(t), 3600) for t in starts]
    assert cal.elapsed_many(START, starts).tolist() == [
        cal.elapsed_epoch(START, int(t)) for t in starts
    ]
    empty = np.array([], dtype=np.int64)
    assert cal.add_many(empty, empty).size == 0
    assert cal.elapsed_many(empty, empty).size == 0
    assert cal.positions_many(empty).size == 0
    assert cal.is_open_many(empty).size == 0


def test_batch_grows_the_horizon_far_ahead() -> None:
    cal = compile_calendar(SPECS["paritor-uk"])
    starts = np.array([START, END], dtype=np.int64)
    far = cal.add_many(starts, 8 * 3600 * 250 * 15)
    assert far.tolist() == [cal.add_epoch(int(t), 8 * 3600 * 250 * 15) for t in starts]
