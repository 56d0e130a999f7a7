"""The suite never reads or writes the real user's directories, and tests never share theirs."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
import pytest

from deskui.services.tickets.form_drafts import drafts_dir
from deskui.settings import APP_NAME

SEEN: list[Path] = []


@pytest.mark.parametrize("turn", [1, 2])
def test_each_test_has_its_own_data_state_and_config(turn: int, private_user_dirs: Path) -> None:
    home = Path.home()
    for found in (
        platformdirs.user_data_dir(APP_NAME),
        platformdirs.user_state_dir(APP_NAME),
        platformdirs.user_config_dir(APP_NAME),
        str(drafts_dir()),
    ):
        assert Path(found).is_relative_to(private_user_dirs), found
        assert not Path(found).is_relative_to(home / ".local"), found
    SEEN.append(Path(os.environ["XDG_DATA_HOME"]))
    assert len(set(SEEN)) == len(SEEN)  # the second turn got a directory of its own
