"""``liangshan_edu.roles`` at every branch, to kill mutants (issue 15): who has which role, which county a
clerk belongs to, who reads what, and that a user's role is looked up once per request (the cache)."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group
from django.test import RequestFactory
from django.utils import timezone

from places.models import County, Profile
from liangshan_edu import roles

pytestmark = pytest.mark.django_db

XICHANG, ZHAOJUE = "513401", "513431"


def make_user(name, *groups, superuser=False, county=None):
    User = get_user_model()
    user = (User.objects.create_superuser(name, password="x") if superuser
            else User.objects.create_user(name, password="x"))
    for group in groups:
        user.groups.add(Group.objects.get(name=group))
    if county is not None:
        Profile.objects.update_or_create(user=user, defaults={"county": County.objects.get(code=county)})
    return get_user_model().objects.get(pk=user.pk)  # fresh: no cached role, no cached profile


def test_anonymous_users_have_no_role():
    anonymous = AnonymousUser()
    assert roles.role_of(anonymous) is None
    assert roles.county_of(anonymous) is None
    assert not roles.can_recompute(anonymous) and not roles.can_review(anonymous)
    assert not roles.can_read_all(anonymous)


def test_a_superuser_is_an_administrator_whatever_the_groups():
    assert roles.role_of(make_user("root", superuser=True)) == roles.ADMINISTRATOR
    assert roles.role_of(make_user("root_clerk", roles.CLERK, superuser=True)) == roles.ADMINISTRATOR


@pytest.mark.parametrize("group", [roles.CLERK, roles.LEADER, roles.OFFICIAL, roles.AUDITOR, roles.ADMINISTRATOR])
def test_the_group_is_the_role(group):
    assert roles.role_of(make_user(f"u_{group}", group)) == group


@pytest.mark.parametrize("groups, role", [
    ((roles.CLERK, roles.OFFICIAL), roles.OFFICIAL),
    ((roles.OFFICIAL, roles.ADMINISTRATOR), roles.ADMINISTRATOR),
    ((roles.CLERK, roles.AUDITOR), roles.AUDITOR),
    ((roles.AUDITOR, roles.OFFICIAL), roles.OFFICIAL),
    ((roles.CLERK, roles.LEADER), roles.LEADER),  # the one who enters nothing
    ((roles.LEADER, roles.AUDITOR), roles.AUDITOR),
])
def test_the_strongest_of_several_groups_wins(groups, role):
    assert roles.role_of(make_user("several", *groups)) == role


def test_a_user_without_a_group_has_no_role():
    nobody = make_user("nobody")
    assert roles.role_of(nobody) is None
    assert roles.role_of(nobody) is None  # from the cache, still None
    assert not roles.can_read_all(nobody) and roles.county_of(nobody) is None


def test_an_unknown_group_is_no_role():
    Group.objects.create(name="visitors")
    assert roles.role_of(make_user("visitor", "visitors")) is None


def test_the_role_is_looked_up_once(django_assert_num_queries):
    official = make_user("once", roles.OFFICIAL)
    with django_assert_num_queries(1):
        assert roles.role_of(official) == roles.OFFICIAL
    with django_assert_num_queries(0):
        assert roles.role_of(official) == roles.OFFICIAL
        assert roles.can_recompute(official) and roles.can_review(official) and roles.can_read_all(official)


def test_no_role_is_looked_up_once_too(django_assert_num_queries):
    nobody = make_user("nobody_once")
    with django_assert_num_queries(1):
        assert roles.role_of(nobody) is None
    with django_assert_num_queries(0):
        assert roles.role_of(nobody) is None


def test_the_cache_is_on_the_user_object():
    clerk = make_user("cached", roles.CLERK)
    roles.role_of(clerk)
    assert clerk._role_cache == roles.CLERK
    clerk._role_cache = roles.AUDITOR
    assert roles.role_of(clerk) == roles.AUDITOR


def test_a_clerk_belongs_to_a_county_and_other_roles_to_none():
    clerk = make_user("c1", roles.CLERK, county=XICHANG)
    assert roles.county_of(clerk).code == XICHANG
    assert roles.county_of(make_user("o1", roles.OFFICIAL, county=XICHANG)) is None
    assert roles.county_of(make_user("c2", roles.CLERK)) is None  # no profile


@pytest.mark.parametrize("group, official, reviewer, reads_all", [
    (roles.OFFICIAL, True, True, True),
    (roles.ADMINISTRATOR, True, False, True),
    (roles.AUDITOR, False, False, True),
    (roles.CLERK, False, False, False),
    (roles.LEADER, False, False, False),
])
def test_what_each_role_may(group, official, reviewer, reads_all):
    user = make_user(f"may_{group}", group)
    assert (roles.can_recompute(user), roles.can_review(user), roles.can_read_all(user)) == (
        official, reviewer, reads_all)


def test_who_reads_a_county():
    xichang, zhaojue = County.objects.get(code=XICHANG), County.objects.get(code=ZHAOJUE)
    clerk = make_user("reader", roles.CLERK, county=XICHANG)
    assert roles.can_read_county(clerk, xichang) and not roles.can_read_county(clerk, zhaojue)
    assert not roles.can_read_county(make_user("homeless", roles.CLERK), xichang)
    for group in (roles.OFFICIAL, roles.AUDITOR, roles.ADMINISTRATOR):
        assert roles.can_read_county(make_user(f"all_{group}", group), zhaojue)
    assert not roles.can_read_county(AnonymousUser(), xichang)


def test_the_navigation_context():
    request = RequestFactory().get("/")
    request.user = make_user("nav", roles.CLERK, county=ZHAOJUE)
    context = roles.role_context(request)
    assert context["nav_reporting_year"] == timezone.localdate().year - 1
    assert context["user_role"] == roles.CLERK
    assert str(context["user_role_label"]) == "县级填报员"
    assert context["user_county"].code == ZHAOJUE
    assert (context["is_clerk"], context["can_review"], context["can_recompute"]) == (True, False, False)
    assert (context["is_leader"], context["is_county_user"]) == (False, True)
    assert set(context) == {"nav_reporting_year", "user_role", "user_role_label", "user_county", "is_clerk",
                            "is_leader", "is_county_user", "can_review", "can_recompute"}


def test_the_navigation_context_of_a_county_leader():
    request = RequestFactory().get("/")
    request.user = make_user("nav_l", roles.LEADER, county=ZHAOJUE)
    context = roles.role_context(request)
    assert (context["user_role"], str(context["user_role_label"]), context["user_county"].code) == (
        roles.LEADER, "县级责任领导", ZHAOJUE)
    assert (context["is_clerk"], context["is_leader"], context["is_county_user"]) == (False, True, True)


def test_the_navigation_context_of_other_roles():
    request = RequestFactory().get("/")
    request.user = make_user("nav_o", roles.OFFICIAL)
    context = roles.role_context(request)
    assert (context["user_role"], str(context["user_role_label"]), context["user_county"]) == (
        roles.OFFICIAL, "州级管理员", None)
    assert (context["is_clerk"], context["can_review"], context["can_recompute"]) == (False, True, True)
    assert (context["is_leader"], context["is_county_user"]) == (False, False)
    request.user = AnonymousUser()
    context = roles.role_context(request)
    assert (context["user_role"], context["user_role_label"], context["user_county"]) == (None, "", None)


def test_is_clerk_of_takes_a_county_or_its_id():
    xichang, zhaojue = County.objects.get(code=XICHANG), County.objects.get(code=ZHAOJUE)
    clerk = make_user("own", roles.CLERK, county=XICHANG)
    assert roles.is_clerk_of(clerk, xichang) and roles.is_clerk_of(clerk, xichang.pk)
    assert not roles.is_clerk_of(clerk, zhaojue) and not roles.is_clerk_of(clerk, zhaojue.pk)
    assert not roles.is_clerk_of(clerk, None)
    assert not roles.is_clerk_of(make_user("boss", roles.OFFICIAL), xichang)


def test_a_county_leader_reads_its_county_and_enters_nothing():
    """县级责任领导: the clerk's read scope (``county_of``, ``can_read_county``), not the clerk's entry."""
    xichang, zhaojue = County.objects.get(code=XICHANG), County.objects.get(code=ZHAOJUE)
    leader = make_user("lead", roles.LEADER, county=XICHANG)
    assert roles.county_of(leader) == xichang and roles.entry_county_of(leader) is None
    assert roles.can_read_county(leader, xichang) and not roles.can_read_county(leader, zhaojue)
    assert roles.belongs_to(leader, xichang.pk) and not roles.belongs_to(leader, zhaojue)
    assert roles.is_leader_of(leader, xichang) and roles.is_leader_of(leader, xichang.pk)
    assert not roles.is_leader_of(leader, zhaojue) and not roles.is_leader_of(leader, None)
    assert not roles.is_clerk_of(leader, xichang)
    clerk = make_user("own_c", roles.CLERK, county=XICHANG)
    assert roles.entry_county_of(clerk) == xichang and not roles.is_leader_of(clerk, xichang)
    assert roles.county_of(make_user("lead_nowhere", roles.LEADER)) is None
