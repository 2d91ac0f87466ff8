"""A leader's calendar export (.ics) read as touchpoints: one per meeting about the initiative.

Reading (no database): the file is checked line by line first, so a broken file is refused with
the line to look at; then every VEVENT is expanded to its occurrences in the initiative's dates
(RRULE, RDATE, EXDATE and moved or cancelled instances, by `recurring-ical-events`). Each
occurrence gives a date (DTSTART's date in the event's own time zone; Google's UTC times in the
calendar's X-WR-TIMEZONE), a channel, a text (SUMMARY and DESCRIPTION) and attendee emails.

Importing: occurrences that are cancelled, in the future, organised by another person in M3,
not about the initiative or without an M3 audience are skipped and counted; the others become
touchpoints through the same checks as every touchpoint (`touchpoint_problems`,
`Scope.touchpoint_problem`), all or nothing like every import, recorded as an ImportRun.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from m3.errors import AccessDenied, InputError
from m3.ingest.problems import ImportRejected, Problem, problems_report_write
from m3.initiatives.models import Initiative
from m3.message.models import Touchpoint
from m3.message.services import (
    TouchpointInput,
    touchpoint_log,
    touchpoint_problems,
    touchpoints_score,
)
from m3.message.text import ENGLISH_STOP_WORDS
from m3.org.models import Person
from m3.org.scope import Scope, scope_for_person
from m3.org.selectors import person_unit_on, unit_ancestor_ids, unit_ids_with_descendants
from m3.vocabulary import Channel

# Touchpoints may be logged from 30 days before an initiative starts (touchpoint_problems).
LEAD_IN = dt.timedelta(days=30)
INDEX_PROPERTY = "X-M3-INDEX"
WORD_RE = re.compile(r"[^\W_](?:[\w'\-]*[^\W_])?")  # as m3.message.text.words, case kept
CONFERENCE_PROPERTIES = ("CONFERENCE", "X-GOOGLE-CONFERENCE", "X-MICROSOFT-SKYPETEAMSMEETINGURL",
                         "X-MICROSOFT-ONLINEMEETINGCONFLINK", "X-MICROSOFT-ONLINEMEETINGURL")
VIDEO_RE = re.compile(r"zoom\.us|\bzoom\b|meet\.google|\bgoogle meet\b|\bteams\b|webex",
                      re.IGNORECASE)
# The join blocks Outlook (a line of underscores before "Microsoft Teams meeting") and Google
# ("-::~:~::~…" before "Join with Google Meet") append to a description: links, not message.
JOIN_BLOCK_RE = re.compile(r"^(?:_{10,}|-::~:~::~).*", re.MULTILINE | re.DOTALL)
# Everyday words of work calendars: a key point's word among these does not mark a meeting as
# being about the initiative ("Weekly team call" is not about "Call every new customer").
GENERIC_WORDS = frozenset(
    """agenda all-hands call calls catch-up check-in customer customers deal deals every first
    forecast friday meeting meetings monday month monthly number pipeline plan quarter review
    sales saturday start sunday sync team teams thursday today tuesday update week weekly
    wednesday with work""".split()
)
SKIP_REASONS = {
    "cancelled": "cancelled",
    "future": "in the future",
    "organiser": "organised by someone else",
    "no_match": "not about the initiative",
    "no_audience": "no attendee in an M3 team",
    "outside_dates": "outside the initiative's dates",
}


@dataclass(frozen=True)
class CalendarEvent:
    """One occurrence of a VEVENT: what the import needs from it, emails in lower case."""

    index: int  # the position of its VEVENT in the file, 1 = the first
    uid: str
    summary: str
    description: str
    day: dt.date
    cancelled: bool
    video: bool
    organizer: str
    attendees: tuple[str, ...]  # people invited who did not decline; rooms left out

    @property
    def content(self) -> str:
        """The touchpoint's text: the summary, a blank line, the description."""
        return "\n\n".join(part for part in (self.summary, self.description) if part)

    @property
    def label(self) -> str:
        """How a problem names the event: its summary, date and UID."""
        return f"event {self.summary or '(no title)'!r} on {self.day} (UID {self.uid or '-'})"


