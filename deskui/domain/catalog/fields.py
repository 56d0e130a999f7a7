"""Field types shared by the catalog models: slugs, handles, time zones, emails, times.

They turn the values people write in sample data into checked Python values, with reasons a
person can act on (``'Europe/Londn' is not an IANA time zone``).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BeforeValidator, ConfigDict

from deskui.domain.durations import Duration, parse_duration
from deskui.domain.names import check_slug

# Every catalog model is immutable and refuses keys it does not know (a typo is an error).
SPEC_CONFIG = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

_T = TypeVar("_T")

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Seconds are accepted so a stored spec (dumped as "09:00:00") reads back unchanged.
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_SSH_KEY = re.compile(r"^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-\S+|sk-\S+)\s+[A-Za-z0-9+/=]+(\s.*)?$")


def _check_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not an IANA time zone (like 'Europe/London')") from None
    return value


def _check_email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise ValueError(f"{value!r} is not an email address")
    # Addresses are compared case-insensitively everywhere, so keep one spelling.
    return value.lower()


def _parse_duration(value: Any) -> Any:
    return parse_duration(value) if isinstance(value, str) else value


def _parse_time(value: Any) -> Any:
    # YAML 1.1 reads an unquoted 17:00 as the base-60 number 1020: say how to write it.
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError("write times of day in quotes, like '17:00'")
    if isinstance(value, str):
        match = _TIME.fullmatch(value.strip())
        if not match or int(match[1]) > 23 or int(match[2]) > 59 or int(match[3] or 0) > 59:
            raise ValueError(f"{value!r} is not a time of day like '09:00'")
        return dt.time(int(match[1]), int(match[2]), int(match[3] or 0))
    return value


def _check_ssh_key(value: str) -> str:
    if not _SSH_KEY.fullmatch(value):
        raise ValueError("not an OpenSSH public key line (like 'ssh-ed25519 AAAA… comment')")
    return value


Slug = Annotated[str, AfterValidator(check_slug)]
# Agent handles follow the slug rules so they are safe in URLs, logs and SSH user names.
Handle = Slug
TimeZoneName = Annotated[str, AfterValidator(_check_zone)]
Email = Annotated[str, AfterValidator(_check_email)]
DurationText = Annotated[Duration, BeforeValidator(_parse_duration)]
TimeOfDay = Annotated[dt.time, BeforeValidator(_parse_time)]
SshPublicKey = Annotated[str, AfterValidator(_check_ssh_key)]


def distinct(values: tuple[_T, ...]) -> tuple[_T, ...]:
    """An ``AfterValidator`` for lists: raise ``ValueError`` naming the first value given twice."""
    seen: set[_T] = set()
    for value in values:
        if value in seen:
            # str() first: an enum member reads as the word written, not <Role.AGENT: …>.
            shown = str(value) if isinstance(value, str) else value
            raise ValueError(f"{shown!r} is listed twice")
        seen.add(value)
    return values
