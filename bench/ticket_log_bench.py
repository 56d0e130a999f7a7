"""Opening a ticket whose log holds 5,000 entries: time from push to the log on screen.

Run: ``.venv/bin/python bench/ticket_log_bench.py [--entries 5000] [--runs 3]``. A demo desk is
built in a temporary directory (``deskui demo --no-app``), one ticket gets ``--entries`` notes in
one transaction, then a headless app opens the ticket ``--runs`` times. Target (issue 4): the log
"loads fast" — we aim for under 2 s on the 2-core CI machine.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NOW = "2026-12-01T15:00:00+00:00"
AGENT = "mbrennan"


def _build(directory: Path, entries: int) -> tuple[str, str]:
    from sqlalchemy import select

    from deskui.domain.vocabulary import Direction, InteractionKind
    from deskui.store.models import Interaction, Ticket
    from deskui.store.session import Database

    url = f"sqlite:///{directory / 'desk.db'}"
    deskui = str(Path(sys.executable).with_name("deskui"))
    subprocess.run(
        [deskui, "--db", url, "demo", "--no-app", "--data", "sample_data"],
        check=True,
        capture_output=True,
        env={**os.environ, "DESKUI_NOW": NOW},
    )
    database = Database(url)
    try:
        with database.write() as session:
            ticket = session.scalars(select(Ticket).order_by(Ticket.id).limit(1)).one()
            start = dt.datetime.fromisoformat(NOW) - dt.timedelta(hours=1)
            body = "Checked the print spooler and the template cache again; no change. " * 3
            session.add_all(
                Interaction(
                    ticket_id=ticket.id,
                    at=start + dt.timedelta(milliseconds=i),
                    kind=InteractionKind.NOTE,
                    direction=Direction.INTERNAL,
                    author_name="Night shift",
                    body=f"{body}#{i}",
                    meta={},
                    attachments=[],
                )
                for i in range(entries)
            )
            return url, ticket.reference
    finally:
        database.dispose()


async def _open_once(url: str, ref: str) -> float:
    from deskui.services.tickets.desk import DeskService
    from deskui.settings import Settings
    from deskui.ui.app import DeskApp
    from deskui.ui.screens.queue import QueueScreen
    from deskui.ui.screens.ticket import TicketScreen

    settings = Settings(database_url=url, now=dt.datetime.fromisoformat(NOW), agent=AGENT)
    app = DeskApp(DeskService.open(settings), refresh_seconds=60)
    async with app.run_test(size=(120, 40)) as pilot:
        while not isinstance(app.screen, QueueScreen):
            await pilot.pause(0.01)
        started = time.perf_counter()
        screen = TicketScreen(ref)
        await app.push_screen(screen)
        while screen.page is None:
            await pilot.pause(0.005)
        await pilot.pause()
        return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one run")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs = 1
    with tempfile.TemporaryDirectory() as tmp:
        url, ref = _build(Path(tmp), args.entries)
        times = [asyncio.run(_open_once(url, ref)) for _ in range(args.runs)]
    median = statistics.median(times)
    print(
        f"ticket with {args.entries + 1:,} log entries opened in {median:.2f} s (median of "
        f"{args.runs}: {', '.join(f'{t:.2f}' for t in times)})"
    )
    return 0 if median <= 2.0 else 1


if __name__ == "__main__":
    sys.exit(main())
