"""On call: the stored shifts, paging the on-call agent, and delivering pages."""
