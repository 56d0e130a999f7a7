"""Named public holidays for a ``HolidaySource``, from the ``holidays`` package, cached on disk.

Observed substitute days are included (a Saturday Christmas observed on the Friday or Monday
closes that day too). The package files an observed day under the year it falls in, and a
year-end observance (New Year's Day observed on 31 December) only appears when the following
year is populated, so each year is read with its neighbours and then filtered.

Asking the package for one country imports all of its 250 country modules (a quarter of a
second or more), and every command that computes an SLA clock compiles calendars. So each
(country, subdivision, categories, year) answer is kept in one JSON file per package version
under ``$XDG_CACHE_HOME/deskui/`` (``~/.cache/deskui/``); with the file warm the package is not
imported at all. The cache is only an optimisation: a file that cannot be read or written is
ignored, and ``DESKUI_HOLIDAY_CACHE=off`` turns it off.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from importlib import metadata
from pathlib import Path

from deskui.domain.calendar.errors import CalendarError
from deskui.domain.calendar.spec import HolidaySource

_CACHE_FORMAT = 1
# This process's view of the cache file: key -> {ISO date: name}; None until first read.
_cached: dict[str, dict[str, str]] | None = None
_cached_path: Path | None = None


def holiday_names(source: HolidaySource, first_year: int, last_year: int) -> dict[dt.date, str]:
    """Every holiday date in ``[first_year, last_year]`` with its name (names joined by '; ')."""
    if last_year < first_year:
        return {}
    path = cache_path()
    if path is None:
        return _from_package(source, first_year, last_year)
    cache = _load(path)
    names: dict[dt.date, str] = {}
    missing = False
    for year in range(first_year, last_year + 1):
        key = _key(source, year)
        if key not in cache:
            table = _from_package(source, year, year)
            cache[key] = {day.isoformat(): name for day, name in table.items()}
            missing = True
        names.update({dt.date.fromisoformat(day): name for day, name in cache[key].items()})
    if missing:
        _save(path, cache)
    return dict(sorted(names.items()))


def cache_path() -> Path | None:
    """The cache file for the installed ``holidays`` version, or None when caching is off."""
    if os.environ.get("DESKUI_HOLIDAY_CACHE", "").lower() in {"off", "0", "no", "false"}:
        return None
    try:
        version = metadata.version("holidays")
    except metadata.PackageNotFoundError:
        return None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "deskui" / f"holidays-{version}-{_CACHE_FORMAT}.json"


def _key(source: HolidaySource, year: int) -> str:
    return f"{source.country}|{source.subdivision or ''}|{','.join(source.categories)}|{year}"


def _load(path: Path) -> dict[str, dict[str, str]]:
    global _cached, _cached_path
    if _cached is None or _cached_path != path:
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
            _cached = loaded if isinstance(loaded, dict) else {}
        except (OSError, ValueError):
            _cached = {}
        _cached_path = path
    return _cached


def _save(path: Path, cache: dict[str, dict[str, str]]) -> None:
    """Write the whole cache atomically (a reader never sees half a file); errors are ignored."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, prefix=".holidays-", delete=False
        ) as handle:
            json.dump(cache, handle, sort_keys=True)
        Path(handle.name).replace(path)
    except OSError:
        pass


def _from_package(source: HolidaySource, first_year: int, last_year: int) -> dict[dt.date, str]:
    # Imported on first use: see the module docstring.
    import holidays as holidays_package

    try:
        table = holidays_package.country_holidays(
            source.country,
            subdiv=source.subdivision,
            years=range(max(1, first_year - 1), last_year + 2),
            categories=source.categories,
        )
    except (NotImplementedError, ValueError, KeyError) as exc:
        raise CalendarError(
            f"holidays for country {source.country!r}"
            + (f", subdivision {source.subdivision!r}" if source.subdivision else "")
            + f", categories {list(source.categories)}: {exc}"
        ) from exc
    return {
        day: str(name) for day, name in sorted(table.items()) if first_year <= day.year <= last_year
    }
