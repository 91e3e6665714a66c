"""The benchmark's floor (``manage.py bench_progress``): every progress row computed and written by ONE set-based SQL
statement — the rule of ``assessment.rules`` and the engine's roll-ups restated in SQL — and the row-by-row
comparison of the engine's rows with the floor's. A reference to measure the engine against, not product code.
"""
from __future__ import annotations

import time
from decimal import Decimal

from django.conf import settings
from django.db import connections

ALIAS = "bench"
FLOOR_TABLE = "bench_floor_progress"


def _he(x: str) -> str:
    """SQL for ``x`` rounded to 4 places half-to-even, as ``Decimal.quantize`` does (round() is half-up)."""
    return (f"(CASE WHEN abs(({x}) * 10000 - trunc(({x}) * 10000)) = 0.5 AND mod(trunc(({x}) * 10000), 2) = 0 "
            f"THEN trunc(({x}) * 10000) / 10000 ELSE round(({x}), 4) END)")


def _meets(a: str, b: str, direction: str = "direction") -> str:
    return f"(CASE WHEN {direction} IN ('at_most', 'zero') THEN ({a}) <= ({b}) ELSE ({a}) >= ({b}) END)"


def _holds(value: str, op: str, bound: str) -> str:
    """SQL for ``indicators.targets.Condition.holds``: NULL (not determined) when the value is NULL."""
    return (f"(CASE {op} WHEN 'gt' THEN {value} > {bound} WHEN 'gte' THEN {value} >= {bound} "
            f"WHEN 'lt' THEN {value} < {bound} WHEN 'lte' THEN {value} <= {bound} WHEN 'eq' THEN {value} = {bound} END)")


def _attribute_in_force(county: str, attribute: str, year: str) -> str:
    """SQL (a scalar subquery) for ``indicators.targets.value_in_force``: the county's latest value of the attribute
    recorded for ``year`` or before."""
    return (f"(SELECT av.value FROM places_attributevalue av JOIN places_attribute a ON a.id = av.attribute_id "
            f"WHERE av.county_id = {county} AND a.code = {attribute} AND av.year <= {year} "
            f"ORDER BY av.year DESC LIMIT 1)")


