"""Load benchmark: every page and API twin of every role, under concurrent clients, on loopback.

Builds the demo (or reuses one built earlier in the work folder), serves it with `m3 serve`, logs
each role in, then runs two measurements against the one server:

- **single**: every page of every role requested alone, `--repeat` times; the median per page;
- **load**: `--clients` threads, assigned to the roles in turn, each looping over its role's pages
  (HTML and JSON twins) for `--duration` seconds; p50 / p95 / p99 per page and role, throughput
  and errors. With `--with-import`, the same load runs again while `m3 import` writes activities
  into the facts store in another process.

Nothing leaves the machine: the server binds 127.0.0.1 on a free port.

    python benchmarks/load.py --reps 120 --clients 20 --duration 30
    python benchmarks/load.py --reps 2000 --clients 20 --duration 60 --with-import
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ENV_KEYS = ("M3_DATABASE_URL", "M3_FACTS_URL", "M3_DATA_DIR", "M3_DEBUG", "DJANGO_SETTINGS_MODULE")
LOGIN_LINE = re.compile(r"^\s+(\w+)\s+(\S+@\S+)\s+(\S+)\s*$")


@dataclass
class Login:
    role: str
    email: str
    password: str


@dataclass
class Client:
    """One logged-in browser: a keep-alive connection and its session cookie."""

    port: int
    cookie: str = ""
    csrf: str = ""
    conn: http.client.HTTPConnection = field(init=False)

    def __post_init__(self) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def get(self, path: str) -> tuple[int, bytes]:
        headers = {"Cookie": self.cookie, "Accept-Encoding": "gzip, br"} if self.cookie else {}
        for attempt in (1, 2):
            try:
                self.conn.request("GET", path, headers=headers)
                response = self.conn.getresponse()
                body = response.read()  # read whole, as a browser does, then unpacked
                if response.getheader("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                return response.status, body
            except (OSError, http.client.HTTPException):
                # The server closed an idle keep-alive connection: open a new one, once.
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def login(self, email: str, password: str) -> None:
        self.conn.request("GET", "/login/")
        response = self.conn.getresponse()
        page = response.read().decode()
        cookies = _cookies(response)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if token is None:
            raise SystemExit("The login page has no CSRF token.")
        form = urllib.parse.urlencode({"username": email, "password": password,
                                       "csrfmiddlewaretoken": token.group(1)})
        self.conn.request("POST", "/login/", body=form, headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())})
        response = self.conn.getresponse()
        response.read()
        cookies.update(_cookies(response))
        if response.status != 302 or "sessionid" not in cookies:
            raise SystemExit(f"Login as {email} failed ({response.status}).")
        self.cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    found = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        found[name.strip()] = rest.split(";", 1)[0]
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def m3_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ENV_KEYS}
    env["M3_DATA_DIR"] = str(data_dir)
    return env


def demo_ready(workdir: Path, reps: int) -> tuple[Path, list[Login]]:
    """The demo of `reps` reps in `workdir` (built once) and its logins."""
    data_dir = workdir / f"demo-{reps}"
    logins_file = data_dir / "logins.txt"
    if not logins_file.exists():
        print(f"building the demo with {reps} reps in {data_dir} …", flush=True)
        started = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "m3", "demo", "--no-serve", "--reset",
                              "--reps", str(reps)], env=m3_env(data_dir), check=True,
                             capture_output=True, text=True).stdout
        logins_file.write_text(out)
        print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
        # The weekly state first, so the load runs measure pages, not its back-fill (an M3
        # without a job queue answers this with an error, which is fine).
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "m3", "jobs", "run"], env=m3_env(data_dir),
                       capture_output=True)
        print(f"  weekly state in {time.perf_counter() - started:.0f} s", flush=True)
    logins = [Login(*m.groups()) for line in logins_file.read_text().splitlines()
              if (m := LOGIN_LINE.match(line))]
    return data_dir, logins


def serve(data_dir: Path, port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "m3", "serve", "--port", str(port),
               "--workers", str(workers)]
    if threads:
        command += ["--threads", str(threads)]
    server = subprocess.Popen(command, env=m3_env(data_dir), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("The server did not start within 60 s.")


def role_pages(client: Client, role: str) -> list[str]:
    """Every GET page and API twin this role uses, with ids taken from the API."""
    status, body = client.get("/api/me")
    me = json.loads(body)
    person_id = me.get("person_id") or me.get("id")
    pages = ["/", "/api/overview", "/initiatives/", "/api/initiatives", "/message/due/",
             "/api/message/due"]
    if person_id:
        pages += [f"/people/{person_id}/", f"/api/people/{person_id}"]
    status, body = client.get("/api/units")
    units = json.loads(body) if status == 200 else []
    units = units.get("items", units) if isinstance(units, dict) else units
    teams = [u for u in units if not any(v.get("parent_id") == u["id"] for v in units)]
    unit = teams[0] if teams else (units[0] if units else None)
    if unit is not None:
        pages += [f"/units/{unit['id']}/", f"/api/units/{unit['id']}"]
    status, body = client.get("/api/initiatives")
    initiatives = json.loads(body) if status == 200 else []
    initiatives = initiatives.get("items", initiatives) if isinstance(initiatives, dict) \
        else initiatives
    for initiative in initiatives[:1]:
        pk = initiative["id"]
        pages += [f"/initiatives/{pk}/", f"/api/initiatives/{pk}"]
        if role == "rep":
            pages += [f"/initiatives/{pk}/pulse/", f"/initiatives/{pk}/restate/"]
        else:
            pages += [f"/initiatives/{pk}/message/", f"/api/initiatives/{pk}/message"]
            if unit is not None:
                pages += [f"/initiatives/{pk}/message/units/{unit['id']}/",
                          f"/api/initiatives/{pk}/message/units/{unit['id']}"]
            # The diagnosis pages, where this version of M3 has them.
            for path in (f"/initiatives/{pk}/diagnosis/", f"/api/initiatives/{pk}/diagnosis"):
                if client.get(path)[0] == 200:
                    pages.append(path)
            if unit is not None:
                for path in (f"/initiatives/{pk}/diagnosis/units/{unit['id']}/",
                             f"/api/initiatives/{pk}/diagnosis/units/{unit['id']}"):
                    if client.get(path)[0] == 200:
                        pages.append(path)
    status, body = client.get("/")
    explain = re.search(r'href="(/metrics/explain/\?[^"]+)"', body.decode(errors="replace"))
    if explain:
        query = explain.group(1).replace("&amp;", "&")
        pages += [query, query.replace("/metrics/explain/", "/api/metrics/explain", 1)]
    return pages


def page_name(path: str) -> str:
    """`/units/12/` → `/units/{id}/`: pages grouped across ids and query strings."""
    return re.sub(r"/\d+", "/{id}", path.split("?", 1)[0])


def single(clients: dict[str, Client], pages: dict[str, list[str]],
           repeat: int) -> list[tuple[str, str, float, int]]:
    rows = []
    for role, client in clients.items():
        for path in pages[role]:
            times, status = [], 0
            for _ in range(repeat):
                started = time.perf_counter()
                status, _ = client.get(path)
                times.append(time.perf_counter() - started)
            rows.append((role, page_name(path), statistics.median(times), status))
    return rows


def load(port: int, logins: list[Login], pages: dict[str, list[str]], clients: int,
         duration: float) -> tuple[dict[tuple[str, str], list[float]], int, int, float]:
    """`clients` threads looping over their role's pages; the latencies per (role, page)."""
    latencies: dict[tuple[str, str], list[float]] = defaultdict(list)
    errors = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + duration
    sessions = []
    for i in range(clients):
        login = logins[i % len(logins)]
        client = Client(port)
        client.login(login.email, login.password)
        sessions.append((login, client))

    def loop(login: Login, client: Client, offset: int) -> None:
        paths = pages[login.email]
        i = offset
        while time.perf_counter() < stop_at:
            path = paths[i % len(paths)]
            i += 1
            started = time.perf_counter()
            try:
                status, _ = client.get(path)
            except (OSError, http.client.HTTPException):
                status = 0
            elapsed = time.perf_counter() - started
            with lock:
                if status != 200:
                    errors[0] += 1
                latencies[(login.role, page_name(path))].append(elapsed)

    started = time.perf_counter()
    threads = [threading.Thread(target=loop, args=(login, client, n))
               for n, (login, client) in enumerate(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    total = sum(len(v) for v in latencies.values())
    return latencies, total, errors[0], wall


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def import_file(data_dir: Path, rows: int) -> Path:
    """A CSV of `rows` activities in M3's own profile, owned by the demo's reps (by email)."""
    from itertools import cycle

    path = data_dir / "load-import.csv"
    emails = [line.split(",")[1] for line in (data_dir / "reps.csv").read_text().splitlines()]
    today = dt.date.today()
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "rep", "type", "occurred_at"])
        for i, email in zip(range(rows), cycle(emails), strict=False):
            writer.writerow([f"load-{i}", email, "call", today - dt.timedelta(days=i % 28)])
    return path


