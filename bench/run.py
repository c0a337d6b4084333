"""Load benchmark: generate a dataset, serve Agora as in production, drive it with wrk from a
separate process, and compare every figure with a constant route of the same stack.

    python -m bench.run --size S --db sqlite postgres [--duration 5] [--workers 2]
    python -m bench.run --scenario exam --db postgres sqlite [--window 60]   (bench/exam.py)

Writes bench/results/<date>-<db>-<size>.json (`…-exam.json` for the exam) and prints a
Markdown table per database, with each server worker's memory (RSS) after the run.
"""

import argparse
import json
import logging
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
from sqlalchemy import create_engine, event, text

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
LUA = ROOT / "bench" / "session.lua"
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_BENCH = "postgresql+psycopg://postgres@127.0.0.1:5432/agora_bench"
PASSWORD = "bench-password-0123"
CONCURRENCY = (1, 8, 32)


@dataclass
class Target:
    name: str
    method: str
    path: str
    auth: str = "none"  # none | cookie | bearer | form-login | token-login
    body: str = ""
    content_type: str = ""
    as_manager: bool = False  # the benchmark's manager's session, not the students'


@dataclass
class Figure:
    target: str
    concurrency: int
    requests_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    requests: int
    errors: int
    ratio_to_ceiling: float = 0.0
    sql_per_request: int | None = None


@dataclass
class Report:
    size: str
    database: str
    date: str
    workers: int
    duration_s: int
    dataset: dict[str, int]
    figures: list[Figure] = field(default_factory=list)
    bulk_enrolment_500_s: list[float] = field(default_factory=list)
    machine: str = ""
    # Resident memory of each server worker, in MB: once signed in, and after the run.
    worker_rss_mb: dict[str, list[float]] = field(default_factory=dict)


def _env(database_url: str, storage: Path) -> dict[str, str]:
    return {
        **os.environ,
        "AGORA_ENV": "production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-secret-key-0123456789-abcdefghijklmnop",
        "BASE_URL": "http://127.0.0.1:8000",
        "STORAGE_DIR": str(storage),
        "LOGIN_MAX_FAILURES_PER_IP": "100000",
        "LOG_LEVEL": "WARNING",
    }


def _reset(database: str, workdir: Path, name: str = "agora_bench") -> str:
    if database == "sqlite":
        return f"sqlite:///{workdir / 'bench.db'}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return PG_BENCH.replace("/agora_bench", f"/{name}")


def worker_rss_mb(server_pid: int) -> list[float]:
    """The resident memory (VmRSS, MB) of each worker the server process started: its child
    processes, less multiprocessing's resource tracker. psutil when installed, else /proc."""
    try:
        import psutil  # type: ignore[import-untyped]
    except ImportError:
        psutil = None
    if psutil is not None:
        children = psutil.Process(server_pid).children()
        return [round(c.memory_info().rss / 2**20, 1) for c in children
                if "resource_tracker" not in " ".join(c.cmdline())]  # fmt: skip
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(fields.get("PPid", "0")) != server_pid or "resource_tracker" in cmdline:
            continue
        kilobytes = int(fields.get("VmRSS", "0 kB").split()[0])
        found.append((int(entry.name), round(kilobytes / 1024, 1)))
    return [rss for _, rss in sorted(found)]


def _python(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, *args], env=env, cwd=ROOT, check=True,
                          capture_output=True, text=True)  # fmt: skip
    return done.stdout


def _serve(
    env: dict[str, str], port: int, workers: int, log: Path | None = None
) -> subprocess.Popen[bytes]:
    """`log`: a file for the server's output (its warnings), else it is dropped."""
    output = log.open("wb") if log is not None else subprocess.DEVNULL
    server = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port),
         "--workers", str(workers), "--no-access-log"],
        env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("Agora did not start")


def _cookies(base: str, emails: list[str]) -> list[str]:
    """One signed-in portal session per connection."""
    headers = []
    for email in emails:
        with httpx.Client(base_url=base) as client:
            page = client.get("/login").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', page)
            assert token, "no CSRF token on /login"
            client.post("/login", data={"csrf_token": token.group(1), "email": email,
                                        "password": PASSWORD})  # fmt: skip
            headers.append("; ".join(f"{k}={v}" for k, v in client.cookies.items()))
    return headers


