"""The apps form layers, and a lower layer never imports a higher one — not even inside a function.

    base (liangshan_edu's roles, calendar, groups, env, views, api, progressbar, watch) → places (counties and who
    belongs to them) → indicators → counties → assessment → alarms → redblack → scoring → dashboards → reports →
    benchmarks → orchestration (liangshan_edu's settings, URL confs, Celery app, management commands)

Higher apps react to lower ones through signals (``counties.signals``, ``liangshan_edu.watch``). Imports under
``if TYPE_CHECKING:`` are for type hints only and never run, so they do not count.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = ["places", "indicators", "counties", "assessment", "alarms", "redblack", "scoring", "dashboards", "reports", "benchmarks"]
BASE = {"liangshan_edu.roles", "liangshan_edu.calendar", "liangshan_edu.groups", "liangshan_edu.env", "liangshan_edu.views",
        "liangshan_edu.api", "liangshan_edu.auth", "liangshan_edu.progressbar", "liangshan_edu.watch",
        "liangshan_edu.formats", "liangshan_edu.dataversion", "liangshan_edu.apilists"}
ALLOWED: set[tuple[str, str]] = set()  # no exception: County moved below indicators (places)


def layer_of(module: str) -> int | None:
    if module in BASE or any(module.startswith(b + ".") for b in BASE):
        return 0
    top = module.split(".")[0]
    if top in APPS:
        return APPS.index(top) + 1
    if top == "liangshan_edu":
        return len(APPS) + 1  # orchestration
    return None  # a library


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(tree: ast.AST, module: str):
    """Every module imported anywhere in the file (functions included), except under ``if TYPE_CHECKING``."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for n in ast.walk(node))
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: -node.level] if node.level else []
                yield ".".join(base + ([node.module] if node.module else []))
            elif node.module:
                # "from liangshan_edu import roles" imports liangshan_edu.roles (a base module), not the package.
                for alias in node.names:
                    yield f"{node.module}.{alias.name}"


def product_modules():
    for top in APPS + ["liangshan_edu"]:
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            yield _module_name(path), path


EDGES = sorted({(module, imported) for module, path in product_modules()
                for imported in _imports(ast.parse(path.read_text(encoding="utf-8")), module)})


def test_the_walk_sees_imports_inside_functions():
    tree = ast.parse("def f():\n    from assessment.tasks import x\n")
    assert list(_imports(tree, "counties.services")) == ["assessment.tasks.x"]
    typed = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from counties.models import County\n")
    assert list(_imports(typed, "liangshan_edu.roles")) == ["typing.TYPE_CHECKING"]


def test_no_lower_layer_imports_a_higher_one():
    upward = []
    for module, imported in EDGES:
        mine, theirs = layer_of(module), layer_of(imported)
        if mine is None or theirs is None or theirs <= mine:
            continue
        if (module, imported.split(".")[0]) in ALLOWED:
            continue
        upward.append(f"{module} imports {imported}")
    assert upward == []


def test_no_import_cycle_between_apps():
    graph: dict[str, set[str]] = {}
    for module, imported in EDGES:
        a, b = module.split(".")[0], imported.split(".")[0]
        if a != b and b in APPS + ["liangshan_edu"] and (module, b) not in ALLOWED:
            graph.setdefault(_unit(module), set()).add(_unit(imported))

    def cycle_from(start):
        stack, seen = [(start, [start])], set()
        while stack:
            node, path = stack.pop()
            for nxt in graph.get(node, ()):
                if nxt == start:
                    return path + [nxt]
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, path + [nxt]))
        return None

    cycles = [c for c in (cycle_from(n) for n in graph) if c]
    assert cycles == []


def _unit(module: str) -> str:
    """An app, or for liangshan_edu its base part or its orchestration part (two different layers)."""
    layer = layer_of(module)
    top = module.split(".")[0]
    if top == "liangshan_edu":
        return "liangshan_edu(base)" if layer == 0 else "liangshan_edu(orchestration)"
    return top


@pytest.mark.parametrize("module", ["counties.services", "indicators.admin", "counties.admin"])
def test_the_known_offenders_are_clean(module):
    assert not [i for m, i in EDGES if m == module and i.split(".")[0] in ("assessment", "dashboards")]


def test_the_catalogue_no_longer_reaches_up_to_counties():
    assert not [i for m, i in EDGES if m.startswith("indicators.") and i.split(".")[0] == "counties"]