def reps_csv(data_dir: Path) -> None:
    """The demo's rep emails, for the import file (written once, through the CLI's Django)."""
    if (data_dir / "reps.csv").exists():
        return
    code = ("import django; django.setup();"
            "from m3.org.models import Person;"
            "print('\\n'.join(f'{p.pk},{p.email}' for p in Person.objects.filter(role='rep')))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True, env=dict(m3_env(data_dir),
                                             DJANGO_SETTINGS_MODULE="m3.settings")).stdout
    (data_dir / "reps.csv").write_text(out)


def report(title: str, latencies: dict[tuple[str, str], list[float]], total: int, errors: int,
           wall: float) -> None:
    everything = [x for v in latencies.values() for x in v]
    print(f"\n### {title}\n")
    print(f"{total} requests in {wall:.1f} s: {total / wall:.1f} requests/s, {errors} errors; "
          f"all pages p50 {percentile(everything, .5) * 1000:.0f} ms, "
          f"p95 {percentile(everything, .95) * 1000:.0f} ms, "
          f"p99 {percentile(everything, .99) * 1000:.0f} ms\n")
    print("| role | page | n | p50 ms | p95 ms | p99 ms |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for (role, page), values in sorted(latencies.items()):
        print(f"| {role} | `{page}` | {len(values)} | {percentile(values, .5) * 1000:.0f} | "
              f"{percentile(values, .95) * 1000:.0f} | {percentile(values, .99) * 1000:.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=120, help="demo size (reps)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/m3-load"))
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per load run")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=0,
                        help="threads per worker (0: m3 serve's default)")
    parser.add_argument("--repeat", type=int, default=3, help="single requests per page")
    parser.add_argument("--with-import", action="store_true",
                        help="also measure while `m3 import` writes activities")
    parser.add_argument("--import-rows", type=int, default=200_000)
    parser.add_argument("--no-single", action="store_true")
    args = parser.parse_args()

    data_dir, logins = demo_ready(args.workdir, args.reps)
    port = free_port()
    server = serve(data_dir, port, args.workers, args.threads)
    try:
        clients: dict[str, Client] = {}
        pages: dict[str, list[str]] = {}
        for login in logins:
            client = Client(port)
            client.login(login.email, login.password)
            clients[login.email] = client
            pages[login.email] = role_pages(client, login.role)
        facts = subprocess.run([sys.executable, "-m", "m3", "check"], env=m3_env(data_dir),
                               capture_output=True, text=True).stdout
        print(f"# Load benchmark: {args.reps}-rep demo, {args.workers} workers "
              f"(threads {args.threads or 'default'}), {args.clients} clients, "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
        print("\n".join(line for line in facts.splitlines() if "facts" in line.lower()))
        if not args.no_single:
            rows = single(clients, pages, args.repeat)
            print("\n### Single requests (median)\n")
            print("| role | page | ms | status |")
            print("| --- | --- | ---: | ---: |")
            for email, page, seconds, status in rows:
                role = next(x.role for x in logins if x.email == email)
                print(f"| {role} | `{page}` | {seconds * 1000:.0f} | {status} |")
        report("Load", *load(port, logins, pages, args.clients, args.duration))
        if args.with_import:
            reps_csv(data_dir)
            path = import_file(data_dir, args.import_rows)
            writer = subprocess.Popen([sys.executable, "-m", "m3", "import", str(path),
                                       "--profile", "m3"], env=m3_env(data_dir),
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            result = load(port, logins, pages, args.clients, args.duration)
            writer.wait()
            report(f"Load with an import of {args.import_rows:,} rows running "
                   f"(import exit {writer.returncode})", *result)
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
