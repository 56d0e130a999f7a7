"""Business calendars: opening hours in a time zone, minus public holidays and closures.

``spec`` is what people write; ``compiled`` turns it into UTC intervals with prefix sums for
the SLA math; ``book`` holds calendars by name. See ``docs/sla.md``.
"""
