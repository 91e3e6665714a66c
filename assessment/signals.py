"""What the progress engine announces to the apps above it (they connect receivers; assessment calls nobody).

``progress_recomputed``: sent when a recompute has written its rows. Keyword arguments: ``rows`` — the rows an
incremental recompute wrote (tuples in ``engine.COLUMNS`` order, every year of its county's and the prefecture's
rows of one indicator), or None after a full recompute (every row was replaced: read what you need from the
table); ``indicator_id`` (None after a full recompute); ``using``, the database alias. The incremental one is
sent inside the recompute's transaction; after a full recompute also ``taps`` (below). (alarms raises and
resolves alarms from it.)

``progress_recompute_starting``: sent before a full recompute computes its rows, with ``using``. A receiver may
return a **tap**: a callable given each county's rows as the engine computes them (a list of tuples in
``engine.COLUMNS`` order without ``computed_at``; numbers as integers scaled by 10⁴, None when missing; the
prefecture's rows are not tapped), so that it looks at them *inside* the recompute — while the server stores
the previous county's — instead of reading every row again afterwards. A tap must be cheap and must not touch
the database; one that raises is logged and dropped from ``taps`` (the recompute goes on; its receiver then
finds no tap and reads the table). The same taps are handed back in
``progress_recomputed`` (``taps``) once the rows are committed.
"""
from django.dispatch import Signal

progress_recomputed = Signal()
progress_recompute_starting = Signal()
