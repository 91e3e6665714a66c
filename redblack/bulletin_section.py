"""The red/black lists in the monthly bulletin (月通报, issue 9: "… and the red/black lists once they exist"):
the current version of the latest published period, registered with
``alarms.publishing.register_bulletin_section`` — alarms sits below this app and never imports it. The bulletin
keeps what it was given when it was published; a later correction of the lists does not change it."""
from __future__ import annotations

from django.utils.translation import gettext as _

from alarms.publishing import Section, Table, register_bulletin_section
from redblack import lists
from redblack.choices import ListKind


def lists_section(period: str) -> Section | None:
    """The latest published red and black lists (None: none published yet)."""
    latest = lists.latest_period()
    publication = lists.current(latest) if latest else None
    if publication is None:
        return None
    entries = list(publication.entries.select_related("county", "indicator").order_by("list", "position", "pk"))
    columns = [_("县市"), _("指标"), _("理由")]

    def rows(kind: str) -> list[list[str]]:
        return [[e.county.name, e.indicator.code if e.indicator_id else "", e.reason]
                for e in entries if e.list == kind]

    note = _("红黑榜 %(period)s（第%(version)s版），%(date)s 发布") % {
        "period": publication.period, "version": publication.version,
        "date": publication.published_at.date().isoformat()}
    return Section(title=_("红黑榜"), notes=[note], tables=[
        Table(caption=_("红榜"), columns=columns, rows=rows(ListKind.RED)),
        Table(caption=_("黑榜"), columns=columns, rows=rows(ListKind.BLACK)),
    ])


def register() -> None:
    register_bulletin_section("redblack", lists_section, order=10)
