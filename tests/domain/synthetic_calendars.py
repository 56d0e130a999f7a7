"""Awkward calendars for the oracle tests: past-midnight shifts, DST edges, split days,
partial closures on DST nights, a 30-minute DST zone, the southern hemisphere, overlaps."""

from __future__ import annotations

from deskui.domain.calendar.spec import CalendarSpec

WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WORKWEEK = WEEK[:5]

SYNTHETIC: list[CalendarSpec] = [
    CalendarSpec.model_validate(spec)
    for spec in [
        {
            "name": "night-shift",
            "timezone": "America/New_York",
            "hours": {**{d: ["22:00-06:00"] for d in WORKWEEK}, "sat": ["10:00-14:00"]},
            "holidays": {"country": "US"},
        },
        {
            "name": "split-london",
            "timezone": "Europe/London",
            "hours": {
                **{d: ["09:00-12:30", "13:30-17:00"] for d in WORKWEEK},
                "sun": ["00:00-03:00"],
            },
            "holidays": {"country": "GB", "subdivision": "ENG"},
            "closures": [
                {"date": "2026-12-24", "reason": "Christmas Eve shutdown"},
                {"date": "2026-03-27", "start": "14:00", "end": "16:00", "reason": "training"},
                # Spans the skipped hour (01:00-02:00) of 29 March 2026.
                {"date": "2026-03-29", "start": "00:30", "end": "01:30", "reason": "upgrade"},
                # Inside the repeated hour of 25 October 2026.
                {"date": "2026-10-25", "start": "01:15", "end": "01:45", "reason": "backup"},
            ],
        },
        {
            "name": "dst-edges",
            "timezone": "America/New_York",
            # 02:30 does not exist on the spring day; 01:30 happens twice on the autumn day.
            "hours": {d: ["01:30-02:30", "23:00-24:00"] for d in WEEK},
        },
        {
            "name": "sydney",
            "timezone": "Australia/Sydney",
            "hours": {d: ["08:00-18:00"] for d in WORKWEEK},
            "holidays": {"country": "AU", "subdivision": "NSW"},
        },
        {
            "name": "lord-howe",
            "timezone": "Australia/Lord_Howe",
            # Clocks move by 30 minutes at 02:00 here.
            "hours": {d: ["01:45-02:15", "09:00-17:00"] for d in WEEK},
        },
        {
            "name": "always-with-holidays",
            "timezone": "America/Chicago",
            "always_open": True,
            "holidays": {"country": "US"},
            "closures": [
                {"date": "2026-07-02", "start": "12:00", "end": "13:00", "reason": "drill"}
            ],
        },
        {
            "name": "weekend-late",
            "timezone": "Europe/Berlin",
            "hours": {
                "wed": ["12:00-13:00"],
                "fri": ["20:00-04:00"],
                "sat": ["00:00-02:00", "18:00-24:00"],
                "sun": ["00:00-03:00"],
            },
            "holidays": {"country": "DE", "subdivision": "BE"},
        },
        {
            "name": "overlaps",
            "timezone": "America/Halifax",
            "hours": {
                "mon": ["08:00-12:00", "10:00-14:00"],
                "tue": ["20:00-04:00"],
                "wed": ["00:00-02:00", "09:00-10:00"],
                "thu": ["09:00-17:00"],
            },
            "holidays": {"country": "CA", "subdivision": "NS"},
            "closures": [{"date": "2026-11-12", "reason": "move"}],
        },
    ]
]