def _evaluation(p: str, grid: str, series: str) -> str:
    """CTEs ``{p}g0`` … ``{p}res`` applying the rule to every row of ``grid`` (area_id, indicator_id, year,
    target, target_year, kind, direction, upper, period, period_from, holds) with the values of ``series``
    (area_id, indicator_id, year, value, numerator, denominator): baseline, straight-line expected value,
    least-squares projection (exact numeric window sums), gap, status and overdue — ``rules.evaluate`` in SQL,
    with its three catalogue cases (issue 14): a band (``between``: judged toward the bound a value outside it
    approaches, achieved inside, projected against both bounds), a periodic standing rule (每2年1次: the period's
    figures added up, 本期未到期 before its last year) and a condition not decided (``holds`` NULL: 待确定, nothing
    judged; ``holds`` false rows are computed, so the windows see every figure as the engine's trend does, and
    dropped at the end).

    Window passes over the grid in (area, indicator, year) order (one sort): running sums for the trend and the
    milestone carry-forward, whole-series aggregates for the baseline. (The benchmark's figures all lie within
    the plan cycle, so the grid's years are every approved year of a series.)
    """
    return f"""
{p}g0 AS (
    SELECT g.area_id, g.indicator_id, g.year, g.kind, g.target_year, g.period, g.holds,
           g.direction AS given, g.target AS lower, g.upper,
           CASE WHEN g.direction = 'between' AND s.value > g.upper THEN g.upper ELSE g.target END AS target,
           CASE WHEN g.direction <> 'between' THEN g.direction
                WHEN s.value > g.upper THEN 'at_most' ELSE 'at_least' END AS direction,
           CASE WHEN g.period > 1 AND g.period_from IS NOT NULL AND g.target_year IS NULL
                THEN g.period_from + floor((g.year - g.period_from)::numeric / g.period)::int * g.period
           END AS pfirst
    FROM {grid} g
    LEFT JOIN {series} s ON s.area_id = g.area_id AND s.indicator_id = g.indicator_id AND s.year = g.year
),
{p}ev0 AS (
    SELECT g.*, s.value AS own, s.numerator, s.denominator,
           CASE WHEN g.pfirst IS NULL THEN NULL
                WHEN g.kind IN ('count', 'amount') THEN sum(s.value) OVER wp
                ELSE (max(ARRAY[s.year::numeric, s.value]) FILTER (WHERE s.value IS NOT NULL) OVER wp)[2]
           END AS so_far,
           CASE WHEN g.kind = 'milestone' AND g.target_year IS NOT NULL
                THEN (max(ARRAY[s.year::numeric, s.value])
                      FILTER (WHERE g.kind = 'milestone' AND s.value IS NOT NULL) OVER w)[2]
                ELSE s.value END AS v,
           count(s.value) OVER w AS n,
           sum(s.year - %(base)s) FILTER (WHERE s.value IS NOT NULL) OVER w AS sx,
           sum((s.year - %(base)s) * (s.year - %(base)s)) FILTER (WHERE s.value IS NOT NULL) OVER w AS sxx,
           sum(s.value) OVER w AS sy,
           sum((s.year - %(base)s) * s.value) OVER w AS sxy,
           CASE WHEN count(*) FILTER (WHERE s.year = %(base)s AND s.value IS NOT NULL) OVER wall > 0
                THEN %(base)s
                ELSE min(s.year) FILTER (WHERE s.value IS NOT NULL) OVER wall END AS baseline_year
    FROM {p}g0 g
    LEFT JOIN {series} s ON s.area_id = g.area_id AND s.indicator_id = g.indicator_id AND s.year = g.year
    WINDOW w AS (PARTITION BY g.area_id, g.indicator_id ORDER BY g.year ROWS UNBOUNDED PRECEDING),
           wp AS (PARTITION BY g.area_id, g.indicator_id, g.pfirst ORDER BY g.year ROWS UNBOUNDED PRECEDING),
           wall AS (PARTITION BY g.area_id, g.indicator_id ORDER BY g.year
                    ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
),
{p}ev AS (
    SELECT e.*,
           max(own) FILTER (WHERE year = baseline_year) OVER (
               PARTITION BY area_id, indicator_id ORDER BY year
               ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS baseline
    FROM {p}ev0 e
),
{p}ex AS (
    SELECT e.*,
           CASE WHEN pfirst IS NOT NULL THEN target
                WHEN v IS NULL THEN NULL
                WHEN target_year IS NULL THEN target
                WHEN kind = 'milestone' THEN CASE WHEN year >= target_year THEN target ELSE 0 END
                WHEN year >= target_year OR target_year <= baseline_year THEN target
                WHEN year <= baseline_year THEN baseline
                ELSE baseline + (target - baseline)
                     * ((year - baseline_year)::numeric / (target_year - baseline_year))
           END AS expected_raw,
           CASE WHEN v IS NOT NULL AND kind <> 'milestone' AND target_year IS NOT NULL AND n >= 2
                THEN (sy + (n * sxy - sx * sy) / (n * sxx - sx * sx) * (n * (target_year - %(base)s) - sx)) / n
           END AS projected_raw,
           CASE WHEN pfirst IS NOT NULL THEN CASE WHEN so_far IS NULL THEN NULL
                                                   WHEN {_meets("so_far", "target")} THEN 0
                                                   ELSE abs(target - so_far) END
                WHEN v IS NULL THEN NULL
                WHEN {_meets("v", "target")} THEN 0
                -- a rate's gap in people (a milestone carried forward has no numerator of its own)
                WHEN kind = 'rate' AND own IS NOT NULL AND numerator IS NOT NULL AND denominator <> 0
                     THEN abs(target * denominator / 100 - numerator)
                ELSE abs(target - v)
           END AS gap_raw,
           CASE WHEN target_year IS NOT NULL THEN baseline ELSE 0 END AS start
    FROM {p}ev e
),
{p}ex2 AS (
    SELECT e.*, {_he("expected_raw")} AS expected, {_he("projected_raw")} AS projected, {_he("gap_raw")} AS gap
    FROM {p}ex e
),
{p}res AS (
    SELECT e.area_id, e.indicator_id, e.year,
           CASE WHEN e.holds IS NULL OR e.pfirst IS NOT NULL THEN e.own ELSE e.v END AS value,
           e.numerator, e.denominator, e.baseline, e.baseline_year,
           CASE WHEN e.holds IS NOT NULL THEN e.target END AS target,
           CASE WHEN e.holds IS NOT NULL THEN e.target_year END AS target_year,
           CASE WHEN e.holds IS NULL THEN NULL
                WHEN e.pfirst IS NOT NULL AND e.year >= e.pfirst + e.period - 1 AND e.own IS NULL
                     AND NOT coalesce({_meets("e.so_far", "e.target", "e.direction")}, false) THEN NULL
                ELSE e.expected END AS expected,
           CASE WHEN e.holds IS NULL THEN 'not_determined'
                WHEN e.pfirst IS NOT NULL THEN
                    CASE WHEN e.so_far IS NOT NULL AND {_meets("e.so_far", "e.target", "e.direction")} THEN 'achieved'
                         WHEN e.year < e.pfirst + e.period - 1 THEN 'not_due'
                         WHEN e.own IS NULL THEN 'no_data'
                         ELSE 'off_track' END
                WHEN e.v IS NULL THEN 'no_data'
                WHEN e.given = 'between' AND e.v >= e.lower AND e.v <= e.upper THEN 'achieved'
                WHEN e.gap = 0 AND {_meets("e.v", "e.target", "e.direction")} THEN 'achieved'
                WHEN e.target_year IS NOT NULL AND e.year >= e.target_year THEN 'off_track'
                WHEN e.kind = 'milestone' AND e.target_year IS NOT NULL THEN 'on_track'
                WHEN {_meets("e.v", "e.expected", "e.direction")} THEN 'on_track'
                WHEN e.direction = 'at_least' AND e.expected > e.start
                     AND e.v - e.start >= %(share)s * (e.expected - e.start) THEN 'lagging'
                WHEN e.direction <> 'at_least' AND e.start > e.expected
                     AND e.start - e.v >= %(share)s * (e.start - e.expected) THEN 'lagging'
                ELSE 'off_track'
           END AS status,
           CASE WHEN e.holds IS NULL THEN false
                WHEN e.pfirst IS NOT NULL THEN e.year >= e.pfirst + e.period - 1 AND e.own IS NOT NULL
                     AND NOT coalesce({_meets("e.so_far", "e.target", "e.direction")}, false)
                ELSE e.v IS NOT NULL AND e.target_year IS NOT NULL AND e.year >= e.target_year
                     AND NOT (e.gap = 0 AND {_meets("e.v", "e.target", "e.direction")})
                     AND NOT (e.given = 'between' AND e.v >= e.lower AND e.v <= e.upper)
           END AS overdue,
           CASE WHEN e.holds IS NOT NULL THEN e.projected END AS projected,
           CASE WHEN e.holds IS NULL OR e.projected_raw IS NULL THEN NULL
                WHEN e.given = 'between' THEN e.projected >= e.lower AND e.projected <= e.upper
                ELSE {_meets("e.projected_raw", "e.target", "e.direction")} END AS will_meet,
           CASE WHEN e.holds IS NULL THEN NULL
                WHEN e.pfirst IS NOT NULL AND e.year >= e.pfirst + e.period - 1 AND e.own IS NULL
                     AND NOT coalesce({_meets("e.so_far", "e.target", "e.direction")}, false) THEN NULL
                WHEN e.given = 'between' AND e.v >= e.lower AND e.v <= e.upper THEN 0
                ELSE e.gap END AS gap,
           e.holds IS NOT FALSE AS keep
    FROM {p}ex2 e
)"""


