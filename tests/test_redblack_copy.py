"""Entries are written by COPY on PostgreSQL (batched INSERTs elsewhere): what is read back is what the rules
gave, whatever characters a reason holds, in the same order."""
from __future__ import annotations

import pytest

from indicators.models import Indicator
from places.models import County
from redblack import lists, rules
from redblack.models import Entry, Publication


@pytest.mark.django_db
def test_entries_read_back_as_the_rules_gave_them(official):
    county, other = County.objects.order_by("code")[:2]
    indicator = Indicator.objects.order_by("code").first()
    candidates = [
        rules.Candidate("red", county, indicator, "制表\t换行\n回车\r反斜杠\\N 与 \\t", {"value": "96.3", "n": 3},
                        "newly_achieved"),
        rules.Candidate("black", other, None, "及时率 0%，全州最低", {"share": 0, "overdue": True, "note": "县\\市"},
                        "worst_timeliness"),
    ]
    publication = Publication.objects.create(period="2026-Q3", year=2025, version=1, published_by=official, rules=[])
    # (No query count here: COPY goes through the raw cursor, which CaptureQueriesContext does not see, so a
    # count would pass whatever the code did. The rows read back are the check.)
    lists._entries(publication, candidates)
    got = [(e.list, e.county_id, e.indicator_id, e.rule, e.reason, e.figures, e.position)
           for e in Entry.objects.filter(publication=publication).order_by("position")]
    assert got == [(c.list, c.county.pk, c.indicator.pk if c.indicator else None, c.rule, c.reason, c.figures, n)
                   for n, c in enumerate(candidates)]


def test_copy_text_escapes_what_copy_reads_as_special():
    assert lists._copy_text("a\tb\nc\rd\\e") == "a\\tb\\nc\\rd\\\\e"
