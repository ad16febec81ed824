"""The border check through the production WSGI application (`longarm.wsgi.application`): its lean path
keeps the endpoint's contract, the security middleware and the request id, and looks the token up on
every call (a revoked token is refused at once)."""

import io
import json
import sys

import pytest
from django.core import signals
from django.db import close_old_connections, connection
from rest_framework.authtoken.models import Token

from longarm.audit.models import AuditEntry
from longarm.watchlist.border_check_api import BorderCheckHandler
from longarm.wsgi import application
from tests.watchlist.test_border_check import banned, checks, today  # noqa: F401 (fixtures)

BODY = {"document_number": "E12345678", "issuing_state": "CHN"}


def call(body=BODY, *, token=None, method="POST", host="127.0.0.1", scheme="http", path="/api/border/check",
         headers=None, app=application):
    data = json.dumps(body).encode() if body is not None else b""
    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": host,
        "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(data)), "wsgi.input": io.BytesIO(data),
        "wsgi.errors": sys.stderr, "wsgi.url_scheme": scheme, "wsgi.version": (1, 0), "wsgi.multithread": False,
        "wsgi.multiprocess": True, "wsgi.run_once": False,
    }
    if token is not None:
        environ["HTTP_AUTHORIZATION"] = f"Token {token}"
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    started = {}

    def start_response(status, response_headers, exc_info=None):
        started["status"], started["headers"] = status, response_headers

    # Inside a test's transaction the request signals must not close the connection, as Django's test
    # client does; a transactional test (autocommit, as in production) keeps them.
    keep_connection = connection.in_atomic_block
    if keep_connection:
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
    try:
        result = app(environ, start_response)
        try:
            content = b"".join(result)
        finally:
            if hasattr(result, "close"):  # PEP 3333: only if the iterable has one
                result.close()
    finally:
        if keep_connection:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)
    status = int(started["status"].split()[0])
    response_headers = {}
    for name, value in started["headers"]:
        response_headers.setdefault(name.lower(), []).append(value)
    return status, response_headers, json.loads(content) if content.startswith(b"{") else content


@pytest.fixture
def post_token(make_user):
    return Token.objects.create(user=make_user("border_post", "CN-GD"))


def test_lean_path_answers_and_audits_with_the_request_id(banned, post_token):
    status, headers, body = call(token=post_token.key, headers={"X-Request-Id": "gate-7-0001"})
    assert status == 200 and body == {"hit": True, "measure": "exit_ban", "reference": "WL-7"}
    assert headers["x-request-id"] == ["gate-7-0001"]
    assert headers["x-content-type-options"] == ["nosniff"] and "set-cookie" not in headers
    [row] = checks()
    assert (row.actor_id, row.request_id, row.detail) == (
        post_token.user_id, "gate-7-0001", {"query": "document", "hit": True, "entry_id": "WL-7"})
    status, headers, body = call({"document_number": "G00000000", "issuing_state": "CHN"}, token=post_token.key)
    assert status == 200 and body == {"hit": False, "measure": None, "reference": None}
    assert len(headers["x-request-id"][0]) == 32 and checks()[-1].request_id == headers["x-request-id"][0]


def test_lean_path_refuses_as_the_api_does(banned, post_token, make_user):
    status, headers, body = call()
    assert (status, body) == (401, {"detail": "Authentication credentials were not provided."})
    assert headers["www-authenticate"] == ["Token"]
    assert call(token="0" * 40)[2] == {"detail": "Invalid token."}
    assert checks() == []
    analyst = Token.objects.create(user=make_user("provincial_analyst", "CN-BJ"))
    status, _, body = call(token=analyst.key)
    assert status == 403 and "reference" not in body
    assert call(token=post_token.key, method="GET", body=None)[0] == 405
    status, _, body = call({"document_number": "E1"}, token=post_token.key)
    assert status == 400 and body == {"issuing_state": ["This field is required."]}
    assert [row.detail.get("refused") for row in checks()] == [403, 405, 400]


def test_lean_path_takes_a_revoked_token_or_a_deactivated_user_at_once(banned, post_token):
    assert call(token=post_token.key)[0] == 200
    post_token.user.is_active = False
    post_token.user.save(update_fields=["is_active"])
    assert call(token=post_token.key)[0] == 401
    post_token.user.is_active = True
    post_token.user.save(update_fields=["is_active"])
    assert call(token=post_token.key)[0] == 200
    key = post_token.key
    post_token.delete()
    assert call(token=key)[0] == 401
    assert len(checks()) == 2


def test_lean_path_refuses_an_unknown_host_and_redirects_to_https(banned, post_token, settings):
    assert call(token=post_token.key, host="evil.example")[0] == 400
    settings.SECURE_SSL_REDIRECT = True
    https_only = BorderCheckHandler()  # the middleware reads its settings when the handler is built
    status, headers, _ = call(token=post_token.key, app=https_only)
    assert status == 301 and headers["location"] == ["https://127.0.0.1/api/border/check"]
    assert call(token=post_token.key, scheme="https", app=https_only)[0] == 200
    assert len(checks()) == 1


def test_other_paths_go_through_the_whole_django_stack(db):
    status, headers, _ = call(None, method="GET", path="/login/")
    assert status == 200 and any(value.startswith("csrftoken=") for value in headers["set-cookie"])


def test_lean_path_commits_each_audit_row_durably_in_the_chain(audit_log_flushable, banned, make_user,
                                                               audit_appender):
    """Served as in production (autocommit): each row is committed before the answer; the chain verifies."""
    from longarm.audit.selectors import audit_verify

    token = Token.objects.create(user=make_user("border_post", "CN-GD"))
    for n in range(4):
        assert call(token=token.key, headers={"X-Request-Id": f"r{n}"})[2]["reference"] == "WL-7"
    assert [row.request_id for row in checks()] == ["r0", "r1", "r2", "r3"]
    assert AuditEntry.objects.filter(action="border_check", detail__hit=True).count() == 4
    assert audit_verify().ok
