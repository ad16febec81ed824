"""The home page and the nav: each role is shown what it may use, and nothing else."""

import pytest
from django.urls import reverse

HOME = reverse("home")


def test_anonymous_is_sent_to_login(client):
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("role", "jurisdiction", "shown", "hidden"), [
    ("provincial_analyst", "CN-GD", ["/officials/", "/runs/"], ["/audit/", "/admin/"]),
    ("central_analyst", "", ["/officials/", "/runs/"], ["/audit/", "/admin/"]),
    ("auditor", "", ["/audit/", "/runs/"], ["/officials/"]),
    ("administrator", "", ["/officials/", "/audit/", "/runs/", "/admin/"], []),
    ("border_post", "CN-GD", ["/api/docs/"], ["/officials/", "/audit/", "/runs/"]),
    ("personnel_officer", "CN-GD", ["/officials/"], ["/audit/", "/runs/"]),
])
def test_home_and_nav_link_only_what_the_role_may_use(client, make_user, role, jurisdiction, shown, hidden):
    client.force_login(make_user(role, jurisdiction))
    page = client.get(HOME).content.decode()
    for url in shown:
        assert f'href="{url}' in page, url
    for url in hidden:
        assert f'href="{url}' not in page, url


def test_home_says_whose_records_the_user_sees(client, make_user):
    client.force_login(make_user("provincial_analyst", "CN-GD"))
    assert "You see the officials of CN-GD only." in client.get(HOME).content.decode()
    client.force_login(make_user("provincial_analyst", ""))
    assert "ask an administrator to set one" in client.get(HOME).content.decode()


def test_an_official_is_linked_to_their_own_record(client, make_user, make_official):
    official = make_official(official_id="GD-7")
    client.force_login(make_user("official", "CN-GD", official=official))
    page = client.get(HOME).content.decode()
    assert 'href="/officials/GD-7/"' in page and 'href="/officials/"' not in page
