"""Builders for the import tests: the Maven CRM org from its sales_teams.csv, small files."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from m3.org.models import Person, Unit
from m3.org.services import leadership_start, membership_move
from m3.vocabulary import LeadershipKind, Role

MAVEN = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "maven-crm"
MAVEN_START = dt.date(2016, 1, 1)


@pytest.fixture
def maven_dir() -> Path:
    """The Maven CRM reference export (skips when ../shared is absent)."""
    if not (MAVEN / "sales_pipeline.csv").is_file():
        pytest.skip(f"the Maven CRM reference data is not at {MAVEN}")
    return MAVEN


def email_of(name: str) -> str:
    """The email the test org gives a Maven person."""
    return name.lower().replace(" ", ".") + "@maventech.test"


def maven_org(teams_csv: Path) -> dict[str, Person]:
    """MavenTech > regional offices > one team per manager; agents are reps, managers lead.

    Returns the agents by name.
    """
    company = Unit.objects.create(name="MavenTech")
    regions: dict[str, Unit] = {}
    teams: dict[str, Unit] = {}
    agents: dict[str, Person] = {}
    with teams_csv.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            office, manager = row["regional_office"], row["manager"]
            if office not in regions:
                regions[office] = Unit.objects.create(name=office, parent=company)
            if manager not in teams:
                teams[manager] = Unit.objects.create(name=f"Team {manager}",
                                                     parent=regions[office])
                leader = Person.objects.create(name=manager, email=email_of(manager),
                                               role=Role.LEADER)
                leadership_start(leader, teams[manager], LeadershipKind.MANAGER, MAVEN_START)
            agent = Person.objects.create(name=row["sales_agent"],
                                          email=email_of(row["sales_agent"]), role=Role.REP)
            membership_move(agent, teams[manager], MAVEN_START)
            agents[agent.name] = agent
    return agents
