"""The SSH server's persistent host key: read it, or create an ed25519 one (mode 0600).

A host key that changes on every start would teach agents to ignore the "host key changed"
warning, so the key is made once and kept. A key file others can read is refused, as sshd does.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import asyncssh


class HostKeyError(Exception):
    """The host key file cannot be used; the message says why and where."""


def load_or_create_host_key(path: Path) -> asyncssh.SSHKey:
    """The private host key at ``path``; a new ed25519 key is written there if none exists."""
    if not path.exists():
        return _create(path)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError as exc:
        raise HostKeyError(f"host key {str(path)!r} cannot be read: {exc.strerror}") from None
    if mode & 0o077:
        raise HostKeyError(
            f"host key {str(path)!r} is readable by others (mode {mode:04o}); chmod 600 it"
        )
    try:
        return asyncssh.read_private_key(path)
    except (OSError, asyncssh.KeyImportError, ValueError) as exc:
        raise HostKeyError(f"host key {str(path)!r} is not a usable private key: {exc}") from None


def _create(path: Path) -> asyncssh.SSHKey:
    key = asyncssh.generate_private_key("ssh-ed25519", comment="deskui host key")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # O_EXCL: never overwrite a key another server wrote meanwhile; 0600 from the start so
        # the private key is never readable by others, not even for a moment.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise HostKeyError(f"host key {str(path)!r} cannot be created: {exc.strerror}") from None
    with os.fdopen(fd, "wb") as file:
        file.write(key.export_private_key())
    return key
