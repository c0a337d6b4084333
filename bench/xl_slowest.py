"""The slowest SQL statements of the hot pages and list endpoints, in-process, on a generated
database (made for size XL, `bench/xl.py`; any size works): each target is requested as the
harness's learner of the first course, as its teacher or as the manager, once to warm and
then `--runs` times; every statement is timed (SQLAlchemy cursor events) and the slowest are
shown with their `EXPLAIN (ANALYZE, BUFFERS)` plans.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/agora_xl \\
        python -m bench.xl_slowest [--runs 5] [--top 12]

Latencies are of the test client in this process (no server, no network, one request at a
time): a reading of where the time goes, not the figures of `bench/run.py`.
"""

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import psycopg
from sqlalchemy import create_engine, event, text

PASSWORD = "bench-password-0123"


@dataclass
class Timed:
    statement: str
    parameters: Any
    ms: float
    target: str


@dataclass
class Result:
    target: str
    status: int
    ms: list[float] = field(default_factory=list)
    statements: int = 0


def _people(url: str) -> dict[str, Any]:
    engine = create_engine(url)
    with engine.connect() as connection:
        course_id, code = connection.execute(
            text("SELECT id, code FROM courses ORDER BY id LIMIT 1")
        ).one()
        page = connection.execute(
            text("SELECT id FROM modules WHERE course_id = :c AND key = 'page-7'"),
            {"c": course_id},
        ).scalar_one()
        learner, teacher = (
            connection.execute(
                text(
                    "SELECT u.email FROM users u JOIN enrolments e ON e.user_id = u.id "
                    "WHERE e.course_id = :c AND e.role = :r ORDER BY u.id LIMIT 1"
                ),
                {"c": course_id, "r": role},
            ).scalar_one()
            for role in ("student", "teacher")
        )
        session_id = connection.execute(
            text("SELECT min(id) FROM webinar_sessions WHERE course_id = :c"), {"c": course_id}
        ).scalar()
    engine.dispose()
    return {"course": course_id, "code": code, "page": page, "learner": learner,
            "teacher": teacher, "session": session_id}  # fmt: skip


