import io

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

from longarm.accounts.models import User
from longarm.audit.models import AuditEntry


def run(*args, stdin: str | None = None, monkeypatch=None) -> str:
    out = io.StringIO()
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    call_command(*args, stdout=out)
    return out.getvalue()


def test_createuser_generates_and_prints_a_working_password(db):
    output = run("createuser", "analyst-gd", "--role", "provincial_analyst", "--jurisdiction", "CN-GD")
    password = output.split("Password: ")[1].strip()
    user = User.objects.get(username="analyst-gd")
    assert (user.role, user.jurisdiction) == ("provincial_analyst", "CN-GD")
    assert user.check_password(password)
    entry = AuditEntry.objects.get(action="user.create")
    assert entry.actor_name == "system"


def test_createuser_reads_the_password_from_stdin_and_does_not_print_it(db, monkeypatch):
    output = run("createuser", "central", "--role", "central_analyst", "--password-stdin",
                 stdin="a long enough passphrase 42\n", monkeypatch=monkeypatch)
    assert "Password" not in output
    assert User.objects.get(username="central").check_password("a long enough passphrase 42")


def test_createuser_links_an_official(make_official):
    official = make_official(official_id="GD-7", jurisdiction="CN-GD")
    run("createuser", "zhang", "--role", "official", "--official", "GD-7")
    assert User.objects.get(username="zhang").official == official


def test_createuser_reports_an_unknown_official(db):
    with pytest.raises(CommandError, match="No official"):
        run("createuser", "zhang", "--role", "official", "--official", "nobody")


def test_createuser_reports_the_validation_error_and_creates_nothing(db):
    with pytest.raises(CommandError, match="needs a jurisdiction"):
        run("createuser", "analyst", "--role", "pursuit_officer")
    assert not User.objects.filter(username="analyst").exists()


def test_token_prints_a_new_token_and_audits_it(make_user):
    user = make_user("central_analyst", username="central")
    key = run("token", "central").strip()
    assert Token.objects.get(user=user).key == key
    assert AuditEntry.objects.filter(action="token.issue", target_id=str(user.pk)).count() == 1


def test_token_reports_an_unknown_user(db):
    with pytest.raises(CommandError, match="No user"):
        run("token", "nobody")


# --- longarm serve chooses its server ---------------------------------------------------------------------------


@pytest.mark.parametrize(("arguments", "expected"), [
    ([], ("waitress", 1)),
    (["--workers", "2"], ("granian", 2)),
    (["--workers", "3", "--server", "gunicorn"], ("gunicorn", 3)),
    (["--workers", "2", "--server", "granian"], ("granian", 2)),
])
def test_serve_runs_waitress_for_one_worker_and_granian_for_more(monkeypatch, arguments, expected):
    from longarm.accounts.management.commands import serve

    started = []
    monkeypatch.setattr(serve, "serve", lambda **kw: started.append(("waitress", 1)))
    monkeypatch.setattr(serve, "serve_granian", lambda **kw: started.append(("granian", kw["workers"])))
    monkeypatch.setattr(serve, "serve_gunicorn", lambda **kw: started.append(("gunicorn", kw["workers"])))
    call_command("serve", *arguments, stdout=io.StringIO())
    assert started == [expected]


def test_serve_refuses_waitress_with_several_workers():
    with pytest.raises(CommandError, match="Waitress serves from one process"):
        call_command("serve", "--workers", "2", "--server", "waitress", stdout=io.StringIO())
