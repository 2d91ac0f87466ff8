"""Calendar exports (.ics from Outlook and Google) imported as a leader's touchpoints."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from m3.errors import InputError
from m3.ingest.models import ImportRun
from m3.ingest.problems import ImportRejected
from m3.initiatives.models import Initiative
from m3.initiatives.services import initiative_save
from m3.message.calendar import calendar_import, match_terms
from m3.message.cli import message_group
from m3.message.models import Touchpoint
from m3.vocabulary import ImportStatus
from tests.factories import START, SmallOrg, small_org
from tests.initiatives.test_services import roi_input

pytestmark = pytest.mark.django_db
TODAY = START + dt.timedelta(days=60)  # 2026-03-06

OUTLOOK_HEAD = """BEGIN:VCALENDAR
PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN
VERSION:2.0
METHOD:PUBLISH
X-WR-CALNAME:Calendar
BEGIN:VTIMEZONE
TZID:W. Europe Standard Time
BEGIN:STANDARD
DTSTART:16011028T030000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010325T020000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
END:DAYLIGHT
END:VTIMEZONE
"""

GOOGLE_HEAD = """BEGIN:VCALENDAR
PRODID:-//Google Inc//Google Calendar 70.9054//EN
VERSION:2.0
CALSCALE:GREGORIAN
METHOD:PUBLISH
X-WR-CALNAME:dan.director@example.test
X-WR-TIMEZONE:Europe/Berlin
"""

DAN = "ORGANIZER;CN=Dan Director:mailto:dan.director@example.test"


def attendee(name: str, status: str = "ACCEPTED") -> str:
    """An ATTENDEE line as Outlook and Google write it (folded past 75 octets, like theirs)."""
    email = f"{name.lower().replace(' ', '.')}@example.test"
    line = (f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT={status};CN={name};"
            f"X-NUM-GUESTS=0:mailto:{email}")
    return line[:75] + "\n " + line[75:] if len(line) > 75 else line


def event(uid: str, summary: str, start: str, *lines: str) -> str:
    """A VEVENT; `start` is the DTSTART line's parameters and value (after "DTSTART")."""
    body = "\n".join(lines)
    return (f"BEGIN:VEVENT\nUID:{uid}\nDTSTAMP:20260301T120000Z\nSUMMARY:{summary}\n"
            f"DTSTART{start}\n{body}\nEND:VEVENT\n")


def ics(tmp_path: Path, head: str, *events: str, name: str = "calendar.ics") -> Path:
    """Write a calendar with CRLF line ends, as both exporters do."""
    path = tmp_path / name
    text = head + "".join(events) + "END:VCALENDAR\n"
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    return path


TEAMS_DESCRIPTION = (
    "DESCRIPTION:Bring your open proposals: we put the number in every one.\\n\\n"
    + "_" * 60 + "\\nMicrosoft Teams meeting\\nJoin on your computer or mobile app\\n"
    "Click here to join the meeting<https://teams.microsoft.com/l/meetup-join/19%3ameeting>\\n"
    + "_" * 60
)

