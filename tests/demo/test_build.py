"""`demo_build`: the story lands in the app DB and the facts store, with working demo logins."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.contrib.auth import authenticate

from m3.demo.build import DemoResult, demo_build
from m3.errors import InputError
from m3.facts.store import FactsStore
from m3.initiatives.models import Initiative
from m3.message.models import Touchpoint
from m3.org.models import CrmIdentity, Leadership, Membership, Person, Unit
from m3.pulse.models import PulseResponse

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 4)


def build(facts: FactsStore, *, reset: bool = False,
          progress: Callable[[str, float], None] | None = None) -> DemoResult:
    """A small demo: 24 reps in 6 teams, 8 weeks since the rollout."""
    return demo_build(reps=24, weeks=8, seed=5, today=TODAY, facts=facts, reset=reset,
                      progress=progress)


def fact_rows(facts: FactsStore, table: str) -> int:
    with facts.connect() as con:
        return int(con.table(table).count().execute())


def app_counts() -> dict[str, int]:
    return {
        "units": Unit.objects.count(),
        "people": Person.objects.count(),
        "memberships": Membership.objects.count(),
        "leaderships": Leadership.objects.count(),
        "initiatives": Initiative.objects.count(),
        "touchpoints": Touchpoint.objects.count(),
        "pulses": PulseResponse.objects.count(),
    }


@pytest.fixture
def built(facts: FactsStore) -> DemoResult:
    return build(facts)


def test_a_small_demo_writes_what_its_counts_say(built: DemoResult, facts: FactsStore) -> None:
    for name, count in app_counts().items():
        assert built.counts[name] == count, name
    # 24 reps; admin, executive, enablement, overlay; 3 directors; 6 managers.
    assert built.counts["people"] == 24 + 4 + 3 + 6
    assert fact_rows(facts, "activities") == built.counts["activities"] > 10_000
    assert fact_rows(facts, "opportunities") == built.counts["opportunities"] > 100
    assert set(built.story.values()) == {"exemplary", "faded", "two voices",
                                         "no lever reporting", "poor territory", "steady"}


def test_every_demo_login_authenticates_as_its_person(built: DemoResult) -> None:
    roles = [role for role, _, _ in built.logins]
    assert roles == ["admin", "executive", "leader", "rep", "leader"]
    for role, email, password in built.logins:
        user = authenticate(username=email, password=password)
        assert user is not None, email
        person = Person.objects.get(user=user)
        assert person.role == role
        assert user.is_staff is (role == "admin")
        assert len(password) >= 8
    exemplary_manager = built.logins[2][1]
    assert Leadership.objects.filter(person__email=exemplary_manager, kind="manager",
                                     unit__name="Team Harbor").exists()
    two_voices_manager = built.logins[4][1]
    assert Leadership.objects.filter(person__email=two_voices_manager, kind="manager",
                                     unit__name="Team Summit").exists()
    assert Membership.objects.filter(person__email=built.logins[3][1],
                                     unit__name="Team Harbor").exists()


def test_fact_rows_carry_the_demo_source_person_ids_and_crm_owners(
    built: DemoResult, facts: FactsStore
) -> None:
    with facts.connect() as con:
        rows = con.table("activities").select("source", "rep_id", "owner").distinct().execute()
    assert set(rows["source"]) == {"demo"}
    owners = dict(CrmIdentity.objects.values_list("crm_id", "person_id"))
    assert all(owners[o] == r for o, r in zip(rows["owner"], rows["rep_id"], strict=True))
    assert set(rows["rep_id"]) <= set(Person.objects.filter(role="rep").values_list("pk",
                                                                                   flat=True))


def test_building_over_an_existing_org_is_refused(built: DemoResult, facts: FactsStore) -> None:
    with pytest.raises(InputError, match="m3 demo --reset"):
        build(facts)


def test_a_reset_rebuild_replaces_the_demo_with_the_same_counts(
    built: DemoResult, facts: FactsStore
) -> None:
    again = build(facts, reset=True)
    assert again.counts == built.counts and again.logins == built.logins
    assert app_counts() == {k: built.counts[k] for k in app_counts()}
    assert fact_rows(facts, "activities") == built.counts["activities"]
    assert authenticate(username=again.logins[0][1], password=again.logins[0][2]) is not None


def test_progress_is_reported_from_start_to_finish(facts: FactsStore) -> None:
    steps: list[tuple[str, float]] = []
    build(facts, progress=lambda step, fraction: steps.append((step, fraction)))
    fractions = [f for _, f in steps]
    assert fractions == sorted(fractions) and fractions[0] == 0 and fractions[-1] == 1
    assert any("activities" in step for step, _ in steps)
