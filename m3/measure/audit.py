"""The measurement audit of an initiative: is what the team is asked to deliver measured, and
can the numbers be trusted? Each finding says what to do.

Checks: every ask is measured by a lever metric of the catalogue; the output metric exists, is
an output, and has at least one lever; every unit in scope has data for each lever (executives
see the output, leaders and reps the levers: a unit with no lever data has no lever report);
the last import of each source is recent; reps in scope with no activity in the last weeks;
rows rejected by imports since the initiative started; owners that match no person.
"""

from __future__ import annotations

import datetime as dt
import enum

import pandas as pd

from m3.attribution import Attribution
from m3.facts.store import FactsStore
from m3.findings import Finding
from m3.initiatives.models import Initiative
from m3.measure.compile import metric_evaluate
from m3.measure.evaluate import exchange_rates
from m3.measure.metric import Catalogue, MetricKind
from m3.measure.query import Window
from m3.org.models import Unit
from m3.org.selectors import unit_tree_attribution
from m3.weeks import Grain

STALE_AFTER = dt.timedelta(days=7)


class Severity(enum.Enum):
    """How much a finding matters."""

    PROBLEM = "problem"
    WARNING = "warning"
    OK = "ok"


def _found(severity: Severity, area: str, text: str) -> Finding[Severity]:
    """An audit finding: its severity, the area of measurement it is about, what to do."""
    return Finding(severity, text, subject=area)


def _scope_units(initiative: Initiative) -> list[Unit]:
    """The initiative's units and every unit below them that has members (teams)."""
    from m3.org.selectors import unit_ids_with_descendants

    ids = unit_ids_with_descendants(u.pk for u in initiative.units.all())
    return list(Unit.objects.filter(pk__in=list(ids), memberships__isnull=False).distinct())


def initiative_weekly(
    initiative: Initiative, names: list[str], facts: FactsStore, catalogue: Catalogue,
    end: dt.date,
) -> pd.DataFrame:
    """Columns unit, week, metric, value for every member-holding unit of the initiative's scope,
    from its start to `end`."""
    attribution: list[Attribution] = []
    for unit in _scope_units(initiative):
        attribution.extend(unit_tree_attribution(unit))
    if not attribution or not names:
        return pd.DataFrame(columns=["unit", "week", "metric", "value"])
    start = initiative.start
    with facts.connect() as con:
        result = metric_evaluate(con, catalogue, names, attribution,
                                 Window(Grain.WEEK, start, max(end, start)),
                                 rates=exchange_rates())
    return result.frame.rename(columns={"node": "unit", "period_start": "week"})[
        ["unit", "week", "metric", "value"]]


def measurement_audit(
    initiative: Initiative, catalogue: Catalogue, facts: FactsStore, today: dt.date
) -> list[Finding[Severity]]:
    """Audit how `initiative` is measured; problems first."""
    from django.db.models import Max, Sum

    from m3.ingest.crm.owners import unknown_owners
    from m3.ingest.models import ImportRun
    from m3.vocabulary import ImportStatus

    findings: list[Finding[Severity]] = []
    asks = list(initiative.asks.all())
    levers: list[str] = []
    for ask in asks:
        if ask.lever_metric not in catalogue:
            findings.append(_found(Severity.PROBLEM, "asks", f"The ask {ask.behaviour!r} is "
                                    f"measured by {ask.lever_metric!r}, which is not a metric: "
                                    "fix the name or add the metric to M3_METRICS_FILE."))
            continue
        if catalogue.get(ask.lever_metric).kind is not MetricKind.LEVER:
            findings.append(_found(Severity.WARNING, "asks", f"The ask {ask.behaviour!r} is "
                                    f"measured by {ask.lever_metric}, an output metric: measure "
                                    "the behaviour itself with a lever metric."))
        levers.append(ask.lever_metric)
    output = initiative.output_metric
    if output not in catalogue:
        findings.append(_found(Severity.PROBLEM, "output", f"The output metric {output!r} is "
                                "not in the catalogue: pick one from `m3 metrics list`."))
    elif catalogue.get(output).kind is not MetricKind.OUTPUT:
        findings.append(_found(Severity.WARNING, "output", f"{output} is a lever, not an "
                                "output: choose what the initiative must deliver."))
    if not levers:
        findings.append(_found(Severity.PROBLEM, "levers", "The output has no lever: add asks "
                                "with lever metrics, so leaders and reps see what to do."))
    end = min(today, initiative.end)
    names = list(dict.fromkeys([*levers, *([output] if output in catalogue else [])]))
    weekly = initiative_weekly(initiative, names, facts, catalogue, end)
    for unit, rows in weekly.groupby("unit"):
        for lever in levers:
            if rows[rows["metric"] == lever]["value"].fillna(0).sum() == 0:
                findings.append(_found(
                    Severity.PROBLEM, "lever reporting",
                    f"{unit} has no {lever} data since the initiative started: its leaders and "
                    "reps have no lever report. Import its activities, check its reps' owner "
                    "mapping (`m3 owners list`), or log the behaviour in the CRM."))
    last = (ImportRun.objects.filter(status=ImportStatus.SUCCEEDED, dry_run=False)
            .exclude(kind="org").values("source").annotate(last=Max("finished_at")))
    if not last:
        findings.append(_found(Severity.PROBLEM, "freshness", "No CRM data was ever imported: "
                                "run `m3 import FILE --profile …`."))
    for row in last:
        age = today - row["last"].date()
        if age > STALE_AFTER:
            findings.append(_found(Severity.WARNING, "freshness", f"The last {row['source']} "
                                    f"import is {age.days} days old: import a fresh export."))
    members: dict[int, str] = {}
    for team in _scope_units(initiative):
        for a in unit_tree_attribution(team):
            if a.end is None or a.end > end:
                members[a.rep_id] = team.name
    if members:
        with facts.connect() as con:
            t = con.table("activities")
            since = dt.datetime.combine(end - dt.timedelta(weeks=2), dt.time())
            active = set(t.filter(t.occurred_at >= since, t.rep_id.isin(list(members)))
                         .select("rep_id").distinct().execute()["rep_id"].tolist())
        from m3.org.models import Person

        idle = Person.objects.filter(pk__in=[p for p in members if p not in active])
        for person in idle:
            findings.append(_found(Severity.WARNING, "activity", f"{person.name} "
                                    f"({members[person.pk]}) logged no activity in the last 2 "
                                    "weeks: check the import and the owner mapping, then ask."))
    rejected = ImportRun.objects.filter(
        started_at__date__gte=initiative.start).aggregate(n=Sum("rejected"))["n"] or 0
    if rejected:
        findings.append(_found(Severity.WARNING, "rejected rows", f"{rejected} row(s) were "
                                "rejected by imports since the initiative started: read the "
                                "reports of `m3 import` and fix the export or the mapping."))
    unknown = unknown_owners(facts)
    if unknown:
        listed = ", ".join(u.owner for u in unknown[:5])
        findings.append(_found(Severity.WARNING, "owners", f"{len(unknown)} CRM owner(s) match "
                                f"no person ({listed}): their rows count for no one; map them "
                                "with `m3 owners map OWNER EMAIL`."))
    if not findings:
        findings.append(_found(Severity.OK, "all", "Every ask is measured and the data is "
                                "fresh and complete."))
    rank = {Severity.PROBLEM: 0, Severity.WARNING: 1, Severity.OK: 2}
    return sorted(findings, key=lambda f: rank[f.kind])
