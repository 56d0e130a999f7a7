"""OpenSSH public key lines read and fingerprinted: pure functions the seeder and the key
commands share."""

from __future__ import annotations

import base64
import binascii
import hashlib


def parse_ssh_key(line: str) -> tuple[str, str, str]:
    """``"ssh-ed25519 AAAA… me@host"`` → ``(type, base64 key, comment)``."""
    parts = line.split(None, 2)
    if len(parts) < 2:
        raise ValueError("not an OpenSSH public key line")
    return parts[0], parts[1], parts[2].strip() if len(parts) == 3 else ""


def ssh_fingerprint(key_text: str) -> str:
    """OpenSSH's ``SHA256:…`` fingerprint of a base64 public key blob."""
    try:
        blob = base64.b64decode(key_text, validate=True)
    except binascii.Error as exc:
        raise ValueError(f"the key is not valid base64: {exc}") from exc
    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    return f"SHA256:{digest}"
