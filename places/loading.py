"""Loading the places app's own fixture: the county attributes' definitions (``fixtures/county_attributes.yaml``).

The counties themselves are loaded with the catalogue (``indicators.catalogue``), which names them in targets.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

ATTRIBUTES_FILE = Path(settings.BASE_DIR) / "fixtures" / "county_attributes.yaml"


def read_attributes(path: Path = ATTRIBUTES_FILE) -> list[dict[str, Any]]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or []


def load_attributes(attributes: list[dict[str, Any]]) -> int:
    """Create or update the attribute definitions by code (idempotent); their values are never touched."""
    from places.models import Attribute

    for a in attributes:
        Attribute.objects.update_or_create(code=a["code"], defaults={
            "name": a["name"], "kind": a.get("kind") or Attribute.Kind.NUMBER, "unit": a.get("unit") or "",
            "note": (a.get("note") or "").strip()})
    return len(attributes)
