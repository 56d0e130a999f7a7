"""`deskui sla`: due instants, business time elapsed and clock explanations.

The output format is a contract scripts rely on: ``due`` prints the instant alone,
ISO 8601 to the second with the calendar's UTC offset; ``elapsed`` prints ``44h 0m``;
``--json`` prints one JSON object. A bad name, time or duration is one line on stderr naming
the bad value (and the known names), exit code 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import importlib.util
import json
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from deskui.cli.common import CommandError, command_group, global_options_parent, settings_from
from deskui.domain.calendar.book import CalendarBook
from deskui.domain.calendar.compiled import CompiledCalendar
from deskui.domain.calendar.errors import CalendarError, UnknownCalendarError
from deskui.domain.calendar.localtime import local_instant
from deskui.domain.calendar.spec import CalendarSpec
from deskui.domain.durations import Duration, format_business_seconds, parse_duration
from deskui.domain.sla.due import due_for_target, target_calendar
from deskui.domain.sla.policy import CLOCKS, Clock, NegotiatedTarget, PolicySpec
from deskui.domain.storage_errors import StoreError
from deskui.package_data import bundled_sample_data
from deskui.services.errors import ServiceError
from deskui.services.tickets.sla_explain import explain_ticket

# ``--data`` given without a directory: the sample data shipped with deskui.
_BUNDLED = Path("<bundled sample data>")
_ISO_EXAMPLE = "2026-12-24T15:00 or 2026-12-24T15:00:00-04:00"


class _Catalog(Protocol):
    calendars: dict[str, CalendarSpec]
    policies: dict[str, PolicySpec]


def register(commands: Any) -> None:
    """Add ``sla due``, ``sla elapsed`` and ``sla explain`` to the ``deskui`` parser."""
    actions = command_group(
        commands,
        "sla",
        help="business-time SLA calculations",
        description="Business-time SLA calculations on the configured calendars and policies.",
    )

    due = actions.add_parser(
        "due",
        parents=[global_options_parent()],
        help="when a duration or an SLA clock falls due",
        description=(
            "Print the due instant: either --calendar, --start and --duration, "
            "or --policy, --priority, --clock and --opened."
        ),
    )
    due.add_argument("--calendar", help="calendar name")
    due.add_argument("--start", help="ISO 8601 start; without an offset it is calendar time")
    due.add_argument("--duration", help="business duration made of Nd, Nh, Nm parts (1h30m)")
    due.add_argument("--policy", help="SLA policy name")
    due.add_argument("--priority", help="priority slug (a mapped slug is accepted)")
    due.add_argument("--clock", help=f"one of {', '.join(c.value for c in CLOCKS)}")
    due.add_argument("--opened", help="ISO 8601 opening time; without an offset, calendar time")
    _data_and_json(due)
    due.set_defaults(handler=run_due)

    elapsed = actions.add_parser(
        "elapsed",
        parents=[global_options_parent()],
        help="business time between two instants",
        description="Print the business time in [start, end) on a calendar, like '44h 0m'.",
    )
    elapsed.add_argument("--calendar", required=True, help="calendar name")
    elapsed.add_argument("--start", required=True, help="ISO 8601 start")
    elapsed.add_argument("--end", required=True, help="ISO 8601 end")
    _data_and_json(elapsed)
    elapsed.set_defaults(handler=run_elapsed)

    explain = actions.add_parser(
        "explain",
        parents=[global_options_parent()],
        help="why a ticket's clocks are due when they are (needs the database)",
    )
    explain.add_argument("ref", metavar="REF", help="ticket reference, like DSK-000123")
    explain.set_defaults(handler=run_explain)


def _data_and_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        type=Path,
        nargs="?",
        default=None,
        const=_BUNDLED,
        metavar="DIR",
        help=(
            "read calendars and policies from DIR (--data alone: the sample data shipped with "
            "deskui) instead of the database"
        ),
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")


# ---- loading and parsing -----------------------------------------------------------------


def _load_catalog(args: argparse.Namespace) -> _Catalog:
    try:
        catalog = importlib.import_module("deskui.services.catalog.load")
    except ImportError as exc:
        raise CommandError(f"calendars and policies cannot be loaded: {exc}") from exc
    own_error = getattr(catalog, "SampleDataError", None)
    known_errors: tuple[type[BaseException], ...] = (OSError, ValueError)
    if isinstance(own_error, type) and issubclass(own_error, BaseException):
        known_errors += (own_error,)
    try:
        if args.data is _BUNDLED:
            return catalog.load_catalog_from_directory(bundled_sample_data())
        if args.data is not None:
            if not args.data.is_dir():
                raise CommandError(f"no sample-data directory {str(args.data)!r}")
            return catalog.load_catalog_from_directory(args.data)
        return catalog.load_catalog_from_database(settings_from(args))
    except NotImplementedError as exc:
        raise CommandError(f"{exc} (use --data DIR to read a sample-data directory)") from exc
    except known_errors as exc:
        raise CommandError(str(exc)) from exc


def _calendar(book: CalendarBook, name: str) -> CompiledCalendar:
    try:
        return book.get(name)
    except UnknownCalendarError as exc:
        raise CommandError(str(exc)) from None


def _policy(catalog: _Catalog, name: str) -> PolicySpec:
    policy = catalog.policies.get(name)
    if policy is None:
        known = ", ".join(sorted(catalog.policies)) or "none"
        raise CommandError(f"unknown policy {name!r} (known: {known})")
    return policy


def _clock(text: str) -> Clock:
    try:
        return Clock(text)
    except ValueError:
        known = ", ".join(c.value for c in CLOCKS)
        raise CommandError(f"unknown clock {text!r} (known: {known})") from None


def parse_instant(text: str, zone: ZoneInfo, option: str) -> dt.datetime:
    """An ISO 8601 time; without a UTC offset it is read as wall time in ``zone``."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(
            f"{option} {text!r} is not an ISO 8601 time like {_ISO_EXAMPLE}"
        ) from None
    if value.tzinfo is None:
        return local_instant(value, zone)
    return value


