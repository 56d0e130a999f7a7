"""Business calendars: opening hours in a time zone, minus public holidays and closures."""
