"""The assessment plan's rules as data (凉山州教育工作考核激励实施方案): stored from the catalogue's assessment file."""
from __future__ import annotations

import yaml

from assessment.models import AssessmentRuleSet
from indicators.catalogue import Catalogue, plain, upsert

SOURCE = "凉山州教育工作考核激励实施方案（凉委办发〔2022〕14号）"


def load_plan_rules(catalogue: Catalogue) -> bool:
    """Store the plan's default rules (``year`` null; a year's own rule set overrides them). Idempotent: saved
    only when they differ, so the history records real changes only. False when the catalogue has none."""
    if not catalogue.rules:
        return False
    upsert(AssessmentRuleSet, year=None, defaults={
        "rules": plain(catalogue.rules),
        "source": SOURCE + "\n\n" + yaml.safe_dump(plain(catalogue.rule_sources), allow_unicode=True,
                                                    sort_keys=False),
    })
    return True
