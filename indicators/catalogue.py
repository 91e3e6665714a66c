"""Reading, checking and loading the indicator catalogue (``fixtures/catalogue/*.yaml``).

``check`` is a plain function over plain values, so the command, the loader and the tests share one set of
rules; ``load`` writes the files into the database idempotently (running it twice changes nothing).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable

import yaml
from django.conf import settings
from django.db import transaction

from indicators.choices import Direction, Kind, Level, Rollup
from places.choices import Tier
from places.loading import ATTRIBUTES_FILE, read_attributes

CATALOGUE_DIR = Path(settings.BASE_DIR) / "fixtures" / "catalogue"
COUNTIES_FILE = Path(settings.BASE_DIR) / "fixtures" / "counties.yaml"
CONDITION_OPERATORS = {"gt", "gte", "lt", "lte", "eq"}

PLAN_ORDER = ["preschool", "compulsory", "high_school", "vocational", "teachers", "informatization",
              "research", "assessment"]
PLAN_PREFIX = {"preschool": "PRE", "compulsory": "CMP", "high_school": "HS", "vocational": "VOC",
               "teachers": "TCH", "informatization": "INF", "research": "RES", "assessment": "ASM"}

# Which roll-ups make sense for which kind: a rate never rolls up as a sum or a mean.
ROLLUPS_FOR_KIND = {
    Kind.RATE: {Rollup.RATIO, Rollup.NONE},
    Kind.COUNT: {Rollup.SUM, Rollup.NONE, Rollup.ALL},
    Kind.AMOUNT: {Rollup.SUM, Rollup.NONE, Rollup.ALL},
    Kind.MILESTONE: {Rollup.ALL, Rollup.ANY, Rollup.COUNT, Rollup.NONE},
}


@dataclass
class Catalogue:
    """The catalogue as plain values: plan documents, units and county codes."""

    plans: list[dict[str, Any]]
    units: list[dict[str, Any]]
    counties: list[dict[str, Any]]
    rules: dict[str, Any] = field(default_factory=dict)
    rule_sources: dict[str, Any] = field(default_factory=dict)
    attributes: list[dict[str, Any]] = field(default_factory=list)


def read_files(directory: Path = CATALOGUE_DIR, counties_file: Path = COUNTIES_FILE,
               attributes_file: Path | None = None) -> Catalogue:
    """Read every ``<plan>.yaml`` of the catalogue folder, in the plans' order."""
    docs = []
    for path in sorted(directory.glob("*.yaml")):
        if path.name == "units.yaml":
            continue
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        doc["_file"] = path.name
        docs.append(doc)
    order = {code: i for i, code in enumerate(PLAN_ORDER)}
    docs.sort(key=lambda d: order.get((d.get("plan") or {}).get("code"), len(order)))
    units = yaml.safe_load((directory / "units.yaml").read_text(encoding="utf-8"))
    counties = yaml.safe_load(counties_file.read_text(encoding="utf-8"))
    rules = next((d.get("rules") for d in docs if d.get("rules")), {}) or {}
    rule_sources = next((d.get("rule_sources") for d in docs if d.get("rule_sources")), {}) or {}
    # The county attributes a target's condition may name: the places app's fixture, read to check names.
    attributes = read_attributes(attributes_file or ATTRIBUTES_FILE)
    return Catalogue(plans=docs, units=units, counties=counties, rules=rules, rule_sources=rule_sources,
                     attributes=attributes or [])


def check(catalogue: Catalogue) -> list[str]:
    """Every inconsistency in the catalogue, as one readable line each. Empty means consistent."""
    problems: list[str] = []
    unit_kinds = {u["code"]: set(u.get("kinds") or []) for u in catalogue.units}
    county_codes = {str(c["code"]) for c in catalogue.counties}
    attribute_codes = {a["code"] for a in catalogue.attributes}
    plan_codes = Counter((d.get("plan") or {}).get("code") for d in catalogue.plans)
    for code, n in plan_codes.items():
        if n > 1:
            problems.append(f"plan {code}: defined {n} times")
    indicator_codes = Counter()
    for doc in catalogue.plans:
        plan = doc.get("plan") or {}
        where = doc.get("_file", plan.get("code", "?"))
        if plan.get("code") not in PLAN_PREFIX:
            problems.append(f"{where}: unknown plan code {plan.get('code')!r}")
        if not plan.get("name"):
            problems.append(f"{where}: plan without a name")
        task_numbers = Counter(t.get("number") for t in doc.get("tasks") or [])
        for number, n in task_numbers.items():
            if n > 1:
                problems.append(f"{where}: task {number} defined {n} times")
        for task in doc.get("tasks") or []:
            if not task.get("title"):
                problems.append(f"{where}: task {task.get('number')} without a title")
        for ind in doc.get("indicators") or []:
            indicator_codes[ind.get("code")] += 1
            problems.extend(_check_indicator(ind, plan.get("code"), where, set(task_numbers), unit_kinds, county_codes,
                                             attribute_codes))
    for code, n in indicator_codes.items():
        if n > 1:
            problems.append(f"indicator {code}: duplicate code ({n} times)")
    problems.extend(_check_references(catalogue, set(indicator_codes)))
    return problems


