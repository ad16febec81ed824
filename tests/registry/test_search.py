import pytest

from longarm.registry.models import Official
from longarm.registry.search import officials_search


@pytest.fixture
def officials(make_official):
    return {
        "zhang": make_official(official_id="GD-1", family_name="ZHANG", given_name="XIAOMING", native_name="张晓明",
                               national_id="440100197005170011", name_key="ZHANGXIAOMING"),
        "ouyang": make_official(official_id="GD-2", family_name="OUYANG", given_name="NA", native_name="欧阳娜",
                                name_key="OUYANGNA"),
        "li": make_official(official_id="GD-3", family_name="LI", given_name="ZHANG", native_name="李章",
                            name_key="LIZHANG"),
    }


def ids(queryset):
    return sorted(queryset.values_list("official_id", flat=True))


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("ZHANG XIAOMING", ["GD-1"]),
        ("xiaoming zhang", ["GD-1"]),  # either order, any case
        ("Zhang Xiao-Ming", ["GD-1"]),  # normalised like the spec's name key
        ("ZHANG XIAO", ["GD-1"]),  # prefix of the full name
        ("ZHANG", ["GD-1", "GD-3"]),  # family name, or given name
        ("na", ["GD-2"]),
        ("晓明", ["GD-1"]),  # native name contains
        ("GD-3", ["GD-3"]),
        ("440100197005170011", ["GD-1"]),
        ("WANG", []),
        ("", ["GD-1", "GD-2", "GD-3"]),
    ],
)
def test_officials_search_matches_names_either_order_native_name_and_ids(officials, q, expected):
    assert ids(officials_search(Official.objects.all(), q)) == expected


def test_officials_search_never_widens_the_queryset_it_is_given(officials):
    only_li = Official.objects.filter(official_id="GD-3")
    assert ids(officials_search(only_li, "ZHANG XIAOMING")) == []


def test_officials_search_does_not_match_an_id_by_prefix(officials):
    assert ids(officials_search(Official.objects.all(), "GD-")) == []
