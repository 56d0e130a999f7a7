"""`deskui view list | save | delete`: an agent's saved queue views, and the rows of one
(`deskui ticket list --view NAME`, registered from ``deskui.cli.ticket``).

Whose views: ``--as HANDLE``, else the ``agent`` setting (``DESKUI_AGENT``). Bad input (an
unknown team, status, handle, a bad name) is one line on stderr naming the option, exit code 2,
nothing saved. ``--json`` prints views as ``ViewSpec`` JSON (keys in the README's "Search and
saved views").
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from deskui.cli import arguments
from deskui.cli.common import (
    CommandError,
    command_group,
    desk,
    global_options_parent,
    reader_zone,
    settings_from,
)
from deskui.domain.display import local_time
from deskui.domain.untrusted import one_line
from deskui.domain.views import DEFAULT_VIEWS, ViewSort, ViewSpec
from deskui.domain.vocabulary import OPEN_STATUSES, Status
from deskui.services.tickets import saved_views

# Service field names as the options that set them.
_OPTIONS = {
    "name": "NAME",
    "title": "--title",
    "teams": "--team",
    "statuses": "--status",
    "priorities": "--priority",
    "assignee": "--assignee",
    "organisations": "--org",
    "products": "--product",
    "due_within_minutes": "--due-within",
    "sort": "--sort",
    "agent": "--as",
}
_DEFAULT_NAMES = ", ".join(view.name for view in DEFAULT_VIEWS)


def register(commands: Any) -> None:
    """Add ``view list|save|delete`` to the ``deskui`` parser."""
    actions = command_group(
        commands,
        "view",
        help="an agent's saved queue views (list, save, delete)",
        description=f"Saved queue views per agent; the defaults are {_DEFAULT_NAMES}.",
    )

    def action(name: str, text: str, handler: Any) -> argparse.ArgumentParser:
        parser = actions.add_parser(
            name, parents=[global_options_parent()], help=text, description=text
        )
        parser.set_defaults(handler=handler)
        parser.add_argument(
            "--as", dest="actor", metavar="HANDLE", help="whose views (default: the agent setting)"
        )
        return parser

    listing = action("list", "list the agent's views", run_list)
    listing.add_argument("--json", action="store_true", help="print the views as JSON")

    save = action("save", "save (or replace) a view", run_save)
    save.add_argument("name", metavar="NAME", help="a short name: letters, digits, - or _")
    save.add_argument("--title", default="", help="the pane's title (default: from the name)")
    save.add_argument("--team", action="append", default=[], help="team slug (repeatable)")
    save.add_argument(
        "--status",
        action="append",
        default=[],
        help="a status, 'open' or 'all' (repeatable; default: open)",
    )
    save.add_argument("--priority", action="append", default=[], help="priority slug (repeatable)")
    save.add_argument("--assignee", help="me, nobody, or an agent's handle (default: anyone)")
    save.add_argument("--org", action="append", default=[], help="organisation slug (repeatable)")
    save.add_argument("--product", action="append", default=[], help="product slug (repeatable)")
    save.add_argument("--breached", action="store_true", help="only tickets past a due time")
    save.add_argument(
        "--due-within",
        type=arguments.whole_number(0, 60 * 24 * arguments.MAX_DURATION_DAYS),
        metavar="MINUTES",
        help="only tickets due within MINUTES business minutes (breached ones included)",
    )
    save.add_argument(
        "--sort",
        default=ViewSort.PRIORITY.value,
        help=f"one of {', '.join(s.value for s in ViewSort)} (default: priority)",
    )
    save.add_argument("--json", action="store_true", help="print the saved view as JSON")

    remove = action("delete", "delete a view (a default view comes back)", run_delete)
    remove.add_argument("name", metavar="NAME", help="the view's name")


def _actor(args: argparse.Namespace) -> str:
    handle = getattr(args, "actor", None) or settings_from(args).agent
    if not handle:
        raise CommandError("--as is required: whose views (or set DESKUI_AGENT)")
    return str(handle)


def _statuses(values: list[str]) -> list[str]:
    if not values:
        return sorted(s.value for s in OPEN_STATUSES)
    wanted: list[str] = []
    for value in values:
        if value == "open":
            wanted += sorted(s.value for s in OPEN_STATUSES)
        elif value == "all":
            wanted += [s.value for s in Status]
        elif value in {s.value for s in Status}:
            wanted.append(value)
        else:
            known = ", ".join(["open", "all", *(s.value for s in Status)])
            raise CommandError(f"--status: unknown status {value!r} (known: {known})")
    return wanted


def view_json(view: ViewSpec) -> dict[str, object]:
    return {**view.model_dump(mode="json"), "label": view.label}


def _view_line(view: ViewSpec) -> str:
    parts = [f"status {','.join(s.value for s in view.statuses)}"]
    for what, values in (
        ("team", view.teams),
        ("priority", view.priorities),
        ("org", view.organisations),
        ("product", view.products),
    ):
        if values:
            parts.append(f"{what} {','.join(values)}")
    if view.assignee:
        parts.append(f"assignee {view.assignee}")
    if view.breached:
        parts.append("breached")
    if view.due_within_minutes is not None:
        parts.append(f"due within {view.due_within_minutes}m")
    parts.append(f"sort {view.sort.value}")
    return f"{view.name}\t{one_line(view.label, 40)}\t{'; '.join(parts)}"


def run_list(args: argparse.Namespace) -> int:
    handle = _actor(args)
    with desk(args, handle=handle, options=_OPTIONS) as actor:
        views = saved_views.list_views(actor.database, handle)
    if args.json:
        print(json.dumps({"views": [view_json(view) for view in views]}))
        return 0
    for view in views:
        print(_view_line(view))
    return 0


def run_save(args: argparse.Namespace) -> int:
    handle = _actor(args)
    values: dict[str, object] = {
        "name": args.name,
        "title": args.title,
        "teams": args.team,
        "statuses": _statuses(args.status),
        "priorities": args.priority,
        "assignee": args.assignee,
        "organisations": args.org,
        "products": args.product,
        "breached": args.breached,
        "due_within_minutes": args.due_within,
        "sort": args.sort,
    }
    with desk(args, handle=handle, options=_OPTIONS) as actor:
        spec = saved_views.parse_view(values)
        saved = saved_views.save_view(actor, spec)
    if args.json:
        print(json.dumps(view_json(saved)))
    else:
        print(saved.name)
    return 0


def run_delete(args: argparse.Namespace) -> int:
    handle = _actor(args)
    with desk(args, handle=handle, options=_OPTIONS) as actor:
        saved_views.delete_view(actor, args.name)
    return 0


# ---- ticket list --view ----------------------------------------------------------------------


def record_json(row: saved_views.ViewRecord) -> dict[str, object]:
    def when(instant: Any) -> str | None:
        return instant.isoformat(timespec="seconds") if instant is not None else None

    return {
        "reference": row.reference,
        "subject": row.subject,
        "status": row.status,
        "priority": row.priority,
        "organisation": row.organisation,
        "assignee": row.assignee,
        "product": row.product,
        "next_clock": row.next_clock,
        "next_due_at": when(row.next_due_at),
        "opened_at": when(row.opened_at),
        "version": row.version,
    }


def list_view(args: argparse.Namespace) -> int:
    """``deskui ticket list --view NAME``: the view's first ``--limit`` tickets in its order."""
    handle = _actor(args)
    with desk(args, handle=handle, options=_OPTIONS) as actor:
        database, now = actor.database, actor.now()
        spec = saved_views.get_view(database, handle, args.view)
        agent_id = saved_views.agent_id(database, handle)
        result = saved_views.run_view(database, spec, agent_id=agent_id, now=now, limit=args.limit)
        zone = reader_zone(args, actor)
    if args.json:
        print(
            json.dumps(
                {
                    "view": spec.name,
                    "total": result.total,
                    "breached": result.breached,
                    "tickets": [record_json(row) for row in result.records],
                }
            )
        )
        return 0
    for row in result.records:
        due = "-"
        if row.next_due_at is not None:
            due = f"{row.next_clock} due {local_time(row.next_due_at, zone)}"
        print(
            f"{row.reference}\t{row.status}\t{row.priority}\t{row.assignee or '-'}\t"
            f"{due}\t{one_line(row.subject, 80)}"
        )
    return 0
