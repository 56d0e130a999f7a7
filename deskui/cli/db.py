"""`deskui db upgrade | seed | generate`: migrate the configured database, load a sample-data
directory into it, and fill it with generated tickets.

``seed`` checks the whole directory before touching the database: a bad file prints the
loader's problems on stderr, one ``FILE:LINE: FIELD: REASON`` line each, exits with code 2
and leaves the database as it was. ``seed`` and ``generate`` bring the schema up to date
first when it is missing or old. ``seed --as HANDLE`` seeds as that agent, who must be an
admin (refused: exit code 3, kept in the audit trail); without it, as the system.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from deskui.cli.agent import REFUSED_EXIT, add_as_option
from deskui.cli.common import CommandError, command_group, global_options_parent, settings_from
from deskui.domain.catalog.errors import SampleDataError
from deskui.domain.storage_errors import StoreError, StoreFailedError
from deskui.package_data import bundled_sample_data
from deskui.services.authorization import RoleRefusedError
from deskui.services.catalog.generate import generate_tickets
from deskui.services.catalog.load import Catalog, load_catalog_from_directory
from deskui.services.catalog.seeding import seed_catalog
from deskui.services.connect import (
    Database,
    open_database,
    schema_is_current,
    schema_revision,
    shown_url,
    upgrade_schema,
)
from deskui.services.errors import NotFoundError, ServiceError
from deskui.settings import Settings


def register(commands: Any) -> None:
    """Add ``db upgrade``, ``db seed`` and ``db generate`` to the ``deskui`` parser."""
    actions = command_group(
        commands,
        "db",
        help="create, seed and fill the database",
        description="Migrate the configured database, seed it, or generate tickets.",
    )

    up = actions.add_parser(
        "upgrade",
        parents=[global_options_parent()],
        help="migrate the database to the newest schema",
        description="Create or migrate the configured database's schema; print the revision.",
    )
    up.set_defaults(handler=run_upgrade)

    seed = actions.add_parser(
        "seed",
        parents=[global_options_parent()],
        help="load a sample-data directory into the database",
        description=(
            "Check every *.yaml file in DIR, then write all of it in one transaction "
            "(an upsert: seeding the same directory again changes nothing)."
        ),
    )
    seed.add_argument(
        "directory",
        metavar="DIR",
        type=Path,
        nargs="?",
        default=None,
        help="sample-data directory (default: the sample data shipped with deskui)",
    )
    add_as_option(seed)
    seed.set_defaults(handler=run_seed)

    generate = actions.add_parser(
        "generate",
        parents=[global_options_parent()],
        help="add realistic generated tickets (for scale tests and demos)",
        description=(
            "Add N tickets spread over the past two years and the seeded clients, products "
            "and agents, with SLA dues from the engine and a log per ticket."
        ),
    )
    generate.add_argument(
        "--tickets", type=_count, required=True, metavar="N", help="how many tickets"
    )
    generate.add_argument(
        "--open-fraction",
        type=_fraction,
        default=0.1,
        metavar="F",
        help="share still open, 0 to 1 (default 0.1)",
    )
    generate.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    generate.add_argument(
        "--data", type=Path, default=None, metavar="DIR", help="seed from DIR first"
    )
    generate.set_defaults(handler=run_generate)


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative")
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{value} is not between 0 and 1")
    return value


# ---- shared steps --------------------------------------------------------------------------


@contextmanager
def _database_errors(url: str) -> Iterator[None]:
    """Turn database failures into one-line command errors naming the database."""
    try:
        yield
    except StoreFailedError as exc:
        raise CommandError(f"database {url}: {exc}") from exc
    except (StoreError, ServiceError) as exc:
        raise CommandError(str(exc)) from exc


def _shown(settings: Settings) -> str:
    """The database URL without its password, for messages."""
    return shown_url(settings.database_url)


def _open(settings: Settings) -> Database:
    try:
        return open_database(settings.database_url)
    except StoreError as exc:  # "bad database URL: …" says which URL already
        raise CommandError(str(exc)) from exc


def _load(directory: Path) -> Catalog:
    """The checked catalog in ``directory``; on problems, print them and stop (exit 2)."""
    try:
        return load_catalog_from_directory(directory)
    except SampleDataError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        count = len(exc.problems)
        raise CommandError(
            f"{directory}: {count} problem{'s' if count != 1 else ''} found; "
            "nothing was written to the database"
        ) from exc


def _ensure_schema(database: Database, shown: str) -> None:
    with _database_errors(shown):
        current, head = schema_is_current(database)
        if not current:
            upgrade_schema(database)
            print(f"migrated {shown} to revision {head}", file=sys.stderr)


def _seed(database: Database, catalog: Catalog, settings: Settings, by: str | None = None) -> None:
    with _database_errors(_shown(settings)):
        try:
            summary = seed_catalog(database, catalog, now=settings.time_source().now(), by=by)
        except RoleRefusedError as exc:
            raise CommandError(str(exc), exit_code=REFUSED_EXIT) from exc
        except NotFoundError as exc:
            raise CommandError(f"--as: {exc}") from exc
    print(f"seeded {_shown(settings)}:")
    for line in summary.lines():
        print(f"  {line}")


# ---- commands ------------------------------------------------------------------------------


def run_upgrade(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    shown = _shown(settings)
    database = _open(settings)
    try:
        with _database_errors(shown):
            before = schema_revision(database)
            upgrade_schema(database)
            after = schema_revision(database)
    finally:
        database.dispose()
    state = "already at" if before == after else "upgraded to"
    print(f"{shown}: {state} revision {after} (head)")
    return 0


def run_seed(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    # Check the directory before the database is touched: bad data writes nothing.
    catalog = _load(args.directory if args.directory is not None else bundled_sample_data())
    database = _open(settings)
    try:
        _ensure_schema(database, _shown(settings))
        _seed(database, catalog, settings, by=args.as_handle)
    finally:
        database.dispose()
    return 0


def run_generate(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    catalog = _load(args.data) if args.data is not None else None
    shown = _shown(settings)
    database = _open(settings)
    try:
        with _database_errors(shown):
            revision = schema_revision(database)
        if revision is None and catalog is None:
            raise CommandError(
                f"{shown} has no deskui schema yet: run `deskui db seed DIR` first, "
                "or pass --data DIR"
            )
        _ensure_schema(database, shown)
        if catalog is not None:
            _seed(database, catalog, settings)
        with _database_errors(shown):
            summary = generate_tickets(
                database,
                args.tickets,
                open_fraction=args.open_fraction,
                seed=args.seed,
                now=settings.time_source().now(),
                progress=_progress_printer(),
            )
    finally:
        database.dispose()
    print(summary)
    return 0


def _progress_printer() -> Callable[[int, int], None]:
    """Progress on stderr: one line per chunk (a redrawn line on a terminal)."""
    started = time.perf_counter()
    live = sys.stderr.isatty()

    def show(done: int, total: int) -> None:
        elapsed = time.perf_counter() - started
        line = f"{done}/{total} tickets ({100 * done // max(total, 1)}%), {elapsed:.1f} s"
        if live:
            print(f"\r{line}", end="\n" if done == total else "", file=sys.stderr, flush=True)
        else:
            print(line, file=sys.stderr, flush=True)

    return show
