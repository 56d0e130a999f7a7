"""The types of the ``deskui`` command's arguments, checked at the edge.

Every command group takes its dates, instants, durations, counts, ids, intervals, paths and
free text through these ``argparse`` types, so a value no service could use is refused before
anything runs: one line on stderr naming the option and the value, exit code 2
(``DeskArgumentParser.error``). What is checked:

- dates and instants lie in ``EARLIEST``..``LATEST`` (1900-01-01 to 2999-12-31, said in each
  option's help), far enough inside what ``datetime`` and the calendars compile (years
  2-9997) that a duration or a time zone added to them cannot overflow;
- whole numbers lie in a stated range (ids fit a 32-bit database integer);
- seconds are finite numbers (no ``inf``, no ``nan``) in a stated range;
- durations are at most ``MAX_DURATION_DAYS`` working days;
- every argument's text, whatever its type, holds no NUL character nor undecodable bytes
  (bytes that are not UTF-8 arrive as lone surrogates no database or terminal accepts) and is
  at most a megabyte (checked by the parser itself, for every option of every command).
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import re
from collections.abc import Callable
from typing import NoReturn, TypeVar

from deskui.cli.common import CommandError
from deskui.domain.durations import Duration, parse_duration

EARLIEST = dt.datetime(1900, 1, 1)
LATEST = dt.datetime(2999, 12, 31, 23, 59, 59)
SUPPORTED = f"{EARLIEST.date().isoformat()} to {LATEST.date().isoformat()}"
INSTANT_EXAMPLE = "2026-12-24T15:00 or 2026-12-24T15:00:00-04:00"
# The largest id any table hands out (PostgreSQL's INTEGER; SQLite's is wider).
MAX_ID = 2**31 - 1
# Ten years of working days: far more than any SLA target, small enough to compute quickly.
MAX_DURATION_DAYS = 3660
MAX_DURATION_SECONDS = MAX_DURATION_DAYS * 24 * 3600
# Any one argument (a body or note may be long, not unbounded).
MAX_TEXT = 1_000_000
# The most rows one listing prints.
MAX_LIST = 100_000
MAX_PATH = 4096
_SURROGATE = re.compile("[\ud800-\udfff]")


class DeskArgumentParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` for ``deskui``: usage errors are one line
    (``deskui: sla due: the following arguments are required: --calendar``), exit code 2,
    without the usage block (``--help`` still prints it); a bad value for one of this
    module's types, or text no command can use (NUL, undecodable bytes, a megabyte) in any
    argument, is a ``CommandError`` naming the option and the value, which ``main`` prints as
    one line with exit code 2 like every other bad input."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix("deskui").strip()
        where = f"{command}: " if command else ""
        text = message.removeprefix("argument ")
        self.exit(2, f"deskui: {where}{printable(text)} (see {self.prog} --help)\n")

    def _get_value(self, action: argparse.Action, arg_string: str) -> object:
        # Sub-command names and what follows them are checked by the sub-command's parser.
        if isinstance(action, argparse._SubParsersAction) or not isinstance(arg_string, str):
            return super()._get_value(action, arg_string)
        option = _option(action)
        try:
            _clean(arg_string)
            if getattr(action.type, "checked_at_the_edge", False):
                assert callable(action.type)
                return action.type(arg_string)
        except argparse.ArgumentTypeError as exc:
            message = printable(str(exc))
            joint = " " if message.startswith(("'", '"', "must")) else ": "
            raise CommandError(f"{option}{joint}{message}") from None
        return super()._get_value(action, arg_string)


def _option(action: argparse.Action) -> str:
    if action.option_strings:
        return max(action.option_strings, key=len)
    metavar = action.metavar if isinstance(action.metavar, str) else None
    return metavar or action.dest.upper()


_T = TypeVar("_T")


def edge_type(function: Callable[[str], _T]) -> Callable[[str], _T]:
    """Mark ``function`` as one of this module's types (its errors name the option)."""
    function.checked_at_the_edge = True  # type: ignore[attr-defined]
    return function


def printable(text: str) -> str:
    """The message with control characters and surrogates escaped, so a hostile value cannot
    drive the terminal or fail to print."""
    return "".join(
        ch if ch.isprintable() and not _SURROGATE.match(ch) else ascii(ch)[1:-1] for ch in text
    )


def _shown(text: str, limit: int = 60) -> str:
    """``text`` quoted for a message, cut when long."""
    short = text if len(text) <= limit else text[: limit - 1] + "…"
    return repr(short)


def _fail(message: str) -> NoReturn:
    raise argparse.ArgumentTypeError(message)


