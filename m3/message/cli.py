"""`m3 message ...`: score a message's clarity and texts' consistency from files, no database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from m3.errors import InputError
from m3.message.clarity import message_clarity
from m3.message.consistency import ConsistencyReport, texts_consistency
from m3.message.encoders import default_encoder
from m3.message.text import CanonicalMessage, message_from_yaml


@click.group(name="message")
def message_group() -> None:
    """Check a canonical message and score texts against it (no database needed)."""


@message_group.command(name="clarity")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def clarity_command(file: Path) -> None:
    """Print the clarity (0-100) of the message in FILE and its findings, as JSON.

    FILE is YAML with why, how, what, key_points (a list) and optionally asks (a list of
    behaviour, metric, target).
    """
    report = message_clarity(_message_read(file))
    click.echo(json.dumps({
        "clarity": report.score,
        "findings": [
            {"kind": str(f.kind), "text": f.text, "suggestion": f.suggestion}
            for f in report.findings
        ],
        "grade_level": report.grade_level,
        "words": report.words,
    }, indent=2))


@message_group.command(name="score")
@click.option("--message", "message_file", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="YAML file with the canonical message (why, how, what, key_points).")
@click.option("--method", type=click.Choice(["auto", "embedding", "lexical"]), default="auto",
              show_default=True,
              help="embedding needs the 'semantic' extra; auto uses it when installed.")
@click.argument("text_files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
def score_command(message_file: Path, method: str, text_files: tuple[Path, ...]) -> None:
    """Print, as JSON, how consistently each TEXT_FILE carries the message's key points.

    One object per file: consistency (0-1), each key point's covered / similarity /
    contradicted, whether the score is reliable (English, not empty) and the findings.
    """
    message = _message_read(message_file)
    if not message.key_points:
        raise InputError(f"{message_file}: no key_points; add 3-5 key points to score texts.")
    encoder = default_encoder(method)
    texts = [_text_read(path) for path in text_files]
    reports = texts_consistency(message, texts, encoder)
    click.echo(json.dumps(
        [_report_json(path, report) for path, report in zip(text_files, reports, strict=True)],
        indent=2,
    ))


def _message_read(path: Path) -> CanonicalMessage:
    return message_from_yaml(_text_read(path), source=str(path))


def _text_read(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such file; check the path.") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror}).") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text; save it as UTF-8 and try again.") from exc


def _report_json(path: Path, report: ConsistencyReport) -> dict[str, Any]:
    return {
        "file": str(path),
        "consistency": report.consistency,
        "key_points": [
            {
                "point": kp.point,
                "covered": kp.covered,
                "similarity": kp.similarity,
                "contradicted": kp.contradicted,
                "evidence": kp.evidence,
            }
            for kp in report.key_points
        ],
        "method": str(report.method),
        "reliable": report.reliable,
        "truncated": report.truncated,
        "findings": [
            {"kind": str(f.kind), "text": f.text, "key_point": f.key_point}
            for f in report.findings
        ],
    }
