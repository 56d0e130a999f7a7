"""Use cases: intake, desk actions, triage, on-call paging, reports, sample data and seeding."""
