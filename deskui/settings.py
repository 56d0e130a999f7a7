"""Configuration: ``DESKUI_*`` environment variables over a TOML file over defaults.

The TOML file is the one given with ``--config``, else ``config.toml`` in the platform's user
config directory if it exists. The default database is SQLite in the user data directory.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, ClassVar

import platformdirs
from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from deskui.domain.timesource import FrozenTime, SystemTime, TimeSource

APP_NAME = "deskui"


def user_config_file() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def default_database_url() -> str:
    data_dir = Path(platformdirs.user_data_dir(APP_NAME))
    return f"sqlite:///{data_dir / 'deskui.db'}"


class Settings(BaseSettings):
    """Everything an operator can set; see the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="DESKUI_", extra="forbid")
    _toml_file: ClassVar[Path | None] = None

    database_url: str = Field(default_factory=default_database_url)
    now: dt.datetime | None = None
    agent: str | None = None
    theme: str = "deskui-dark"
    desk_name: str = "deskui"
    reference_prefix: str = "DSK"
    # The screens' re-read beside the change feed: a safety net, so slow on purpose.
    refresh_seconds: float = Field(default=30.0, gt=0)
    # PostgreSQL only: where the app's change feed (LISTEN) connects when the database URL goes
    # through a pooler that pools by transaction (PgBouncer): a session-pooled entry, or the
    # server itself. None: the database URL.
    feed_database_url: str | None = None
    warning_minutes: int = Field(default=60, ge=0)
    # SLA alerts on the queue ring the terminal bell as well as showing a toast and a badge.
    alert_bell: bool = True
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, gt=0, lt=65536)
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    mail_from: str = "support@deskui.invalid"
    # Paging the on-call agent (deskui.services.oncall.paging); see the README's
    # "On call and paging".
    pager_webhook_url: str | None = None
    pager_webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    pager_escalation_minutes: int = Field(default=15, gt=0)
    pager_max_attempts: int = Field(default=5, ge=1)
    pager_retry_seconds: float = Field(default=60.0, gt=0)
    pager_poll_seconds: float = Field(default=15.0, gt=0)
    # Agent handle -> the address pages go to instead of the agent's email (an SMS gateway).
    pager_addresses: dict[str, str] = Field(default_factory=dict)
    # A link to the ticket in pages, with {reference} in it (e.g. a web desk's address).
    pager_ticket_url: str | None = None
    # Mail intake: the team a message goes to when its sender's organisation does not say
    # (unknown senders), the category new mail tickets get, and the longest body kept in the
    # log (the whole message is then kept as an attachment).
    mail_team: str | None = None
    mail_category: str = "technical"
    # The priority a mail ticket gets, per SLA policy name (JSON in the environment); a policy
    # not named gets its default priority, else its lowest.
    mail_priorities: dict[str, str] = Field(default_factory=dict)
    mail_body_limit: int = Field(default=100_000, ge=1000)
    # The largest message intake reads (deskui.services.intake.mail_limits): one past any of
    # these is quarantined whole, never parsed (the mail parser recurses per nested part).
    mail_max_bytes: int = Field(default=25 * 1024 * 1024, ge=1024, le=1024**3)
    mail_max_depth: int = Field(default=30, ge=1, le=200)
    mail_max_parts: int = Field(default=500, ge=1, le=100_000)
    mail_max_headers: int = Field(default=500, ge=10, le=100_000)
    mail_max_header_bytes: int = Field(default=256 * 1024, ge=1024, le=64 * 1024 * 1024)
    mail_max_attachments: int = Field(default=100, ge=0, le=100_000)
    # Outbox retries: at most this many attempts, waiting 1, 2, 4, … minutes (capped at 1 h).
    mail_max_attempts: int = Field(default=8, ge=1)
    # Loop breaker: at most this many automatic acknowledgements to one address an hour.
    mail_ack_per_sender_hour: int = Field(default=3, ge=0)

    @field_validator("now")
    @classmethod
    def _aware(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("DESKUI_NOW needs a UTC offset, like 2026-12-28T15:00:00-04:00")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if cls._toml_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=cls._toml_file))
        return tuple(sources)

    def time_source(self) -> TimeSource:
        return FrozenTime(self.now) if self.now is not None else SystemTime()


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Settings from ``config_file`` (or the user config file if present), env and overrides.

    ``None`` overrides are ignored so CLI flags that were not given do not mask the env.
    """
    toml = config_file if config_file is not None else user_config_file()
    if config_file is not None and not config_file.is_file():
        raise FileNotFoundError(f"config file {config_file} does not exist")

    class _Configured(Settings):
        _toml_file: ClassVar[Path | None] = toml if toml.is_file() else None

    values = {k: v for k, v in overrides.items() if v is not None}
    loaded = _Configured(**values)
    return Settings.model_construct(**loaded.model_dump())
