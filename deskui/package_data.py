"""Where the files shipped inside the package are: the colour themes and the sample data.

Both sit in the ``deskui`` package (``deskui/themes``, ``deskui/sample_data``) and are found
with ``importlib.resources``, so an installed wheel finds them wherever it is run from. The
sample data is read as a directory (its loader reports problems by file and line), so the
package must be installed as files, not zipped; Alembic's migrations need the same.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def _package_dir(name: str) -> Path:
    resource = files("deskui").joinpath(name)
    # A package imported from files (a wheel installed by pip, or a checkout) gives a Path.
    if not isinstance(resource, Path):
        raise RuntimeError(f"deskui's {name} is not a directory on disk (a zipped install?)")
    return resource


def bundled_themes_dir() -> Path:
    """The themes shipped with deskui (``deskui-dark``, ``deskui-light``, …)."""
    return _package_dir("themes")


def bundled_sample_data() -> Path:
    """The sample data shipped with deskui: the five desks of ``docs/sample-data.md``."""
    return _package_dir("sample_data")
