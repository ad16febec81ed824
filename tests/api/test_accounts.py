from rest_framework.authtoken.models import Token

from longarm.audit.models import AuditEntry
from tests.api.conftest import https_client

TOKEN = "/api/auth/token/"
ME = "/api/me/"
PASSWORD = "correct horse battery staple"


def test_token_is_issued_for_a_right_password_and_works_as_authentication(make_user):
    user = make_user("provincial_analyst", "CN-GD")
    response = https_client().post(TOKEN, {"username": user.username, "password": PASSWORD}, format="json")
    assert response.status_code == 200
    key = response.json()["token"]
    assert Token.objects.get(user=user).key == key
    entry = AuditEntry.objects.get(action="token.issue")
    assert (entry.actor, entry.target_id) == (user, str(user.pk))
    client = https_client()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(ME).json()["username"] == user.username


def test_token_request_again_revokes_the_previous_token(make_user):
    user = make_user("central_analyst")
    first = https_client().post(TOKEN, {"username": user.username, "password": PASSWORD}).json()["token"]
    https_client().post(TOKEN, {"username": user.username, "password": PASSWORD})
    client = https_client()
    client.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert client.get(ME).status_code == 401


def test_token_is_refused_alike_for_a_wrong_password_and_an_unknown_user_and_audited(make_user):
    user = make_user("central_analyst")
    wrong = https_client().post(TOKEN, {"username": user.username, "password": "nope"}, format="json")
    unknown = https_client().post(TOKEN, {"username": "nobody", "password": "nope"}, format="json")
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.json() == unknown.json() == {"detail": "Unable to log in with the username and password given."}
    assert not Token.objects.exists()
    refused = AuditEntry.objects.filter(action="token.refused").order_by("seq")
    assert [(e.actor_name, e.detail["username"]) for e in refused] == [
        ("anonymous", user.username), ("anonymous", "nobody")]


def test_token_is_refused_to_an_inactive_user(make_user):
    user = make_user("central_analyst", is_active=False)
    response = https_client().post(TOKEN, {"username": user.username, "password": PASSWORD}, format="json")
    assert response.status_code == 400
    assert not Token.objects.exists()


def test_token_request_without_a_password_is_a_400_naming_the_field(db):
    response = https_client().post(TOKEN, {"username": "someone"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()


def test_me_refuses_anonymous(db):
    assert https_client().get(ME).status_code == 401


def test_me_tells_the_caller_their_role_and_jurisdiction(make_user, make_official, client_for):
    official = make_official(official_id="GD-9")
    user = make_user("official", "CN-GD", official=official)
    assert client_for(user).get(ME).json() == {
        "username": user.username, "first_name": "", "last_name": "", "role": "official", "jurisdiction": "CN-GD",
        "organization": "", "official": "GD-9", "is_national": False,
    }