def _duration(text: str) -> Duration:
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise CommandError(f"--duration: {exc}") from None


def _iso(instant: dt.datetime) -> str:
    return instant.isoformat(timespec="seconds")


def _emit(args: argparse.Namespace, text: str, payload: dict[str, object]) -> int:
    print(json.dumps(payload) if args.json else text)
    return 0


# ---- commands ----------------------------------------------------------------------------


def run_due(args: argparse.Namespace) -> int:
    calendar_form = [args.calendar, args.start, args.duration]
    policy_form = [args.policy, args.priority, args.clock, args.opened]
    if all(v is not None for v in calendar_form) and all(v is None for v in policy_form):
        return _due_on_calendar(args)
    if all(v is not None for v in policy_form) and all(v is None for v in calendar_form):
        return _due_for_policy(args)
    raise CommandError(
        "sla due needs either --calendar, --start and --duration, "
        "or --policy, --priority, --clock and --opened"
    )


def _due_on_calendar(args: argparse.Namespace) -> int:
    duration = _duration(args.duration)
    catalog = _load_catalog(args)
    book = CalendarBook(catalog.calendars.values())
    calendar = _calendar(book, args.calendar)
    start = parse_instant(args.start, calendar.zone, "--start")
    seconds = duration.business_seconds(calendar.working_day_seconds)
    try:
        due = calendar.add(start, seconds)
    except CalendarError as exc:
        raise CommandError(str(exc)) from exc
    return _emit(
        args,
        _iso(due),
        {
            "due": _iso(due),
            "calendar": calendar.name,
            "timezone": calendar.spec.timezone,
            "start": _iso(calendar.local(int(start.timestamp()))),
            "duration": str(duration),
            "business_seconds": seconds,
        },
    )


def _due_for_policy(args: argparse.Namespace) -> int:
    clock = _clock(args.clock)
    catalog = _load_catalog(args)
    book = CalendarBook(catalog.calendars.values())
    policy = _policy(catalog, args.policy)
    try:
        priority = policy.resolve_priority(args.priority)
    except KeyError as exc:
        raise CommandError(f"policy {policy.name!r}: {exc.args[0]}") from None
    target = priority.target(clock)
    calendar = _calendar(book, target_calendar(target, policy))
    opened = parse_instant(args.opened, calendar.zone, "--opened")
    try:
        due = due_for_target(target, policy, book, opened)
    except UnknownCalendarError as exc:
        raise CommandError(str(exc)) from None
    except CalendarError as exc:
        raise CommandError(str(exc)) from exc
    if due is not None:
        text = _iso(due)
    else:
        text = "negotiated" if isinstance(target, NegotiatedTarget) else "none"
    return _emit(
        args,
        text,
        {
            "due": _iso(due) if due is not None else None,
            "policy": policy.name,
            "priority": priority.slug,
            "requested_priority": args.priority,
            "clock": clock.value,
            "target": str(target) if target is not None else "none",
            "calendar": calendar.name if target is not None else None,
            "opened": _iso(calendar.local(int(opened.timestamp()))),
        },
    )


def run_elapsed(args: argparse.Namespace) -> int:
    catalog = _load_catalog(args)
    book = CalendarBook(catalog.calendars.values())
    calendar = _calendar(book, args.calendar)
    start = parse_instant(args.start, calendar.zone, "--start")
    end = parse_instant(args.end, calendar.zone, "--end")
    try:
        seconds = calendar.elapsed(start, end)
    except CalendarError as exc:
        raise CommandError(str(exc)) from exc
    text = format_business_seconds(seconds)
    return _emit(
        args,
        text,
        {
            "business_seconds": seconds,
            "formatted": text,
            "calendar": calendar.name,
            "start": _iso(calendar.local(int(start.timestamp()))),
            "end": _iso(calendar.local(int(end.timestamp()))),
        },
    )


def run_explain(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    try:
        print(explain_ticket(settings, args.ref))
    except (ServiceError, StoreError) as exc:
        raise CommandError(f"sla explain {args.ref}: {exc}") from exc
    return 0
