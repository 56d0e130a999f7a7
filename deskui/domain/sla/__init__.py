"""SLA policies, targets, per-ticket clocks and their explanations."""
