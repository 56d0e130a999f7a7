"""Fill a seeded database with realistic tickets, fast: ``deskui db generate --tickets N``.

For scale tests, benchmarks and demos. Each ticket is plausible on its own and together they
look like two years of a desk's history (``plan``: when and under which contract;
``attributes``: who and what; ``timeline``: dues, events and status; ``rows``: the rows and
the log the ticket services would have written; ``run``: chunked inserts).

Dues are computed by the SLA engine in numpy batches, and the stored clock columns agree with
``deskui.domain.sla.clocks.compute_clocks`` for the ticket's logged events. References
continue the desk's counter without gaps. A million tickets take minutes on SQLite.
"""

from deskui.services.catalog.generate.run import CHUNK_SIZE, GenerateSummary, generate_tickets
from deskui.services.catalog.generate.world import NotSeededError

__all__ = ["CHUNK_SIZE", "GenerateSummary", "NotSeededError", "generate_tickets"]
