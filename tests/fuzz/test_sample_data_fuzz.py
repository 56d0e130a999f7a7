"""``deskui db seed DIR`` on broken sample-data directories: every problem names the file, the
line and (for a bad value) the field, the command exits 2, and the database stays byte for
byte as it was.

Each example copies ``sample_data/`` and breaks it one way: a value of the wrong type, a
reference to something that does not exist, impossible opening hours, a deleted line (a
missing field), a huge value; or a whole file replaced by something hostile: megabytes,
bytes that are not UTF-8, nesting thousands deep, an alias "billion laughs", NUL bytes,
markup and escape sequences, or no YAML at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
from pathlib import Path

import pytest
from fuzzing import NASTY_SNIPPETS, fuzz_settings
from hypothesis import given
from hypothesis import strategies as st

from deskui.cli import main
from deskui.services.catalog.seeding import seed_directory
from deskui.store.session import Database

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"
FILES = sorted(p.name for p in SAMPLE_DATA.glob("*.yaml"))
LINES = {name: (SAMPLE_DATA / name).read_text(encoding="utf-8").splitlines() for name in FILES}
# Lines holding "key: value" (a scalar or a flow list), by file: where values are broken.
_VALUE = re.compile(r"^(\s*(?:- )?)([A-Za-z_][\w-]*):\s+(\S.*)$")
VALUE_LINES = {
    name: [i for i, line in enumerate(lines) if _VALUE.match(line) and "#" not in line[:2]]
    for name, lines in LINES.items()
}
REFERENCE_KEYS = {"team", "policy", "calendar", "organisation", "product", "primary", "agent"}
HOURS = re.compile(r'"\d\d:\d\d-\d\d:\d\d"')

WRONG_TYPES = (
    "[1, 2, 3]",
    "{a: 1}",
    "12345",
    "-1",
    "1e400",
    ".nan",
    "true",
    "null",
    "~",
    "2026-13-45",
    '"' + "x" * 20_000 + '"',
    "!!binary aGVsbG8=",
    "&anchor value",
    '"\\0\\x1b[2J"',
    "'[bold]markup[/]'",
)
IMPOSSIBLE_HOURS = (
    '"25:00-26:00"',
    '"09:60-10:00"',
    '"9-5"',
    '"24:30-25:00"',
    '"-1:00-02:00"',
    '"09:00-09:00"',
    '"noon-midnight"',
    "09:00-17:00",
    "[]",
)


def _billion_laughs() -> str:
    text = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    previous = "a"
    for name in "bcdefghij":
        text += f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]\n"
        previous = name
    return text


WHOLE_FILES: tuple[bytes, ...] = (
    b"# a comment\n" * 200_000,  # 2.4 MB
    b"teams:\n  - slug: x\xff\xfe\n",
    b"teams: " + b"[" * 5000 + b"]" * 5000 + b"\n",
    b"teams:\n" + b"".join(b"  " * i + b"- \n" for i in range(1, 400)),
    _billion_laughs().encode(),
    b"\x00\x01\x02 binary \x00",
    b"",
    b"just a sentence, not a mapping\n",
    b"teams: [unclosed\n",
    b"\x1b[2J\x1b]0;title\x07teams: []\n",
    b"- a list\n- at the top\n",
    "teams:\n  - slug: [bold]x[/bold]\n    name: \u202eevil\n".encode(),
)


@st.composite
def breakages(draw: st.DrawFn) -> tuple[str, bytes, bool]:
    """(file name, its new content, whether the YAML is still well-formed line by line)."""
    name = draw(st.sampled_from(FILES))
    lines = list(LINES[name])
    kind = draw(st.sampled_from(("type", "reference", "hours", "delete", "whole", "nasty")))
    if kind == "whole":
        return name, draw(st.sampled_from(WHOLE_FILES)), False
    if kind == "hours":
        name = "calendars.yaml"
        lines = list(LINES[name])
        spots = [i for i, line in enumerate(lines) if HOURS.search(line)]
        at = draw(st.sampled_from(spots))
        bad = draw(st.sampled_from(IMPOSSIBLE_HOURS))
        lines[at] = HOURS.sub(bad, lines[at], count=1)
        return name, _text(lines), True
    spots = VALUE_LINES[name]
    if not spots:
        return name, draw(st.sampled_from(WHOLE_FILES)), False
    at = draw(st.sampled_from(spots))
    match = _VALUE.match(lines[at])
    assert match is not None
    indent, key, _value = match.groups()
    if kind == "delete":
        del lines[at]
        return name, _text(lines), True
    if kind == "reference":
        keys = [i for i in spots if (_VALUE.match(lines[i]) or [None, ""])[2] in REFERENCE_KEYS]
        if keys:
            at = draw(st.sampled_from(keys))
            match = _VALUE.match(lines[at])
            assert match is not None
            indent, key, _value = match.groups()
        value = "no-such-" + draw(st.sampled_from(("team", "thing", "x" * 300)))
    elif kind == "nasty":
        value = repr(draw(st.sampled_from(NASTY_SNIPPETS)).replace("\x00", "\\0"))
        value = '"' + value[1:-1].replace('"', '\\"') + '"'
    else:
        value = draw(st.sampled_from(WRONG_TYPES))
    lines[at] = f"{indent}{key}: {value}"
    return name, _text(lines), True


def _text(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8", errors="surrogatepass")


def _fingerprint(path: Path) -> dict[str, str]:
    """The database file and its WAL/SHM side files, byte for byte."""
    found = {}
    for suffix in ("", "-wal", "-shm", "-journal"):
        side = Path(f"{path}{suffix}")
        if side.exists():
            found[suffix] = hashlib.sha256(side.read_bytes()).hexdigest()
    return found


@pytest.fixture
def seeded_file(sqlite_db_url: str) -> Path:
    path = Path(sqlite_db_url.removeprefix("sqlite:///"))
    database = Database(sqlite_db_url)
    try:
        seed_directory(database, SAMPLE_DATA, now=dt.datetime(2026, 11, 23, tzinfo=dt.UTC))
    finally:
        database.dispose()
    return path


PROBLEM = re.compile(r"^(?P<file>.+?\.ya?ml):(?P<line>\d+): (?P<rest>.+)$")
FIELD = re.compile(r"^[A-Za-z_][\w-]*(?:\[\d+\]|\.[\w-]+)*: .+$")


@fuzz_settings(examples=30)
@given(broken=breakages())
def test_broken_sample_data_is_refused_and_nothing_is_written(
    seeded_file: Path,
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    broken: tuple[str, bytes, bool],
) -> None:
    name, content, well_formed = broken
    directory = tmp_path_factory.mktemp("data")
    for file in FILES:
        shutil.copyfile(SAMPLE_DATA / file, directory / file)
    (directory / name).write_bytes(content)
    before = _fingerprint(seeded_file)
    code = main(["db", "seed", str(directory), "--db", f"sqlite:///{seeded_file}"])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    if code == 0:
        # The change left valid data (a renamed description, a still-known reference).
        assert out.startswith("seeded ")
        return
    assert code == 2, (name, err)
    assert _fingerprint(seeded_file) == before, "the database changed"
    lines = err.splitlines()
    assert lines[-1].startswith(f"deskui: {directory}: ") and "nothing was written" in lines[-1]
    assert lines[:-1], err
    for problem in lines[:-1]:
        found = PROBLEM.match(problem)
        assert found is not None, f"no file and line in {problem!r}"
        assert Path(found["file"]).parent == directory, problem
        assert int(found["line"]) >= 1
        if well_formed and Path(found["file"]).name == name:
            assert FIELD.match(found["rest"]) or found["rest"].startswith("not valid YAML"), (
                f"no field in {problem!r}"
            )
