"""Sending one email through the configured SMTP server (automatic acknowledgements, pages).

Callers queue what they send in the database first and call ``send_mail`` after their write
transaction has committed: a slow or dead mail server must never hold a database lock, and a
failure leaves the queued row to be retried rather than losing the message.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from deskui.services.errors import ServiceError
from deskui.settings import Settings


class MailDeliveryError(ServiceError):
    """The SMTP server could not be reached or refused the message; the text says which."""


def mail_configured(settings: Settings) -> bool:
    return settings.smtp_host is not None


def send_mail(settings: Settings, message: EmailMessage) -> None:
    """Hand ``message`` to the SMTP server; ``MailDeliveryError`` says why it was not taken."""
    if settings.smtp_host is None:
        raise MailDeliveryError("no SMTP server configured (set DESKUI_SMTP_HOST)")
    if message["From"] is None:
        message["From"] = settings.mail_from
    where = f"{settings.smtp_host}:{settings.smtp_port}"
    try:
        with smtplib.SMTP(
            settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds
        ) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailDeliveryError(f"mail to {message['To']} via {where} failed: {exc}") from exc
