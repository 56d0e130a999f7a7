"""`deskui board`: open the app straight on the breach board (supervisors and admins).

``--read-only`` makes it a wall display: no reassign, no ticket screen, no palette, no
filters, ``escape`` ignored; nothing but ``q``/``ctrl+q`` does anything. With nobody signed in
(no ``--as``, no ``DESKUI_AGENT``) it runs as a read-only viewer, not an agent: the header says
"wall display", no presence, alerts or audit rows as a person, times in the desk's zone. With an
agent signed in, that agent must be a supervisor or an admin, read-only or not. ``--team SLUG``
shows one team (an unknown slug is an error naming the known ones).
"""

from __future__ import annotations

import argparse
from typing import Any

from deskui.cli.common import CommandError, global_options_parent, settings_from


def register(commands: Any) -> None:
    """Add ``board`` to the ``deskui`` parser."""
    board = commands.add_parser(
        "board",
        parents=[global_options_parent()],
        help="open the live breach board (supervisors)",
        description=(
            "Open the desk on the live breach board: breached and due-soon tickets, agent "
            "loads, today's compliance and who is on call. --read-only is a wall display."
        ),
    )
    board.add_argument("--as", dest="agent", default=None, help="the signed-in agent's handle")
    board.add_argument("--theme", default=None, help="theme name (see themes/)")
    board.add_argument(
        "--read-only",
        action="store_true",
        help="a wall display: nothing but the board, q quits; needs no --as",
    )
    board.add_argument(
        "--team",
        default=None,
        metavar="SLUG",
        help="show one team's tickets only (a wall display stays on it)",
    )
    board.set_defaults(handler=run_board)


def run_board(args: argparse.Namespace) -> int:
    from deskui.cli.common import command_errors
    from deskui.services.supervision.board import may_supervise
    from deskui.services.tickets.desk import DeskService, remembered_theme
    from deskui.ui.app import DeskApp

    settings = settings_from(args, agent=args.agent, theme=args.theme or remembered_theme())
    if args.read_only and settings.agent is None:
        # A wall display: nobody signs in, so there is no one to check a role of.
        with command_errors():
            desk = DeskService.open_viewer(settings, team=args.team)
    else:
        with command_errors():
            desk = DeskService.open(settings)
        if not may_supervise(desk.agent.roles):
            desk.database.dispose()
            raise CommandError(
                f"the breach board is for supervisors: {desk.agent.handle} does not have the "
                "supervisor role (sign in with --as HANDLE, or use --read-only without one)"
            )
        if args.team is not None:
            try:
                with command_errors():
                    desk.require_team(args.team)
            except CommandError:
                desk.database.dispose()
                raise
    app = DeskApp(
        desk,
        theme_name=settings.theme,
        refresh_seconds=settings.refresh_seconds,
        warning_minutes=settings.warning_minutes,
        alert_bell=settings.alert_bell,
        on_theme_change=desk.remember_theme,
        start_on_board=True,
        read_only=args.read_only,
        board_team=args.team,
    )
    app.run()
    return 0
