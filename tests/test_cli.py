"""The `m3` command as a user runs it: init, check, org import, users, error lines."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ENV_KEYS = ("M3_DATABASE_URL", "M3_FACTS_URL", "M3_DATA_DIR", "M3_DEBUG", "DJANGO_SETTINGS_MODULE")


def m3(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m m3 ARGS` in a fresh process, on the embedded default engines."""
    base = {k: v for k, v in os.environ.items() if k not in ENV_KEYS}
    return subprocess.run([sys.executable, "-m", "m3", *args], capture_output=True, text=True,
                          env={**base, **(env or {})}, timeout=120, check=False)


def test_init_then_check_reports_all_green(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert m3("init", "--data-dir", str(data)).returncode == 0
    checked = m3("check", "--data-dir", str(data))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count("ok ") == 4 and "FAIL" not in checked.stdout
    assert (data / "secret_key").is_file() and (data / "facts.duckdb").is_file()


def test_a_bad_database_url_gives_one_line_and_exit_1(tmp_path: Path) -> None:
    result = m3("init", "--data-dir", str(tmp_path),
                env={"M3_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"})
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: M3_DATABASE_URL")
    wrong_scheme = m3("check", "--data-dir", str(tmp_path), env={"M3_DATABASE_URL": "mysql://x"})
    assert wrong_scheme.returncode == 1 and "M3_DATABASE_URL" in wrong_scheme.stdout


def test_check_without_init_says_what_to_run(tmp_path: Path) -> None:
    result = m3("check", "--data-dir", str(tmp_path / "never"))
    assert result.returncode == 1 and "m3 init" in result.stdout + result.stderr


def test_org_import_and_users_create_from_the_command_line(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    (tmp_path / "u.csv").write_text("unit,parent\nAcme,\nTeam,Acme\n")
    (tmp_path / "p.csv").write_text(
        "name,email,role,unit,leads,crm_id\nLee Lead,lee@acme.test,leader,,Team,\n"
        "Ria Rep,ria@acme.test,rep,Team,,R1\n"
    )
    assert m3("init", "--data-dir", data).returncode == 0
    imported = m3("org", "import", str(tmp_path / "u.csv"), str(tmp_path / "p.csv"),
                  "--data-dir", data)
    assert imported.returncode == 0, imported.stderr
    assert "people: 2 added" in imported.stdout
    again = m3("org", "import", str(tmp_path / "u.csv"), str(tmp_path / "p.csv"),
               "--data-dir", data)
    assert "2 unchanged" in again.stdout
    created = m3("users", "create", "lee@acme.test", "--password", "a-long-pass-42",
                 "--data-dir", data)
    assert created.returncode == 0 and "Login ready for Lee Lead" in created.stdout
    listed = m3("users", "list", "--data-dir", data)
    assert "lee@acme.test" in listed.stdout


def test_an_invalid_org_file_lists_problems_and_exits_1(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    (tmp_path / "u.csv").write_text("unit,parent\nTeam,Nowhere\n")
    (tmp_path / "p.csv").write_text("name,email,role,unit,leads,crm_id\n")
    assert m3("init", "--data-dir", data).returncode == 0
    result = m3("org", "import", str(tmp_path / "u.csv"), str(tmp_path / "p.csv"),
                "--data-dir", data)
    assert result.returncode == 1
    assert "u.csv, row 2, column 'parent'" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_person_is_a_user_error_not_a_traceback(tmp_path: Path) -> None:
    assert m3("init", "--data-dir", str(tmp_path)).returncode == 0
    result = m3("users", "create", "nobody@x.test", "--password", "pw-long-123",
                "--data-dir", str(tmp_path))
    assert result.returncode == 1 and result.stderr.startswith("Error: No person with email")