@dataclass(frozen=True)
class CalendarRead:
    """The occurrences of a calendar file in a date window, and its VEVENTs with none there."""

    file: str
    events: tuple[CalendarEvent, ...]
    vevents: int
    outside: int


# --- reading (no database) -----------------------------------------------------------------------

def _lines(text: str) -> list[tuple[int, str]]:
    """The unfolded content lines with the file line each starts on (RFC 5545 §3.1 folding)."""
    logical: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if line[:1] in (" ", "\t") and logical:
            start, head = logical[-1]
            logical[-1] = (start, head + line[1:])
        elif line.strip():
            logical.append((number, line))
    return logical


def _syntax_check(name: str, lines: list[tuple[int, str]]) -> None:
    """Refuse a file that is not well-formed iCalendar, naming the line to look at."""
    from icalendar.parser import Contentline

    if not lines or lines[0][1].strip().upper() != "BEGIN:VCALENDAR":
        first = repr(lines[0][1][:60]) if lines else "empty"
        raise InputError(f"{name}: not an iCalendar file (its first line is {first}, not "
                         "BEGIN:VCALENDAR); export the calendar as .ics and try again.")
    open_blocks: list[tuple[int, str]] = []
    for number, line in lines:
        try:
            key, _, value = Contentline(line).parts()
        except ValueError:
            raise InputError(f"{name}, line {number}: not an iCalendar line ({line[:60]!r}); "
                             "the file is damaged: export it again.") from None
        key = key.upper()
        if key == "BEGIN":
            open_blocks.append((number, value.upper()))
        elif key == "END":
            if not open_blocks or open_blocks[-1][1] != value.upper():
                opened = (f"BEGIN:{open_blocks[-1][1]} of line {open_blocks[-1][0]}"
                          if open_blocks else "no BEGIN")
                raise InputError(f"{name}, line {number}: END:{value} does not close {opened}; "
                                 "the file is damaged: export it again.")
            open_blocks.pop()
    if open_blocks:
        number, block = open_blocks[-1]
        raise InputError(f"{name}, line {number}: BEGIN:{block} is never closed (no END:{block}"
                         "); the file is cut short: export it again.")


def _value_error_line(lines: list[tuple[int, str]], prop: str | None, value: str) -> int | None:
    """The line of the property `prop` whose value is `value` (icalendar names no lines)."""
    for number, line in lines:
        head, _, rest = line.partition(":")
        if prop and head.split(";")[0].upper() == prop.upper() and rest == value:
            return number
    return None


def _text(component: Any, prop: str) -> str:
    value = component.get(prop)
    return str(value).strip() if value is not None else ""


def _description(component: Any) -> str:
    """DESCRIPTION as plain text: HTML tags (Google) and the video join block removed."""
    text = _text(component, "DESCRIPTION")
    if "<" in text and re.search(r"</?[a-zA-Z][^>]*>", text):
        text = re.sub(r"<br\s*/?>|</p>", "\n", text, flags=re.IGNORECASE)
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return JOIN_BLOCK_RE.sub("", text).strip()


def _email(address: Any) -> str:
    text = str(address).strip()
    return text[7:].lower() if text.lower().startswith("mailto:") else text.lower()


def _attendees(component: Any) -> tuple[str, ...]:
    found = component.get("ATTENDEE")
    listed = found if isinstance(found, list) else [] if found is None else [found]
    emails = []
    for address in listed:
        params = getattr(address, "params", {})
        if str(params.get("CUTYPE", "")).upper() in ("ROOM", "RESOURCE"):
            continue
        if str(params.get("PARTSTAT", "")).upper() == "DECLINED":
            continue
        emails.append(_email(address))
    return tuple(dict.fromkeys(e for e in emails if e))


def _video(component: Any) -> bool:
    if any(component.get(prop) for prop in CONFERENCE_PROPERTIES):
        return True
    return bool(VIDEO_RE.search(_text(component, "LOCATION") + " " + _text(component, "URL")))


