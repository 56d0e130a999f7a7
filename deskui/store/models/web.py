"""The web desk's sign-in secrets: one per agent, stored only as a salted scrypt hash."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from deskui.store.models.base import Base
from deskui.store.types import UTCDateTime


class WebLogin(Base):
    """The secret an agent signs in to ``deskui serve web`` with; issuing a new one replaces
    it. The secret itself is never stored, only ``scrypt$N$r$p$salt$hash``."""

    __tablename__ = "web_login"

    agent_id: Mapped[int] = mapped_column(
        ForeignKey("agent.id", ondelete="CASCADE"), primary_key=True
    )
    secret_hash: Mapped[str] = mapped_column(String(255))
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
