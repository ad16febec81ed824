import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import _records_of


@pytest.mark.parametrize("base", ["/api/officials/", "/api/relatives/", "/api/documents/", "/api/custody-events/",
                                  "/api/trips/", "/api/crossings/", "/api/watchlist/"])
def test_list_endpoints_cost_the_same_queries_for_two_rows_or_ten(world, make_official, make_user, client_for, base):
    client = client_for(make_user("central_analyst"))
    with CaptureQueriesContext(connection) as few:
        assert client.get(base).status_code == 200
    for n in range(4):
        _records_of(make_official(official_id=f"SH-{n}", jurisdiction="CN-SH"), f"SH{n}", "CN-SH")
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(base).json()["results"]) > 4
    assert len(many.captured_queries) == len(few.captured_queries)
