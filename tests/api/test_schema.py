import re

from django.core.management import call_command

from tests.api.conftest import https_client


def test_schema_generates_and_validates_without_warnings(db, tmp_path):
    target = tmp_path / "schema.yml"
    # the same as `longarm spectacular --validate --fail-on-warn --file …`: raises on any warning or error
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = target.read_text()
    for path in ("/api/officials/{official_id}/", "/api/documents/{document_id}/", "/api/crossings/",
                 "/api/auth/token/", "/api/me/", "/api/audit-entries/"):
        assert f"  {path}:" in schema


def test_schema_is_served_at_api_schema(db):
    response = https_client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert "/api/officials/" in response.json()["paths"]


def test_docs_page_loads_swagger_ui_from_local_static_files_only(db):
    response = https_client().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    urls += re.findall(r"""["']((?:https?:)?//[^"']+)["']""", html)
    assert any("swagger-ui-dist" in url for url in urls), urls
    external = [url for url in urls if re.match(r"^(?:[a-z]+:)?//", url)]
    assert external == []
    assert all(url.startswith("/static/") for url in urls if "swagger-ui" in url)
