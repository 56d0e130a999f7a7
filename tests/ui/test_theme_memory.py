"""The theme an agent picks in the app is remembered for the next start; ``--theme`` wins."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import pytest
from pilot_helpers import wait_until
from textual.widgets import DataTable

from deskui.cli.app import _settings
from deskui.ui.app import DeskApp


async def test_chosen_theme_is_remembered(
    make_app: Callable[..., DeskApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.screen.query(DataTable).first().row_count >= 0)
        app.theme = "deskui-light"
        await pilot.pause()
    monkeypatch.delenv("DESKUI_THEME", raising=False)
    config = tmp_path / "empty.toml"
    config.write_text("")
    args = argparse.Namespace(config=config, database_url=None, agent=None, theme=None)
    assert _settings(args).theme == "deskui-light"
    args.theme = "deskui-high-contrast"
    assert _settings(args).theme == "deskui-high-contrast"
