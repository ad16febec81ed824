import pytest

from longarm.border.models import Crossing
from longarm.registry.models import Official


@pytest.fixture
def two_provinces(make_official):
    return make_official(jurisdiction="CN-GD"), make_official(jurisdiction="CN-BJ", organization="Beijing Bureau")


@pytest.mark.parametrize(
    ("role", "jurisdiction", "expected"),
    [
        ("provincial_analyst", "CN-GD", {"CN-GD"}),
        ("provincial_analyst", "CN-BJ", {"CN-BJ"}),
        ("provincial_analyst", "", set()),  # a provincial role without a jurisdiction sees nothing
        ("central_analyst", "", {"CN-GD", "CN-BJ"}),
        ("administrator", "", {"CN-GD", "CN-BJ"}),
        ("auditor", "", set()),
        ("border_post", "CN-GD", set()),
        ("pursuit_officer", "CN-BJ", {"CN-BJ"}),
    ],
)
def test_officials_visible_to_follows_role_and_jurisdiction(two_provinces, make_user, role, jurisdiction, expected):
    user = make_user(role, jurisdiction)
    seen = set(Official.objects.visible_to(user).values_list("jurisdiction", flat=True))
    assert seen == expected


def test_anonymous_sees_nothing(two_provinces):
    from django.contrib.auth.models import AnonymousUser

    assert not Official.objects.visible_to(AnonymousUser()).exists()


def test_personnel_officer_sees_only_their_unit(two_provinces, make_official, make_user):
    make_official(jurisdiction="CN-GD", organization="Shenzhen Customs")
    officer = make_user("personnel_officer", "CN-GD", organization="Shenzhen Customs")
    assert list(Official.objects.visible_to(officer).values_list("organization", flat=True)) == ["Shenzhen Customs"]


def test_official_sees_only_themselves(two_provinces, make_user):
    own, _ = two_provinces
    user = make_user("official", "CN-GD", official=own)
    assert list(Official.objects.visible_to(user)) == [own]


def test_get_visible_raises_404_for_another_jurisdiction(two_provinces, make_user):
    from django.http import Http404

    _, beijing = two_provinces
    with pytest.raises(Http404):
        Official.objects.get_visible(make_user("provincial_analyst", "CN-GD"), pk=beijing.pk)


def test_crossing_seen_by_home_and_port_jurisdiction(two_provinces, make_user):
    import datetime

    guangdong_official, _ = two_provinces
    crossing = Crossing.objects.create(
        event_id="E1", direction="exit", occurred_at=datetime.datetime(2026, 10, 1, tzinfo=datetime.UTC),
        local_date=datetime.date(2026, 10, 1), port="PEK", port_jurisdiction="CN-BJ", doc_type="passport",
        doc_number="E1", doc_number_norm="E1", issuing_state="CHN", family_name="ZHANG", given_name="XIAOMING",
        date_of_birth=datetime.date(1970, 5, 17), sex="M", nationality="CHN", official=guangdong_official,
    )
    for jurisdiction in ("CN-GD", "CN-BJ"):
        assert list(Crossing.objects.visible_to(make_user("provincial_analyst", jurisdiction))) == [crossing]
    assert not Crossing.objects.visible_to(make_user("provincial_analyst", "CN-SH")).exists()