OUTLOOK_EVENTS = (
    # 1: two teams under North, in a room -> a meeting for North.
    event("040000008200E00074C5B7101A82E0080000000001", "North pipeline: ROI calculator",
          ";TZID=W. Europe Standard Time:20260112T090000",
          "DTEND;TZID=W. Europe Standard Time:20260112T100000", DAN,
          attendee("Rae Rep"), attendee("Bea Rep"),
          "ATTENDEE;CUTYPE=ROOM;CN=Room 4.12:mailto:room412@example.test",
          "LOCATION:Room 4.12", "STATUS:CONFIRMED"),
    # 2: one rep on Teams -> a video touchpoint to that person; the join block is left out.
    event("040000008200E00074C5B7101A82E0080000000002", "1:1 Rae - proposal review",
          ";TZID=W. Europe Standard Time:20260114T163000",
          "DTEND;TZID=W. Europe Standard Time:20260114T170000", DAN, attendee("Rae Rep"),
          TEAMS_DESCRIPTION, "LOCATION:Microsoft Teams Meeting",
          "X-MICROSOFT-SKYPETEAMSMEETINGURL:https://teams.microsoft.com/l/meetup-join/19%3am"),
    # 3: just after midnight in Berlin (still the 15th in UTC) -> Team A on the 16th.
    event("040000008200E00074C5B7101A82E0080000000003", "Team A deep dive: the customer's cost",
          ";TZID=W. Europe Standard Time:20260116T003000",
          "DTEND;TZID=W. Europe Standard Time:20260116T013000", DAN,
          attendee("Rae Rep"), attendee("Ray Rep"), attendee("Oli Overlay")),
    # 4: cancelled.
    event("040000008200E00074C5B7101A82E0080000000004", "Canceled: ROI calculator training",
          ";TZID=W. Europe Standard Time:20260120T090000", DAN, attendee("Rae Rep"),
          "STATUS:CANCELLED"),
    # 5: in the future.
    event("040000008200E00074C5B7101A82E0080000000005", "ROI quarterly review",
          ";TZID=W. Europe Standard Time:20260401T090000", DAN, attendee("Rae Rep")),
    # 6: not about the initiative.
    event("040000008200E00074C5B7101A82E0080000000006", "Budget sync",
          ";TZID=W. Europe Standard Time:20260121T140000", DAN, attendee("Bea Rep")),
    # 7: all day, everyone in North; Bea declined, so Team A is the smallest unit left.
    event("040000008200E00074C5B7101A82E0080000000007", "Offsite: Lead with value kickoff",
          ";VALUE=DATE:20260122", "DTEND;VALUE=DATE:20260123", DAN,
          attendee("Rae Rep"), attendee("Ray Rep"), attendee("Bea Rep", "DECLINED"),
          "TRANSP:TRANSPARENT"),
    # 8: the executive's all-hands that Dan attends: Eve's touchpoint, not his.
    event("040000008200E00074C5B7101A82E0080000000008", "All-hands: ROI",
          ";TZID=W. Europe Standard Time:20260123T090000",
          "ORGANIZER;CN=Eve Exec:mailto:eve.exec@example.test", attendee("Dan Director"),
          attendee("Rae Rep")),
    # 9: the initiative's words, but only a customer invited.
    event("040000008200E00074C5B7101A82E0080000000009", "Acme: ROI calculator walkthrough",
          ";TZID=W. Europe Standard Time:20260127T110000", DAN,
          "ATTENDEE;CN=Pat Buyer:mailto:pat@acme.example"),
)


def world() -> tuple[SmallOrg, Initiative]:
    org = small_org()
    return org, initiative_save(roi_input(org, unit_ids=(org.north.pk,)))


def stored(initiative: Initiative) -> list[tuple[str, str, str | None, str | None, str]]:
    rows = Touchpoint.objects.filter(initiative=initiative).order_by("date", "pk")
    return [(str(t.date), t.channel, t.unit.name if t.unit else None,
             t.person.name if t.person else None, t.content) for t in rows]


def test_the_default_match_is_the_title_and_the_key_points_distinctive_words() -> None:
    assert match_terms("Lead with value", ["Start with the customer's cost",
                                           "Use the ROI calculator",
                                           "Put the number in the proposal"]) == (
        "lead with value", "cost", "roi", "calculator", "proposal")


def test_an_outlook_export_becomes_exactly_the_meetings_about_the_initiative(
    tmp_path: Path,
) -> None:
    org, initiative = world()
    path = ics(tmp_path, OUTLOOK_HEAD, *OUTLOOK_EVENTS)
    result = calendar_import(path, initiative, org.director_north, TODAY)
    assert stored(initiative) == [
        ("2026-01-12", "meeting", "North", None, "North pipeline: ROI calculator"),
        ("2026-01-14", "video", None, "Rae Rep",
         "1:1 Rae - proposal review\n\nBring your open proposals: we put the number in every "
         "one."),
        ("2026-01-16", "meeting", "Team A", None, "Team A deep dive: the customer's cost"),
        ("2026-01-22", "meeting", "Team A", None, "Offsite: Lead with value kickoff"),
    ]
    assert (result.added, result.updated, result.unchanged, result.rejected) == (4, 0, 0, 0)
    assert result.skipped == (("cancelled", 1), ("in the future", 1),
                              ("organised by someone else", 1), ("not about the initiative", 1),
                              ("no attendee in an M3 team", 1))
    assert all(hasattr(t, "score") for t in Touchpoint.objects.all())


