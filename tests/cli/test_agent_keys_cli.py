"""`deskui agent add-key | keys | remove-key` through ``deskui.cli.main`` on a seeded database
(SQLite and PostgreSQL): keys made by ``ssh-keygen`` when it exists (fingerprints checked
against ``ssh-keygen -lf``), a fixed key otherwise; bad input is one line, exit 2, no change."""

from __future__ import annotations

import base64
import datetime as dt
import json
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from deskui.cli import main
from deskui.services.access.keys import list_keys
from deskui.services.catalog.seeding import seed_directory
from deskui.store.models import SshKey
from deskui.store.session import Database

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"
NOW = "2026-11-23T15:00:00+00:00"
# A throwaway key; `ssh-keygen -lf` prints this fingerprint for it.
FIXED_KEY = (
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHjS0q89Fh8ZPfzUEe+lvn3BYDgNHMox6HXjlCU3nlM/ lin@home"
)
FIXED_FINGERPRINT = "SHA256:d0lLcBK4qigUX4BZKbb4eaJ3fQDlX0gEfOhI9S9wlsU"
SSH_KEYGEN = shutil.which("ssh-keygen")
KEY_KEYS = {"handle", "type", "fingerprint", "comment", "added_at"}

Cli = Callable[..., tuple[int, str, str]]


def make_key(directory: Path, kind: str, comment: str) -> tuple[Path, str]:
    """A public key file of ``kind`` and its fingerprint as OpenSSH prints it."""
    if SSH_KEYGEN is None:
        if kind != "ed25519":
            pytest.skip("ssh-keygen is not installed")
        path = directory / "fixed.pub"
        path.write_text(FIXED_KEY.rsplit(" ", 1)[0] + f" {comment}\n", encoding="utf-8")
        return path, FIXED_FINGERPRINT
    private = directory / f"id_{kind}_{comment.replace('@', '_')}"
    size = ["-b", "1024"] if kind == "rsa" else []
    subprocess.run(
        [SSH_KEYGEN, "-q", "-t", kind, *size, "-N", "", "-C", comment, "-f", str(private)],
        check=True,
    )
    listed = subprocess.run(
        [SSH_KEYGEN, "-lf", f"{private}.pub"], check=True, capture_output=True, text=True
    )
    return private.with_name(private.name + ".pub"), listed.stdout.split()[1]


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    """The seeded sample desk on this test's fresh database (both backends)."""
    database = Database(db_url)
    try:
        seed_directory(database, SAMPLE_DATA, now=dt.datetime.fromisoformat(NOW))
        yield database
    finally:
        database.dispose()


