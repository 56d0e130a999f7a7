"""What every command shares: global options, settings, the error type and ``desk(args)``.

Imported by ``deskui --version`` too, so it imports nothing heavy at module level."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from deskui.services.actor import Actor
    from deskui.services.connect import Database
    from deskui.settings import Settings


class CommandError(Exception):
    """A problem the user can fix; printed as one line, exit code 2 unless said otherwise."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def add_global_options(parser: argparse.ArgumentParser) -> None:
    """Options accepted before the command name and, via ``parents``, after it."""
    parser.add_argument("--config", type=Path, help="TOML settings file", default=None)
    parser.add_argument("--db", dest="database_url", help="database URL", default=None)


def global_options_parent() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--config", type=Path, default=argparse.SUPPRESS, help="TOML settings")
    parent.add_argument("--db", dest="database_url", default=argparse.SUPPRESS, help="database URL")
    return parent


def settings_from(args: argparse.Namespace, **overrides: object) -> Settings:
    """Settings for this invocation; a bad setting is a ``CommandError`` naming it."""
    # Imported here: pydantic is a tenth of a second that ``deskui --version`` need not pay.
    from pydantic import ValidationError

    from deskui.settings import load_settings

    try:
        return load_settings(
            getattr(args, "config", None),
            database_url=getattr(args, "database_url", None),
            **overrides,
        )
    except FileNotFoundError as exc:
        raise CommandError(str(exc)) from exc
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}"
            for err in exc.errors()
        )
        raise CommandError(f"bad setting: {problems}") from exc


def command_group(
    commands: Any, name: str, *, help: str, description: str, metavar: str = "SUBCOMMAND"
) -> Any:
    """Add the group ``deskui NAME`` (taking the global options) and return its sub-parsers."""
    group = commands.add_parser(
        name, help=help, description=description, parents=[global_options_parent()]
    )
    return group.add_subparsers(dest=f"{name}_command", metavar=metavar, required=True)


def acting(
    args: argparse.Namespace, database: Database, handle: str | None, now: dt.datetime
) -> Actor:
    """``handle`` (``None``: the system) acting on ``database`` at ``now``, with this
    invocation's settings (so every command acknowledges mail from the configured domain)."""
    from deskui.domain.timesource import FrozenTime
    from deskui.services.actor import Actor

    return Actor(database, handle, FrozenTime(now), settings_from(args))


def reader_zone(args: argparse.Namespace, actor: Actor) -> ZoneInfo:
    """The zone this command's human text prints times in: the agent's (the actor, ``--as``,
    else ``DESKUI_AGENT``), else the desk's. JSON keeps ISO-8601 UTC instants."""
    from deskui.services.connect import display_zone

    handle = actor.handle or getattr(args, "actor", None) or actor.settings.agent
    return display_zone(actor.database, handle if isinstance(handle, str) else None)


@contextmanager
def command_errors(options: Mapping[str, str] | None = None) -> Iterator[None]:
    """Service and database errors as one-line ``CommandError``s; a bad field is named by its
    option (``options`` maps service field names to the options that set them)."""
    from deskui.domain.storage_errors import StoreError
    from deskui.services.errors import ServiceError, TicketValidationError

    try:
        yield
    except TicketValidationError as exc:
        option = (options or {}).get(exc.field, f"--{exc.field.replace('_', '-')}")
        raise CommandError(f"{option}: {exc.message}") from exc
    except (ServiceError, StoreError) as exc:
        raise CommandError(str(exc)) from exc


@contextmanager
def desk(
    args: argparse.Namespace,
    *,
    handle: str | None = None,
    options: Mapping[str, str] | None = None,
) -> Iterator[Actor]:
    """What every command that works on the desk opens: the configured database with its
    schema checked, as ``handle`` (``None``: the system) at one instant (the command's start,
    from the settings' clock), with this invocation's settings. Every service and database
    error inside the block becomes one ``CommandError`` line (exit 2)."""
    from deskui.services.connect import desk as desk_session

    settings = settings_from(args)
    with command_errors(options), desk_session(settings, handle) as actor:
        yield actor.at(actor.now())
