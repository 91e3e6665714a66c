"""Login throttling (django-axes): five wrong passwords for one username from one address lock that pair for
15 minutes, on the login form and the token API alike; administrators unlock; every failure is recorded.

The lockout is per username *and* address (AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]): another
user at the same address, or the same user elsewhere, is not locked."""
from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from counties.demo import DEMO_PASSWORD
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"
OFFICE = "10.51.34.31"  # 昭觉县 bureau's office address
ELSEWHERE = "10.51.34.99"


def form_login(username: str, password: str, address: str = OFFICE):
    client = Client(REMOTE_ADDR=address)
    response = client.post(LOGIN, {"username": username, "password": password})
    return response, client


def token_login(username: str, password: str, address: str = OFFICE):
    return APIClient(REMOTE_ADDR=address).post(TOKEN, {"username": username, "password": password}, format="json")


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail(times: int, username: str = "clerk_zhaojue", address: str = OFFICE, via=form_login) -> list[int]:
    """``times`` wrong passwords; their status codes (the fifth already answers with the lockout)."""
    codes = []
    for _ in range(times):
        response = via(username, "wrong-password", address)
        codes.append((response[0] if isinstance(response, tuple) else response).status_code)
    return codes


def test_four_wrong_passwords_then_the_right_one_signs_in():
    assert fail(4) == [200] * 4  # the form again, with its error
    response, client = form_login("clerk_zhaojue", DEMO_PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_five_wrong_passwords_lock_the_login_form_with_a_message():
    # given: the fifth failure is answered with the lockout already
    assert fail(5) == [200] * 4 + [429]
    # when: the right password
    response, client = form_login("clerk_zhaojue", DEMO_PASSWORD)
    # then
    assert response.status_code == 429 and not signed_in(client)
    page = response.content.decode()
    assert "登录已暂时锁定" in page and "密码连续错误 5 次" in page and "锁定 15 分钟" in page
    assert response["Retry-After"] == "900"


def test_the_lockout_page_speaks_english_when_asked():
    fail(5)
    client = Client(REMOTE_ADDR=OFFICE, HTTP_ACCEPT_LANGUAGE="en")
    page = client.post(LOGIN, {"username": "clerk_zhaojue", "password": DEMO_PASSWORD}).content.decode()
    assert "Sign-in temporarily locked" in page and "locked for 15 minutes" in page


def test_five_wrong_passwords_lock_the_token_api_with_a_json_message():
    wrong = token_login("official", "wrong-password")
    assert wrong.status_code == 400 and wrong.json()["message"]  # a wrong password alone: DRF's 400, as before
    assert fail(4, "official", via=token_login) == [400] * 3 + [429]
    response = token_login("official", DEMO_PASSWORD)
    assert response.status_code == 429 and "token" not in response.json()
    message = response.json()["message"]
    assert "锁定 15 分钟" in message and "locked at your address for 15 minutes" in message


def test_the_lock_holds_across_the_form_and_the_api():
    fail(5)
    assert token_login("clerk_zhaojue", DEMO_PASSWORD).status_code == 429


def test_another_user_at_the_same_address_and_the_same_user_elsewhere_are_not_locked():
    fail(5)
    assert form_login("clerk_zhaojue", DEMO_PASSWORD)[0].status_code == 429
    response, client = form_login("clerk_xichang", DEMO_PASSWORD)  # same address, another user
    assert response.status_code == 302 and signed_in(client)
    response, client = form_login("clerk_zhaojue", DEMO_PASSWORD, address=ELSEWHERE)  # same user, elsewhere
    assert response.status_code == 302 and signed_in(client)
    assert token_login("clerk_xichang", DEMO_PASSWORD).status_code == 200


def test_the_lock_ends_after_the_cool_off():
    fail(5)
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16))
    response, client = form_login("clerk_zhaojue", DEMO_PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_retrying_while_locked_out_does_not_lengthen_the_lock():
    fail(5)
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=10))
    assert form_login("clerk_zhaojue", DEMO_PASSWORD)[0].status_code == 429
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=6))
    assert form_login("clerk_zhaojue", DEMO_PASSWORD)[0].status_code == 302


def test_an_administrator_unlocks_a_user_with_the_management_command():
    fail(5)
    fail(5, "clerk_xichang")
    call_command("axes_reset_username", "clerk_zhaojue")
    response, client = form_login("clerk_zhaojue", DEMO_PASSWORD)
    assert response.status_code == 302 and signed_in(client)
    assert form_login("clerk_xichang", DEMO_PASSWORD)[0].status_code == 429  # only the one named
    call_command("axes_reset")
    assert form_login("clerk_xichang", DEMO_PASSWORD)[0].status_code == 302


def test_an_administrator_unlocks_in_the_admin(admin_user):
    fail(5)
    attempt = AccessAttempt.objects.get(username="clerk_zhaojue")
    admin = client_for(admin_user)
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "clerk_zhaojue" in listing.content.decode()
    deleted = admin.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302
    assert form_login("clerk_zhaojue", DEMO_PASSWORD)[0].status_code == 302


def test_failed_logins_are_recorded_without_the_password(admin_user):
    fail(3)
    fail(2, "official", via=token_login)
    attempt = AccessAttempt.objects.get(username="clerk_zhaojue")
    assert (attempt.ip_address, attempt.failures_since_start, attempt.path_info) == (OFFICE, 3, LOGIN)
    assert AccessAttempt.objects.get(username="official").path_info == TOKEN
    failures = AccessFailureLog.objects.order_by("attempt_time")
    assert [f.username for f in failures] == ["clerk_zhaojue"] * 3 + ["official"] * 2
    assert all(f.ip_address == OFFICE for f in failures)
    assert "wrong-password" not in attempt.post_data
    assert client_for(admin_user).get("/admin/axes/accessfailurelog/").status_code == 200


def test_a_successful_login_clears_the_failures_before_it():
    fail(4)
    assert form_login("clerk_zhaojue", DEMO_PASSWORD)[0].status_code == 302
    fail(4)
    response, client = form_login("clerk_zhaojue", DEMO_PASSWORD)
    assert response.status_code == 302 and signed_in(client)