def _targets_key(ind: dict) -> tuple:
    return tuple(sorted((str(t.get("year")), str(t.get("value")), str(t.get("upper")), str(t.get("tier")))
                        for t in ind.get("targets") or []))


def _check_references(catalogue: Catalogue, codes: set) -> Iterable[str]:
    """``same_as`` names an existing indicator; two indicators measuring the same quantity with the same targets
    (the same sentence and name, or a rate with the same numerator and denominator rules) are one requirement
    counted twice, unless one refers to the other."""
    indicators = [ind for doc in catalogue.plans for ind in doc.get("indicators") or []]
    for ind in indicators:
        ref = ind.get("same_as")
        if ref is not None and (ref not in codes or ref == ind.get("code")):
            yield f"{ind.get('code')}: same_as {ref!r} is not another indicator of the catalogue"
    seen: dict[tuple, dict] = {}
    for ind in indicators:
        # The same quantity: one sentence measured the same way (level, unit, numerator and denominator rules),
        # with the same targets — wherever in the plans its sentence stands.
        measured = (ind.get("kind"), ind.get("unit"), ind.get("level") or Level.COUNTY, ind.get("direction"),
                    ind.get("numerator") or "", ind.get("denominator") or "", _targets_key(ind))
        keys = [(" ".join((ind.get("source") or "").split()), ind.get("name"), measured)]
        if ind.get("kind") == Kind.RATE:
            keys.append(("rate", measured))
        for key in keys:
            other = seen.setdefault(key, ind)
            if other is ind or other.get("retired") and ind.get("retired"):
                continue
            if ind.get("same_as") != other.get("code") and other.get("same_as") != ind.get("code"):
                yield (f"{ind.get('code')}: the same requirement and targets as {other.get('code')} "
                       f"(counted twice: let one refer to the other with same_as)")
                break


def _check_indicator(ind: dict, plan_code: str | None, where: str, tasks: set, unit_kinds: dict,
                     county_codes: set, attribute_codes: set = frozenset()) -> Iterable[str]:
    code = ind.get("code") or "?"
    here = f"{where}: {code}"
    prefix = PLAN_PREFIX.get(plan_code or "")
    if prefix and not str(code).startswith(prefix + "-"):
        yield f"{here}: code should start with {prefix}-"
    if not ind.get("name"):
        yield f"{here}: no name"
    if not (ind.get("source") or "").strip():
        yield f"{here}: no source sentence from the plan"
    yield from _check_measure(ind, here, unit_kinds)
    if ind.get("task") is not None and ind.get("task") not in tasks:
        yield f"{here}: task {ind.get('task')} does not exist in the plan"
    targets = ind.get("targets") or []
    if not targets:
        yield f"{here}: indicator without target"
    for t in targets:
        yield from _check_target(t, ind, here, county_codes, attribute_codes)
    scopes = Counter((t.get("year"), t.get("tier"), tuple(sorted(map(str, t.get("counties") or []))))
                     for t in targets)
    for scope, n in scopes.items():
        if n > 1:
            yield f"{here}: {n} targets for the same year and scope {scope}"


