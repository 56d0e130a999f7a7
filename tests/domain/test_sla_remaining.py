"""Business time remaining across many calendars, and the two hot-path variants agreeing."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sample_specs import sample_calendar_specs
from synthetic_calendars import SYNTHETIC

from deskui.domain.calendar.compiled import compile_calendar
from deskui.domain.calendar.fleet import positions_across
from deskui.domain.calendar.grid import MAX_TABLE_SECONDS
from deskui.domain.sla.remaining import RemainingBoard

SPECS = [*sample_calendar_specs(), *SYNTHETIC]
NOW = int(dt.datetime(2026, 11, 16, 15, 0, tzinfo=dt.UTC).timestamp())


def test_board_matches_elapsed_on_every_calendar() -> None:
    calendars = [compile_calendar(spec) for spec in SPECS]
    rng = np.random.default_rng(7)
    index = rng.integers(0, len(calendars), 4000)
    dues = NOW + rng.integers(-20 * 86400, 60 * 86400, 4000)
    board = RemainingBoard(calendars, index, dues)
    assert len(board) == 4000
    for now in (NOW, NOW + 3 * 86400 + 17):
        remaining = board.remaining(now)
        expected = [
            calendars[k].elapsed_epoch(now, int(d)) for k, d in zip(index, dues, strict=True)
        ]
        assert remaining.tolist() == expected


def test_positions_across_handles_a_calendar_without_bucket_tables() -> None:
    long_horizon = compile_calendar(SPECS[0])
    long_horizon.compile_years(2000, 2030)  # longer than the table limit: plain bisect
    assert long_horizon.snapshot(NOW, NOW).hi - long_horizon.snapshot(NOW, NOW).lo > (
        MAX_TABLE_SECONDS
    )
    short = compile_calendar(SPECS[1])
    rng = np.random.default_rng(3)
    index = rng.integers(0, 2, 500)
    instants = NOW + rng.integers(-86400 * 400, 86400 * 400, 500)
    got = positions_across([long_horizon, short], index, instants)
    cals = [long_horizon, short]
    assert got.tolist() == [
        cals[k].position_epoch(int(t)) for k, t in zip(index, instants, strict=True)
    ]


def test_positions_across_refuses_bad_input() -> None:
    cal = compile_calendar(SPECS[0])
    with pytest.raises(ValueError, match="same shape"):
        positions_across([cal], [0, 0], [NOW])
    with pytest.raises(ValueError, match="not in the list"):
        positions_across([cal], [1], [NOW])
    assert positions_across([cal], [], []).size == 0


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_bisecting_and_bucketed_hot_paths_agree(spec) -> None:
    bucketed = compile_calendar(spec)
    bucketed.compile_years(2026, 2027)
    bisecting = compile_calendar(spec)
    bisecting.compile_years(2000, 2030)
    assert bucketed.snapshot(NOW, NOW).bucket_kind
    assert not bisecting.snapshot(NOW, NOW).bucket_kind
    rng = np.random.default_rng(11)
    starts = (NOW + rng.integers(-300 * 86400, 300 * 86400, 600)).tolist()
    # Whole minutes and hours land on boundaries, and on bucket edges, often.
    starts += [NOW - NOW % 3600 + 60 * int(k) for k in rng.integers(-20000, 20000, 600)]
    for t, seconds in zip(starts, rng.integers(0, 10 * 86400, len(starts)).tolist(), strict=True):
        assert bucketed.position_epoch(t) - bucketed.position_epoch(NOW) == (
            bisecting.position_epoch(t) - bisecting.position_epoch(NOW)
        )
        assert bucketed.is_open_epoch(t) == bisecting.is_open_epoch(t)
        assert bucketed.add_epoch(t, seconds) == bisecting.add_epoch(t, seconds)
        assert bucketed.elapsed_epoch(NOW, t) == bisecting.elapsed_epoch(NOW, t)


@pytest.mark.slow
def test_benchmark_quick_run_agrees_with_its_rivals() -> None:
    pytest.importorskip("pandas")
    pytest.importorskip("timegrid")
    script = Path(__file__).resolve().parents[2] / "bench" / "sla_bench.py"
    result = subprocess.run(
        [sys.executable, str(script), "--quick"], capture_output=True, text=True, check=True
    )
    out = result.stdout
    assert "deskui = timegrid                 500/500" in out
    assert "500/500 writing a due on closing time" in out
    assert "elapsed  deskui = timegrid calendar        500/500" in out
    assert "spot check against elapsed_epoch: 300/300 equal" in out