def _targets(p: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(who, how, method, path): how is cookie (portal) or bearer (API)."""
    code, course, page = p["code"], p["course"], p["page"]
    api = f"/api/v1/courses/{course}"
    found = [
        ("learner", "cookie", "GET", "/"),
        ("learner", "cookie", "GET", f"/courses/{code}"),
        ("learner", "cookie", "GET", f"/courses/{code}/modules/{page}"),
        ("learner", "cookie", "GET", "/catalogue?q=district"),
        ("learner", "cookie", "GET", f"/courses/{code}/my-grades"),
        ("learner", "bearer", "GET", "/api/v1/courses?limit=20"),
        ("learner", "bearer", "POST", f"/api/v1/modules/{page}/completion"),
        ("learner", "bearer", "GET", f"{api}/outline"),
        ("teacher", "cookie", "GET", "/"),
        ("teacher", "cookie", "GET", f"/courses/{code}"),
        ("teacher", "cookie", "GET", f"/courses/{code}/grades"),
        ("teacher", "cookie", "GET", f"/courses/{code}/participants"),
        ("teacher", "cookie", "GET", f"/courses/{code}/sessions"),
        ("teacher", "bearer", "GET", f"{api}/participants"),
        ("teacher", "bearer", "GET", f"{api}/grader"),
        ("teacher", "bearer", "GET", f"{api}/results"),
        ("teacher", "bearer", "GET", f"{api}/sessions"),
        ("manager", "bearer", "GET", "/api/v1/courses?limit=20"),
        ("manager", "bearer", "GET", "/api/v1/users?limit=50"),
        ("manager", "bearer", "GET", "/api/v1/cohorts"),
    ]
    if p["session"] is not None:
        found.append(("teacher", "bearer", "GET", f"/api/v1/sessions/{p['session']}/attendance"))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--only", default="", help="only targets whose path contains this")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        sys.exit("DATABASE_URL: a PostgreSQL database with a generated dataset")
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-0123456789-abcdefghijklmnop")
    os.environ.setdefault("STORAGE_DIR", tempfile.mkdtemp(prefix="agora-xl-"))
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    people = _people(url)

    import logging

    from fastapi.testclient import TestClient

    from app.core.db import get_engine
    from app.main import create_app

    logging.getLogger("httpx").setLevel(logging.WARNING)
    app = create_app()
    timed: list[Timed] = []
    current = {"target": "", "on": False}

    def before(conn: Any, *_: Any) -> None:
        conn.info["started"] = time.perf_counter()

    def after(conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if current["on"]:
            ms = (time.perf_counter() - conn.info.pop("started")) * 1000
            timed.append(Timed(statement, parameters, ms, str(current["target"])))

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    results: list[Result] = []
    with TestClient(app) as client:
        cookies: dict[str, dict[str, str]] = {}
        bearers: dict[str, str] = {}
        for who in ("learner", "teacher", "manager"):
            email = people[who] if who != "manager" else "bench-manager@example.org"
            with TestClient(app) as own:
                page = own.get("/login").text
                token = re.search(r'name="csrf_token" value="([^"]+)"', page)
                assert token
                own.post("/login", data={"csrf_token": token.group(1), "email": email,
                                         "password": PASSWORD})  # fmt: skip
                cookies[who] = dict(own.cookies.items())
            answer = client.post("/api/v1/auth/token", data={
                "grant_type": "password", "username": email, "password": PASSWORD})  # fmt: skip
            bearers[who] = answer.json()["access_token"]
        for who, how, method, path in _targets(people):
            if args.only and args.only not in path:
                continue
            name = f"{who} {method} {path}"
            headers = {"Authorization": f"Bearer {bearers[who]}"} if how == "bearer" else {}
            client.cookies.clear()
            if how == "cookie":
                for key, value in cookies[who].items():
                    client.cookies.set(key, value)
            result = Result(name, client.request(method, path, headers=headers).status_code)
            current["target"] = name
            for _ in range(args.runs):
                before_count = len(timed)
                current["on"] = True
                started = time.perf_counter()
                client.request(method, path, headers=headers)
                result.ms.append((time.perf_counter() - started) * 1000)
                current["on"] = False
                result.statements = len(timed) - before_count
            results.append(result)
            print(f"  {name}: {result.status}, {statistics.median(result.ms):.1f} ms, "
                  f"{result.statements} statements", file=sys.stderr, flush=True)  # fmt: skip
    event.remove(engine, "before_cursor_execute", before)
    event.remove(engine, "after_cursor_execute", after)
    engine.dispose()
    _report(url, results, timed, args.top)


IN_LIST = re.compile(r"\((?:%\(\w+\)s(?:::\w+)?, )+%\(\w+\)s(?:::\w+)?\)")


def shortened(statement: str) -> str:
    """One line, each long IN list as (…n values)."""
    flat = " ".join(statement.split())
    return IN_LIST.sub(lambda m: f"(…{m.group(0).count('%(')} values)", flat)


def _report(url: str, results: list[Result], timed: list[Timed], top: int) -> None:
    print("| target | status | median ms (in-process) | SQL/req | SQL ms/req |")
    print("|---|---:|---:|---:|---:|")
    sql_ms: dict[str, float] = defaultdict(float)
    for t in timed:
        sql_ms[t.target] += t.ms
    for r in results:
        print(f"| {r.target} | {r.status} | {statistics.median(r.ms):.1f} | {r.statements} "
              f"| {sql_ms[r.target] / len(r.ms):.1f} |")  # fmt: skip
    # Each distinct statement of each target, planned and run again on its own (best of 3):
    # the server's own time, apart from this process's and the machine's other load.
    by_statement: dict[tuple[str, str], list[Timed]] = defaultdict(list)
    for t in timed:
        by_statement[(t.target, t.statement)].append(t)
    explained = []
    raw_url = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(raw_url) as connection:
        for ts in by_statement.values():
            sample = max(ts, key=lambda t: t.ms)
            best: tuple[float, float, list[str]] | None = None
            for _ in range(3):
                try:
                    rows = connection.execute(
                        "EXPLAIN (ANALYZE, BUFFERS) " + sample.statement, sample.parameters
                    ).fetchall()
                except psycopg.Error as error:
                    rows = [(f"(no plan: {error})",)]
                connection.rollback()  # an explained write is undone
                plan = [str(r[0]) for r in rows]
                execution, planning = (_ms(plan, "Execution Time"), _ms(plan, "Planning Time"))
                if best is None or execution + planning < best[0] + best[1]:
                    best = (execution, planning, plan)
            assert best is not None
            explained.append((best, statistics.median(t.ms for t in ts), sample))
    explained.sort(key=lambda e: -(e[0][0] + e[0][1]))
    print("\n| # | execution ms | planning ms | in-app ms (median) | target | statement |")
    print("|---:|---:|---:|---:|---|---|")
    for n, ((execution, planning, _), median, sample) in enumerate(explained[:top], 1):
        said = shortened(sample.statement)
        print(f"| {n} | {execution:.2f} | {planning:.2f} | {median:.1f} | {sample.target} "
              f"| `{said[:150]}{'…' if len(said) > 150 else ''}` |")  # fmt: skip
    for n, ((execution, planning, plan), _, sample) in enumerate(explained[:top], 1):
        print(f"\n### {n}. {execution:.2f} ms (+ {planning:.2f} ms planning), {sample.target}\n")
        print("```sql\n" + shortened(sample.statement) + "\n```\n")
        print("```\n" + "\n".join(_cut(line) for line in plan) + "\n```")


def _ms(plan: list[str], label: str) -> float:
    found = next((line for line in plan if line.startswith(label)), None)
    return float(found.split(":")[1].split()[0]) if found else 0.0


def _cut(line: str, width: int = 160) -> str:
    return line if len(line) <= width else line[:width] + " …"


if __name__ == "__main__":
    main()