# The floor: the rule of assessment.rules (DESIGN §3) and the engine's roll-ups as ONE INSERT … SELECT. Areas
# are county ids, 0 for the prefecture. Applicable targets per area → the years each governs → the grid of
# area × indicator × year; the county rows are evaluated first, then the prefecture's: its roll-up of the
# county figures (sum, Σnumerator/Σdenominator, …), its own figures for prefecture-only indicators, and, for a
# county-level ``all`` indicator, the number of counties whose row is achieved against the number in scope.
FLOOR_SQL = """
INSERT INTO {table} (area, indicator_id, year, value, numerator, denominator, baseline, baseline_year, target,
                     target_year, expected, status, overdue, projected, will_meet, gap, computed_at)
WITH
ind AS MATERIALIZED (
    SELECT i.id, i.kind, i.direction, i.level, i.rollup, least(%(base)s, e.last) AS first_year, e.last AS last_year,
           i.level = 'county' AND i.rollup = 'all' AS counts_counties
    FROM indicators_indicator i
    JOIN indicators_plan p ON p.id = i.plan_id
    CROSS JOIN LATERAL (SELECT CASE WHEN split_part(p.cycle, '-', -1) ~ '^[0-9]+$'
                                    THEN split_part(p.cycle, '-', -1)::int ELSE %(base)s + 4 END AS last) e
    WHERE NOT i.retired
),
ncounties AS (SELECT count(*) AS n FROM places_county),
tgt AS MATERIALIZED (
    SELECT t.id, t.indicator_id, t.year, t.value, t.tier, t.upper_value AS upper, t.period, t.period_from,
           t.condition_attribute AS c_attr, t.condition_operator AS c_op, t.condition_value AS c_val,
           EXISTS (SELECT 1 FROM indicators_target_counties tc WHERE tc.target_id = t.id) AS named
    FROM indicators_target t JOIN ind ON ind.id = t.indicator_id
),
spec AS MATERIALIZED (
    SELECT tc.county_id, t.indicator_id, t.year, t.value, t.upper, t.period, t.period_from
    FROM tgt t JOIN indicators_target_counties tc ON tc.target_id = t.id
    UNION ALL
    SELECT c.id, t.indicator_id, t.year, t.value, t.upper, t.period, t.period_from
    FROM tgt t JOIN places_county c ON c.tier = t.tier
    WHERE t.tier IS NOT NULL AND NOT t.named
),
-- Counties in scope of an indicator: every county when it has a general target, else those named, of a tier or
-- that a target's condition selects on their latest recorded attribute value (``engine.scope_count``).
scope AS MATERIALIZED (
    SELECT ind.id AS indicator_id,
           CASE WHEN EXISTS (SELECT 1 FROM tgt t WHERE t.indicator_id = ind.id AND t.tier IS NULL AND NOT t.named
                             AND t.c_attr = '')
                THEN (SELECT n FROM ncounties)
                ELSE (SELECT count(*) FROM places_county c
                      WHERE c.tier IN (SELECT t.tier FROM tgt t WHERE t.indicator_id = ind.id)
                         OR c.id IN (SELECT tc.county_id FROM indicators_target_counties tc
                                     JOIN tgt t ON t.id = tc.target_id WHERE t.indicator_id = ind.id)
                         OR EXISTS (SELECT 1 FROM tgt t WHERE t.indicator_id = ind.id AND t.c_attr <> ''
                                    AND {selected_now}))
           END AS n
    FROM ind
),
app AS (
    SELECT county_id AS area_id, indicator_id, year, value, upper, period, period_from,
           '' AS c_attr, '' AS c_op, NULL::numeric AS c_val FROM spec
    UNION ALL
    -- a general or conditional target: every county (the condition is judged year by year in ``grid``)
    SELECT c.id, t.indicator_id, t.year, t.value, t.upper, t.period, t.period_from, t.c_attr, t.c_op, t.c_val
    FROM tgt t JOIN ind ON ind.id = t.indicator_id AND ind.level = 'county'
    CROSS JOIN places_county c
    WHERE t.tier IS NULL AND NOT t.named
      AND NOT EXISTS (SELECT 1 FROM spec s WHERE s.county_id = c.id AND s.indicator_id = t.indicator_id
                      AND coalesce(s.year, -1) = coalesce(t.year, -1))
    UNION ALL
    -- the prefecture: its general targets (a county-level sum against the sum of the counties' targets) …
    SELECT 0, t.indicator_id, t.year,
           CASE WHEN ind.level = 'county' AND ind.rollup = 'sum' AND ind.direction = 'at_least'
                THEN t.value * sc.n ELSE t.value END,
           t.upper, t.period, t.period_from, '', '', NULL
    FROM tgt t JOIN ind ON ind.id = t.indicator_id JOIN scope sc ON sc.indicator_id = t.indicator_id
    WHERE t.tier IS NULL AND NOT t.named AND NOT ind.counts_counties
    UNION ALL
    -- … or, for a county-level ``all``, every county in scope meeting its target, by each deadline
    SELECT DISTINCT 0, t.indicator_id, t.year, sc.n::numeric, NULL::numeric, 1, NULL::int, '', '', NULL::numeric
    FROM tgt t JOIN ind ON ind.id = t.indicator_id JOIN scope sc ON sc.indicator_id = t.indicator_id
    WHERE ind.counts_counties AND sc.n > 0
),
span AS (
    SELECT area_id, indicator_id, year AS target_year, value AS target, upper, period, period_from,
           c_attr, c_op, c_val,
           CASE WHEN year IS NULL THEN -32768 ELSE coalesce(lag(year) OVER w, -32768) + 1 END AS lo,
           CASE WHEN year IS NULL OR lead(year) OVER w IS NULL THEN 32767 ELSE year END AS hi,
           year IS NOT NULL OR (count(year) OVER p = 0 AND row_number() OVER w = 1) AS live
    FROM app
    WINDOW p AS (PARTITION BY area_id, indicator_id),
           w AS (PARTITION BY area_id, indicator_id ORDER BY year NULLS LAST)
),
-- A conditional target's county rows: ``holds`` NULL while the attribute is not recorded (待确定), false where the
-- condition excludes the county that year (computed, then dropped: ``keep``).
grid AS (
    SELECT s.area_id, s.indicator_id, y.year, s.target, s.target_year,
           CASE WHEN s.area_id = 0 AND ind.counts_counties THEN 'count' ELSE ind.kind END AS kind,
           CASE WHEN s.area_id = 0 AND ind.counts_counties THEN 'at_least' ELSE ind.direction END AS direction,
           s.upper, s.period, s.period_from,
           CASE WHEN s.c_attr = '' THEN true ELSE {holds_in_year} END AS holds
    FROM span s JOIN ind ON ind.id = s.indicator_id
    CROSS JOIN LATERAL generate_series(greatest(ind.first_year, s.lo), least(ind.last_year, s.hi)) y(year)
    WHERE s.live
),
county_grid AS (SELECT * FROM grid WHERE area_id > 0),
prefecture_grid AS (SELECT * FROM grid WHERE area_id = 0),
county_series AS (
    SELECT county_id AS area_id, indicator_id, year, value, numerator, denominator
    FROM counties_figure WHERE status = 'approved' AND county_id IS NOT NULL
),
{county_evaluation},
agg AS (
    SELECT indicator_id, year, sum(value) AS total,
           sum(numerator) FILTER (WHERE numerator IS NOT NULL AND denominator <> 0) AS num,
           sum(denominator) FILTER (WHERE numerator IS NOT NULL AND denominator <> 0) AS den,
           count(*) FILTER (WHERE numerator IS NOT NULL AND denominator <> 0) AS paired,
           count(*) FILTER (WHERE value >= 1) AS done,
           count(*) AS reported
    FROM counties_figure
    WHERE status = 'approved' AND county_id IS NOT NULL AND value IS NOT NULL
    GROUP BY indicator_id, year
),
achieved AS (
    SELECT indicator_id, year, count(*) AS met FROM c_res WHERE status = 'achieved' AND keep
    GROUP BY indicator_id, year
),
prefecture_series AS (
    SELECT 0 AS area_id, f.indicator_id, f.year, f.value, f.numerator, f.denominator
    FROM counties_figure f JOIN ind ON ind.id = f.indicator_id
    WHERE f.status = 'approved' AND f.county_id IS NULL AND ind.rollup = 'none'
    UNION ALL
    SELECT 0, a.indicator_id, a.year,
           CASE ind.rollup
             WHEN 'sum' THEN a.total
             WHEN 'ratio' THEN CASE WHEN a.paired > 0 THEN {ratio} END
             WHEN 'all' THEN CASE WHEN n.n > 0 AND a.done >= n.n THEN 1 ELSE 0 END
             WHEN 'any' THEN CASE WHEN a.done > 0 THEN 1 ELSE 0 END
             WHEN 'count' THEN a.done
           END,
           CASE WHEN ind.rollup = 'ratio' AND a.paired > 0 THEN a.num END,
           CASE WHEN ind.rollup = 'ratio' AND a.paired > 0 THEN a.den END
    FROM agg a JOIN ind ON ind.id = a.indicator_id CROSS JOIN ncounties n
    WHERE ind.rollup <> 'none' AND NOT ind.counts_counties
    UNION ALL
    SELECT 0, ind.id, y.year, coalesce(m.met, 0), NULL, NULL
    FROM ind CROSS JOIN LATERAL generate_series(ind.first_year, ind.last_year) y(year)
    LEFT JOIN achieved m ON m.indicator_id = ind.id AND m.year = y.year
    LEFT JOIN agg a ON a.indicator_id = ind.id AND a.year = y.year
    WHERE ind.counts_counties AND (m.met > 0 OR a.reported > 0)
),
{prefecture_evaluation}
SELECT CASE WHEN r.area_id = 0 THEN 'prefecture' ELSE c.code END, r.indicator_id, r.year, r.value,
       r.numerator, r.denominator, r.baseline, r.baseline_year, r.target, r.target_year, r.expected, r.status,
       r.overdue, r.projected, r.will_meet, r.gap, now()
FROM (SELECT * FROM c_res UNION ALL SELECT * FROM p_res) r LEFT JOIN places_county c ON c.id = r.area_id
WHERE r.keep
""".format(
    table="{table}",
    selected_now=_holds(_attribute_in_force("c.id", "t.c_attr", "32767"), "t.c_op", "t.c_val"),
    holds_in_year=_holds(_attribute_in_force("s.area_id", "s.c_attr", "y.year"), "s.c_op", "s.c_val"),
    ratio=_he("a.num * 100 / a.den"),
    county_evaluation=_evaluation("c_", "county_grid", "county_series").strip(),
    prefecture_evaluation=_evaluation("p_", "prefecture_grid", "prefecture_series").strip(),
)


