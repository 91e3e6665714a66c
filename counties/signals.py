"""What the figure workflow announces to the apps above it (they connect receivers; counties calls nobody)."""
from django.dispatch import Signal

# Sent after the transaction that approved or reopened a figure commits: the approved figures of one indicator
# changed for one county (``county_id`` None: the prefecture's own figure) and year. Keyword arguments:
# ``indicator_id``, ``county_id``, ``year``. (assessment recomputes what it affects.)
approved_figures_changed = Signal()

# Sent after the transaction that returned a figure to its county commits — an official returned a submitted
# figure or reopened an approved one: the county's clerks have it to correct (the bell of the alarms app tells
# them). Keyword arguments: ``figure_id``, ``county_id``, ``indicator_id``, ``year``, ``reason``, ``reopened``.
figure_returned = Signal()
