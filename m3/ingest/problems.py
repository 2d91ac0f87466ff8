"""Problems found in a user's file, each pointing at file, row and column with what to do."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from m3.errors import InputError

MAX_LISTED = 50


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an input file; `row` is the line a spreadsheet shows (1 = header). In
    a YAML or JSON file, `message` starts with the key (`asks item 2: metric: …`)."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        return f"{where}: {self.message}"


class ImportRejected(InputError):
    """An import found problems and wrote nothing; `problems` lists every one of them."""

    code = "import_rejected"

    def __init__(self, problems: Sequence[Problem], *, skippable: bool = True) -> None:
        self.problems = tuple(problems)
        listed = "\n".join(f"  - {p}" for p in self.problems[:MAX_LISTED])
        more = len(self.problems) - MAX_LISTED
        tail = f"\n  … and {more} more" if more > 0 else ""
        skip = " (or add --skip-invalid to import the valid rows only)" if skippable else ""
        super().__init__(
            f"Nothing was imported: {len(self.problems)} problem(s) found. Fix them and run the "
            f"same command again{skip}:\n{listed}{tail}"
        )


def problems_report_write(path: Path, problems: Iterable[Problem]) -> Path:
    """Write problems (e.g. the rows skipped with --skip-invalid) to a CSV report at `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "row", "column", "problem"])
        for p in problems:
            writer.writerow([p.file, p.row or "", p.column or "", p.message])
    return path
