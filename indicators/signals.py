"""What the catalogue announces to the apps above it."""
from django.dispatch import Signal

# Sent twice around every write in the admin of the catalogue and the counties (``indicators.watch``):
# ``phase`` "before" then "after", with the same ``state`` dict for a receiver to keep what it needs between the
# two, and the ``user``. A receiver may return a message for the administrator (shown after the write).
# (assessment compares what progress is computed from, and recomputes when it changed.)
catalogue_write = Signal()
