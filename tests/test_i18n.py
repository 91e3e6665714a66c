"""The English catalogue: pages and API messages follow the user's language, and the catalogue is complete.

Chinese is the default (no preference, or a language we do not offer); English comes from the browser's
Accept-Language, the language cookie, or the switch in the page header (``/i18n/setlang/``). The checks of
``locale/en/LC_MESSAGES/django.po`` read it with a small parser (no gettext or polib needed), and compare
the committed ``django.mo`` with it by content: git does not keep file times, so "the .mo is older than the
.po" is judged by what the .mo says, not by its mtime.
"""
from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from counties.models import Figure
from tests.conftest import api_for, client_for

LOCALE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO, MO = LOCALE / "django.po", LOCALE / "django.mo"
YEAR = 2024
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    # The locale middleware leaves the request's language active in the thread; later tests expect Chinese.
    yield
    translation.deactivate()


def catalogue_page(client, **headers) -> str:
    response = client.get(reverse("catalogue"), **headers)
    assert response.status_code == 200
    return response.content.decode()


def entry_page(client, **headers) -> str:
    response = client.get(reverse("figure-entry", args=[YEAR]), **headers)
    assert response.status_code == 200
    return response.content.decode()


def numerator_above_denominator(client, **headers):
    return client.post("/api/v1/figures/", {"county": "513401", "indicator": "PRE-02", "year": YEAR,
                                            "numerator": 120, "denominator": 100}, format="json", **headers)


# pages and API in English ---------------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("accept", ["en", "en-US,en;q=0.9", "en-GB;q=0.8, zh;q=0.5"])
def test_the_catalogue_is_english_when_the_browser_asks_for_english(auditor, accept):
    html = catalogue_page(client_for(auditor), HTTP_ACCEPT_LANGUAGE=accept)

    assert '<html lang="en">' in html
    assert "<h1>Indicator catalogue</h1>" in html
    assert "Lead units" in html and "Target" in html and "Search" in html
    assert "Category I area" in html                           # a choice label (Tier)
    assert "Three-year gross preschool enrolment rate" in html  # Indicator.name_en, through |ind_name
    for chinese in ("指标目录", "牵头单位", "没有符合条件的指标", "筛选", "一类区", "学前三年毛入园率"):
        assert chinese not in html


@pytest.mark.django_db
def test_the_entry_page_of_a_clerk_is_english_with_the_language_cookie(clerk_xichang):
    client = client_for(clerk_xichang)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = entry_page(client)

    assert '<html lang="en">' in html
    assert "data entry for 2024" in html
    assert "Data entry for my county" in html
    assert "Save draft" in html and "Submit the year" in html
    assert "Indicators to report this year:" in html
    assert "Reporting deadline: " in html
    for chinese in ("年度数据填报", "本县数据填报", "保存草稿", "提交本年度", "本年度应填", "填报截止日期", "上年审核值"):
        assert chinese not in html


@pytest.mark.django_db
def test_an_entry_error_and_the_saved_message_are_english(clerk_xichang):
    client = client_for(clerk_xichang)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post(reverse("figure-entry", args=[YEAR]), {
        "action": "save", "PRE-02-version": "0", "PRE-02-numerator": "1200", "PRE-02-denominator": "1000",
        "PRE-05-version": "0", "PRE-05-value": "3"}, follow=True)

    html = response.content.decode()
    assert "The numerator (1200) cannot be greater than the denominator (1000)" in html
    assert "Saved 1 figure." in html                   # ngettext, singular
    assert "1 figure was not saved" in html
    assert "不能大于分母" not in html and "已保存" not in html
    assert Figure.objects.get(indicator__code="PRE-05").value == 3


