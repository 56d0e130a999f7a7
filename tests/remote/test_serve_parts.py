"""The SSH server's parts without a client: the host key file, the key → agent lookup (both
backends), connection slots, and `deskui serve` bad input (one line, exit 2)."""

from __future__ import annotations

import datetime as dt
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import asyncssh
import pytest
from sqlalchemy import select

from deskui.cli import main
from deskui.remote.host_key import HostKeyError, load_or_create_host_key
from deskui.remote.limits import ConnectionSlots, Limits
from deskui.services.access.keys import add_key, key_owner
from deskui.services.catalog.seeding import seed_directory
from deskui.store.models import Agent, SshKey
from deskui.store.session import Database

SAMPLE_DATA = Path(__file__).resolve().parents[2] / "sample_data"
NOW = dt.datetime(2026, 12, 1, 15, tzinfo=dt.UTC)


# ---- host key ---------------------------------------------------------------------------------


def test_host_key_is_created_private_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "etc" / "deskui" / "host_ed25519"
    made = load_or_create_host_key(path)
    assert made.algorithm == b"ssh-ed25519"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    again = load_or_create_host_key(path)
    assert again.public_data == made.public_data


def test_a_host_key_others_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "host_key"
    load_or_create_host_key(path)
    path.chmod(0o644)
    with pytest.raises(HostKeyError, match=r"readable by others \(mode 0644\); chmod 600"):
        load_or_create_host_key(path)


def test_a_host_key_that_is_not_a_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "host_key"
    path.write_text("not a key\n", encoding="utf-8")
    path.chmod(0o600)
    with pytest.raises(HostKeyError, match="is not a usable private key"):
        load_or_create_host_key(path)


# ---- who a key signs in ------------------------------------------------------------------------


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    try:
        seed_directory(database, SAMPLE_DATA, now=NOW)
        yield database
    finally:
        database.dispose()


def _public_key() -> tuple[str, bytes]:
    key = asyncssh.generate_private_key("ssh-ed25519")
    line = key.export_public_key().decode("ascii").strip() + " someone@home"
    return line, key.public_data


def test_key_owner_is_the_agent_holding_the_key(database: Database) -> None:
    jorge_line, jorge_blob = _public_key()
    lin_line, lin_blob = _public_key()
    _stranger_line, stranger_blob = _public_key()
    add_key(database, "jmorales", jorge_line, at=NOW)
    lin = add_key(database, "lchen", lin_line, at=NOW)

    owner = key_owner(database, lin_blob)
    assert owner is not None
    assert (owner.handle, owner.name, owner.roles) == ("lchen", "Lin Chen", ("agent",))
    assert owner.fingerprint == lin.fingerprint
    jorge = key_owner(database, jorge_blob)
    assert jorge is not None
    assert (jorge.handle, jorge.roles) == ("jmorales", ("agent", "supervisor"))
    assert key_owner(database, stranger_blob) is None
    assert key_owner(database, b"") is None


def test_a_retired_agents_key_signs_no_one_in(database: Database) -> None:
    line, blob = _public_key()
    add_key(database, "lchen", line, at=NOW)
    with database.write() as session:
        agent = session.scalar(select(Agent).where(Agent.handle == "lchen"))
        assert agent is not None
        agent.active = False
    assert key_owner(database, blob) is None


def test_a_key_row_whose_text_differs_from_the_offered_key_signs_no_one_in(
    database: Database,
) -> None:
    line, blob = _public_key()
    other_line, _other_blob = _public_key()
    add_key(database, "lchen", line, at=NOW)
    # The row keeps the offered key's fingerprint but holds other key bytes: the fingerprint
    # finds the row, and only an exact key match signs anyone in.
    with database.write() as session:
        row = session.scalar(select(SshKey))
        assert row is not None
        row.key_text = other_line.split()[1]
    assert key_owner(database, blob) is None


# ---- connection slots ----------------------------------------------------------------------------


def test_connection_slots_count_in_all_and_per_agent() -> None:
    slots = ConnectionSlots(Limits(max_per_user=1, max_sessions=2))
    assert slots.open() and slots.open()
    assert not slots.open()
    assert slots.sign_in("lchen")
    assert not slots.sign_in("lchen")
    assert slots.sign_in("jmorales")
    slots.sign_out("lchen")
    slots.close()
    assert slots.sign_in("lchen")
    assert slots.open()
    assert slots.total == 2


# ---- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["ssh", "--listen", "localhost"], "--listen 'localhost' is not HOST:PORT"),
        (["ssh", "--listen", "127.0.0.1:99999"], "is not HOST:PORT"),
        (["ssh", "--max-per-user", "0"], "--max-per-user 0 is not allowed: give more than 0"),
        (["ssh", "--max-sessions", "-1"], "--max-sessions -1 is not allowed"),
        (["ssh", "--idle-timeout", "-5"], "--idle-timeout -5 is not allowed: give 0 (none)"),
        (["web", "--listen", "127.0.0.1:0"], "--listen needs a port for serve web"),
        (["web", "--as", "lchen", "--listen", "0.0.0.0:8000"], "is not a loopback address"),
        (["web", "--session-minutes", "0"], "--session-minutes 0 is not allowed"),
        (["web", "--max-failures", "-1"], "--max-failures -1 is not allowed"),
        (["web", "--as", "nobody"], "the database has no agents yet"),
    ],
)
def test_bad_serve_input_is_one_line_and_exit_2(
    sqlite_db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    message: str,
) -> None:
    monkeypatch.delenv("DESKUI_AGENT", raising=False)
    if argv[0] == "ssh":
        argv = [*argv, "--host-key", str(tmp_path / "host_key")]
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    code = main(["serve", *argv, "--db", sqlite_db_url, "--config", str(config)])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert err.count("\n") == 1


def test_serve_ssh_refuses_an_open_host_key_and_a_busy_port(
    sqlite_db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    host_key = tmp_path / "host_key"
    load_or_create_host_key(host_key)
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    common = ["--db", sqlite_db_url, "--config", str(config), "--host-key", str(host_key)]
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code = main(["serve", "ssh", "--listen", f"127.0.0.1:{port}", *common])
        assert code == 2
        assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err

    host_key.chmod(0o640)
    code = main(["serve", "ssh", "--listen", "127.0.0.1:0", *common])
    assert code == 2
    assert "readable by others (mode 0640)" in capsys.readouterr().err
