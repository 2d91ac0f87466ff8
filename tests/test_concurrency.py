"""The server and a CLI writer share one DuckDB facts file: pages answer while imports run."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import textwrap
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ENV_KEYS = ("M3_DATABASE_URL", "M3_FACTS_URL", "M3_DATA_DIR", "M3_DEBUG", "DJANGO_SETTINGS_MODULE")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_m3(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "m3", *args], env=env, check=True,
                   capture_output=True, timeout=120)


def login(base: str, email: str, password: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login/", timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    form = urllib.parse.urlencode({"username": email, "password": password,
                                   "csrfmiddlewaretoken": token.group(1)}).encode()
    answer = opener.open(urllib.request.Request(f"{base}/login/", data=form), timeout=10)
    assert answer.url == f"{base}/", "the login did not go through"
    return opener


def test_pages_keep_answering_while_another_process_writes_the_facts(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ENV_KEYS}
    env["M3_DATA_DIR"] = str(tmp_path / "data")
    run_m3(env, "init")
    units, people = tmp_path / "u.csv", tmp_path / "p.csv"
    units.write_text("unit,parent\nAcme,\n")
    people.write_text("name,email,role,unit,leads,crm_id\nAda,ada@acme.test,admin,,,\n"
                      "Ria,ria@acme.test,rep,Acme,,R1\n")
    run_m3(env, "org", "import", str(units), str(people))
    run_m3(env, "users", "create", "ada@acme.test", "--password", "a-long-pass-42")
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "m3", "serve", "--port", str(port),
                               "--workers", "2"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    writer = None
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):  # a loaded 2-CPU machine takes a while to boot gunicorn
            try:
                urllib.request.urlopen(f"{base}/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        opener = login(base, "ada@acme.test", "a-long-pass-42")
        writer = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
            import time, pandas as pd
            from m3.facts.store import FactsStore
            store = FactsStore("duckdb:///{tmp_path}/data/facts.duckdb", 30)
            for batch in range(15):
                ids = [f"{{batch}}-{{i}}" for i in range(2000)]
                rows = pd.DataFrame({{"source": "cli", "id": ids, "rep_id": 2, "owner": "R1",
                    "type": "call",
                    "occurred_at": pd.Timestamp.now().floor("D"), "product": None,
                    "account": "A", "opportunity": None, "amount": 1.0, "currency": "USD"}})
                store.upsert("activities", rows)
                time.sleep(0.05)
            print("done", flush=True)
        """)], env=env, stdout=subprocess.PIPE, text=True)
        answers = []
        while writer.poll() is None:
            with opener.open(f"{base}/api/overview", timeout=30) as response:
                answers.append(json.loads(response.read())["people"])
        assert writer.returncode == 0
        assert len(answers) >= 3 and all(a == 2 for a in answers)
        with opener.open(f"{base}/api/overview", timeout=30) as response:
            total = sum(w["activities"] for w in json.loads(response.read())["activity"])
        assert total == 15 * 2000
    finally:
        if writer is not None and writer.poll() is None:
            writer.kill()
        server.terminate()
        server.wait(10)