# ---- dates and times -----------------------------------------------------------------------


def _in_range(value: dt.datetime, text: str) -> None:
    naive = value.replace(tzinfo=None)
    if value.tzinfo is not None:
        offset = value.utcoffset() or dt.timedelta()
        # Compare in UTC, but only once we know subtracting the offset cannot overflow.
        if EARLIEST.year < value.year < LATEST.year:
            return
        try:
            naive = (value - offset).replace(tzinfo=None)
        except OverflowError:
            _fail(f"{_shown(text)} is outside the supported range {SUPPORTED}")
    if not EARLIEST <= naive <= LATEST:
        _fail(f"{_shown(text)} is outside the supported range {SUPPORTED}")


@edge_type
def instant(text: str) -> dt.datetime:
    """An ISO 8601 time in the supported range; naive (wall time: the command says in which
    zone) unless it carries a UTC offset."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        _fail(f"{_shown(text)} is not an ISO 8601 time like {INSTANT_EXAMPLE}")
    _in_range(value, text)
    return value


@edge_type
def date(text: str) -> dt.date:
    """A ``YYYY-MM-DD`` date in the supported range."""
    try:
        value = dt.date.fromisoformat(text.strip())
    except ValueError:
        _fail(f"bad date {_shown(text)} (expected YYYY-MM-DD, {SUPPORTED})")
    if not EARLIEST.date() <= value <= LATEST.date():
        _fail(f"{_shown(text)} is outside the supported range {SUPPORTED}")
    return value


@edge_type
def duration(text: str) -> Duration:
    """A business duration of ``Nd``, ``Nh`` and ``Nm`` parts, at most ten years of days."""
    if len(text) > 100:
        _fail(f"{_shown(text)} is not a duration like '90m', '4h', '1h30m' or '2d'")
    try:
        value = parse_duration(text)
    except ValueError as exc:
        _fail(str(exc))
    if value.days > MAX_DURATION_DAYS or value.seconds > MAX_DURATION_SECONDS:
        _fail(f"{_shown(text)} is longer than the supported {MAX_DURATION_DAYS}d")
    return value


# ---- numbers -------------------------------------------------------------------------------


def whole_number(low: int, high: int) -> Callable[[str], int]:
    """A type for a whole number in ``low``..``high``."""

    def parse(text: str) -> int:
        stripped = text.strip()
        # Checked before int(): a 5000-digit string is refused, not converted.
        if not re.fullmatch(r"[+-]?\d{1,30}", stripped):
            _fail(f"{_shown(text)} is not a whole number")
        value = int(stripped)
        if value < low:
            _fail(f"must be at least {low}, not {_shown(text)}")
        if value > high:
            _fail(f"must be at most {high}, not {_shown(text)}")
        return value

    return edge_type(parse)


record_id = whole_number(1, MAX_ID)


def seconds(low: float, high: float, *, low_inclusive: bool = False) -> Callable[[str], float]:
    """A type for a finite number of seconds above ``low`` (or from it) and at most ``high``."""

    def parse(text: str) -> float:
        try:
            value = float(text.strip()) if len(text) <= 100 else math.nan
        except ValueError:
            _fail(f"{_shown(text)} is not a number of seconds")
        if not math.isfinite(value):
            _fail(f"{_shown(text)} is not a finite number of seconds")
        above = value >= low if low_inclusive else value > low
        if not above or value > high:
            bound = f"at least {low:g}" if low_inclusive else f"more than {low:g}"
            _fail(f"must be {bound} seconds and at most {high:g}, not {_shown(text)}")
        return value

    return edge_type(parse)


@edge_type
def fraction(text: str) -> float:
    """A finite number from 0 to 1."""
    try:
        value = float(text.strip()) if len(text) <= 100 else math.nan
    except ValueError:
        _fail(f"{_shown(text)} is not a number")
    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
        _fail(f"{_shown(text)} is not between 0 and 1")
    return value


# ---- text and paths ------------------------------------------------------------------------


def _clean(text: str) -> str:
    """``text`` unless it holds a NUL, undecodable bytes or more than ``MAX_TEXT`` characters."""
    if "\x00" in text:
        _fail(f"{_shown(text)} holds a NUL character")
    if _SURROGATE.search(text):
        _fail(f"{_shown(text)} is not valid text (undecodable bytes; use UTF-8)")
    if len(text) > MAX_TEXT:
        _fail(f"must be at most {MAX_TEXT} characters long, not {len(text)}")
    return text


def instant_help(text: str) -> str:
    """``text`` with the supported range appended, for an instant's ``--help``."""
    return f"{text} (ISO 8601, {SUPPORTED})"