def _day(value: dt.date) -> dt.date:
    """A DTSTART's date where the event happens: a datetime keeps its own time zone."""
    return value.date() if isinstance(value, dt.datetime) else value


def calendar_read(path: Path, start: dt.date, end: dt.date) -> CalendarRead:
    """Read the .ics file at `path`: every occurrence of its events from `start` to `end`.

    Refuses (InputError, naming the file and the line when there is one) a file that cannot be
    read, is not UTF-8, is not iCalendar, has a damaged line or value, or holds no VEVENT.
    """
    import icalendar
    import recurring_ical_events

    name = path.name
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; check the path.") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror}).") from None
    except UnicodeDecodeError:
        raise InputError(f"{name}: not UTF-8 text; export the calendar as .ics again.") from None
    lines = _lines(text)
    _syntax_check(name, lines)
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except ValueError as exc:
        raise InputError(f"{name}: not a valid iCalendar file ({exc}); export it again.") from None
    for component in calendar.walk():
        for prop, message in getattr(component, "errors", []):
            broken = component.get(prop) if prop else None
            to_ical = getattr(broken, "to_ical", None)
            raw = to_ical() if callable(to_ical) else b""
            raw = raw.decode() if isinstance(raw, bytes) else str(raw)
            line = _value_error_line(lines, prop, raw)
            where = f"{name}, line {line}" if line else name
            raise InputError(f"{where}: {prop or 'a line'} is not valid ({message}); fix it or "
                             "export the calendar again.")
    vevents = list(calendar.walk("VEVENT"))
    if not vevents:
        raise InputError(f"{name}: no events (VEVENT) in the calendar; export a calendar that "
                         "has its meetings in it.")
    for index, vevent in enumerate(vevents, 1):
        vevent.add(INDEX_PROPERTY, str(index))  # occurrences carry it back to their VEVENT
    try:
        occurrences = recurring_ical_events.of(calendar).between(start, end + dt.timedelta(days=1))
    except recurring_ical_events.InvalidCalendar as exc:
        raise InputError(f"{name}: an event's dates or repeat rule are not valid ({exc}); fix "
                         "it or export the calendar again.") from None
    events = []
    for occurrence in occurrences:
        start_value = occurrence.get("DTSTART")
        if start_value is None:
            continue
        events.append(CalendarEvent(
            index=int(str(occurrence.get(INDEX_PROPERTY))),
            uid=_text(occurrence, "UID"),
            summary=_text(occurrence, "SUMMARY"),
            description=_description(occurrence),
            day=_day(start_value.dt),
            cancelled=_text(occurrence, "STATUS").upper() == "CANCELLED",
            video=_video(occurrence),
            organizer=_email(occurrence.get("ORGANIZER", "")),
            attendees=_attendees(occurrence),
        ))
    events.sort(key=lambda e: (e.index, e.day))
    seen = {e.index for e in events}
    outside = sum(1 for i in range(1, len(vevents) + 1) if i not in seen)
    return CalendarRead(name, tuple(events), len(vevents), outside)


def match_terms(title: str, key_points: Iterable[str]) -> tuple[str, ...]:
    """The default words that mark an event as being about an initiative.

    The title as a phrase, and each key point's distinctive words: words of 4 letters or more,
    or written in capitals (ROI, CRM), that are neither common English words nor everyday
    calendar words (GENERIC_WORDS).
    """
    terms = [title.strip().lower()] if title.strip() else []
    for point in key_points:
        for word in WORD_RE.findall(point.replace("\u2019", "'")):
            bare = re.sub(r"'s$", "", word)
            low = bare.lower()
            if low in ENGLISH_STOP_WORDS or low in GENERIC_WORDS:
                continue
            if len(bare) >= 4 or (len(bare) >= 2 and bare.isupper()):
                terms.append(low)
    return tuple(dict.fromkeys(terms))


def event_matches(event: CalendarEvent, terms: Sequence[str]) -> bool:
    """Whether the event's summary or description holds one of `terms` as whole words.

    Case does not matter, and a plural or possessive ending (s, es, 's) still matches.
    """
    text = f"{event.summary}\n{event.description}".lower()
    return any(re.search(rf"(?<!\w){re.escape(term)}(?:s|es|'s)?(?!\w)", text)
               for term in terms if term)


