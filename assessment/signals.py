"""What the progress engine announces to the apps above it (they connect receivers; assessment calls nobody).

``progress_recomputed``: sent when a recompute has written its rows. Keyword arguments: ``rows`` — the rows an
incremental recompute wrote (tuples in ``engine.COLUMNS`` order, every year of its county's and the prefecture's
rows of one indicator), or None after a full recompute (every row was replaced: read what you need from the
table); ``indicator_id`` (None after a full recompute); ``using``, the database alias. The incremental one is
sent inside the recompute's transaction. (alarms raises and resolves alarms from it.)
"""
from django.dispatch import Signal

progress_recomputed = Signal()
