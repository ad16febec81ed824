"""The vault: documents by custody state, one document's custody history and actions, the user's reminders.

Thin views: reads start from `Document.objects.visible_to(user)`; each action
calls one service of `longarm.documents.services` and shows a refusal in its form.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from longarm.access import feature_required
from longarm.audit.services import audit_record, audit_view
from longarm.documents import services
from longarm.documents.errors import CustodyError
from longarm.documents.forms import DepositForm, MrzCheckForm, ReasonForm, ReleaseForm, VaultFilterForm
from longarm.documents.models import Document, Reminder
from longarm.documents.mrz import mrz_compare, mrz_parse
from longarm.documents.vault import CustodyState, custody_history, custody_state_at, vault_documents, vault_row
from longarm.registry.selectors import page_of

FEATURE = "vault"
REMINDERS_SHOWN = 100

ACTIONS = {
    "deposit": (lambda doc, actor, data: services.document_deposit(document=doc, actor=actor, note=data["note"]),
                "deposited"),
    "release": (lambda doc, actor, data: services.document_release(document=doc, actor=actor, trip=data["trip"],
                                                                   reason=data["reason"]), "released"),
    "lost": (lambda doc, actor, data: services.document_report_lost(document=doc, actor=actor,
                                                                    reason=data["reason"]), "reported lost"),
    "cancel": (lambda doc, actor, data: services.document_cancel(document=doc, actor=actor, reason=data["reason"]),
               "cancelled"),
}


def _action_form(action: str, document: Document, user, data=None):
    prefix = action
    if action == "deposit":
        return DepositForm(data, prefix=prefix)
    if action == "release":
        return ReleaseForm(data, prefix=prefix, document=document, user=user)
    return ReasonForm(data, prefix=prefix)


def page_number(request) -> int:
    """The `page` asked for (from 1); anything else than a positive whole number asks for the first page."""
    try:
        return min(max(int(request.GET.get("page") or 1), 1), 1_000_000)
    except ValueError:
        return 1


@require_GET
@feature_required(FEATURE)
def vault_list(request):
    """The documents the user may see with their custody now, filtered, a page at a time (the shared htmx
    pager keeps the filters), and the user's reminders; htmx gets the results only."""
    form = VaultFilterForm(request.GET)
    page = None
    if form.is_valid():
        data = form.cleaned_data
        today = timezone.localdate()
        documents = vault_documents(user=request.user, state=data["state"] or None,
                                    official_id=data["official_id"].strip(),
                                    overdue_on=today if data["overdue"] else None)
        page = page_of(documents, number=page_number(request))
        page.rows = [vault_row(document, today=today) for document in page.rows]
        audit_record(actor=request.user, action="search", target_type="documents.document",
                     detail={"state": data["state"], "official_id": data["official_id"].strip(),
                             "overdue": data["overdue"], "page": page.number, "shown": len(page.rows)})
    partial = request.htmx and not request.htmx.history_restore_request
    if partial:
        response = render(request, "documents/vault.html#results", {"form": form, "page": page})
    else:
        reminders = Reminder.objects.visible_to(request.user).filter(user=request.user).select_related("document")
        response = render(request, "documents/vault.html", {"form": form, "page": page,
                                                            "reminders": reminders[:REMINDERS_SHOWN]})
    patch_vary_headers(response, ["HX-Request"])
    return response


def _render_document(request, document: Document, *, bound=None, status=200):
    audit_view(actor=request.user, target=document)
    forms = {action: bound if bound is not None and bound.prefix == action
             else _action_form(action, document, request.user) for action in ACTIONS}
    return render(request, "documents/vault_document.html", {
        "document": document, "state": custody_state_at(document=document),
        "history": custody_history(document=document), "forms": forms, "states": CustodyState,
    }, status=status)


@require_GET
@feature_required(FEATURE)
def vault_document(request, document_id: str):
    """One document: where it is now, its custody history, and the custody actions."""
    return _render_document(request, Document.objects.get_visible(request.user, pk=document_id))


@require_POST
@feature_required(FEATURE)
def vault_act(request, document_id: str, action: str):
    """Deposit, release for an approved trip, report lost or cancel through the service; refusals in the form."""
    if action not in ACTIONS:
        raise Http404("No such action.")
    document = Document.objects.get_visible(request.user, pk=document_id)
    form = _action_form(action, document, request.user, request.POST)
    if form.is_valid():
        act, done = ACTIONS[action]
        try:
            act(document, request.user, form.cleaned_data)
        except CustodyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Document {document.pk} {done}.")
            return redirect("documents:vault-document", document_id=document.pk)
    return _render_document(request, document, bound=form, status=400)


@require_POST
@feature_required(FEATURE)
def reminder_read(request, pk: int):
    """Mark one of the user's reminders read."""
    reminder = Reminder.objects.visible_to(request.user).filter(user=request.user, pk=pk).first()
    if reminder is None:
        raise Http404("No such reminder.")
    services.reminder_mark_read(reminder=reminder, actor=request.user)
    return redirect("documents:vault")


# Checking a zone is for staff who work across officials' documents.
MRZ_FEATURE = "officials_search"


@require_http_methods(["GET", "POST"])
@feature_required(MRZ_FEATURE)
def mrz_check(request):
    """Parse a pasted MRZ and list each field and each problem, field by field; compared with a document
    of a visible official when one is named. htmx posts on input and gets the result only."""
    form = MrzCheckForm(request.POST if request.method == "POST" else None)
    parsed = document = None
    problems = ()
    if form.is_bound and form.is_valid():
        parsed = mrz_parse(form.cleaned_data["mrz"])
        problems = tuple(parsed.problems)
        document_id = form.cleaned_data["document"].strip()
        if document_id:
            # Not yours and not there read alike: the same message for both.
            document = Document.objects.visible_to(request.user).select_related("official").filter(
                pk=document_id).first()
            if document is None:
                form.add_error("document", "No document with this id in your scope.")
            else:
                audit_view(actor=request.user, target=document, detail={"purpose": "mrz_check"})
                official = document.official
                problems += tuple(mrz_compare(
                    parsed, number=document.number, issuing_state=document.issuing_state,
                    expires_on=document.expires_on, date_of_birth=official.date_of_birth, sex=official.sex,
                    family_name=official.family_name, given_name=official.given_name))
    partial = request.htmx and not request.htmx.history_restore_request
    return render(request, "documents/mrz_check.html#result" if partial else "documents/mrz_check.html",
                  {"form": form, "parsed": parsed, "problems": problems, "document": document})