# --- importing -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class CalendarImportResult:
    """What a calendar import wrote and why the other events were left out."""

    added: int
    updated: int
    unchanged: int
    skipped: tuple[tuple[str, int], ...]  # (reason, count), as SKIP_REASONS words it
    rejected: int
    report_path: str
    terms: tuple[str, ...]
    dry_run: bool

    @property
    def skipped_total(self) -> int:
        """How many occurrences (and VEVENTs outside the dates) were skipped in all."""
        return sum(count for _, count in self.skipped)


@dataclass(frozen=True)
class _Planned:
    """A touchpoint to write and the events it came from (several when they share its key)."""

    data: TouchpointInput
    events: tuple[CalendarEvent, ...]


def _audience(event: CalendarEvent, leader: Person, led: frozenset[int],
              people: dict[str, Person], file: str) -> tuple[int | None, int | None,
                                                             Problem | None]:
    """The event's audience as (unit_id, person_id), or the problem saying why there is none.

    Attendees count when they are people in M3 with a team on the day, other than the leader.
    One → that person; several → the smallest unit the leader leads (`led`, on the event's day)
    that holds all their teams.
    """
    members: list[tuple[Person, int]] = []
    for email in event.attendees:
        person = people.get(email)
        if person is None or person.pk == leader.pk:
            continue
        unit = person_unit_on(person, event.day)
        if unit is not None:
            members.append((person, unit.pk))
    if not members:
        return None, None, None
    if len(members) == 1:
        return None, members[0][0].pk, None
    outside = [person for person, unit_id in members if unit_id not in led]
    if outside:
        names = ", ".join(f"{p.name} ({person_unit_on(p, event.day)})" for p in outside)
        return None, None, Problem(file, event.index, "ATTENDEE", (
            f"{event.label}: attendees span units you do not lead: {names}. Import it from the "
            "calendar of a leader of all of them, or log it per team with m3 message log."))
    units = {unit_id for _, unit_id in members}
    for candidate in [members[0][1], *unit_ancestor_ids(members[0][1])]:
        if candidate in led and units <= unit_ids_with_descendants([candidate]):
            return candidate, None, None
    return None, None, Problem(file, event.index, "ATTENDEE", (
        f"{event.label}: the attendees' teams are not all in one unit you lead; send one "
        "invite per team, or log it per team with m3 message log."))


def _plan(read: CalendarRead, initiative: Initiative, leader: Person, terms: Sequence[str],
          today: dt.date) -> tuple[list[_Planned], list[Problem], Counter[str]]:
    """Skip, check and group the occurrences; every problem is collected, nothing is written."""
    people = {p.email.lower(): p for p in Person.objects.all()}
    skipped: Counter[str] = Counter()
    if read.outside:
        skipped["outside_dates"] = read.outside
    grouped: dict[tuple[object, ...], list[tuple[TouchpointInput, CalendarEvent]]] = {}
    problems: list[Problem] = []
    scopes: dict[dt.date, Scope] = {}  # the leader's scope on each day, read once

    def leader_on(day: dt.date) -> Scope:
        if day not in scopes:
            scopes[day] = scope_for_person(leader, day)
        return scopes[day]

    for event in read.events:
        organiser = people.get(event.organizer)
        if event.cancelled:
            skipped["cancelled"] += 1
        elif event.day > today:
            skipped["future"] += 1
        elif organiser is not None and organiser.pk != leader.pk:
            skipped["organiser"] += 1
        elif not event_matches(event, terms):
            skipped["no_match"] += 1
        else:
            unit_id, person_id, problem = _audience(event, leader,
                                                    leader_on(event.day).led_unit_ids, people,
                                                    read.file)
            if problem is not None:
                problems.append(problem)
            elif unit_id is None and person_id is None:
                skipped["no_audience"] += 1
            else:
                channel = Channel.VIDEO if event.video else Channel.MEETING
                data = TouchpointInput(initiative.pk, leader.pk, str(channel), event.day,
                                       event.content, unit_id, person_id)
                key = (unit_id, person_id, data.channel, data.date)
                grouped.setdefault(key, []).append((data, event))
    planned = []
    for group in grouped.values():
        first, _ = group[0]
        content = "\n\n".join(dict.fromkeys(event.content for _, event in group))
        data = TouchpointInput(first.initiative_id, first.leader_id, first.channel, first.date,
                               content, first.unit_id, first.person_id)
        events = tuple(event for _, event in group)
        found = [Problem(read.file, events[0].index, None, f"{events[0].label}: {p}")
                 for p in touchpoint_problems(data, today)]
        if not found:
            denied = leader_on(data.date).touchpoint_problem(data.date, data.unit_id,
                                                             data.person_id)
            if denied:
                found.append(Problem(read.file, events[0].index, "ATTENDEE",
                                     f"{events[0].label}: {denied}"))
        problems += found
        if not found:
            planned.append(_Planned(data, events))
    return planned, problems, skipped