def _check_measure(ind: dict, here: str, unit_kinds: dict) -> Iterable[str]:
    """How the indicator is measured: kind, direction, level, roll-up and unit are known and fit together."""
    kind, direction = ind.get("kind"), ind.get("direction")
    if kind not in Kind.values:
        yield f"{here}: unknown kind {kind!r}"
    if direction not in Direction.values:
        yield f"{here}: unknown direction {direction!r}"
    if ind.get("level", Level.COUNTY) not in Level.values:
        yield f"{here}: unknown level {ind.get('level')!r}"
    rollup = ind.get("rollup")
    if rollup not in Rollup.values:
        yield f"{here}: unknown rollup {rollup!r}"
    elif kind in ROLLUPS_FOR_KIND and rollup not in ROLLUPS_FOR_KIND[kind]:
        yield f"{here}: rollup {rollup!r} does not fit kind {kind!r}"
    unit = ind.get("unit")
    if unit not in unit_kinds:
        yield f"{here}: unknown unit {unit!r}"
    elif kind and unit_kinds[unit] and kind not in unit_kinds[unit]:
        yield f"{here}: unit {unit!r} is not for kind {kind!r}"
    if kind == Kind.RATE and not (ind.get("denominator") and ind.get("numerator")):
        yield f"{here}: rate without numerator and denominator rule"
    if kind == Kind.MILESTONE and direction != Direction.DONE:
        yield f"{here}: milestone must have direction 'done'"
    if ind.get("may_exceed_100") and kind != Kind.RATE:
        yield f"{here}: may_exceed_100 is only for rates"


def _check_target(t: dict, ind: dict, here: str, county_codes: set, attribute_codes: set) -> Iterable[str]:
    """One target: a value that fits the indicator, one scope (a tier, named counties or a condition), a
    plausible year, and a period only on a standing rule."""
    kind, direction = ind.get("kind"), ind.get("direction")
    value = t.get("value")
    if value is None:
        yield f"{here}: target {t.get('year')} without value"
        return
    if kind == Kind.MILESTONE and value not in (0, 1):
        yield f"{here}: milestone target must be 1 (done), not {value}"
    if direction == Direction.ZERO and value != 0:
        yield f"{here}: direction 'zero' needs target 0, not {value}"
    yield from _check_band(t.get("upper"), value, direction, here)
    if kind == Kind.RATE and not ind.get("may_exceed_100") and not 0 <= float(value) <= 100:
        yield f"{here}: rate target {value} outside 0–100 %"
    if t.get("tier") is not None and t.get("tier") not in Tier.values:
        yield f"{here}: target tier {t.get('tier')!r} is not 1, 2 or 3"
    for c in t.get("counties") or []:
        if str(c) not in county_codes:
            yield f"{here}: target names county {c!r}, which does not exist"
    if t.get("tier") is not None and t.get("counties"):
        yield f"{here}: a target has either a tier or named counties, not both"
    year = t.get("year")
    if year is not None and not (2000 <= int(year) <= 2100):
        yield f"{here}: target year {year} is implausible"
    if t.get("assumed_deadline") and year is None:
        yield f"{here}: an assumed deadline needs its year (the end of the cycle)"
    yield from _check_condition(t.get("condition"), here, attribute_codes)
    period = t.get("period") or 1
    if period != 1 and (year is not None or not t.get("period_from") or int(period) < 1):
        yield f"{here}: a period of {period} years needs a standing rule (year null) and period_from"
    if t.get("condition") and (t.get("tier") is not None or t.get("counties")):
        yield f"{here}: a target has one scope: a tier, named counties or a condition"


def _check_band(upper, value, direction: str, here: str) -> Iterable[str]:
    """A ``between`` target has both bounds, in order; no other target has an upper bound."""
    if direction == Direction.BETWEEN and upper is None:
        yield f"{here}: a 'between' target needs both bounds (value and upper)"
    if upper is not None and direction != Direction.BETWEEN:
        yield f"{here}: only a 'between' target has an upper bound"
    if upper is not None and float(upper) < float(value):
        yield f"{here}: upper bound {upper} below the lower bound {value}"


def _check_condition(condition: dict | None, here: str, attribute_codes: set) -> Iterable[str]:
    if not condition:
        return
    if condition.get("attribute") not in attribute_codes:
        yield f"{here}: condition names unknown county attribute {condition.get('attribute')!r}"
    if condition.get("operator") not in CONDITION_OPERATORS:
        yield f"{here}: condition operator {condition.get('operator')!r} is not one of {sorted(CONDITION_OPERATORS)}"
    if condition.get("value") is None:
        yield f"{here}: condition without a value"
    if not (condition.get("text") or "").strip():
        yield f"{here}: condition without the plan's words (text)"


def _condition_of(target) -> dict | None:
    if not target.condition_attribute:
        return None
    return {"attribute": target.condition_attribute, "operator": target.condition_operator,
            "value": target.condition_value, "text": target.condition_text}


