"""What the figure workflow announces to the apps above it (they connect receivers; counties calls nobody)."""
from django.dispatch import Signal

# Sent after the transaction that approved or reopened a figure commits: the approved figures of one indicator
# changed for one county (``county_id`` None: the prefecture's own figure) and year. Keyword arguments:
# ``indicator_id``, ``county_id``, ``year``. (assessment recomputes what it affects.)
approved_figures_changed = Signal()
