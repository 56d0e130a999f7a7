"""The suite's PostgreSQL helper finds the server programs, and without them skips the
PostgreSQL tests on a laptop but fails them under CI."""

from __future__ import annotations

from pathlib import Path

import pytest
from pg import PostgresNotFoundError, find_bin_dir, postgres_unavailable


def _fake_install(root: Path, version: str) -> Path:
    bin_dir = root / version / "bin"
    bin_dir.mkdir(parents=True)
    for program in ("pg_ctl", "initdb"):
        (bin_dir / program).write_text("#!/bin/sh\n")
        (bin_dir / program).chmod(0o755)
    return bin_dir


def test_path_first_then_the_newest_debian_version(tmp_path: Path) -> None:
    debian = tmp_path / "usr-lib-postgresql"
    _fake_install(debian, "9")
    newest = _fake_install(debian, "15")
    _fake_install(debian, "13")
    assert find_bin_dir(path="", versions=debian) == newest
    on_path = _fake_install(tmp_path / "opt", "16")
    assert find_bin_dir(path=str(on_path), versions=debian) == on_path


def test_nothing_installed(tmp_path: Path) -> None:
    with pytest.raises(PostgresNotFoundError, match="initdb, pg_ctl"):
        find_bin_dir(path="", versions=tmp_path / "none")


def test_missing_postgres_skips_locally_and_fails_under_ci() -> None:
    with pytest.raises(pytest.skip.Exception, match="skipped: no server"):
        postgres_unavailable("no server", ci=False)
    with pytest.raises(pytest.fail.Exception, match="CI must test PostgreSQL, but: no server"):
        postgres_unavailable("no server", ci=True)