# Session settings for the floor statement only, both making it faster: enough sort/hash memory for the whole
# grid (the server default of 4 MB spills every sort to disk), and no JIT (its badly estimated cost makes
# PostgreSQL spend seconds compiling expressions: 8.6 s of a 46 s floor at 1000 counties when measured).
FLOOR_SETTINGS = {"work_mem": "1GB", "jit": "off"}


def run_floor(alias: str = ALIAS, *, shaped: bool = True) -> tuple[float, int]:
    """Compute and write every progress row with ONE INSERT … SELECT into a fresh scratch table.

    ``shaped``: the scratch table has the same columns, defaults, checks, unique constraint, indexes and
    (deferred) foreign key as ``assessment_progress``, so the floor writes the same rows into the same kind of
    table our engine writes into; otherwise a bare table with the columns only. Returns (seconds for the
    statement and its commit, rows).
    """
    from django.db import transaction

    conn = connections[alias]
    including = "INCLUDING DEFAULTS INCLUDING IDENTITY"
    if shaped:
        including += " INCLUDING CONSTRAINTS INCLUDING INDEXES"
    with conn.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {FLOOR_TABLE}")
        cur.execute(f"CREATE TABLE {FLOOR_TABLE} (LIKE assessment_progress {including})")
        if shaped:
            cur.execute(f"ALTER TABLE {FLOOR_TABLE} ADD FOREIGN KEY (indicator_id) "
                        "REFERENCES indicators_indicator (id) DEFERRABLE INITIALLY DEFERRED")
    sql = FLOOR_SQL.replace("{table}", FLOOR_TABLE)
    params = {"base": settings.PROGRESS_BASE_YEAR, "share": Decimal(str(settings.PROGRESS_LAGGING_SHARE))}
    t0 = time.perf_counter()
    with transaction.atomic(using=alias), conn.cursor() as cur:
        for name, value in FLOOR_SETTINGS.items():
            cur.execute("SELECT set_config(%s, %s, true)", [name, value])
        cur.execute(sql, params)
        rows = cur.rowcount
    return time.perf_counter() - t0, rows


