"""Settings: env over TOML over defaults; DESKUI_NOW freezes the clock; bad values named."""

import datetime as dt
from pathlib import Path

import pytest
from pydantic import ValidationError

from deskui.domain.timesource import FrozenTime
from deskui.settings import load_settings


def test_env_overrides_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "c.toml"
    config.write_text('database_url = "sqlite:///from-toml.db"\ntheme = "deskui-light"\n')
    monkeypatch.setenv("DESKUI_THEME", "deskui-high-contrast")
    settings = load_settings(config)
    assert settings.database_url == "sqlite:///from-toml.db"
    assert settings.theme == "deskui-high-contrast"


def test_flag_overrides_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DESKUI_DATABASE_URL", "sqlite:///env.db")
    config = tmp_path / "empty.toml"
    config.write_text("")
    assert load_settings(config, database_url="sqlite:///flag.db").database_url.endswith("flag.db")
    assert load_settings(config, database_url=None).database_url.endswith("env.db")


def test_now_freezes_the_clock(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DESKUI_NOW", "2026-12-28T15:00:00-04:00")
    config = tmp_path / "empty.toml"
    config.write_text("")
    source = load_settings(config).time_source()
    assert isinstance(source, FrozenTime)
    assert source.now() == dt.datetime(2026, 12, 28, 19, tzinfo=dt.UTC)


def test_now_without_offset_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DESKUI_NOW", "2026-12-28T15:00:00")
    config = tmp_path / "empty.toml"
    config.write_text("")
    with pytest.raises(ValidationError, match="UTC offset"):
        load_settings(config)


def test_missing_config_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nope\.toml"):
        load_settings(tmp_path / "nope.toml")
