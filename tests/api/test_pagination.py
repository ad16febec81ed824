import pytest
from django.conf import settings

BASE = "/api/officials/"


@pytest.fixture
def many_officials(make_official):
    return [make_official(official_id=f"GD-{n:03d}") for n in range(7)]


def test_pages_follow_page_and_page_size_without_overlap(many_officials, make_user, client_for):
    client = client_for(make_user("central_analyst"))
    first = client.get(f"{BASE}?page_size=3").json()
    third = client.get(f"{BASE}?page_size=3&page=3").json()
    assert first["count"] == 7
    assert [o["official_id"] for o in first["results"]] == ["GD-000", "GD-001", "GD-002"]
    assert [o["official_id"] for o in third["results"]] == ["GD-006"]
    assert first["next"].endswith("page=2&page_size=3")


def test_page_size_is_capped_at_the_maximum(many_officials, make_user, client_for, monkeypatch):
    from longarm.api_pagination import Pagination

    assert Pagination.max_page_size == settings.LONGARM_API_MAX_PAGE_SIZE
    monkeypatch.setattr(Pagination, "max_page_size", 4)
    response = client_for(make_user("central_analyst")).get(f"{BASE}?page_size=1000")
    assert len(response.json()["results"]) == 4


def test_page_past_the_end_is_404(many_officials, make_user, client_for):
    assert client_for(make_user("central_analyst")).get(f"{BASE}?page=99").status_code == 404
