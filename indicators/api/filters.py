"""The API's filters of the catalogue: the page's ``IndicatorFilter``, with the API's strict booleans."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from indicators.filters import IndicatorFilter
from liangshan_edu.api.filters import BooleanFilter


class IndicatorAPIFilter(IndicatorFilter):
    lead_only = BooleanFilter(method="filter_noop", label=_("仅牵头单位"))
