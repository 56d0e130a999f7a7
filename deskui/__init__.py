"""deskui: a terminal service desk with business-time SLA clocks and a live queue."""

__version__ = "0.1.0"
