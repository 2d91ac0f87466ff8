"""The `m3 message` commands through click's runner: clarity, score, health, log, rescore."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from m3.errors import InputError
from m3.message.cli import message_group
from m3.message.models import Touchpoint
from tests.message.story import FAITHFUL, Story

MESSAGE = """\
why: Buyers who see their own numbers early buy faster and hold their price.
how: Build the ROI model with the buyer in discovery and send a summary the next day.
what: Every opportunity has a completed ROI model in the CRM before the proposal.
key_points:
  - Open every discovery call by building the ROI model with the buyer in the calculator.
  - Send the buyer a one-page ROI summary within 24 hours of the call.
  - Attach the completed ROI model to the opportunity in the CRM.
"""


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "message.yaml").write_text(MESSAGE, encoding="utf-8")
    (tmp_path / "good.txt").write_text(
        "Open discovery by building the ROI model with the buyer in the calculator. Send the "
        "one-page ROI summary within 24 hours. Attach the completed ROI model to the "
        "opportunity in the CRM.", encoding="utf-8")
    (tmp_path / "bad.txt").write_text(
        "Don't raise ROI in discovery, skip the calculator. Send the one-page ROI summary "
        "within 24 hours.", encoding="utf-8")
    return tmp_path


def test_clarity_prints_the_score_and_findings_as_json(files: Path) -> None:
    result = CliRunner().invoke(message_group, ["clarity", str(files / "message.yaml")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert 0 <= data["clarity"] <= 100
    assert isinstance(data["findings"], list)


def test_clarity_findings_have_kind_text_and_suggestion(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text("how: Use it.\nkey_points: [One thing]\n", encoding="utf-8")
    data = json.loads(CliRunner().invoke(message_group, ["clarity", str(tmp_path / "m.yaml")])
                      .output)
    assert {"kind": "structure", "text": "The message has no why.",
            "suggestion": "Start with why: the problem or opportunity, in the team's terms, "
                          "with a number."} in data["findings"]


def test_score_prints_one_object_per_text_with_key_points(files: Path) -> None:
    result = CliRunner().invoke(message_group, [
        "score", "--message", str(files / "message.yaml"), "--method", "lexical",
        str(files / "good.txt"), str(files / "bad.txt"),
    ])
    assert result.exit_code == 0, result.output
    good, bad = json.loads(result.output)
    assert good["file"].endswith("good.txt") and good["method"] == "lexical"
    assert [kp["covered"] for kp in good["key_points"]] == [True, True, True]
    assert set(good["key_points"][0]) >= {"point", "covered", "similarity", "contradicted"}
    assert 0.0 <= bad["consistency"] < good["consistency"] <= 1.0
    assert bad["key_points"][0]["contradicted"] is True
    assert bad["findings"][0]["kind"] == "contradiction"


def test_a_missing_text_file_is_an_input_error_naming_it(files: Path) -> None:
    result = CliRunner().invoke(message_group, [
        "score", "--message", str(files / "message.yaml"), "--method", "lexical",
        str(files / "nope.txt"),
    ])
    assert isinstance(result.exception, InputError)
    assert "nope.txt: no such file" in str(result.exception)


def test_a_message_file_with_a_typo_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text("whay: x\n", encoding="utf-8")
    result = CliRunner().invoke(message_group, ["clarity", str(tmp_path / "m.yaml")])
    assert isinstance(result.exception, InputError)
    assert "did you mean 'why'" in str(result.exception)


def test_a_binary_text_file_is_refused_as_not_utf8(files: Path) -> None:
    (files / "blob.bin").write_bytes(b"\xff\xfe\x00\x81")
    result = CliRunner().invoke(message_group, [
        "score", "--message", str(files / "message.yaml"), "--method", "lexical",
        str(files / "blob.bin"),
    ])
    assert isinstance(result.exception, InputError)
    assert "not UTF-8" in str(result.exception)


def test_each_command_has_its_docstring_as_help() -> None:
    result = CliRunner().invoke(message_group, ["score", "--help"])
    assert "how consistently each TEXT_FILE carries" in result.output
    assert "--method [auto|embedding|lexical]" in result.output


def test_the_health_command_prints_the_table_and_json(story: Story) -> None:
    runner = CliRunner()
    table = runner.invoke(message_group, ["health", story.initiative.title])
    assert table.exit_code == 0, table.output
    assert "Team B" in table.output and "Not reinforced for 115 days" in table.output
    as_json = runner.invoke(message_group, ["health", story.initiative.title, "--unit", "team a",
                                            "--format", "json"])
    data = json.loads(as_json.output)
    assert [u["unit"] for u in data["units"]] == ["Team A"]
    assert data["units"][0]["findings"][0].startswith("Two leaders disagree on point 2")


def test_the_log_and_rescore_commands_write_and_rescore(story: Story, tmp_path: Path) -> None:
    content = tmp_path / "talk.txt"
    content.write_text(FAITHFUL, encoding="utf-8")
    runner = CliRunner()
    logged = runner.invoke(message_group, [
        "log", "--leader", story.org.manager_b.email, "--initiative", story.initiative.title,
        "--unit", "Team B", "--channel", "meeting", "--date", story.today.isoformat(),
        "--content-file", str(content)])
    assert logged.exit_code == 0, logged.output
    assert json.loads(logged.output)["outcome"] == "added"
    rescored = runner.invoke(message_group, ["rescore", story.initiative.title])
    assert "Scored 6 touchpoint(s) and 1 restatement(s) with the lexical method" in (
        rescored.output)
    assert Touchpoint.objects.count() == 6


@pytest.mark.parametrize("name", ["initiative.yaml", "initiative.json"])
def test_clarity_and_score_accept_an_initiative_file(tmp_path: Path, name: str) -> None:
    import yaml

    from tests.initiatives.test_file import FILE

    data = yaml.safe_load(FILE)
    text = (json.dumps(data, default=str) if name.endswith(".json")
            else FILE.replace("forecast: forecast.csv", "forecast: [{week_start: 2026-01-05, "
                                                        "value: 10}]"))
    (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "talk.txt").write_text("Start with the customer's cost and use the ROI "
                                       "calculator.", encoding="utf-8")
    clarity = CliRunner().invoke(message_group, ["clarity", str(tmp_path / name)])
    assert clarity.exit_code == 0, clarity.output
    # The asks carry a metric and a weekly target, so clarity finds nothing missing in them.
    assert not [f for f in json.loads(clarity.output)["findings"] if "has no" in f["text"]]
    score = CliRunner().invoke(message_group, ["score", "--message", str(tmp_path / name),
                                               "--method", "lexical", str(tmp_path / "talk.txt")])
    assert score.exit_code == 0, score.output
    assert [kp["point"] for kp in json.loads(score.output)[0]["key_points"]] == data["key_points"]


def test_a_message_file_with_an_unknown_key_is_still_refused(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(MESSAGE + "titel: x\n", encoding="utf-8")
    result = CliRunner().invoke(message_group, ["clarity", str(tmp_path / "m.yaml")])
    assert isinstance(result.exception, InputError)
    assert "unknown key 'titel'" in str(result.exception)
