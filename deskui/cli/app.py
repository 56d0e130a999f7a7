"""`deskui`, `deskui run` and `deskui demo`: open the desk app (the demo on a fresh database)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from deskui.cli.common import CommandError, global_options_parent, settings_from
from deskui.settings import Settings


def register(commands: Any) -> None:
    """Add ``run`` and ``demo`` to the ``deskui`` parser."""
    parent = global_options_parent()
    run = commands.add_parser("run", parents=[parent], help="open the desk (the default)")
    _app_options(run)
    run.set_defaults(handler=run_default)

    demo = commands.add_parser(
        "demo", parents=[parent], help="build a fresh demo database, then open the desk"
    )
    _app_options(demo)
    demo.add_argument(
        "--data",
        type=Path,
        nargs="?",
        default=None,
        const=None,
        metavar="DIR",
        help="sample data directory (default: the sample data shipped with deskui)",
    )
    demo.add_argument(
        "--no-app", action="store_true", help="build the demo database and stop (for scripts)"
    )
    demo.set_defaults(handler=run_demo)


def _app_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as", dest="agent", default=None, help="the signed-in agent's handle")
    parser.add_argument("--theme", default=None, help="theme name (see themes/)")


def _settings(args: argparse.Namespace) -> Settings:
    """Settings for the app; the theme is ``--theme``, else the last one chosen in the app,
    else the configured one."""
    from deskui.services.tickets.desk import remembered_theme

    theme = getattr(args, "theme", None) or remembered_theme()
    return settings_from(args, agent=getattr(args, "agent", None), theme=theme)


def _open_app(settings: Settings) -> int:
    from deskui.cli.common import command_errors
    from deskui.services.tickets.desk import DeskService
    from deskui.ui.app import DeskApp

    with command_errors():
        desk = DeskService.open(settings)
    app = DeskApp(
        desk,
        theme_name=settings.theme,
        refresh_seconds=settings.refresh_seconds,
        warning_minutes=settings.warning_minutes,
        on_theme_change=desk.remember_theme,
        alert_bell=settings.alert_bell,
    )
    app.run()
    return 0


def run_default(args: argparse.Namespace) -> int:
    return _open_app(_settings(args))


def run_demo(args: argparse.Namespace) -> int:
    from deskui.package_data import bundled_sample_data
    from deskui.services.catalog.demo import build_demo_database
    from deskui.services.errors import ServiceError

    settings = _settings(args)
    data = args.data if args.data is not None else bundled_sample_data()
    # Say so before anything is replaced: a demo database someone worked in is rebuilt.
    print(f"Rebuilding the demo database {settings.database_url} from scratch…", flush=True)
    try:
        summary = build_demo_database(settings, data)
    except ServiceError as exc:
        raise CommandError(str(exc)) from exc
    print(summary)
    print(
        f"To reopen it later without rebuilding: deskui --db {settings.database_url} run "
        f"--as {settings.agent or summary.agent}"
    )
    if args.no_app:
        return 0
    return _open_app(settings.model_copy(update={"agent": settings.agent or summary.agent}))