def from_database() -> Catalogue:
    """The catalogue as loaded (and perhaps edited in the admin), as plain values for ``check``."""
    from places.models import Attribute, County
    from indicators.models import Plan, Unit

    plans = []
    for plan in Plan.objects.prefetch_related("tasks", "indicators__targets__counties", "indicators__unit"):
        plans.append({
            "_file": f"database:{plan.code}",
            "plan": {"code": plan.code, "name": plan.name},
            "tasks": [{"number": t.number, "title": t.title} for t in plan.tasks.all()],
            "indicators": [
                {
                    "code": i.code, "name": i.name, "source": i.source, "kind": i.kind, "direction": i.direction,
                    "level": i.level, "rollup": i.rollup, "unit": i.unit.code, "numerator": i.numerator_rule,
                    "denominator": i.denominator_rule, "may_exceed_100": i.may_exceed_100,
                    "task": i.task.number if i.task_id else None,
                    "same_as": i.same_as.code if i.same_as_id else None,
                    "targets": [
                        {"year": t.year, "value": t.value, "tier": t.tier,
                         "counties": [c.code for c in t.counties.all()] or None, "condition": _condition_of(t),
                         "period": t.period, "period_from": t.period_from, "upper": t.upper_value,
                         "assumed_deadline": t.assumed_deadline}
                        for t in i.targets.all()
                    ],
                }
                for i in plan.indicators.all() if not i.retired
            ],
        })
    units = [{"code": u.code, "kinds": u.kinds} for u in Unit.objects.all()]
    counties = [{"code": c.code} for c in County.objects.all()]
    attributes = [{"code": a.code} for a in Attribute.objects.all()]
    return Catalogue(plans=plans, units=units, counties=counties, attributes=attributes)


def upsert(model, defaults: dict, **lookup):
    """update_or_create that saves only when something changed, so history records real changes only."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **defaults), True
    changed = [k for k, v in defaults.items() if getattr(obj, k if not hasattr(v, "pk") else k) != v]
    if changed:
        for k in changed:
            setattr(obj, k, defaults[k])
        obj.save()
    return obj, False


def _units(names: list[str] | None) -> list:
    from indicators.models import ResponsibleUnit

    return [ResponsibleUnit.objects.get_or_create(name=n.strip())[0] for n in names or [] if n and n.strip()]


@transaction.atomic
def load(catalogue: Catalogue, progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Write counties, units, plans, tasks, indicators and targets. Refuses an inconsistent catalogue.

    The assessment plan's rules, read with the catalogue, are stored by ``assessment.rulesets`` (the project's
    ``liangshan_edu.loading`` runs both).

    Idempotent: rows are matched by their stable codes and updated in place; targets of an indicator are
    replaced only when they differ, so history records real changes only.
    """
    problems = check(catalogue)
    if problems:
        raise ValueError("catalogue is inconsistent:\n" + "\n".join(problems))
    stats = Counter()
    counties = _load_counties(catalogue.counties, stats)
    units = _load_units(catalogue.units)
    total = sum(len(d.get("indicators") or []) for d in catalogue.plans)
    references: dict[int, str | None] = {}
    for order, doc in enumerate(catalogue.plans):
        plan, tasks = _load_plan(doc, order, stats)
        for i_order, ind in enumerate(doc.get("indicators") or []):
            indicator = _load_indicator(ind, i_order, plan, tasks, units, counties)
            references[indicator.pk] = ind.get("same_as")
            stats["indicators"] += 1
            stats["targets"] += len(ind.get("targets") or [])
            if progress:
                progress(stats["indicators"], total)
    _link_same_as(references)
    return dict(stats)


def _load_counties(rows: list[dict], stats: Counter) -> dict:
    """The counties by code, created or updated from the counties file."""
    from places.models import County

    for c in rows:
        County.objects.update_or_create(
            code=str(c["code"]),
            defaults={k: c[k] for k in ("name", "short_name", "name_en", "tier", "key_assisted") if k in c},
        )
        stats["counties"] += 1
    return {c.code: c for c in County.objects.all()}


def _load_units(rows: list[dict]) -> dict:
    """The units of measure by code (人, %, 所 …), with the kinds each may measure."""
    from indicators.models import Unit

    for u in rows:
        Unit.objects.update_or_create(code=u["code"], defaults={"name": u.get("name", u["code"]),
                                                                  "name_en": u.get("name_en", ""),
                                                                  "kinds": u.get("kinds") or []})
    return {u.code: u for u in Unit.objects.all()}


