"""`POST /api/border/check`: the border posts' question, answered hit / no hit.

Only border posts ask it, each with its own token; every call is audited,
with the kind of question and the entry hit, never the traveller's data.

This one endpoint is a plain Django view, not DRF: it is called at every
border crossing and must answer in milliseconds. Per call it costs one indexed
query for the token (joined to its active user) at most every
`TOKEN_CACHE_SECONDS` per process (a short-lived in-process cache of token to
user: a revoked token, a deactivated user or a changed role takes effect within
30 seconds, not at once), one query for the answer (see `border_check`), and
the audit row through `audit_record` in the same transaction
(`border_check_ask`). The contract is DRF's: the same fields and validation messages,
401 with `WWW-Authenticate: Token` without valid credentials (a session login
does not count), 403 for other roles, 400 with field errors, refusals of an
authenticated caller audited.
"""

import datetime
import json
import re
import time

from django.contrib.auth import get_user_model
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from longarm.accounts.models import Role
from longarm.audit.services import audit_record
from longarm.registry.models import Sex
from longarm.watchlist.border_check import (
    AUDIT_ACTION,
    BorderCheckError,
    QueryKind,
    Traveller,
    border_check_ask,
    traveller_from_mrz,
)

_ISSUING_STATE = re.compile(r"^[A-Z]{3}$")
_STRING_FIELDS = {"document_number": 64, "mrz": 120, "family_name": 200, "given_name": 200}
IDENTITY_FIELDS = ("family_name", "date_of_birth", "sex")
TOKEN_CACHE_SECONDS = 30
_TOKEN_CACHE_MAX = 10_000
_token_cache: dict[str, tuple[float, object]] = {}
User = get_user_model()


class BadRequest(Exception):
    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


def _token_user(request):
    """The active user of the `Authorization: Token <key>` header, or None: one indexed query, its answer
    kept `TOKEN_CACHE_SECONDS` (unknown keys are not cached, so a new token works at once)."""
    words = request.headers.get("Authorization", "").split()
    if len(words) != 2 or words[0].lower() != "token":
        return None
    key, now = words[1], time.monotonic()
    cached = _token_cache.get(key)
    if cached is not None and cached[0] > now:
        return cached[1]
    user = User.objects.filter(auth_token__key=key, is_active=True).only("pk", "username", "role").first()
    if user is not None:
        if len(_token_cache) >= _TOKEN_CACHE_MAX:
            _token_cache.clear()
        _token_cache[key] = (now + TOKEN_CACHE_SECONDS, user)
    return user


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
    audit_record(actor=user, action=AUDIT_ACTION, detail={"query": None, "hit": None, "refused": status})
    return JsonResponse(body, status=status)


@csrf_exempt
def border_check_view(request):
    """Is this traveller an official under an exit ban or alert in force today?

    Ask with `document_number` + `issuing_state`, or with `mrz`, or with
    `family_name` + `given_name` + `date_of_birth` + `sex`. The answer holds
    `hit`, the `measure` and a `reference` to quote when calling the agency.
    """
    user = _token_user(request)
    if user is None:
        detail = ("Invalid token." if request.headers.get("Authorization", "").lower().startswith("token ")
                  else "Authentication credentials were not provided.")
        response = JsonResponse({"detail": detail}, status=401)
        response["WWW-Authenticate"] = "Token"
        return response
    if user.role != Role.BORDER_POST:
        return _refuse(user, 403, {"detail": "Only border posts may ask the border check."})
    if request.method != "POST":
        return _refuse(user, 405, {"detail": f'Method "{request.method}" not allowed.'})
    try:
        traveller = _traveller(_clean(request.body))
    except BadRequest as error:
        return _refuse(user, 400, error.errors)
    answer = border_check_ask(actor=user, traveller=traveller, today=timezone.localdate())
    return JsonResponse({"hit": answer.hit, "measure": answer.measure, "reference": answer.reference})