@pytest.mark.django_db
def test_an_api_validation_error_is_english_when_asked_for(clerk_xichang):
    response = numerator_above_denominator(api_for(clerk_xichang), **EN)

    assert response.status_code == 400
    body = response.json()
    expected = "The numerator (120) cannot be greater than the denominator (100): this rate cannot exceed 100%."
    assert body["message"] == expected
    assert body["errors"]["numerator"] == [expected]
    assert "分子" not in response.content.decode("utf-8")


@pytest.mark.django_db
def test_the_language_switch_sets_english_and_back(auditor):
    client = client_for(auditor)

    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("catalogue")})
    assert response.status_code == 302 and response["Location"] == reverse("catalogue")
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "<h1>Indicator catalogue</h1>" in catalogue_page(client)

    client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("catalogue")})
    assert "<h1>指标目录</h1>" in catalogue_page(client)


# Chinese by default ---------------------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("headers", [{}, {"HTTP_ACCEPT_LANGUAGE": "fr"}, {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}])
def test_pages_are_chinese_without_an_english_preference(auditor, clerk_xichang, headers):
    catalogue = catalogue_page(client_for(auditor), **headers)
    assert '<html lang="zh-hans">' in catalogue
    assert "<h1>指标目录</h1>" in catalogue and "学前三年毛入园率" in catalogue
    assert "Indicator catalogue" not in catalogue and "Three-year gross preschool enrolment rate" not in catalogue

    entry = entry_page(client_for(clerk_xichang), **headers)
    assert "西昌市 2024年度数据填报" in entry and "保存草稿" in entry
    assert "Save draft" not in entry and "Data entry" not in entry


@pytest.mark.django_db
def test_an_api_validation_error_is_chinese_by_default(clerk_xichang):
    body = numerator_above_denominator(api_for(clerk_xichang)).json()
    assert body["message"] == "分子（120）不能大于分母（100）：该比率不能超过100%。"


# the catalogue itself -------------------------------------------------------------------------------------------

