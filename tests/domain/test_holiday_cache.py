"""The holiday tables are cached on disk per ``holidays`` version: a warm cache answers the same
dates and names without importing the package (which imports every country it knows), and
``DESKUI_HOLIDAY_CACHE=off`` or an unwritable cache directory only costs the time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# Prints Nova Scotia's 2026 holidays and whether the holidays package got imported.
_PROBE = """
import json, sys
from deskui.domain.calendar.holidays import holiday_names
from deskui.domain.calendar.spec import HolidaySource
names = holiday_names(HolidaySource(country="CA", subdivision="NS"), 2026, 2027)
print(json.dumps({"names": {d.isoformat(): n for d, n in names.items()},
                  "imported": "holidays" in sys.modules}))
"""


def probe(cache: Path, **env: str) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={**os.environ, "XDG_CACHE_HOME": str(cache), **env},
    )
    answer: dict[str, object] = json.loads(result.stdout)
    return answer


def test_a_warm_cache_answers_without_the_package(tmp_path: Path) -> None:
    cold = probe(tmp_path)
    assert cold["imported"] is True
    names = cold["names"]
    assert isinstance(names, dict)
    assert names["2026-12-25"] == "Christmas Day"
    assert "2027-07-01" in names  # Canada Day, the second year asked for
    assert list((tmp_path / "deskui").glob("holidays-*.json"))
    warm = probe(tmp_path)
    assert warm == {"names": names, "imported": False}


def test_without_the_cache_the_answer_is_the_same(tmp_path: Path) -> None:
    cached = probe(tmp_path)
    assert probe(tmp_path, DESKUI_HOLIDAY_CACHE="off") == {**cached, "imported": True}
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("not a directory")
    assert probe(blocked) == {**cached, "imported": True}
