"""Templates carry no inline script and no on… handler attributes (only JSON data in <script type=application/json>),
so a Content-Security-Policy can forbid inline script."""
import re
from pathlib import Path

import pytest

TEMPLATES = sorted((Path(__file__).resolve().parents[1] / "templates").rglob("*.html"))
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_no_inline_script(path):
    html = path.read_text(encoding="utf-8")
    for attrs, body in SCRIPT.findall(html):
        if "application/json" in attrs:
            continue
        assert "src=" in attrs and not body.strip(), f"inline script in {path.name}: {body.strip()[:60]}"
    assert not HANDLER.search(html), f"an on… handler attribute in {path.name}"