def test_importing_the_same_calendar_again_changes_nothing(tmp_path: Path) -> None:
    org, initiative = world()
    path = ics(tmp_path, OUTLOOK_HEAD, *OUTLOOK_EVENTS)
    calendar_import(path, initiative, org.director_north, TODAY)
    before = stored(initiative)
    again = calendar_import(path, initiative, org.director_north, TODAY)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 4)
    assert stored(initiative) == before
    runs = ImportRun.objects.order_by("pk")
    assert [(r.kind, r.source, r.status, r.added, r.unchanged) for r in runs] == [
        ("touchpoints", "ics", ImportStatus.SUCCEEDED, 4, 0),
        ("touchpoints", "ics", ImportStatus.SUCCEEDED, 0, 4),
    ]


GOOGLE_EVENTS = (
    # 1: 23:30 UTC on the 22nd is 00:30 on the 23rd in the calendar's zone (Europe/Berlin).
    event("5k1b2c3d4e5f@google.com", "Late call with Bea: ROI calculator", ":20260122T233000Z",
          "DTEND:20260123T000000Z", DAN, attendee("Dan Director"), attendee("Bea Rep"),
          "X-GOOGLE-CONFERENCE:https://meet.google.com/abc-defg-hij",
          "DESCRIPTION:Walk through the calculator on a live deal.\\n\\n-::~:~::~:~:~:~:~::~:~::-"
          "\\nJoin with Google Meet: https://meet.google.com/abc-defg-hij\\n\\nLearn more about "
          "Meet at: https://support.google.com/a/users/answer/9282720", "STATUS:CONFIRMED"),
    # 2, 3: a weekly huddle, one week excluded and one instance cancelled.
    event("7h8i9j0k1l2m@google.com", "Team A huddle", ":20260202T080000Z",
          "DTEND:20260202T083000Z", "RRULE:FREQ=WEEKLY;COUNT=4", "EXDATE:20260209T080000Z", DAN,
          attendee("Rae Rep"), attendee("Ray Rep"),
          "DESCRIPTION:Weekly: one ROI calculator story each."),
    event("7h8i9j0k1l2m@google.com", "Team A huddle", ":20260216T080000Z",
          "DTEND:20260216T083000Z", "RECURRENCE-ID:20260216T080000Z", DAN,
          attendee("Rae Rep"), attendee("Ray Rep"), "STATUS:CANCELLED"),
    # 4: the same audience, channel and day as the first huddle: one touchpoint with both.
    event("3n4o5p6q7r8s@google.com", "Team A: proposal clinic", ":20260202T140000Z",
          "DTEND:20260202T150000Z", DAN, attendee("Rae Rep"), attendee("Ray Rep")),
)


def test_a_google_export_is_dated_in_its_time_zone_and_repeats_are_expanded(
    tmp_path: Path,
) -> None:
    org, initiative = world()
    path = ics(tmp_path, GOOGLE_HEAD, *GOOGLE_EVENTS)
    result = calendar_import(path, initiative, org.director_north, TODAY)
    assert stored(initiative) == [
        ("2026-01-23", "video", None, "Bea Rep",
         "Late call with Bea: ROI calculator\n\nWalk through the calculator on a live deal."),
        ("2026-02-02", "meeting", "Team A", None,
         "Team A huddle\n\nWeekly: one ROI calculator story each.\n\nTeam A: proposal clinic"),
        ("2026-02-23", "meeting", "Team A", None,
         "Team A huddle\n\nWeekly: one ROI calculator story each."),
    ]
    assert result.skipped == (("cancelled", 1),)
    again = calendar_import(path, initiative, org.director_north, TODAY)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)