@pytest.fixture
def cli(
    database: Database,
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Cli:
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    monkeypatch.setenv("DESKUI_NOW", NOW)

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["agent", *argv, "--db", db_url, "--config", str(config)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def stored(database: Database) -> list[tuple[str, str, str, str]]:
    return [(k.handle, k.key_type, k.fingerprint, k.comment) for k in list_keys(database)]


def test_add_list_and_remove_keys_of_every_type(
    cli: Cli, database: Database, tmp_path: Path
) -> None:
    before = stored(database)
    added: list[tuple[str, str, str, str]] = []
    for kind, key_type in [
        ("ed25519", "ssh-ed25519"),
        ("rsa", "ssh-rsa"),
        ("ecdsa", "ecdsa-sha2-nistp256"),
    ]:
        path, fingerprint = make_key(tmp_path, kind, f"{kind}@laptop")
        code, out, err = cli("add-key", "dpatel", str(path), "--json")
        assert (code, err) == (0, "")
        key = json.loads(out)
        assert set(key) == KEY_KEYS
        assert key == {
            "handle": "dpatel",
            "type": key_type,
            "fingerprint": fingerprint,
            "comment": f"{kind}@laptop",
            "added_at": NOW,
        }
        added.append(("dpatel", key_type, fingerprint, f"{kind}@laptop"))
    assert sorted(stored(database)) == sorted(before + added)

    code, out, err = cli("keys", "dpatel", "--json")
    assert (code, err) == (0, "")
    listed = json.loads(out)
    assert all(set(item) == KEY_KEYS for item in listed)
    assert {item["fingerprint"] for item in listed} >= {a[2] for a in added}
    assert {item["handle"] for item in listed} == {"dpatel"}

    code, out, _ = cli("keys")
    assert code == 0
    first = added[0]
    # Text in the one date style, in the desk's zone (New York) when nobody is signed in.
    added_at = "Mon 23 Nov 10:00"
    assert f"dpatel\t{first[1]}\t{first[2]}\t{first[3]}\t{added_at}" in out.splitlines()

    code, out, err = cli("remove-key", "dpatel", first[2])
    assert (code, err) == (0, "")
    assert out == f"removed {first[2]} from dpatel\n"
    assert sorted(stored(database)) == sorted(before + added[1:])


def test_the_stored_key_is_the_file_s_key(cli: Cli, database: Database, tmp_path: Path) -> None:
    path, _ = make_key(tmp_path, "ed25519", "me@home")
    key_type, key_text, _ = path.read_text(encoding="utf-8").split()
    assert cli("add-key", "lchen", str(path))[0] == 0
    with database.read() as session:
        row = session.scalars(select(SshKey).where(SshKey.key_text == key_text)).one()
        assert (row.key_type, row.agent.handle, row.comment) == (key_type, "lchen", "me@home")


def test_a_duplicate_key_is_refused_for_anyone(
    cli: Cli, database: Database, tmp_path: Path
) -> None:
    path, fingerprint = make_key(tmp_path, "ed25519", "shared@box")
    assert cli("add-key", "dpatel", str(path))[0] == 0
    before = stored(database)
    for handle, whose in [("dpatel", "this agent"), ("lchen", "agent 'dpatel'")]:
        code, out, err = cli("add-key", handle, str(path))
        assert (code, out) == (2, "")
        assert f"{fingerprint} is already stored for {whose}" in err
        assert err.count("\n") == 1
    assert stored(database) == before


def blob(key_type: str, payload: bytes = b"\x00\x00\x00\x01x") -> str:
    name = key_type.encode()
    return base64.b64encode(len(name).to_bytes(4, "big") + name + payload).decode()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "the key file is empty"),
        ("ssh-ed25519\n", "not an OpenSSH public key line"),
        ("ssh-dss AAAAB3NzaC1kc3M= old\n", "unsupported key type 'ssh-dss'"),
        ("ssh-ed25519 not*base64!! x\n", "not valid base64"),
        (f"ssh-ed25519 {blob('ssh-rsa')} x\n", "the key says 'ssh-ed25519' but its data is"),
        (f"{FIXED_KEY}\n{FIXED_KEY}\n", "holds 2 lines"),
        ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n", "this is a private key"),
        (f"ssh-ed25519 {blob('ssh-ed25519')} a\x1bb\n", "control characters"),
    ],
)
def test_a_bad_key_file_is_named_and_nothing_is_written(
    cli: Cli, database: Database, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.pub"
    path.write_text(content, encoding="utf-8")
    before = stored(database)
    code, out, err = cli("add-key", "dpatel", str(path))
    assert (code, out) == (2, "")
    assert err.startswith(f"deskui: add-key {path}: ") and message in err
    assert err.count("\n") == 1
    assert stored(database) == before


def test_unknown_handles_fingerprints_and_files(
    cli: Cli, database: Database, tmp_path: Path
) -> None:
    path, fingerprint = make_key(tmp_path, "ed25519", "x@y")
    before = stored(database)
    cases = [
        (("add-key", "nobody", str(path)), "unknown agent 'nobody'"),
        (("add-key", "dpatel", str(tmp_path / "missing.pub")), "cannot be read"),
        (("keys", "nobody"), "unknown agent 'nobody'"),
        (("remove-key", "nobody", fingerprint), "unknown agent 'nobody'"),
        (("remove-key", "dpatel", fingerprint), f"agent 'dpatel' has no key '{fingerprint}'"),
    ]
    for argv, message in cases:
        code, out, err = cli(*argv)
        assert (code, out) == (2, ""), argv
        assert message in err and err.count("\n") == 1, (argv, err)
    assert stored(database) == before