def compare(alias: str = ALIAS) -> dict:
    """Our engine's rows (assessment_progress) against the floor's, row by row over EVERY row."""
    with connections[alias].cursor() as cur:
        cur.execute(f"""
            SELECT count(*) FILTER (WHERE p.id IS NULL),
                   count(*) FILTER (WHERE f.id IS NULL),
                   count(*) FILTER (WHERE p.id IS NOT NULL AND f.id IS NOT NULL
                                    AND (p.status, p.overdue) IS DISTINCT FROM (f.status, f.overdue)),
                   count(*) FILTER (WHERE p.id IS NOT NULL AND f.id IS NOT NULL
                                    AND (p.value, p.numerator, p.denominator, p.baseline, p.baseline_year,
                                         p.target, p.target_year, p.expected, p.gap)
                                        IS DISTINCT FROM
                                        (f.value, f.numerator, f.denominator, f.baseline, f.baseline_year,
                                         f.target, f.target_year, f.expected, f.gap)),
                   count(*) FILTER (WHERE p.id IS NOT NULL AND f.id IS NOT NULL
                                    AND (p.projected, p.will_meet) IS DISTINCT FROM (f.projected, f.will_meet)),
                   count(*)
            FROM assessment_progress p FULL JOIN {FLOOR_TABLE} f USING (area, indicator_id, year)
        """)
        only_floor, only_engine, status_diff, value_diff, projection_diff, total = cur.fetchone()
        counts = {}
        for table, key in (("assessment_progress", "engine"), (FLOOR_TABLE, "floor")):
            cur.execute(f"SELECT status, count(*) FROM {table} GROUP BY status ORDER BY status")
            counts[key] = dict(cur.fetchall())
        cur.execute(f"SELECT count(*) FILTER (WHERE overdue) FROM {FLOOR_TABLE}")
        overdue = cur.fetchone()[0]
    return {
        "rows_compared": total, "only_floor": only_floor, "only_engine": only_engine,
        "status_mismatches": status_diff, "value_mismatches": value_diff, "projection_mismatches": projection_diff,
        "status_counts_engine": counts["engine"], "status_counts_floor": counts["floor"], "overdue": overdue,
        "status_counts_match": counts["engine"] == counts["floor"],
        "rows_match": only_floor == only_engine == status_diff == value_diff == projection_diff == 0,
    }
