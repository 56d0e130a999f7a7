"""Supervision: the breach board, the SLA reports and the series behind their charts."""