def _load_plan(doc: dict, order: int, stats: Counter) -> tuple[Any, dict]:
    """One plan and its tasks (主要任务) with their lead and cooperating units; the tasks by number."""
    from indicators.models import Plan, Task

    p = doc["plan"]
    plan, _ = Plan.objects.update_or_create(code=p["code"], defaults={
        "name": p["name"], "short_name": p.get("short_name", ""), "name_en": p.get("name_en", ""),
        "cycle": p.get("cycle", "2022-2025"), "issued": p.get("issued") or None, "document": p.get("document", ""),
        "goals": (p.get("goals") or "").strip(), "order": order,
    })
    stats["plans"] += 1
    tasks = {}
    for t in doc.get("tasks") or []:
        task, _ = Task.objects.update_or_create(plan=plan, number=t["number"], defaults={
            "section": t.get("section") or "", "title": t["title"], "note": t.get("note") or "",
        })
        task.lead_units.set(_units(t.get("lead_units")))
        task.cooperating_units.set(_units(t.get("cooperating_units")))
        tasks[t["number"]] = task
        stats["tasks"] += 1
    return plan, tasks


def _load_indicator(ind: dict, order: int, plan, tasks: dict, units: dict, counties: dict):
    """One indicator, saved only where it changed, and its targets."""
    from indicators.models import Indicator, Target

    indicator, _ = upsert(Indicator, code=ind["code"], defaults={
        "plan": plan, "task": tasks.get(ind.get("task")), "name": ind["name"],
        "name_en": ind.get("name_en") or "", "unit": units[ind["unit"]], "kind": ind["kind"],
        "direction": ind["direction"], "level": ind.get("level") or Level.COUNTY, "rollup": ind["rollup"],
        "numerator_rule": ind.get("numerator") or "", "denominator_rule": ind.get("denominator") or "",
        "may_exceed_100": bool(ind.get("may_exceed_100")), "source": " ".join(ind["source"].split()),
        "note": ind.get("note") or "", "retired": bool(ind.get("retired")), "order": order,
    })
    _sync_targets(indicator, ind.get("targets") or [], counties, Target)
    return indicator


def _link_same_as(references: dict[int, str | None]) -> None:
    """Once every indicator exists: which one refers to which (same_as), saved only where it changed."""
    from indicators.models import Indicator

    ids = dict(Indicator.objects.values_list("code", "id"))
    for pk, ref in references.items():
        indicator = Indicator.objects.get(pk=pk)
        wanted = ids.get(ref) if ref else None
        if indicator.same_as_id != wanted:
            indicator.same_as_id = wanted
            indicator.save()


def _target_key(year, value, tier, counties, note, condition: dict | None = None, period: int | None = 1,
                period_from: int | None = None, upper=None, assumed: bool | None = False) -> tuple:
    c = condition or {}
    cond = ((c["attribute"], c["operator"], Decimal(str(c["value"])).normalize(), c.get("text") or "")
            if c else None)
    return (year, Decimal(str(value)).normalize(), tier, tuple(sorted(counties)), note or "", cond, period or 1,
            period_from, None if upper is None else Decimal(str(upper)).normalize(), bool(assumed))


def _sync_targets(indicator, wanted: list[dict], counties: dict, Target) -> None:
    have = {
        _target_key(t.year, t.value, t.tier, [c.code for c in t.counties.all()], t.note, _condition_of(t),
                    t.period, t.period_from, t.upper_value, t.assumed_deadline): t
        for t in indicator.targets.prefetch_related("counties")
    }
    want = {
        _target_key(t.get("year"), t["value"], t.get("tier"), [str(c) for c in t.get("counties") or []],
                    t.get("note"), t.get("condition"), t.get("period"), t.get("period_from"), t.get("upper"),
                    t.get("assumed_deadline")): t
        for t in wanted
    }
    for key, target in have.items():
        if key not in want:
            target.delete()
    for key in want.keys() - have.keys():
        year, value, tier, codes, note, cond, period, period_from, upper, assumed = key
        attribute, operator, cond_value, text = cond or ("", "", None, "")
        target = Target.objects.create(indicator=indicator, year=year, value=value, tier=tier, note=note,
                                       condition_attribute=attribute, condition_operator=operator,
                                       condition_value=cond_value, condition_text=text, period=period,
                                       period_from=period_from, upper_value=upper, assumed_deadline=assumed)
        if codes:
            target.counties.set([counties[c] for c in codes])


def plain(value: Any) -> Any:
    """YAML values as JSON-safe values (dates become ISO strings)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
