"""The rhythm of the plans (日动态、周调度、月通报、季挂榜): each job is idempotent per period — running it again for
the same period changes nothing — and runnable by hand (``manage.py rhythm``, the rhythm page's buttons) as well as
on beat. Published bulletins and rankings never change; a correction is a new version (``correct``)."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alarms import publishing
from alarms.choices import ACTIVE, SEVERITY_ORDER
from alarms.models import Alarm, Digest, Dispatch, Notification, NotificationSetting, Publication
from assessment.choices import PREFECTURE, ProgressStatus
from assessment.models import Progress
from counties.choices import FigureStatus
from counties.models import Figure
from liangshan_edu.calendar import open_reporting_year
from liangshan_edu.roles import can_read_all, county_of, role_of
from places.models import County

DAILY, WEEKLY, MONTHLY, QUARTERLY = "daily", "weekly", "monthly", "quarterly"
KINDS = (DAILY, WEEKLY, MONTHLY, QUARTERLY)
# 季挂榜: a trend arrow only when a county's share changed by more than this many percentage points.
TREND_MIN_POINTS = getattr(settings, "RANKING_TREND_MIN_POINTS", 2.0)
GOOD = (ProgressStatus.ACHIEVED, ProgressStatus.ON_TRACK)


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(day, time.min), tz)
    return start, start + timedelta(days=1)


def week_of(day: date) -> str:
    y, w, _d = day.isocalendar()
    return f"{y}-W{w:02d}"


def month_before(day: date) -> str:
    last = day.replace(day=1) - timedelta(days=1)
    return f"{last.year}-{last.month:02d}"


def quarter_before(day: date) -> str:
    q = (day.month - 1) // 3  # the quarter that ended before this one (0: the last of the year before)
    return f"{day.year - 1}-Q4" if q == 0 else f"{day.year}-Q{q}"


def _judged_year() -> int | None:
    from alarms.sources import judged_year

    return judged_year()


def _wants_mail(users) -> set[int]:
    return set(NotificationSetting.objects.filter(user__in=users, email=True).values_list("user_id", flat=True))


# ── 日动态 ───────────────────────────────────────────────────────────────────────────────────────────────────

FIGURE_EVENTS = {FigureStatus.DRAFT: gettext_lazy("录入"), FigureStatus.SUBMITTED: gettext_lazy("提交"),
                 FigureStatus.RETURNED: gettext_lazy("退回"), FigureStatus.APPROVED: gettext_lazy("审核通过")}


def daily(day: date) -> int:
    """One digest per user with a role for ``day``: what happened in their scope (figures entered, submitted,
    returned, approved; alarms raised and resolved), counted per county. Returns the digests created."""
    start, end = _day_bounds(day)
    figures = Counter()
    for county_id, status, n in (Figure.history.filter(history_date__gte=start, history_date__lt=end,
                                                       county__isnull=False)
                                 .values_list("county_id", "status").annotate(n=Count("history_id")).order_by()):
        figures[(county_id, status)] += n
    raised = Counter(Alarm.objects.filter(raised_at__gte=start, raised_at__lt=end).values_list("county_id", flat=True))
    resolved = Counter(Alarm.objects.filter(resolved_at__gte=start, resolved_at__lt=end)
                       .values_list("county_id", flat=True))
    names = dict(County.objects.values_list("id", "name"))
    done = set(Digest.objects.filter(day=day).values_list("user_id", flat=True))
    users = [u for u in get_user_model().objects.filter(is_active=True).prefetch_related("groups")
             .select_related("profile") if role_of(u) and u.pk not in done]
    mail = _wants_mail(users)
    created = 0
    for user in users:
        own = county_of(user)
        scope = None if can_read_all(user) else ({own.pk} if own else set())
        items = []
        for county_id in sorted(names):
            if scope is not None and county_id not in scope:
                continue
            parts = [f"{FIGURE_EVENTS[s]} {figures[(county_id, s)]}" for s in FIGURE_EVENTS if figures[(county_id, s)]]
            if raised[county_id]:
                parts.append(_("新报警 %(n)s") % {"n": raised[county_id]})
            if resolved[county_id]:
                parts.append(_("报警解除 %(n)s") % {"n": resolved[county_id]})
            if parts:
                items.append({"county": names[county_id], "text": "，".join(parts)})
        with transaction.atomic():
            digest, made = Digest.objects.get_or_create(user=user, day=day, defaults={"items": items})
        if not made:
            continue
        created += 1
        if items and user.pk in mail and user.email:
            body = "\n".join(f"{i['county']}：{i['text']}" for i in items)
            send_mail(_("日动态 %(day)s") % {"day": day}, body, None, [user.email])
            Digest.objects.filter(pk=digest.pk).update(emailed_at=timezone.now())
    return created


# ── 周调度 ───────────────────────────────────────────────────────────────────────────────────────────────────

def dispatch_content(county: County, year: int, judged: int | None, report) -> dict:
    missing = [e for e in report.county_total(county).unsubmitted]
    return {
        "year": year,
        "missing": len(missing),
        "returned": Figure.objects.filter(county=county, year=year, status=FigureStatus.RETURNED).count(),
        "overdue": (Progress.objects.filter(area=county.code, year=judged, overdue=True).count() if judged else 0),
        "alarms": [{"severity": a.severity, "kind": a.get_kind_display(),
                    "indicator": a.indicator.code if a.indicator_id else "", "message": a.message}
                   for a in Alarm.objects.filter(county=county, status__in=ACTIVE).select_related("indicator")],
    }


def weekly(day: date) -> int:
    """One dispatch per county for the ISO week of ``day``, e-mailed to the county's clerks who have an address.
    Returns the dispatches created."""
    from counties.reporting import completeness

    week = week_of(day)
    done = set(Dispatch.objects.filter(week=week).values_list("county_id", flat=True))
    counties = [c for c in County.objects.all() if c.pk not in done]
    if not counties:
        return 0
    year = open_reporting_year(day)
    report = completeness(year, counties=counties)
    judged = _judged_year()
    created = 0
    for county in counties:
        content = dispatch_content(county, year, judged, report)
        with transaction.atomic():
            dispatch, made = Dispatch.objects.get_or_create(county=county, week=week, defaults={"content": content})
        if not made:
            continue
        created += 1
        to = list(get_user_model().objects.filter(is_active=True, profile__county=county, groups__name="clerk")
                  .exclude(email="").values_list("email", flat=True))
        if to:
            send_mail(_("周调度 %(week)s %(county)s") % {"week": week, "county": county.name},
                      dispatch_text(county, week, content), None, to)
            Dispatch.objects.filter(pk=dispatch.pk).update(emailed_to=", ".join(to))
    return created


def dispatch_text(county: County, week: str, content: dict) -> str:
    lines = [_("%(county)s 周调度 %(week)s") % {"county": county.name, "week": week},
             _("%(year)s 年度未提交：%(n)s 项") % {"year": content["year"], "n": content["missing"]},
             _("被退回待修改：%(n)s 项") % {"n": content["returned"]},
             _("逾期未达标：%(n)s 项") % {"n": content["overdue"]},
             _("未解除报警：%(n)s 条") % {"n": len(content["alarms"])}]
    lines += [f"  [{a['severity']}] {a['kind']} {a['indicator']} {a['message']}" for a in content["alarms"]]
    return "\n".join(lines)


# ── 月通报 and 季挂榜 ────────────────────────────────────────────────────────────────────────────────────────

def _statuses_by_county(year: int | None) -> dict[str, Counter]:
    out: dict[str, Counter] = defaultdict(Counter)
    if year is None:
        return out
    for area, status, n in (Progress.objects.filter(year=year).exclude(area=PREFECTURE).exclude(
            status=ProgressStatus.NO_DATA).values_list("area", "status").annotate(n=Count("id")).order_by()):
        out[area][status] += n
    return out


def bulletin_content(period: str) -> dict:
    """月通报: headline progress, statuses by county, the alarm record of the month (raised, resolved, still
    active by colour), and the sections higher apps register (the red/black lists), frozen as published."""
    year = _judged_year()
    by_county = _statuses_by_county(year)
    counties = list(County.objects.order_by("code").values_list("code", "name"))
    total = Counter()
    for c in by_county.values():
        total.update(c)
    y, m = (int(x) for x in period.split("-"))
    start = timezone.make_aware(datetime(y, m, 1))
    end = timezone.make_aware(datetime(y + (m == 12), m % 12 + 1, 1))
    raised = Counter(Alarm.objects.filter(raised_at__gte=start, raised_at__lt=end).values_list("severity", flat=True))
    resolved = Alarm.objects.filter(resolved_at__gte=start, resolved_at__lt=end).count()
    active = Counter(Alarm.objects.filter(status__in=ACTIVE).values_list("severity", flat=True))
    return {
        "year": year,
        "headline": {s.value: total[s.value] for s in ProgressStatus if s != ProgressStatus.NO_DATA},
        "counties": [{"code": code, "name": name, **{s: by_county[code][s] for s in
                                                        (st.value for st in ProgressStatus if st != ProgressStatus.NO_DATA)}}
                     for code, name in counties],
        "alarms": {"raised": {s.value: raised[s.value] for s in SEVERITY_ORDER}, "resolved": resolved,
                   "active": {s.value: active[s.value] for s in SEVERITY_ORDER}},
        "sections": publishing.frozen_sections(period),
    }


# The ranking's own measure, used while no higher app's measure (the plan-8 assessment score) is available.
OWN_MEASURE = "share"


def _own_scores(year: int | None) -> tuple[dict[str, float | None], dict[str, int]]:
    """Each county's share of judged targets achieved or on track in ``year`` (None: none judged), and how many
    targets were judged."""
    by_county = _statuses_by_county(year)
    shares, judged = {}, {}
    for code in County.objects.values_list("code", flat=True):
        c = by_county.get(code, Counter())
        judged[code] = sum(c.values())
        shares[code] = round(100 * sum(c[s] for s in GOOD) / judged[code], 1) if judged[code] else None
    return shares, judged


def _measure(period: str, year: int | None) -> dict:
    """The measure the ranking uses: a registered one (``alarms.publishing``) when available, else our share."""
    found = publishing.ranking_scores(period)
    if found is not None:
        name, scores = found
        return {"measure": name, "measure_label": scores.label, "unit": scores.unit, "basis": scores.basis,
                "values": scores.by_county, "judged": {}}
    shares, judged = _own_scores(year)
    with translation.override(settings.LANGUAGE_CODE):
        label = str(_("达标或正常推进占比"))
    return {"measure": OWN_MEASURE, "measure_label": label, "unit": "%", "basis": str(year or ""),
            "values": shares, "judged": judged}


def ranking_content(period: str) -> dict:
    """季挂榜: counties ranked by the plan-8 assessment score when one is published (a measure the scoring app
    registers), else by the share of their judged targets achieved or on track in the latest year; rank movement
    against the last published quarter, and trend arrows (beyond ``TREND_MIN_POINTS``) when both rank by the
    same measure."""
    year = _judged_year()
    m = _measure(period, year)
    before = Publication.objects.filter(kind=Publication.Kind.RANKING).exclude(period=period).filter(
        period__lt=period).order_by("-period", "-version").first()
    last = {r["code"]: r for r in before.content["rows"]} if before else {}
    comparable = before is not None and before.content.get("measure", OWN_MEASURE) == m["measure"]
    rows = [{"code": code, "name": name, "share": m["values"].get(code), "judged": m["judged"].get(code)}
            for code, name in County.objects.order_by("code").values_list("code", "name")]
    ranked = sorted(rows, key=lambda r: (r["share"] is None, -(r["share"] or 0), r["code"]))
    for i, r in enumerate(ranked, 1):
        r["rank"] = i
        prev = last.get(r["code"])
        r["movement"] = (prev["rank"] - i) if prev else None
        change = (r["share"] - prev["share"]) if comparable and prev and prev.get("share") is not None \
            and r["share"] is not None else None
        r["trend"] = "" if change is None else ("up" if change > TREND_MIN_POINTS else
                                               "down" if change < -TREND_MIN_POINTS else "flat")
    return {"year": year, "against": before.period if before else None, "trend_min_points": TREND_MIN_POINTS,
            "comparable": comparable, "rows": ranked,
            **{k: m[k] for k in ("measure", "measure_label", "unit", "basis")}}


def publish(kind: str, period: str, user=None) -> tuple[Publication, bool]:
    """Publish a bulletin or a ranking for ``period`` once: a period already published is returned as it is."""
    existing = Publication.objects.filter(kind=kind, period=period).order_by("version").first()
    if existing is not None:
        return existing, False
    content = bulletin_content(period) if kind == Publication.Kind.BULLETIN else ranking_content(period)
    with transaction.atomic():
        pub = Publication.objects.create(kind=kind, period=period, version=1, content=content, published_by=user)
        _announce(pub)
    return pub, True


def correct(kind: str, period: str, user, reason: str) -> Publication:
    """A correction: a new version of a published period, computed afresh; every earlier version stays."""
    if not reason.strip():
        raise ValueError("a correction says what it corrects")
    latest = Publication.objects.filter(kind=kind, period=period).order_by("-version").first()
    if latest is None:
        raise ValueError("nothing published for this period")
    content = bulletin_content(period) if kind == Publication.Kind.BULLETIN else ranking_content(period)
    with transaction.atomic():
        pub = Publication.objects.create(kind=kind, period=period, version=latest.version + 1, content=content,
                                         correction=reason.strip(), published_by=user)
        _announce(pub)
    return pub


def _announce(pub: Publication) -> None:
    """A bell item for every user with a role."""
    text = _("已发布：%(pub)s") % {"pub": f"{pub.get_kind_display()} {pub.period} v{pub.version}"}
    users = [u for u in get_user_model().objects.filter(is_active=True).prefetch_related("groups") if role_of(u)]
    Notification.objects.bulk_create([Notification(user=u, text=text, link=f"/alarms/rhythm/publications/{pub.pk}/")
                                      for u in users])


def run(kind: str, day: date | None = None, user=None) -> int:
    """Run one job of the rhythm for the period containing (or, for bulletins and rankings, ending before)
    ``day``; returns what it created (0 when the period was done already)."""
    day = day or timezone.localdate()
    if kind == DAILY:
        return daily(day - timedelta(days=1))  # the day that has ended
    if kind == WEEKLY:
        return weekly(day)
    if kind == MONTHLY:
        return int(publish(Publication.Kind.BULLETIN, month_before(day), user)[1])
    if kind == QUARTERLY:
        return int(publish(Publication.Kind.RANKING, quarter_before(day), user)[1])
    raise ValueError(f"unknown rhythm job {kind!r}")


