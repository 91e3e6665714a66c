"""The red/black lists' rules that need the annual assessment (DESIGN §3: red = the top three counties by the latest
published assessment score, black = the bottom three), registered with ``redblack.rules.register`` — the
red/black app sits below this one and never imports it.

Ties: every county tied with the last place taken is listed (the lists page's rule); the score is compared as
published (two decimals, as the ranking page shows it). Disqualified counties keep their score and rank, so they
are ranked here as on the ranking page.
"""
from __future__ import annotations

from django.utils.translation import gettext as _

from redblack.choices import ListKind
from redblack.rules import Candidate, Context, register
from scoring import queries

DEFAULT_ROWS = [
    # code, name, list, function, params, order, source (as redblack.defaults.DEFAULTS)
    ("red-assessment-top", "年度考核前三名", ListKind.RED, "assessment_top", {"count": 3}, 5,
     "DESIGN §3：红榜——最近一次公布的年度考核得分前三名的县市"),
    ("black-assessment-bottom", "年度考核后三名", ListKind.BLACK, "assessment_bottom", {"count": 3}, 5,
     "DESIGN §3：黑榜——最近一次公布的年度考核得分后三名的县市"),
]


def _ends(ctx: Context, params: dict, *, top: bool) -> list[Candidate]:
    outcome = queries.latest_published()
    if outcome is None:
        return []
    count = int(params.get("count", 3))
    rows = [r for r in outcome.rows if r.code in ctx.counties]
    rows.sort(key=lambda r: (r.score, r.code) if not top else (-r.score, r.code))
    if len(rows) > count:
        edge = rows[count - 1].score
        rows = [r for r in rows if (r.score >= edge if top else r.score <= edge)]
    kind = ListKind.RED if top else ListKind.BLACK
    text = (_("%(year)s年度考核（第%(version)s版）得分 %(score)s，全州第%(rank)s名") if top else
            _("%(year)s年度考核（第%(version)s版）得分 %(score)s，全州第%(rank)s名（后%(count)s名）"))
    return [Candidate(kind, ctx.counties[r.code], None, text % {
        "year": outcome.year, "version": outcome.version, "score": f"{r.score:.2f}", "rank": r.rank, "count": count},
        {"assessment_year": outcome.year, "version": outcome.version, "score": f"{r.score:.2f}", "rank": r.rank})
        for r in rows]


@register("assessment_top", "最近一次公布的年度考核得分前几名的县市", ListKind.RED)
def assessment_top(ctx: Context, params: dict) -> list[Candidate]:
    """Red: the ``count`` (default 3) best-scored counties of the latest published assessment, ties included."""
    return _ends(ctx, params, top=True)


@register("assessment_bottom", "最近一次公布的年度考核得分后几名的县市", ListKind.BLACK)
def assessment_bottom(ctx: Context, params: dict) -> list[Candidate]:
    """Black: the ``count`` (default 3) lowest-scored counties of the latest published assessment, ties included."""
    return _ends(ctx, params, top=False)


def ensure_rules(model, using: str = "default") -> None:
    """Add the two rules where missing (never changes a rule an administrator edited)."""
    for code, name, kind, function, params, order, source in DEFAULT_ROWS:
        model.objects.using(using).get_or_create(code=code, defaults={
            "name": name, "list": str(kind), "function": function, "params": params, "order": order,
            "source": source})
