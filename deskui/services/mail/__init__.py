"""Outgoing mail: the SMTP sender and the outbox that sends after commit, with retries."""
