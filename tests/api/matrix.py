"""The scoping matrix every people endpoint is held to: anonymous, no permission, own, other jurisdiction."""

from longarm.audit.models import AuditEntry


def assert_anonymous_is_refused(client, base: str, own_id: str) -> None:
    for path in (base, f"{base}{own_id}/"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response["WWW-Authenticate"] == "Token"
    assert not AuditEntry.objects.filter(action__in=("list", "view")).exists()


def assert_refused_without_permission(client, base: str, own_id: str) -> None:
    for path in (base, f"{base}{own_id}/"):
        assert client.get(path).status_code == 403, path
    assert not AuditEntry.objects.filter(action__in=("list", "view")).exists()


def assert_own_record_is_listed_and_its_view_audited(client, user, base: str, own_id: str, other_id: str,
                                                    target_type: str) -> dict:
    listing = client.get(base)
    assert listing.status_code == 200
    id_field = next(iter(listing.json()["results"][0]))
    listed = [row[id_field] for row in listing.json()["results"]]
    assert own_id in listed and other_id not in listed
    list_row = AuditEntry.objects.get(action="list", actor=user)
    assert (list_row.target_type, list_row.detail["ids"]) == (target_type, listed)

    detail = client.get(f"{base}{own_id}/")
    assert detail.status_code == 200
    view_row = AuditEntry.objects.get(action="view", actor=user)
    assert (view_row.target_type, view_row.target_id) == (target_type, own_id)
    return detail.json()


def assert_other_jurisdiction_is_404_like_missing(client, base: str, other_id: str) -> None:
    other = client.get(f"{base}{other_id}/")
    missing = client.get(f"{base}does-not-exist/")
    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()
    assert not AuditEntry.objects.filter(action="view").exists()
