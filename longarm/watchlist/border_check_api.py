"""`POST /api/border/check`: the border posts' question, answered hit / no hit.

Only border posts ask it, each with its own token; every call is audited,
with the kind of question and the entry hit, never the traveller's data.

This one endpoint is a plain Django view, not DRF, and in production it is
served by a lean WSGI application of its own (`BorderCheckApplication`, chosen
in `longarm.wsgi` by path). It is called at every border crossing and must
answer in milliseconds. A border post's well-formed question is answered from
the process's in-memory snapshot of the active watch list and the tokens
(`longarm.watchlist.border_snapshot`), with no Django request or response, in
one round trip to the database: the audit row, appended with the rows of other
calls waiting at that moment and only if the snapshot was still current (so a
confirmed ban, a withdrawal, a revoked token or a deactivated user takes effect
on the very next call). Everything else goes through Django with only the
security middleware and the request id (`BorderCheckHandler`), which asks the
database directly: one query that finds the token's active user and, for a
border post, the answer (`border_post_and_answer`), and one that appends the
audit row and waits until it is durable (`border_check_audit`); SQLite and
calls inside a transaction always take that path.
The contract is DRF's: the same fields and validation messages, 401 with
`WWW-Authenticate: Token` without valid credentials (a session login does not
count), 403 for other roles, 400 with field errors, refusals of an
authenticated caller audited.
"""

import datetime
import io
import json
import logging
import re
import types
import uuid

from django.conf import settings
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.db import DatabaseError
from django.http import JsonResponse
from django.http.request import split_domain_port, validate_host
from django.middleware.security import SecurityMiddleware
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from longarm.accounts.models import Role
from longarm.audit.middleware import RequestIdMiddleware
from longarm.audit.services import audit_record_durable
from longarm.registry.models import Sex
from longarm.watchlist.border_check import (
    AUDIT_ACTION,
    BorderCheckError,
    QueryKind,
    Traveller,
    border_check_audit,
    border_check_from_snapshot,
    border_post_and_answer,
    traveller_from_mrz,
)
from longarm.watchlist.border_snapshot import holder, snapshot_usable

logger = logging.getLogger(__name__)

_ISSUING_STATE = re.compile(r"^[A-Z]{3}$")
_STRING_FIELDS = {"document_number": 64, "mrz": 120, "family_name": 200, "given_name": 200}
IDENTITY_FIELDS = ("family_name", "date_of_birth", "sex")
PATH = "/api/border/check"
# Larger questions (none is valid) are left to Django, which enforces DATA_UPLOAD_MAX_MEMORY_SIZE.
_FAST_BODY_LIMIT = 4096


class BadRequest(Exception):
    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


def _token_key(request) -> str | None:
    words = request.headers.get("Authorization", "").split()
    if len(words) != 2 or words[0].lower() != "token":
        return None
    return words[1]


def _clean(body: bytes) -> dict:
    """The known fields of the question, validated one by one as the former DRF serializer did."""
    try:
        data = json.loads(body or b"{}")
    except ValueError as error:
        raise BadRequest({"detail": f"JSON parse error - {error}"}) from None
    if not isinstance(data, dict):
        raise BadRequest({"non_field_errors": ["Invalid data. Expected a dictionary, but got "
                                               f"{type(data).__name__}."]})
    clean, errors = {}, {}
    for name, max_length in _STRING_FIELDS.items():
        if name not in data:
            continue
        value = data[name]
        if value is None:
            errors[name] = ["This field may not be null."]
        elif not isinstance(value, (str, int, float)) or isinstance(value, bool):
            errors[name] = ["Not a valid string."]
        elif not (value := str(value).strip()) and name != "given_name":
            errors[name] = ["This field may not be blank."]
        elif len(value) > max_length:
            errors[name] = [f"Ensure this field has no more than {max_length} characters."]
        else:
            clean[name] = value
    if "issuing_state" in data:
        value = data["issuing_state"]
        if not isinstance(value, str) or not _ISSUING_STATE.match(value.strip()):
            errors["issuing_state"] = ["an ISO 3166-1 alpha-3 code"]
        else:
            clean["issuing_state"] = value.strip()
    if "date_of_birth" in data:
        try:
            clean["date_of_birth"] = datetime.date.fromisoformat(data["date_of_birth"])
        except (TypeError, ValueError):
            errors["date_of_birth"] = ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]
    if "sex" in data:
        if data["sex"] in Sex.values:
            clean["sex"] = data["sex"]
        else:
            errors["sex"] = [f'"{data["sex"]}" is not a valid choice.']
    if errors:
        raise BadRequest(errors)
    return clean


