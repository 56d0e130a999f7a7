"""The teams' mail settings in the sample data load, and a priority word naming a priority
the team's policy lacks is reported at its place in the file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from deskui.domain.catalog.errors import SampleDataError
from deskui.services.catalog.load import load_catalog_from_directory

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"


def test_every_desk_has_an_address_and_canned_replies() -> None:
    catalog = load_catalog_from_directory(SAMPLE_DATA)
    for team in catalog.teams.values():
        assert team.mail is not None and team.mail.address
        assert len(team.mail.canned_replies) >= 2
    assert catalog.teams["velsoft"].mail.resolution_to_client  # type: ignore[union-attr]
    names = {c.name for t in catalog.teams.values() for c in t.mail.canned_replies}  # type: ignore[union-attr]
    assert {"We will call you back", "Training issue answered", "Resolution notice"} <= names


def test_a_priority_word_for_an_unknown_priority_is_reported(tmp_path: Path) -> None:
    directory = tmp_path / "data"
    shutil.copytree(SAMPLE_DATA, directory, symlinks=False)
    teams = directory / "teams.yaml"
    teams.write_text(
        teams.read_text(encoding="utf-8").replace(
            "        low: [Low]\n", "        lowest: [Low]\n"
        ),
        encoding="utf-8",
    )
    with pytest.raises(SampleDataError, match="'lowest' is not a priority of"):
        load_catalog_from_directory(directory)
