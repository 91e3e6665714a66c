"""The default list rules (DESIGN §3 and issue 10), shipped as data (migration 0002) that administrators edit.

The top/bottom three by assessment score need the scoring app, which registers its rule functions
(``redblack.rules.register``) and adds its rows itself.
"""
from __future__ import annotations

DEFAULTS = [
    # code, name, list, function, params, order, source
    ("red-newly-achieved", "本期新达标", "red", "newly_achieved", {}, 10,
     "DESIGN §3：红榜——每个本期新达标的县市 × 指标"),
    ("black-lagging", "严重滞后或逾期未达标", "black", "lagging_items", {"statuses": ["off_track"]}, 10,
     "DESIGN §3：黑榜——每个严重滞后（off_track）或逾期的县市 × 指标"),
    ("black-timeliness", "填报及时率最低", "black", "worst_timeliness", {"count": 3}, 20,
     "issue 10：本期填报及时率最差的县市"),
    ("black-quality", "数据质量最差", "black", "worst_quality", {"count": 3}, 30,
     "issue 10：本期数据质量最差（退回率最高）的县市"),
]


def ensure_defaults(model, using: str = "default") -> None:
    """Add the default rules that are missing (never changes a rule an administrator edited)."""
    for code, name, kind, function, params, order, source in DEFAULTS:
        model.objects.using(using).get_or_create(code=code, defaults={
            "name": name, "list": kind, "function": function, "params": params, "order": order, "source": source})
