"""The package's own files: themes, sample data and py.typed are found from any directory,
and the commands that read sample data use the bundled copy when no directory is given."""

from __future__ import annotations

from pathlib import Path

import pytest

from deskui.cli import main
from deskui.package_data import bundled_sample_data, bundled_themes_dir
from deskui.ui.themes import load_themes

PACKAGE = Path(__file__).resolve().parents[2] / "deskui"


def test_themes_sample_data_and_py_typed_live_inside_the_package() -> None:
    assert bundled_themes_dir().resolve() == (PACKAGE / "themes").resolve()
    assert bundled_sample_data().resolve() == (PACKAGE / "sample_data").resolve()
    assert (PACKAGE / "py.typed").is_file()
    names = {theme.name for theme in load_themes(bundled_themes_dir()).themes}
    assert {"deskui-dark", "deskui-light", "deskui-high-contrast"} <= names
    assert (bundled_sample_data() / "agents.yaml").is_file()


def test_sla_data_without_a_directory_reads_the_bundled_sample_data(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no sample_data/ here
    argv = ["sla", "due", "--calendar", "velsoft-halifax", "--start", "2026-12-24T15:00"]
    code = main([*argv, "--duration", "1d", "--data"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert out.strip().startswith("2026-12-")


def test_demo_without_data_builds_from_the_bundled_sample_data(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code = main(["--db", f"sqlite:///{tmp_path / 'demo.db'}", "demo", "--no-app"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert (tmp_path / "demo.db").is_file()
    assert out.strip()


def test_seed_without_a_directory_seeds_the_bundled_sample_data(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code = main(["--db", f"sqlite:///{tmp_path / 'seed.db'}", "db", "seed"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "agent" in out


def test_demo_says_it_rebuilds_and_how_to_reopen_without_rebuilding(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert main(["--db", url, "demo", "--no-app"]) == 0
    out, _ = capsys.readouterr()
    lines = out.strip().splitlines()
    assert lines[0] == f"Rebuilding the demo database {url} from scratch…"
    assert lines[-1].startswith(
        f"To reopen it later without rebuilding: deskui --db {url} run --as "
    )
