"""Validation models for the desk's configuration in sample data (everything other than
calendars and policies, which live in ``deskui.domain.calendar`` and ``deskui.domain.sla``),
and the checks that tie the sections together."""