@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # msgstr is 0; msgstr[n] is n
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file (the header is the one with msgid ""). Enough of the format for our file."""
    entries: list[Entry] = []
    entry, key = Entry(), None
    started = False

    def finish():
        nonlocal entry, key, started
        if started:
            entries.append(entry)
        entry, key, started = Entry(), None, False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            entry.obsolete, started = True, True
            continue
        if line.startswith("#,"):
            entry.flags |= {f.strip() for f in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            value = ast.literal_eval(line)
        else:
            keyword, _sep, quoted = line.partition(" ")
            if keyword.startswith("msgid") and key is not None and key.startswith("msgstr"):
                finish()  # a new entry without a blank line before it
            key, value = keyword, ast.literal_eval(quoted)
            started = True
            if key.startswith("msgstr"):
                index = int(key[7:-1]) if key.startswith("msgstr[") else 0
                entry.msgstr[index] = ""
        if key == "msgid":
            entry.msgid += value
        elif key == "msgctxt":
            entry.msgctxt = (entry.msgctxt or "") + value
        elif key == "msgid_plural":
            entry.msgid_plural = (entry.msgid_plural or "") + value
        elif key and key.startswith("msgstr"):
            index = int(key[7:-1]) if key.startswith("msgstr[") else 0
            entry.msgstr[index] += value
    finish()
    return entries


def live_entries() -> list[Entry]:
    return [e for e in read_po(PO) if not e.obsolete and e.msgid]


def header() -> Entry:
    return next(e for e in read_po(PO) if e.msgid == "" and not e.obsolete)


def describe(entries: list[Entry]) -> str:
    return "\n".join(f"  {e.msgid!r}" for e in entries[:20]) + (f"\n  … and {len(entries) - 20} more"
                                                               if len(entries) > 20 else "")


def test_the_parser_reads_the_catalogue():
    entries = live_entries()
    assert len(entries) > 400
    by_id = {e.msgid: e for e in entries}
    assert by_id["保存草稿"].msgstr == {0: "Save draft"}
    plural = by_id["已保存%(n)d项。"]
    assert plural.msgid_plural and plural.msgstr == {0: "Saved %(n)d figure.", 1: "Saved %(n)d figures."}
    assert "python-format" in plural.flags


def test_every_message_is_translated_and_none_is_fuzzy():
    nplurals = int(re.search(r"nplurals=(\d+)", header().msgstr[0]).group(1))
    untranslated = [e for e in live_entries()
                    if not all(e.msgstr.get(i) for i in range(nplurals if e.msgid_plural else 1))]
    fuzzy = [e for e in live_entries() if "fuzzy" in e.flags]
    assert not untranslated, ("untranslated entries in django.po (translate them, then run compilemessages):\n"
                              + describe(untranslated))
    assert not fuzzy, "fuzzy entries in django.po (check the translation, drop the flag):\n" + describe(fuzzy)
    assert "fuzzy" not in header().flags, "the header of django.po is fuzzy: msgfmt would ignore it"


PLACEHOLDER = {"python-format": re.compile(r"%\(\w+\)[sd]|%%"), "python-brace-format": re.compile(r"\{\w*\}")}


def test_translations_keep_the_placeholders():
    wrong = []
    for e in live_entries():
        for flag, pattern in PLACEHOLDER.items():
            wanted = set(pattern.findall(e.msgid_plural or e.msgid))
            if flag in e.flags and any(set(pattern.findall(text)) != wanted for text in e.msgstr.values()):
                wrong.append(e)
    assert not wrong, "translations whose placeholders differ from the Chinese:\n" + describe(wrong)


def test_the_compiled_catalogue_is_not_stale():
    # What msgfmt makes of the .po: translated, non-fuzzy entries, plural ones keyed (msgid, n).
    expected: dict[object, str] = {}
    for e in live_entries():
        if "fuzzy" in e.flags:
            continue
        msgid = f"{e.msgctxt}\x04{e.msgid}" if e.msgctxt is not None else e.msgid
        if e.msgid_plural is not None:
            expected.update({(msgid, n): text for n, text in e.msgstr.items()})
        elif e.msgstr[0]:
            expected[msgid] = e.msgstr[0]
    with MO.open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog  # the parsed .mo (a private name, stable since 2.x)
    compiled = {k: v for k, v in compiled.items() if k != ""}
    assert compiled == expected, (
        f"{MO.relative_to(settings.BASE_DIR)} is stale (older than what django.po says): run "
        "`manage.py compilemessages -l en --ignore=.venv` and commit the .mo")


def test_every_translatable_string_of_the_code_is_in_the_catalogue(tmp_path, settings):
    """The English catalogue is current: makemessages over a scratch copy of the code finds no string it lacks."""
    import os
    import shutil

    from django.core.management import call_command

    if not shutil.which("xgettext"):
        if os.environ.get("CI"):
            pytest.fail("xgettext (Debian: gettext) is missing")
        pytest.skip("xgettext (Debian: gettext) is not installed")
    src = tmp_path / "src"
    shutil.copytree(settings.BASE_DIR, src, ignore=shutil.ignore_patterns(
        ".venv", ".git", "__pycache__", "static", "staticfiles", "fixtures", "docs", "tests", "test-artifacts",
        "node_modules", "*.mo", "*.sqlite3", "backups", "media"))
    settings.LOCALE_PATHS = [src / "locale"]
    cwd = os.getcwd()
    os.chdir(src)
    try:
        call_command("makemessages", locale=["en"], no_obsolete=True, verbosity=0)
    finally:
        os.chdir(cwd)
    ours = {(e.msgctxt, e.msgid) for e in live_entries()}
    found = [e for e in read_po(src / "locale" / "en" / "LC_MESSAGES" / "django.po")
             if not e.obsolete and e.msgid and (e.msgctxt, e.msgid) not in ours]
    assert not found, ("strings in the code that django.po lacks (run makemessages, translate them, compilemessages):\n"
                       + describe(found))
