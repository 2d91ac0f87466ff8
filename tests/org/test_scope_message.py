"""What a viewer may do with the message and pulses, answered by their Scope on a day."""

from __future__ import annotations

import datetime as dt

import pytest

from m3.errors import AccessDenied
from m3.org.models import Leadership
from m3.org.scope import NOBODY, Scope, scope_for_person
from m3.org.services import leadership_end, leadership_start, membership_move
from m3.vocabulary import LeadershipKind, Role
from tests.factories import START, small_org

pytestmark = pytest.mark.django_db
DAY = START + dt.timedelta(days=10)
SUPERUSER = Scope(Role.ADMIN, None, frozenset(), frozenset(), everything=True)


def test_message_health_is_for_leaders_and_restating_and_pulses_for_reps() -> None:
    org = small_org()
    rep, leader = scope_for_person(org.rep_a1, DAY), scope_for_person(org.manager_a, DAY)
    with pytest.raises(AccessDenied, match="restate the message on the initiative's page"):
        rep.require_message_health()
    leader.require_message_health()
    SUPERUSER.require_message_health()
    assert rep.require_restater() == org.rep_a1.pk == rep.require_pulse_answerer()
    with pytest.raises(AccessDenied, match="Leaders log touchpoints instead"):
        leader.require_restater()
    with pytest.raises(AccessDenied, match="leaders read them on the message health page"):
        leader.require_pulse_answerer()
    with pytest.raises(AccessDenied, match="not linked to a person"):
        SUPERUSER.touchpoint_author_id()
    with pytest.raises(AccessDenied, match="only reps answer pulses"):
        NOBODY.linked_person_id("Your login is not linked to a person: only reps answer pulses.")


def test_a_leader_logs_only_for_the_units_and_people_they_lead_on_the_day() -> None:
    org = small_org()
    mia = scope_for_person(org.manager_a, DAY)
    assert mia.led_unit_ids == frozenset({org.team_a.pk}) == mia.unit_ids
    assert mia.require_touchpoint_logging() == org.manager_a.pk
    assert mia.touchpoint_problem(DAY, org.team_a.pk, None) is None
    assert mia.touchpoint_problem(DAY, None, org.rep_a2.pk) is None
    assert mia.touchpoint_problem(DAY, org.team_b.pk, None) == (
        f"Mia Manager does not lead Team B on {DAY}; log touchpoints only for units you lead.")
    assert mia.touchpoint_problem(DAY, None, org.rep_b1.pk) == (
        f"That person is not in a unit Mia Manager leads on {DAY}.")
    # Bea moves to Team A later: a one-to-one on DAY is still not Mia's.
    membership_move(org.rep_b1, org.team_a, DAY + dt.timedelta(days=5))
    assert mia.touchpoint_problem(DAY, None, org.rep_b1.pk) is not None
    with pytest.raises(AccessDenied, match="you lead no unit today"):
        scope_for_person(org.admin, DAY).require_touchpoint_logging()


def test_an_admin_who_leads_a_unit_logs_for_it_and_sees_everything() -> None:
    org = small_org()
    leadership_start(org.admin, org.team_c, LeadershipKind.ENABLEMENT, START)
    admin = scope_for_person(org.admin, DAY)
    assert admin.everything and admin.led_unit_ids == frozenset({org.team_c.pk})
    assert admin.touchpoint_problem(DAY, org.team_c.pk, None) is None
    assert admin.touchpoint_problem(DAY, org.team_a.pk, None) is not None
    assert admin.audience_filter(DAY) is None


def test_a_leader_who_has_left_leads_nothing_after_the_day_they_left() -> None:
    org = small_org()
    leadership_end(Leadership.objects.get(person=org.manager_c), DAY)
    assert scope_for_person(org.manager_c, DAY - dt.timedelta(days=1)).led_unit_ids == {
        org.team_c.pk}
    assert scope_for_person(org.manager_c, DAY).led_unit_ids == frozenset()


def test_restating_and_answering_pulses_need_a_rep_of_the_initiatives_units() -> None:
    org = small_org()
    north = frozenset({org.north.pk, org.team_a.pk, org.team_b.pk})
    rae, cal = scope_for_person(org.rep_a1, DAY), scope_for_person(org.rep_c1, DAY)
    assert rae.restatement_problem(DAY, north, "ROI") is None
    assert rae.pulse_problem(START, north, "ROI") is None
    assert cal.restatement_problem(DAY, north, "ROI") == (
        f"Cal Rep is outside the scope of ROI on {DAY}: only reps in its units restate it.")
    assert cal.pulse_problem(START, north, "ROI") == (
        "Cal Rep is outside the scope of ROI that week.")
    mia = scope_for_person(org.manager_a, DAY)
    assert mia.restatement_problem(DAY, north, "ROI") == (
        "Mia Manager is not a rep: restatements check what reps understood; leaders log "
        "touchpoints instead.")
    assert mia.pulse_problem(START, north, "ROI") == (
        "Pulses ask reps how the initiative lands; leaders read them, they don't answer.")