def _traveller(data: dict) -> Traveller:
    by_document = "document_number" in data or "issuing_state" in data
    by_identity = any(name in data for name in (*IDENTITY_FIELDS, "given_name"))
    if sum((by_document, "mrz" in data, by_identity)) != 1:
        raise BadRequest({"non_field_errors": [
            "Ask with a document number and issuing state, or an MRZ, or a name, date of birth and sex."]})
    if by_document:
        missing = [name for name in ("document_number", "issuing_state") if name not in data]
        if missing:
            raise BadRequest({name: ["This field is required."] for name in missing})
        return Traveller(kind=QueryKind.DOCUMENT, document_number=data["document_number"],
                         issuing_state=data["issuing_state"])
    if "mrz" in data:
        try:
            return traveller_from_mrz(data["mrz"])
        except BorderCheckError as error:
            raise BadRequest({"mrz": [str(error)]}) from None
    missing = [name for name in IDENTITY_FIELDS if name not in data]
    if missing:
        raise BadRequest({name: ["This field is required."] for name in missing})
    return Traveller(kind=QueryKind.IDENTITY, family_name=data["family_name"],
                     given_name=data.get("given_name", ""), date_of_birth=data["date_of_birth"], sex=data["sex"])


def _refuse(user, status: int, body: dict) -> JsonResponse:
    """Refused calls of an authenticated client are audited too (a token used by the wrong role, a
    malformed question)."""
    audit_record_durable(actor=user, action=AUDIT_ACTION, detail={"query": None, "hit": None, "refused": status})
    return JsonResponse(body, status=status)


@csrf_exempt
def border_check_view(request):
    """Is this traveller an official under an exit ban or alert in force today?

    Ask with `document_number` + `issuing_state`, or with `mrz`, or with
    `family_name` + `given_name` + `date_of_birth` + `sex`. The answer holds
    `hit`, the `measure` and a `reference` to quote when calling the agency.
    """
    request.get_host()  # refuses a Host not in ALLOWED_HOSTS (400), as CommonMiddleware does elsewhere
    key = _token_key(request)
    if key is None:
        return _unauthenticated("Authentication credentials were not provided.")
    traveller = refusal = None
    if request.method == "POST":
        try:
            traveller = _traveller(_clean(request.body))
        except BadRequest as error:
            refusal = error
    user, answer = border_post_and_answer(token_key=key, traveller=traveller, today=timezone.localdate())
    if user is None:
        return _unauthenticated("Invalid token.")
    if user.role != Role.BORDER_POST:
        return _refuse(user, 403, {"detail": "Only border posts may ask the border check."})
    if snapshot_usable():
        holder.note_border_post(key, user.role, timezone.localdate())
    if request.method != "POST":
        return _refuse(user, 405, {"detail": f'Method "{request.method}" not allowed.'})
    if refusal is not None:
        return _refuse(user, 400, refusal.errors)
    border_check_audit(actor=user, traveller=traveller, answer=answer)
    return JsonResponse({"hit": answer.hit, "measure": answer.measure, "reference": answer.reference})


def _unauthenticated(detail: str) -> JsonResponse:
    response = JsonResponse({"detail": detail}, status=401)
    response["WWW-Authenticate"] = "Token"
    return response


class BorderCheckHandler(WSGIHandler):
    """Django's WSGI handler for this one path, with only the middleware it needs: security (the HTTPS
    redirect, nosniff and the other headers) and the request id that its audit rows carry.

    Everything else of a Django request stays: the request and response classes, exceptions turned into
    responses (a bad Host is a 400), and the request_started/request_finished signals that keep the
    database connection healthy (CONN_MAX_AGE).
    """

    def load_middleware(self, is_async=False):
        handler = convert_exception_to_response(border_check_view)
        for middleware in (RequestIdMiddleware, SecurityMiddleware):
            handler = convert_exception_to_response(middleware(handler))
        self._view_middleware, self._template_response_middleware, self._exception_middleware = [], [], []
        self._middleware_chain = handler


