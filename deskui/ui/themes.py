"""Themes as TOML files, loaded at start-up and registered with Textual.

The bundled themes ship inside the package (``deskui/themes``, found by
``deskui.package_data``), so an installed wheel has them wherever it runs.

A theme file names Textual's base colours plus deskui's SLA colours as variables
(``sla-breached``, ``sla-warning``, ``sla-safe``). A broken file is reported and skipped; the
app then falls back to the default theme.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from textual.theme import Theme

from deskui.package_data import bundled_themes_dir

__all__ = [
    "DEFAULT_THEME",
    "SLA_VARIABLES",
    "ThemeLoad",
    "bundled_themes_dir",
    "load_themes",
    "theme_from_file",
]

DEFAULT_THEME = "deskui-dark"
SLA_VARIABLES = ("sla-breached", "sla-warning", "sla-safe")
_COLOUR_FIELDS = (
    "primary",
    "secondary",
    "warning",
    "error",
    "success",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
)


@dataclass(frozen=True)
class ThemeLoad:
    themes: list[Theme]
    problems: list[str]


def theme_from_file(path: Path) -> Theme:
    """Parse one theme file; ``ValueError`` says what is wrong and where."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path.name}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path.name}: not valid TOML: {exc}") from exc
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise ValueError(f"{path.name}: 'name' is missing")
    if not isinstance(data.get("primary"), str):
        raise ValueError(f"{path.name}: 'primary' colour is missing")
    unknown = set(data) - {*_COLOUR_FIELDS, "name", "dark", "variables"}
    if unknown:
        raise ValueError(f"{path.name}: unknown keys {', '.join(sorted(unknown))}")
    variables = data.get("variables", {})
    if not isinstance(variables, dict):
        raise ValueError(f"{path.name}: 'variables' must be a table")
    missing = [v for v in SLA_VARIABLES if v not in variables]
    if missing:
        raise ValueError(f"{path.name}: variables {', '.join(missing)} are missing")
    colours = {key: data[key] for key in _COLOUR_FIELDS if key in data}
    theme = Theme(
        name=name,
        dark=bool(data.get("dark", True)),
        variables={str(k): str(v) for k, v in variables.items()},
        **colours,
    )
    try:
        theme.to_color_system()
    except Exception as exc:  # Textual raises several colour-parse errors
        raise ValueError(f"{path.name}: bad colour: {exc}") from exc
    return theme


def load_themes(*directories: Path) -> ThemeLoad:
    themes: list[Theme] = []
    problems: list[str] = []
    for directory in directories:
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.toml")):
            try:
                themes.append(theme_from_file(path))
            except ValueError as exc:
                problems.append(str(exc))
    return ThemeLoad(themes, problems)