def _tokens(base: str, emails: list[str]) -> list[str]:
    tokens = []
    for email in emails:
        answer = httpx.post(f"{base}/api/v1/auth/token", data={
            "grant_type": "password", "username": email, "password": PASSWORD},
            timeout=60)  # argon2 on purpose; sign-ins queued by the last run  # fmt: skip
        answer.raise_for_status()
        tokens.append(answer.json()["access_token"])
    return tokens


def _wrk(
    base: str,
    target: Target,
    concurrency: int,
    duration: int,
    auth: list[str],
    paths: list[str] | None = None,
    bodies: list[str] | None = None,
) -> Figure:
    """One thread per connection, so each connection keeps its own session; `paths` and
    `bodies`, when given, are each connection's own (one per credential)."""
    env = {
        **os.environ,
        "BENCH_METHOD": target.method,
        "BENCH_BODY": target.body,
        "BENCH_CONTENT_TYPE": target.content_type,
        "BENCH_AUTH": target.auth,
        "BENCH_CREDENTIALS": "\n".join(auth),
        "BENCH_PATHS": "\n".join(paths or []),
        "BENCH_BODIES": "\n".join(bodies or []),
    }
    done = subprocess.run(
        ["wrk", f"-t{concurrency}", f"-c{concurrency}", f"-d{duration}s", "--timeout", "10s",
         "-s", str(LUA), base + target.path],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    line = next(x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON "))
    data = json.loads(line.removeprefix("BENCH_JSON "))
    return Figure(target.name, concurrency, round(data["requests"] / data["seconds"], 1),
                  data["p50"] / 1000, data["p95"] / 1000, data["p99"] / 1000,
                  data["requests"], data["errors"])  # fmt: skip


def _settle(base: str) -> None:
    """Wait until the server has drained what the last run left queued (slow sign-ins)."""
    with httpx.Client(base_url=base, timeout=30) as client:
        for _ in range(50):
            started = time.perf_counter()
            client.get("/healthz")
            if time.perf_counter() - started < 0.05:
                return
            time.sleep(0.1)


def _targets(env: dict[str, str]) -> list[Target]:
    engine = create_engine(env["DATABASE_URL"])
    with engine.connect() as connection:
        course_id, code = connection.execute(
            text("SELECT id, code FROM courses ORDER BY id LIMIT 1")).one()  # fmt: skip
        page_id = connection.execute(text(
            "SELECT id FROM modules WHERE course_id = :c AND key = 'page-7'"), {"c": course_id}
        ).scalar_one()  # fmt: skip
    engine.dispose()
    login = f"grant_type=password&username=bench1%40example.org&password={PASSWORD}"
    return [
        Target("ceiling (constant route)", "GET", "/healthz"),
        Target("student dashboard", "GET", "/", "cookie"),
        Target("course page", "GET", f"/courses/{code}", "cookie"),
        Target("module page", "GET", f"/courses/{code}/modules/{page_id}", "cookie"),
        Target("catalogue search", "GET", "/catalogue?q=district", "cookie"),
        Target("reporting dashboard (manager)", "GET", "/reports/BENCH", "cookie", as_manager=True),
        Target("GET /api/v1/courses (page of 20)", "GET", "/api/v1/courses?limit=20", "bearer"),
        Target("completion POST (API)", "POST", f"/api/v1/modules/{page_id}/completion", "bearer"),
        # Last: its deliberately slow password hashing leaves a queue behind it.
        Target(
            "sign-in (API token)",
            "POST",
            "/api/v1/auth/token",
            "none",
            login,
            "application/x-www-form-urlencoded",
        ),
    ]


@contextmanager
def in_process(env: dict[str, str]) -> "Iterator[tuple[TestClient, list[str]]]":
    """The application in this process on the run's database, and the SQL statements it
    executes (clear the list before the request to count)."""
    os.environ.update(
        {
            k: v
            for k, v in env.items()
            if k in ("DATABASE_URL", "SECRET_KEY", "STORAGE_DIR", "AGORA_ENV", "BASE_URL")
        }
    )
    from fastapi.testclient import TestClient

    from app.core.config import get_settings
    from app.core.db import get_engine, session_factory
    from app.main import create_app

    # A second run in this process (another database) must not reuse the first one's engine.
    get_settings.cache_clear()
    get_engine.cache_clear()
    session_factory.configure(None)
    app = create_app()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not each test-client request
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", count)
    try:
        with TestClient(app) as client:
            yield client, statements
    finally:
        event.remove(engine, "before_cursor_execute", count)
        engine.dispose()


def sign_in(client: "TestClient", email: str) -> str:
    """A portal session for `email` on the in-process client; its CSRF token."""
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    signed_in = client.post("/login", data={"csrf_token": token.group(1), "email": email,
                                            "password": PASSWORD})  # fmt: skip
    found = re.search(r'name="csrf_token" value="([^"]+)"', signed_in.text)  # the page after
    return found.group(1) if found else ""


def _sql_per_request(env: dict[str, str], targets: list[Target]) -> dict[str, int]:
    """Statements per request, counted in-process on the same database (steady state)."""
    counts: dict[str, int] = {}
    with in_process(env) as (client, statements):
        email = _students_of_first_course(env, 1)[0]
        sign_in(client, email)
        bearer = client.post("/api/v1/auth/token", data={
            "grant_type": "password", "username": email, "password": PASSWORD,
        }).json()["access_token"]  # fmt: skip
        for target in targets:
            if target.name.startswith(("ceiling", "sign-in")) or target.as_manager:
                continue
            headers = {"Authorization": f"Bearer {bearer}"} if target.auth == "bearer" else {}
            client.request(target.method, target.path, headers=headers)  # warm
            statements.clear()
            client.request(target.method, target.path, headers=headers)
            counts[target.name] = len(statements)
    return counts


def _bulk(base: str, token: str, course_id: int, runs: int = 3) -> list[float]:
    timings = []
    for run in range(runs):
        rows = [{"external_id": f"R{run}-{n}", "email": f"bulk{run}-{n}@example.org",
                 "display_name": f"Bulk {n}"} for n in range(500)]  # fmt: skip
        started = time.perf_counter()
        answer = httpx.post(f"{base}/api/v1/courses/{course_id}/bulk-enrolments",
                            json={"institution_code": "BENCH", "rows": rows},
                            headers={"Authorization": f"Bearer {token}"}, timeout=120)  # fmt: skip
        timings.append(round(time.perf_counter() - started, 3))
        answer.raise_for_status()
    return timings


def bench(size: str, database: str, duration: int, workers: int, port: int) -> Report:
    workdir = Path(tempfile.mkdtemp(prefix="agora-bench-"))
    url = _reset(database, workdir)
    env = _env(url, workdir / "storage")
    _python("-m", "app.cli", "db", "upgrade", env=env)
    dataset = json.loads(_python("-m", "bench.generate", size, env=env).strip().splitlines()[-1])
    targets = _targets(env)
    server = _serve(env, port, workers)
    base = f"http://127.0.0.1:{port}"
    today = datetime.now(UTC).date().isoformat()
    report = Report(size, database, today, workers, duration, dataset,
                    machine=f"{os.cpu_count()} cores")  # fmt: skip
    try:
        emails = _students_of_first_course(env, max(CONCURRENCY))
        credentials = {"cookie": _cookies(base, emails), "bearer": _tokens(base, emails),
                       "none": [""]}  # fmt: skip
        manager_cookies = _cookies(base, ["bench-manager@example.org"])
        report.worker_rss_mb["signed in"] = worker_rss_mb(server.pid)
        for target in targets:
            for concurrency in CONCURRENCY:
                given = manager_cookies if target.as_manager else credentials[target.auth]
                figure = _wrk(base, target, concurrency, duration, given)
                _settle(base)
                report.figures.append(figure)
                print(
                    f"  {database} {size} {target.name} c={concurrency}: "
                    f"{figure.requests_per_s} req/s p95 {figure.p95_ms} ms",
                    flush=True,
                )
        course_id = int(_targets_course_id(env))
        manager = _tokens(base, ["bench-manager@example.org"])[0]
        report.bulk_enrolment_500_s = _bulk(base, manager, course_id)
        report.worker_rss_mb["after the run"] = worker_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=20)
    sql = _sql_per_request(env, targets)
    ceilings = {
        f.concurrency: f.requests_per_s for f in report.figures if f.target.startswith("ceiling")
    }
    for figure in report.figures:
        figure.ratio_to_ceiling = round(figure.requests_per_s / ceilings[figure.concurrency], 3)
        figure.sql_per_request = sql.get(figure.target)
    shutil.rmtree(workdir, ignore_errors=True)
    return report


def _students_of_first_course(env: dict[str, str], count: int) -> list[str]:
    """People enrolled as students in the measured course, one per connection."""
    engine = create_engine(env["DATABASE_URL"])
    with engine.connect() as connection:
        emails = connection.execute(text(
            "SELECT u.email FROM users u JOIN enrolments e ON e.user_id = u.id "
            "WHERE e.course_id = (SELECT min(id) FROM courses) AND e.role = 'student' "
            "ORDER BY u.id LIMIT :n"), {"n": count}).scalars().all()  # fmt: skip
    engine.dispose()
    return list(emails)


def _targets_course_id(env: dict[str, str]) -> int:
    engine = create_engine(env["DATABASE_URL"])
    with engine.connect() as connection:
        found = connection.execute(text("SELECT min(id) FROM courses")).scalar_one()
    engine.dispose()
    return int(found)


def table(report: Report) -> str:
    lines = [
        f"### {report.database}, size {report.size} ({report.date}, {report.machine}, "
        f"{report.workers} workers, {report.duration_s} s per run)",
        "",
        "| target | conc. | req/s | p50 ms | p95 ms | p99 ms | errors | × ceiling | SQL/req |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for f in report.figures:
        sql = "" if f.sql_per_request is None else str(f.sql_per_request)
        lines.append(f"| {f.target} | {f.concurrency} | {f.requests_per_s:,.0f} | {f.p50_ms:.1f} "
                     f"| {f.p95_ms:.1f} | {f.p99_ms:.1f} | {f.errors} | {f.ratio_to_ceiling:.1%} "
                     f"| {sql} |")  # fmt: skip
    runs = ", ".join(f"{t:.2f}" for t in report.bulk_enrolment_500_s)
    median = statistics.median(report.bulk_enrolment_500_s) if report.bulk_enrolment_500_s else 0
    lines += ["", f"Bulk enrolment of 500 rows: {runs} s (median {median:.2f} s)", ""]
    lines += rss_lines(report.worker_rss_mb)
    return "\n".join(lines)


def rss_lines(rss: dict[str, list[float]]) -> list[str]:
    if not rss:
        return []
    said = "; ".join(f"{moment} {', '.join(f'{mb:.0f}' for mb in mbs)} MB"
                     for moment, mbs in rss.items())  # fmt: skip
    return [f"Memory (RSS) per worker: {said}", ""]


def tables(paths: list[Path]) -> str:
    """The Markdown tables of saved results (for the README)."""
    out = []
    for path in paths:
        data = json.loads(path.read_text())
        data["figures"] = [Figure(**f) for f in data["figures"]]
        out.append(table(Report(**data)))
    return "\n".join(out)


def main() -> None:
    if sys.argv[1:2] == ["--tables"]:
        paths = [Path(p) for p in sys.argv[2:]]
        exam = [p for p in paths if p.stem.endswith("-exam")]
        if len(exam) < len(paths):
            print(tables([p for p in paths if p not in exam]))
        if exam:
            from bench.exam import exam_tables

            print(exam_tables(exam))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=["S", "L", "XL"], default="S")
    parser.add_argument("--db", nargs="+", choices=["sqlite", "postgres"],
                        default=["sqlite", "postgres"])  # fmt: skip
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--scenario", choices=["pages", "exam"], default="pages",
                        help="exam: the exam rush of bench/exam.py")  # fmt: skip
    parser.add_argument("--window", type=int, default=60,
                        help="exam: seconds of each of its three minutes (start, answer, "
                             "submit); shorter compresses the timeline")  # fmt: skip
    parser.add_argument("--no-teacher", action="store_true",
                        help="exam: no teacher editing the course (a baseline)")  # fmt: skip
    parser.add_argument("--note", default="", help="exam: a remark kept with the results")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk")
    RESULTS.mkdir(parents=True, exist_ok=True)
    if args.scenario == "exam":
        from bench.exam import main as exam_main

        exam_main(args)
        return
    for database in args.db:
        report = bench(args.size, database, args.duration, args.workers, args.port)
        path = RESULTS / f"{report.date}-{database}-{args.size}.json"
        path.write_text(json.dumps(asdict(report), indent=2) + "\n")
        print(table(report))
        print(f"(written to {path.relative_to(ROOT)})\n")


if __name__ == "__main__":
    main()