class BorderCheckApplication:
    """The WSGI application of `PATH` in production: a well-formed question of a border post, over an
    accepted scheme and Host, is answered from the process's snapshot (`border_check_from_snapshot`) with
    no Django request or response at all; anything else (no or another token, a malformed question, a
    Host to refuse, a redirect to HTTPS, SQLite, a snapshot that cannot answer) goes to
    `BorderCheckHandler`, which answers it exactly as before.

    The answer carries the headers that the security middleware would add (worked out once, when the
    application is built, as the middleware reads its settings then too) and the request id; its audit
    row is durable before it is returned, as on the Django path.
    """

    def __init__(self):
        self.django = BorderCheckHandler()
        self._allowed_hosts = settings.ALLOWED_HOSTS or ([".localhost", "127.0.0.1", "[::1]"]
                                                         if settings.DEBUG else [])
        self._hosts: dict[str, bool] = {}
        self._headers = {secure: self._security_headers(secure) for secure in (False, True)}

    @staticmethod
    def _security_headers(secure: bool) -> list[tuple[str, str]]:
        middleware = SecurityMiddleware(lambda request: None)
        response = middleware.process_response(types.SimpleNamespace(is_secure=lambda: secure),
                                               JsonResponse({}))
        return [(name, value) for name, value in response.items()]

    def _is_secure(self, environ) -> bool:
        if settings.SECURE_PROXY_SSL_HEADER:
            header, secure_value = settings.SECURE_PROXY_SSL_HEADER
            value = environ.get(header)
            if value is not None:
                return value.split(",", 1)[0].strip() == secure_value
        return environ.get("wsgi.url_scheme") == "https"

    def _host_allowed(self, environ) -> bool:
        if settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in environ:
            host = environ["HTTP_X_FORWARDED_HOST"]
        else:
            host = environ.get("HTTP_HOST")
        if host is None:
            return False
        allowed = self._hosts.get(host)
        if allowed is None:
            domain, _ = split_domain_port(host)
            allowed = bool(domain) and validate_host(domain, self._allowed_hosts)
            if len(self._hosts) < 1000:
                self._hosts[host] = allowed
        return allowed

    def __call__(self, environ, start_response):
        answered = self._answer(environ)
        if answered is None:
            return self.django(environ, start_response)
        start_response(*answered[:2])
        return [answered[2]]

    def _answer(self, environ):
        """(status, headers, body) of a question the snapshot answers, or None for the Django path. The
        body read here is handed on to the Django path."""
        if environ.get("REQUEST_METHOD") != "POST" or not snapshot_usable():
            return None
        secure = self._is_secure(environ)
        if (settings.SECURE_SSL_REDIRECT and not secure) or not self._host_allowed(environ):
            return None
        words = environ.get("HTTP_AUTHORIZATION", "").split()
        if len(words) != 2 or words[0].lower() != "token":
            return None
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None
        if not 0 < length <= _FAST_BODY_LIMIT:
            return None
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        try:
            traveller = _traveller(_clean(body))
        except BadRequest:
            return None
        request_id = environ.get("HTTP_X_REQUEST_ID", "")[:64] or uuid.uuid4().hex
        try:
            answer = border_check_from_snapshot(token_key=words[1], traveller=traveller,
                                                today=timezone.localdate(), request_id=request_id)
        except DatabaseError:
            # The audit batch failed and nothing of it was written; the Django path answers or fails as it
            # always did.
            logger.warning("border check audit batch failed; answered through the Django path", exc_info=True)
            return None
        if answer is None:
            return None
        content = json.dumps({"hit": answer.hit, "measure": answer.measure, "reference": answer.reference}).encode()
        return "200 OK", [*self._headers[secure], ("Content-Length", str(len(content))),
                          ("X-Request-Id", request_id)], content