def test_an_attendee_outside_the_leaders_units_rejects_the_import_naming_the_event(
    tmp_path: Path,
) -> None:
    org, initiative = world()
    outside = event("9t8u7v6w5x4y@google.com", "Territory plan: ROI", ":20260126T090000Z",
                    DAN, attendee("Rae Rep"), attendee("Cal Rep"))
    path = ics(tmp_path, GOOGLE_HEAD, GOOGLE_EVENTS[0], outside)
    with pytest.raises(ImportRejected) as rejected:
        calendar_import(path, initiative, org.director_north, TODAY)
    assert ("calendar.ics, row 2, column 'ATTENDEE': event 'Territory plan: ROI' on 2026-01-26 "
            "(UID 9t8u7v6w5x4y@google.com): attendees span units you do not lead: Cal Rep "
            "(Team C)") in str(rejected.value)
    assert not Touchpoint.objects.exists()
    assert ImportRun.objects.get().status == ImportStatus.REJECTED
    kept = calendar_import(path, initiative, org.director_north, TODAY, skip_invalid=True)
    assert (kept.added, kept.rejected) == (1, 1)
    assert "Cal Rep" in Path(kept.report_path).read_text(encoding="utf-8")


def test_a_single_attendee_outside_the_leaders_units_is_refused_with_the_reason(
    tmp_path: Path,
) -> None:
    org, initiative = world()
    one = event("1a2b3c@google.com", "ROI calculator with Bea", ":20260126T090000Z",
                "ORGANIZER:mailto:mia.manager@example.test", attendee("Bea Rep"))
    path = ics(tmp_path, GOOGLE_HEAD, one)
    with pytest.raises(ImportRejected, match="row 1, column 'ATTENDEE'.*not in a unit Mia"):
        calendar_import(path, initiative, org.manager_a, TODAY)


def test_the_match_option_replaces_the_default_words(tmp_path: Path) -> None:
    org, initiative = world()
    path = ics(tmp_path, OUTLOOK_HEAD, *OUTLOOK_EVENTS)
    result = calendar_import(path, initiative, org.director_north, TODAY, match=["budget"])
    assert [row[:4] for row in stored(initiative)] == [
        ("2026-01-21", "meeting", None, "Bea Rep")]
    assert result.terms == ("budget",)


@pytest.mark.parametrize(("text", "expected"), [
    ("leader,unit,person\n", "calendar.ics: not an iCalendar file (its first line is "
                             "'leader,unit,person', not BEGIN:VCALENDAR)"),
    (GOOGLE_HEAD + "END:VCALENDAR\n", "calendar.ics: no events (VEVENT)"),
    (GOOGLE_HEAD + "BEGIN:VEVENT\nUID:x\nSUMMARY:ROI\n this is folded\nDTSTART:20260112T0900\n"
     "this line is broken\nEND:VEVENT\nEND:VCALENDAR\n", "calendar.ics, line 13: not an "
     "iCalendar line ('this line is broken')"),
    (GOOGLE_HEAD + "BEGIN:VEVENT\nUID:x\nSUMMARY:ROI\n", "calendar.ics, line 8: BEGIN:VEVENT is "
     "never closed"),
    (GOOGLE_HEAD + "BEGIN:VEVENT\nUID:x\nSUMMARY:ROI\nDTSTART:2026-01-12\nEND:VEVENT\n"
     "END:VCALENDAR\n", "calendar.ics, line 11: DTSTART is not valid"),
])
def test_a_damaged_file_is_refused_naming_the_file_and_the_line(
    tmp_path: Path, text: str, expected: str,
) -> None:
    org, initiative = world()
    path = tmp_path / "calendar.ics"
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    with pytest.raises(InputError) as refused:
        calendar_import(path, initiative, org.director_north, TODAY)
    assert refused.value.message.startswith(expected), refused.value.message
    assert not Touchpoint.objects.exists()


def test_the_command_prints_the_counts_and_a_dry_run_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    org, _ = world()
    monkeypatch.setattr("django.utils.timezone.localdate", lambda: TODAY)
    path = ics(tmp_path, OUTLOOK_HEAD, *OUTLOOK_EVENTS)
    args = ["import-calendar", str(path), "--initiative", "Lead with value",
            "--leader", org.director_north.email]
    dry = CliRunner().invoke(message_group, [*args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Touchpoints (dry run): 4 would be added" in dry.output
    assert not Touchpoint.objects.exists()
    done = CliRunner().invoke(message_group, args)
    assert "Matched on: lead with value, cost, roi, calculator, proposal" in done.output
    assert ("Touchpoints: 4 added, 0 updated, 0 unchanged, 5 skipped, 0 rejected."
            in done.output)
    assert "  skipped: 1 cancelled" in done.output
    assert Touchpoint.objects.count() == 4