def calendar_import(
    path: Path,
    initiative: Initiative,
    leader: Person,
    today: dt.date,
    *,
    match: Sequence[str] = (),
    skip_invalid: bool = False,
    dry_run: bool = False,
    run_by: str = "",
) -> CalendarImportResult:
    """Import a leader's calendar export as touchpoints of `initiative`, then score them.

    All or nothing (or the valid events and a FILE-skipped.csv report with `skip_invalid`);
    `dry_run` checks and counts without writing. Recorded as an ImportRun (touchpoints, ics).
    """
    from m3.ingest.services import import_run_finish, import_run_start
    from m3.vocabulary import ImportStatus

    run = import_run_start("touchpoints", [str(path)], source="ics", run_by=run_by,
                           dry_run=dry_run)
    terms = tuple(t.strip().lower() for t in match if t.strip()) or match_terms(
        initiative.title, initiative.key_points.order_by("position").values_list("text", flat=True)
    )
    try:
        read = calendar_read(path, initiative.start - LEAD_IN, initiative.end)
        planned, problems, skipped = _plan(read, initiative, leader, terms, today)
    except InputError as exc:
        import_run_finish(run, ImportStatus.REJECTED, message=exc.message)
        raise
    if problems and not skip_invalid:
        rejected = ImportRejected(problems)
        import_run_finish(run, ImportStatus.REJECTED, rejected=len(problems),
                          message=rejected.message)
        raise rejected
    report_path = ""
    if problems and not dry_run:
        report_path = str(problems_report_write(path.with_name(f"{path.stem}-skipped.csv"),
                                                problems))
    outcomes: list[str] = []
    with transaction.atomic():
        saved = []
        for item in planned:
            try:
                logged = touchpoint_log(item.data, today, score=False)
            except (InputError, AccessDenied) as exc:  # checked above; a race is still named
                raise InputError(f"{path.name}: {exc.message}") from None
            outcomes.append(logged.outcome)
            if logged.outcome != "unchanged" or not hasattr(logged.touchpoint, "score"):
                saved.append(logged.touchpoint.pk)
        if dry_run:
            transaction.set_rollback(True)
        else:
            touchpoints_score(list(Touchpoint.objects.filter(pk__in=saved)), initiative)
    result = CalendarImportResult(
        added=outcomes.count("added"), updated=outcomes.count("updated"),
        unchanged=outcomes.count("unchanged"),
        skipped=tuple((SKIP_REASONS[k], skipped[k]) for k in SKIP_REASONS if skipped[k]),
        rejected=len(problems), report_path=report_path, terms=terms, dry_run=dry_run,
    )
    import_run_finish(run, ImportStatus.SUCCEEDED, added=result.added, updated=result.updated,
                      unchanged=result.unchanged, rejected=result.rejected,
                      report_path=report_path,
                      message=f"{result.skipped_total} event(s) skipped: " + ", ".join(
                          f"{count} {reason}" for reason, count in result.skipped))
    return result
