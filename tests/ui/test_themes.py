"""Theme files: the three shipped ones load; a broken one is reported, not fatal."""

from pathlib import Path

import pytest

from deskui.ui.themes import SLA_VARIABLES, bundled_themes_dir, load_themes, theme_from_file


def test_three_bundled_themes_load_with_sla_colours() -> None:
    loaded = load_themes(bundled_themes_dir())
    assert loaded.problems == []
    names = {theme.name for theme in loaded.themes}
    assert {"deskui-dark", "deskui-light", "deskui-high-contrast"} <= names
    for theme in loaded.themes:
        assert set(SLA_VARIABLES) <= set(theme.variables)


def test_broken_theme_is_reported_with_its_file(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text('name = "bad"\nprimary = \n', encoding="utf-8")
    (tmp_path / "nocolour.toml").write_text(
        'name = "x"\nprimary = "#123456"\n[variables]\nsla-safe = "#00ff00"\n', encoding="utf-8"
    )
    loaded = load_themes(tmp_path)
    assert loaded.themes == []
    assert any(p.startswith("bad.toml: not valid TOML") for p in loaded.problems)
    assert any("nocolour.toml" in p and "sla-breached" in p for p in loaded.problems)


def test_bad_colour_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        'name = "c"\nprimary = "not-a-colour"\n[variables]\n'
        'sla-safe = "#0f0"\nsla-warning = "#ff0"\nsla-breached = "#f00"\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"c\.toml: bad colour"):
        theme_from_file(path)
