import pytest
from rest_framework.authtoken.models import Token

from longarm.accounts.errors import AccountError
from longarm.accounts.models import User
from longarm.accounts.services import token_issue, user_create, user_set_role
from longarm.audit.models import AuditEntry
from longarm.audit.selectors import audit_verify

PASSWORD = "a long enough passphrase 42"


@pytest.fixture
def admin(make_user):
    return make_user("administrator")


def last_audit():
    return AuditEntry.objects.order_by("-seq").first()


def test_user_create_makes_a_provincial_analyst_and_audits_it(admin):
    user = user_create(username="analyst-gd", password=PASSWORD, role="provincial_analyst",
                       jurisdiction="CN-GD", actor=admin)
    user.refresh_from_db()
    assert (user.role, user.jurisdiction) == ("provincial_analyst", "CN-GD")
    assert user.check_password(PASSWORD)
    entry = last_audit()
    assert (entry.action, entry.actor, entry.target_id) == ("user.create", admin, str(user.pk))
    assert entry.detail["jurisdiction"] == "CN-GD"
    assert PASSWORD not in str(entry.detail)
    assert audit_verify().ok


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"role": "provincial_analyst", "jurisdiction": ""}, "needs a jurisdiction"),
        ({"role": "pursuit_officer", "jurisdiction": "CN-XX"}, "not an ISO 3166-2"),
        ({"role": "official"}, "needs the official"),
        ({"role": "wizard"}, "Unknown role"),
        ({"role": "central_analyst", "password": "short"}, "too short"),
        ({"role": "central_analyst", "username": " "}, "username is required"),
    ],
)
def test_user_create_refuses_invalid_access_with_a_readable_message(admin, fields, message):
    arguments = {"username": "new-user", "password": PASSWORD, "jurisdiction": "", **fields}
    before = AuditEntry.objects.count()
    with pytest.raises(AccountError, match=message):
        user_create(actor=admin, **arguments)
    assert not User.objects.filter(username="new-user").exists()
    assert AuditEntry.objects.count() == before


def test_user_create_refuses_a_taken_username(admin):
    with pytest.raises(AccountError, match="taken"):
        user_create(username=admin.username, password=PASSWORD, role="central_analyst", actor=admin)


def test_user_create_links_an_official_and_takes_their_jurisdiction(admin, make_official):
    official = make_official(jurisdiction="CN-BJ")
    user = user_create(username="zhang", password=PASSWORD, role="official", official=official, actor=admin)
    assert (user.official, user.jurisdiction) == (official, "CN-BJ")
    with pytest.raises(AccountError, match="already has a user account"):
        user_create(username="zhang2", password=PASSWORD, role="official", official=official, actor=admin)


def test_user_create_without_password_leaves_no_usable_password(admin):
    user = user_create(username="border-gd", password=None, role="border_post", jurisdiction="CN-GD", actor=admin)
    assert not user.has_usable_password()


def test_user_create_is_refused_to_anyone_but_an_administrator(make_user):
    analyst = make_user("central_analyst")
    with pytest.raises(AccountError, match="Only an administrator"):
        user_create(username="x", password=PASSWORD, role="central_analyst", actor=analyst)


def test_user_set_role_changes_access_and_audits_before_and_after(admin, make_user):
    user = make_user("provincial_analyst", "CN-GD")
    user_set_role(user=user, role="provincial_analyst", jurisdiction="CN-BJ", organization="", actor=admin)
    user.refresh_from_db()
    assert user.jurisdiction == "CN-BJ"
    entry = last_audit()
    assert entry.action == "user.set_role"
    assert (entry.detail["before"]["jurisdiction"], entry.detail["after"]["jurisdiction"]) == ("CN-GD", "CN-BJ")


def test_user_set_role_refuses_a_provincial_role_without_jurisdiction(admin, make_user):
    user = make_user("central_analyst")
    with pytest.raises(AccountError, match="needs a jurisdiction"):
        user_set_role(user=user, role="pursuit_officer", jurisdiction="", organization="", actor=admin)
    user.refresh_from_db()
    assert user.role == "central_analyst"


def test_token_issue_replaces_the_previous_token_and_audits_without_the_key(admin, make_user):
    user = make_user("central_analyst")
    first = token_issue(user=user, actor=user)
    second = token_issue(user=user, actor=admin)
    assert list(Token.objects.filter(user=user).values_list("key", flat=True)) == [second.key]
    entry = last_audit()
    assert (entry.action, entry.actor, entry.target_id) == ("token.issue", admin, str(user.pk))
    assert entry.detail == {"revoked_previous": True}
    assert first.key not in str(entry.detail) and second.key not in str(entry.detail)


def test_token_issue_for_someone_else_needs_an_administrator(make_user):
    user, other = make_user("central_analyst"), make_user("provincial_analyst", "CN-GD")
    with pytest.raises(AccountError, match="Only an administrator"):
        token_issue(user=other, actor=user)


def test_token_issue_refuses_an_inactive_user(admin, make_user):
    user = make_user("central_analyst", is_active=False)
    with pytest.raises(AccountError, match="inactive"):
        token_issue(user=user, actor=admin)
