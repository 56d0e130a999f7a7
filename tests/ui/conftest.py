"""A demo desk for UI tests: built once per run with a frozen clock, copied for each test."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from deskui.services.catalog.demo import DEMO_AGENT, build_demo_database
from deskui.services.tickets.desk import DeskService
from deskui.settings import Settings
from deskui.ui.app import DeskApp

# A Tuesday: 10:00 in New York, 11:00 in Halifax, 15:00 in England — every desk is open.
FROZEN_NOW = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)
SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"


@pytest.fixture(autouse=True)
def _private_state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The app remembers the chosen theme; keep that out of the real user directory."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    # Form drafts live in the user data directory: one per test too.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    settings = Settings(database_url=f"sqlite:///{path}", now=FROZEN_NOW, agent=DEMO_AGENT)
    build_demo_database(settings, SAMPLE_DATA)
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def demo_settings(demo_template: Path, tmp_path: Path) -> Settings:
    path = tmp_path / "desk.db"
    shutil.copyfile(demo_template, path)
    return Settings(
        database_url=f"sqlite:///{path}", now=FROZEN_NOW, agent=DEMO_AGENT, refresh_seconds=3.0
    )


@pytest.fixture
def make_app(demo_settings: Settings) -> Callable[..., DeskApp]:
    def factory(*, alerts: bool = True, **overrides: object) -> DeskApp:
        settings = demo_settings.model_copy(update=overrides)
        desk = DeskService.open(settings)
        app = DeskApp(
            desk,
            alerts=alerts,
            theme_name=settings.theme,
            refresh_seconds=settings.refresh_seconds,
            warning_minutes=settings.warning_minutes,
            on_theme_change=desk.remember_theme,  # as the CLI wires it
        )
        app.animation_level = "none"  # no tab-underline animations to wait for
        return app

    return factory
