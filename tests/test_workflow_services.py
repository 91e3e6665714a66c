"""The figure workflow as plain service calls (no HTTP): the rules every path shares."""
from datetime import date

import pytest

from counties import services
from counties.errors import Invalid, Locked, NotAllowed, Stale, WrongState
from places.models import County
from indicators.models import Indicator

pytestmark = pytest.mark.django_db


@pytest.fixture
def xichang():
    return County.objects.get(code="513401")


def milestone():
    return Indicator.objects.filter(kind="milestone", level="county").exclude(rollup="none").first()


def rate():
    return Indicator.objects.get(code="PRE-01")


def test_a_completion_date_after_the_reporting_year_is_refused(clerk_xichang, xichang):
    with pytest.raises(Invalid, match="晚于填报年度"):
        services.save_draft(clerk_xichang, xichang, milestone(), 2023, value=1, done_on=date(2024, 3, 1))


def test_a_not_done_milestone_keeps_no_date(clerk_xichang, xichang):
    result = services.save_draft(clerk_xichang, xichang, milestone(), 2023, value=0, done_on=date(2023, 3, 1))
    assert result.figure.value == 0 and result.figure.done_on is None


def test_a_stale_edit_is_refused_before_its_values_are_checked(clerk_xichang, colleague_xichang, xichang):
    services.save_draft(colleague_xichang, xichang, rate(), 2024, numerator=90, denominator=100, expected_version=0)
    with pytest.raises(Stale, match="当前值90"):
        services.save_draft(clerk_xichang, xichang, rate(), 2024, numerator=200, denominator=100,
                            expected_version=0)


def test_ones_own_later_edit_does_not_make_an_edit_stale(clerk_xichang, colleague_xichang, xichang):
    # One rule for the form, the API and the upload (services.is_stale): only someone else's change counts.
    services.save_draft(clerk_xichang, xichang, rate(), 2024, numerator=90, denominator=100, expected_version=0)
    result = services.save_draft(clerk_xichang, xichang, rate(), 2024, numerator=95, denominator=100,
                                 expected_version=0)
    assert result.changed and result.figure.numerator == 95
    # ...but once a colleague has changed it after that version, the same edit is stale
    services.save_draft(colleague_xichang, xichang, rate(), 2024, numerator=96, denominator=100,
                        expected_version=result.figure.version)
    with pytest.raises(Stale):
        services.save_draft(clerk_xichang, xichang, rate(), 2024, numerator=97, denominator=100,
                            expected_version=result.figure.version)
    # and a version the figure never had is stale whoever asks
    with pytest.raises(Stale):
        services.save_draft(colleague_xichang, xichang, rate(), 2024, numerator=97, denominator=100,
                            expected_version=99)


def test_check_draft_is_the_dry_run_of_save_draft(clerk_xichang, clerk_zhaojue, official, xichang):
    figure = services.save_draft(clerk_xichang, xichang, rate(), 2024, numerator=90, denominator=100).figure
    assert services.check_draft(clerk_xichang, xichang, rate(), 2024, figure, expected_version=figure.version) == []
    codes = lambda *a, **k: [p.code for p in services.check_draft(*a, **k)]  # noqa: E731
    assert codes(clerk_zhaojue, xichang, rate(), 2024, figure, expected_version=None) == ["not_allowed"]
    assert codes(clerk_xichang, xichang, rate(), 1999, None, expected_version=None) == ["invalid_year"]
    assert codes(clerk_xichang, xichang, rate(), 2024, figure, expected_version=None, year_open=False) == ["locked"]
    services.submit(clerk_xichang, figure)
    figure.refresh_from_db()
    assert codes(clerk_xichang, xichang, rate(), 2024, figure, expected_version=None) == ["wrong_state"]
    with pytest.raises(WrongState):
        services.save_draft(clerk_xichang, xichang, rate(), 2024, numerator=91, denominator=100)


def test_an_administrator_cannot_approve(clerk_xichang, admin_user, official, xichang):
    figure = services.save_draft(clerk_xichang, xichang, rate(), 2024, numerator=90, denominator=100).figure
    services.submit(clerk_xichang, figure)
    with pytest.raises(NotAllowed):
        services.approve(admin_user, figure)
    assert services.approve(official, figure).status == "approved"


def test_locking_again_ends_earlier_reopenings(clerk_xichang, official, xichang):
    services.lock_year(official, 2024)
    services.reopen_year_for_county(official, 2024, xichang, "补报遗漏数据")
    services.save_draft(clerk_xichang, xichang, rate(), 2024, numerator=90, denominator=100)
    services.unlock_year(official, 2024)
    services.lock_year(official, 2024)
    with pytest.raises(Locked):
        services.save_draft(clerk_xichang, xichang, rate(), 2024, numerator=91, denominator=100)


def test_saving_the_same_values_makes_no_new_version(clerk_xichang, xichang):
    first = services.save_draft(clerk_xichang, xichang, rate(), 2024, numerator=90, denominator=100)
    again = services.save_draft(clerk_xichang, xichang, rate(), 2024, numerator="90", denominator="100",
                                expected_version=first.figure.version)
    assert not again.changed and again.figure.version == first.figure.version
    assert first.figure.history.count() == 1


def test_a_note_over_the_limit_is_refused_whatever_the_path(clerk_xichang, xichang):
    from counties.validation import TEXT_MAX_LENGTH

    with pytest.raises(Invalid, match=str(TEXT_MAX_LENGTH)) as caught:
        services.save_draft(clerk_xichang, xichang, rate(), 2024, numerator=90, denominator=100,
                            note="长" * (TEXT_MAX_LENGTH + 1))
    assert [p.code for p in caught.value.problems] == ["too_long"]
    assert services.save_draft(clerk_xichang, xichang, rate(), 2024, numerator=90, denominator=100,
                               note="长" * TEXT_MAX_LENGTH).created
