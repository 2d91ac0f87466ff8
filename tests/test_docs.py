"""Docs that tests check: every command's help is in docs/cli.md, every linked doc exists."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from m3.cli import cli
from scripts.cli_docs import MARKER, command_paths

ROOT = Path(__file__).resolve().parent.parent


def test_every_command_and_its_current_help_is_in_the_cli_docs() -> None:
    doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8").split(MARKER)[1]
    runner = CliRunner()
    stale = []
    for path in command_paths(cli):
        help_text = runner.invoke(cli, [*path, "--help"], prog_name="m3",
                                  terminal_width=100).output.strip()
        if f"### `m3 {' '.join(path)}`" not in doc or help_text not in doc:
            stale.append(" ".join(path))
    assert not stale, f"run `python scripts/cli_docs.py`: docs/cli.md is stale for {stale}"


def test_every_document_the_readme_links_to_exists() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\((docs/[^)]+)\)", readme)
    assert links and all((ROOT / link).is_file() for link in links)
