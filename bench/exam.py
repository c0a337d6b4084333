"""The "exam rush": 200 learners sit the same timed quiz at once (issue 15, item 3).

    python -m bench.run --scenario exam --db postgres sqlite [--window 60] [--duration 5]

On the regular dataset (`bench/generate.py`) plus `bench/exam_data.py` (200 students, a quiz
of 10 questions on 5 pages of 2, and the same 10 on one page), served as in production
(`agora serve --workers 2`, the harness of `bench/run.py`), each learner with their own portal
session, signed in beforehand (argon2 is slow on purpose; signing in is not the exam):

(a) 50 simultaneous starts of the one-page quiz: 50 learners, each connected and on the quiz's
    page, press Start at the same instant; the start (POST, 303) and its first page are timed.
(b) The exam, in three windows of `--window` seconds (60: the issue's minute): the 200
    learners open the paged quiz and press Start at random instants of the first window; each
    answers the 5 pages, one form post a page (the real portal form, its own CSRF token,
    answers chosen at random among the fields the page shows), spread until the end of the
    second window; a quarter of them go back to page 1 and change their answers; all submit
    at random instants of the third window. Meanwhile the course's teacher edits a page
    module every second (`PATCH /api/v1/modules/{id}`, which raises the course's version).
    Afterwards every learner's saved answers are read back from the database and compared,
    value by value, with the last answers the server accepted.
(c) wrk at concurrency 8, one learner per connection, for `--duration` seconds: the one-page
    attempt (10 questions) and its save (the page's form post with all 10 answers; the same
    answers again and again, so each save after the first changes only the attempt's version;
    each connection has its own attempt, so the saves do not wait for one another's lock).

Statements per request are counted in-process on the same database, as `bench/run.py` does.
Writes bench/results/<date>-<db>-<size>-exam.json and prints the tables.
"""

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import re
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from sqlalchemy import create_engine, text

from bench.generate import PAGE_TEXT
from bench.run import (
    PASSWORD,
    RESULTS,
    ROOT,
    Figure,
    Target,
    _env,
    _python,
    _reset,
    _serve,
    _settle,
    _tokens,
    _wrk,
    in_process,
    rss_lines,
    sign_in,
    worker_rss_mb,
)

FIELD = re.compile(r"^s(\d{1,4})-(.+)$")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SIMULTANEOUS = 50
WRK_CONCURRENCY = 8
PAGES = 5
# Moodle 4.3 on this machine, 10 questions on one page, 2 cores (issue 15).
MOODLE = {"attempt page": "30 req/s, p95 ~360 ms, 43 queries", "answer save": "61 req/s"}
GOALS = {"attempt page": (300, 40), "answer save": (610, 40)}  # req/s at least, p95 ms at most


@dataclass
class StepFigure:
    step: str
    requests: int
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    sql_per_request: int | None = None


@dataclass
class ExamReport:
    size: str
    database: str
    date: str
    workers: int
    machine: str
    window_s: int
    duration_s: int
    teacher: bool
    learners: int
    load_average: dict[str, list[float]] = field(default_factory=dict)
    simultaneous_starts: dict[str, Any] = field(default_factory=dict)
    steps: list[StepFigure] = field(default_factory=list)
    edits: dict[str, Any] = field(default_factory=dict)
    check: dict[str, Any] = field(default_factory=dict)
    wrk: list[Figure] = field(default_factory=list)
    worker_rss_mb: dict[str, list[float]] = field(default_factory=dict)
    server_log: dict[str, Any] = field(default_factory=dict)
    note: str = ""


@dataclass
class Record:
    step: str
    started: float  # seconds since the phase began
    seconds: float
    ok: bool
    detail: str = ""


class Refused(Exception):
    """A request answered otherwise than a learner's browser expects: the learner stops."""


class AttemptForm(HTMLParser):
    """What a learner's browser would send: the CSRF token and each question's fields (by the
    slot's position: its type from the question's class, its radios, boxes, lists, texts)."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.csrf = ""
        self.qtypes: dict[int, str] = {}
        self.radios: dict[str, list[str]] = {}
        self.boxes: dict[str, list[str]] = {}
        self.selects: dict[str, list[str]] = {}
        self.texts: list[str] = []
        self._slot: int | None = None
        self._select: str | None = None
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given = {k: v or "" for k, v in attrs}
        classes = given.get("class", "").split()
        name = given.get("name", "")
        if tag == "section" and "attempt-question" in classes:
            self._slot = int(given["id"].removeprefix("q"))
        elif "question" in classes and self._slot is not None:
            kind = next(c for c in classes if c.startswith("question-"))
            self.qtypes.setdefault(self._slot, kind.removeprefix("question-"))
        if tag == "input" and name == "csrf_token":
            self.csrf = given.get("value", "")
        elif tag == "input" and FIELD.match(name):
            kind = given.get("type", "text")
            if kind in ("radio", "checkbox"):
                (self.radios if kind == "radio" else self.boxes).setdefault(name, []).append(
                    given["value"]
                )
            elif kind == "text":
                self.texts.append(name)
        elif tag == "textarea" and FIELD.match(name):
            self.texts.append(name)
        elif tag == "select" and FIELD.match(name):
            self._select = name
            self.selects[name] = []
        elif tag == "option" and self._select and given.get("value"):
            self.selects[self._select].append(given["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None

    def answer(
        self, rng: random.Random, tag: str
    ) -> tuple[dict[str, list[str]], dict[int, dict[str, Any]]]:
        """Answers to every question shown: the form fields, and for each slot the response
        the database must hold afterwards (written out here, not taken from the app)."""
        fields: dict[str, list[str]] = {}
        expected: dict[int, dict[str, Any]] = {}
        for slot, qtype in self.qtypes.items():
            prefix = f"s{slot}-"
            mine: dict[str, list[str]] = {}
            for name, values in self.radios.items():
                if name.startswith(prefix):
                    mine[name] = [rng.choice(values)]
            for name, values in self.boxes.items():
                if name.startswith(prefix):
                    ticked = [v for v in values if rng.random() < 0.5] or [values[0]]
                    mine[name] = ticked
            for name, values in self.selects.items():
                if name.startswith(prefix):
                    mine[name] = [rng.choice(values)]
            for name in self.texts:
                if name.startswith(prefix):
                    number = rng.randint(1, 99999)
                    mine[name] = [str(number) if qtype == "numerical" else f"word{number} {tag}"]
            fields.update(mine)
            expected[slot] = _response(qtype, prefix, mine)
        return fields, expected


def _response(qtype: str, prefix: str, sent: dict[str, list[str]]) -> dict[str, Any]:
    """The response each question type stores for the fields sent (docs/question-bank.md)."""
    values = {name.removeprefix(prefix): given for name, given in sent.items()}
    if qtype == "truefalse":
        return {"answer": values["answer"][0] == "true"}
    if qtype == "multichoice":
        return {"choices": values["choice"]}
    if qtype in ("shortanswer", "numerical"):
        return {"answer": values["answer"][0]}
    if qtype == "essay":
        return {"text": values["text"][0]}
    if qtype == "matching":
        return {"matches": {k.removeprefix("match-"): v[0] for k, v in values.items()}}
    if qtype == "cloze":
        return {"gaps": {k.removeprefix("gap-"): v[0] for k, v in values.items()}}
    raise ValueError(qtype)


class Learner:
    """One browser: its own cookies and connection, every request it makes recorded."""

    def __init__(self, base: str, email: str, log: list[Record], seed: int) -> None:
        self.email = email
        self.client = httpx.AsyncClient(
            base_url=base, timeout=60, follow_redirects=False,
            # Idle connections dropped before uvicorn's 5 s keep-alive closes them, so a
            # request never goes out on a connection the server is closing (a browser retries
            # those; this client would count them as errors).
            limits=httpx.Limits(max_connections=2, max_keepalive_connections=2,
                                keepalive_expiry=3),
        )  # fmt: skip
        self.log = log
        self.rng = random.Random(seed)
        self.epoch = time.perf_counter()
        self.attempt_id = 0
        self.csrf = ""
        self.expected: dict[int, dict[str, Any]] = {}
        self.failed = ""

    async def call(self, step: str, method: str, path: str, expect: int, **kw: Any
                   ) -> httpx.Response:  # fmt: skip
        started = time.perf_counter()
        try:
            answer = await self.client.request(method, path, **kw)
        except httpx.HTTPError as error:
            self._note(step, started, False, repr(error))
            raise Refused(f"{step}: {error!r}") from error
        ok = answer.status_code == expect
        self._note(step, started, ok, "" if ok else str(answer.status_code))
        if not ok:
            raise Refused(f"{step}: {answer.status_code} {answer.text[:200]}")
        return answer

    def _note(self, step: str, started: float, ok: bool, detail: str) -> None:
        now = time.perf_counter()
        self.log.append(Record(step, started - self.epoch, now - started, ok, detail))

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.client.cookies.items())

    async def sign_in(self) -> None:
        page = await self.call("sign-in page", "GET", "/login", 200)
        token = CSRF.search(page.text)
        assert token, "no CSRF token on /login"
        await self.call("sign-in", "POST", "/login", 303, data={
            "csrf_token": token.group(1), "email": self.email, "password": PASSWORD})  # fmt: skip

    async def open_quiz(self, module_path: str) -> None:
        page = await self.call("quiz page", "GET", module_path, 200)
        token = CSRF.search(page.text)
        assert token, f"no Start form on {module_path} for {self.email}"
        self.csrf = token.group(1)

    async def start(self, quiz_id: int) -> httpx.Response:
        started = await self.call("start", "POST", f"/quizzes/{quiz_id}/attempts", 303,
                                  data={"csrf_token": self.csrf})  # fmt: skip
        where = started.headers["location"]
        self.attempt_id = int(where.split("/")[2].split("?")[0])
        return await self.call("attempt page", "GET", where, 200)

    async def save(self, page_number: int, shown: httpx.Response, go: str, tag: str
                   ) -> httpx.Response:  # fmt: skip
        form = AttemptForm(shown.text)
        fields, expected = form.answer(self.rng, tag)
        data = {"csrf_token": form.csrf, "page": str(page_number), "go": go, **fields}
        saved = await self.call("save", "POST", f"/attempts/{self.attempt_id}", 303, data=data)
        self.expected.update(expected)  # accepted: what the database must now hold
        where = saved.headers["location"]
        return await self.call("summary" if "page=0" in where else "attempt page", "GET",
                               where, 200)  # fmt: skip

    async def submit(self) -> None:
        summary = await self.call("summary", "GET", f"/attempts/{self.attempt_id}?page=0", 200)
        token = CSRF.search(summary.text)
        assert token
        done = await self.call("submit", "POST", f"/attempts/{self.attempt_id}/submit", 303,
                               data={"csrf_token": token.group(1)})  # fmt: skip
        await self.call("review", "GET", done.headers["location"], 200)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _step_figures(log: list[Record], order: list[str]) -> list[StepFigure]:
    figures = []
    for step in order:
        mine = [r for r in log if r.step == step]
        if not mine:
            continue
        took = [r.seconds for r in mine]
        figures.append(StepFigure(
            step, len(mine), sum(not r.ok for r in mine), _ms(_percentile(took, 0.5)),
            _ms(_percentile(took, 0.95)), _ms(_percentile(took, 0.99)), _ms(max(took)),
        ))  # fmt: skip
    return figures


async def _each(learners: list[Learner], work: Any, at_once: int = 0) -> None:
    limit = asyncio.Semaphore(at_once or len(learners))

    async def one(learner: Learner) -> None:
        async with limit:
            try:
                await work(learner)
            except Refused as refused:
                learner.failed = learner.failed or str(refused)

    await asyncio.gather(*(one(learner) for learner in learners))


async def simultaneous_starts(learners: list[Learner], data: dict[str, Any]) -> dict[str, Any]:
    """(a) Each learner connected and on the quiz's page; all press Start at one instant."""
    module_path = f"/courses/{data['course_code']}/modules/{data['one_page_module_id']}"
    await _each(learners, lambda learner: learner.open_quiz(module_path))
    gate = asyncio.Event()
    took: dict[str, list[float]] = {"start": [], "served": []}

    async def press(learner: Learner) -> None:
        await gate.wait()
        began = time.perf_counter()
        path = f"/quizzes/{data['one_page_quiz_id']}/attempts"
        answer = await learner.call("start", "POST", path, 303, data={"csrf_token": learner.csrf})
        took["start"].append(time.perf_counter() - began)
        where = answer.headers["location"]
        learner.attempt_id = int(where.split("/")[2].split("?")[0])
        await learner.call("attempt page", "GET", where, 200)
        took["served"].append(time.perf_counter() - began)

    pressing = asyncio.ensure_future(_each(learners, press))
    await asyncio.sleep(0.2)
    opened = time.perf_counter()
    gate.set()
    await pressing
    return {
        "learners": len(learners),
        "errors": sum(1 for learner in learners if learner.failed),
        "start_p50_ms": _ms(_percentile(took["start"], 0.5)),
        "start_p95_ms": _ms(_percentile(took["start"], 0.95)),
        "start_max_ms": _ms(max(took["start"], default=0)),
        "served_p50_ms": _ms(_percentile(took["served"], 0.5)),
        "served_p95_ms": _ms(_percentile(took["served"], 0.95)),
        "served_max_ms": _ms(max(took["served"], default=0)),
        "all_served_s": round(time.perf_counter() - opened, 3),
    }


async def sit_exam(learner: Learner, data: dict[str, Any], window: float, t0: float) -> None:
    """(b) One learner's exam: start in the first window, the 5 pages until the end of the
    second (a quarter go back to page 1), submit in the third."""
    rng = learner.rng

    async def until(moment: float) -> None:
        await asyncio.sleep(max(0.0, t0 + moment - time.perf_counter()))

    starts = rng.uniform(0, window)
    saves = sorted(rng.uniform(starts, 2 * window) for _ in range(PAGES))
    submits = rng.uniform(2 * window, 3 * window)
    await until(starts)
    await learner.open_quiz(f"/courses/{data['course_code']}/modules/{data['exam_module_id']}")
    shown = await learner.start(data["exam_quiz_id"])
    for page, moment in enumerate(saves, start=1):
        await until(moment)
        shown = await learner.save(page, shown, "next", f"p{page}")
    if rng.random() < 0.25:
        await until(rng.uniform(saves[-1], 2 * window))
        again = await learner.call("attempt page", "GET", f"/attempts/{learner.attempt_id}?page=1",
                                   200)  # fmt: skip
        await learner.save(1, again, "summary", "again")
    await until(submits)
    await learner.submit()


async def teacher_edits(base: str, token: str, module_id: int, stop: asyncio.Event,
                        log: list[Record], epoch: float) -> None:  # fmt: skip
    """The course's teacher saves a page module every second until the exam ends."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:
        n = 0
        while not stop.is_set():
            n += 1
            began = time.perf_counter()
            answer = await client.patch(f"/api/v1/modules/{module_id}",
                                        json={"body": f"{PAGE_TEXT}\n\nRevision {n}."})  # fmt: skip
            ok = answer.status_code == 200
            log.append(Record("teacher edit", began - epoch, time.perf_counter() - began, ok,
                              "" if ok else str(answer.status_code)))  # fmt: skip
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), max(0.0, 1 - (time.perf_counter() - began)))


def _after_edits(log: list[Record], within: float = 0.25) -> dict[str, Any]:
    """Learners' requests begun within `within` s after an edit was saved, against the rest."""
    saved = sorted(r.started + r.seconds for r in log if r.step == "teacher edit")
    near: list[float] = []
    far: list[float] = []
    for record in log:
        if record.step == "teacher edit":
            continue
        before = [s for s in saved if s <= record.started]
        (near if before and record.started - before[-1] < within else far).append(record.seconds)
    edits = [r for r in log if r.step == "teacher edit"]
    took = [r.seconds for r in edits]
    return {
        "edits": len(edits), "errors": sum(not r.ok for r in edits),
        "edit_p50_ms": _ms(_percentile(took, 0.5)), "edit_p95_ms": _ms(_percentile(took, 0.95)),
        "learner_requests_after_edit": len(near),
        "learner_p95_after_edit_ms": _ms(_percentile(near, 0.95)),
        "learner_p95_otherwise_ms": _ms(_percentile(far, 0.95)),
    }  # fmt: skip


def check_answers(env: dict[str, str], quiz_id: int, learners: list[Learner]) -> dict[str, Any]:
    """Every answer the server accepted is in the database, with its value."""
    engine = create_engine(env["DATABASE_URL"])
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT u.email, a.state, a.sum_marks, s.position, s.response "
            "FROM quiz_attempts a JOIN users u ON u.id = a.user_id "
            "JOIN quiz_attempt_slots s ON s.attempt_id = a.id WHERE a.quiz_id = :q"),
            {"q": quiz_id}).all()  # fmt: skip
        attempts = connection.execute(text(
            "SELECT count(*), count(*) FILTER (WHERE state = 'finished'), "
            "count(*) FILTER (WHERE sum_marks IS NOT NULL) FROM quiz_attempts WHERE quiz_id = :q"
        ), {"q": quiz_id}).one()  # fmt: skip
        grades = connection.execute(text(
            "SELECT count(*) FROM grades g JOIN grade_items i ON i.id = g.item_id "
            "WHERE i.source = 'quiz' AND i.source_id = :q AND g.points IS NOT NULL"),
            {"q": quiz_id}).scalar_one()  # fmt: skip
    engine.dispose()
    stored: dict[tuple[str, int], Any] = {}
    for email, _state, _marks, position, response in rows:
        stored[(email, position)] = json.loads(response) if isinstance(response, str) else response
    expected = lost = wrong = 0
    for learner in learners:
        for position, response in learner.expected.items():
            expected += 1
            found = stored.get((learner.email, position))
            if not found:
                lost += 1
            elif found != response:
                wrong += 1
    return {
        "attempts": attempts[0], "finished": attempts[1], "graded": attempts[2],
        "grades_in_gradebook": grades, "answers_accepted": expected, "lost_answers": lost,
        "wrong_values": wrong, "learners_stopped": sum(1 for x in learners if x.failed),
        "stopped_because": sorted({x.failed[:160] for x in learners if x.failed})[:5],
    }  # fmt: skip


def _sql_counts(env: dict[str, str], data: dict[str, Any], email: str) -> dict[str, int]:
    """Statements of one request per step, in-process, by a learner new to the one-page quiz
    (so the start is a real one)."""
    counts: dict[str, int] = {}
    module_path = f"/courses/{data['course_code']}/modules/{data['one_page_module_id']}"
    with in_process(env) as (client, statements):
        sign_in(client, email)

        def count(step: str, method: str, path: str, **kw: Any) -> httpx.Response:
            statements.clear()
            answer: httpx.Response = client.request(method, path, follow_redirects=False, **kw)
            assert answer.status_code < 400, (step, answer.status_code, answer.text[:300])
            counts[step] = len(statements)
            return answer

        client.get(module_path)
        page = count("quiz page", "GET", module_path)
        token = CSRF.search(page.text)
        assert token
        started = count("start", "POST", f"/quizzes/{data['one_page_quiz_id']}/attempts",
                        data={"csrf_token": token.group(1)})  # fmt: skip
        where = started.headers["location"]
        attempt = where.split("/")[2].split("?")[0]
        client.get(where)
        shown = count("attempt page", "GET", where)
        form = AttemptForm(shown.text)
        fields, _ = form.answer(random.Random(1), "count")
        body = {"csrf_token": form.csrf, "page": "1", "go": "1", **fields}
        client.post(f"/attempts/{attempt}", data=body, follow_redirects=False)
        count("save", "POST", f"/attempts/{attempt}", data=body)
        count("summary", "GET", f"/attempts/{attempt}?page=0")
        done = count(
            "submit", "POST", f"/attempts/{attempt}/submit", data={"csrf_token": form.csrf}
        )
        count("review", "GET", done.headers["location"])
    return counts


async def _exam(base: str, data: dict[str, Any], report: ExamReport,
                server_pid: int, duration: int) -> list[Learner]:  # fmt: skip
    log: list[Record] = []
    learners = [Learner(base, email, log, seed=n) for n, email in enumerate(data["learners"])]
    report.learners = len(learners)
    try:
        await _each(learners, Learner.sign_in, at_once=4)
        if any(learner.failed for learner in learners):
            raise RuntimeError(next(x.failed for x in learners if x.failed))
        report.worker_rss_mb["signed in"] = worker_rss_mb(server_pid)
        log.clear()
        first = learners[:SIMULTANEOUS]
        report.simultaneous_starts = await simultaneous_starts(first, data)
        print(f"  (a) {report.simultaneous_starts}", flush=True)
        report.wrk = await asyncio.to_thread(_wrk_runs, base, first[:WRK_CONCURRENCY], duration)
        for figure in report.wrk:
            print(f"  (c) {figure.target}: {figure.requests_per_s} req/s p95 {figure.p95_ms} ms",
                  flush=True)  # fmt: skip
        _settle(base)
        log.clear()
        for learner in learners:
            learner.failed, learner.expected = "", {}
        epoch = time.perf_counter()
        for learner in learners:
            learner.epoch = epoch
        stop = asyncio.Event()
        teacher = None
        if report.teacher:
            token = _tokens(base, [data["teacher"]])[0]
            teacher = asyncio.ensure_future(teacher_edits(
                base, token, data["edited_module_id"], stop, log, epoch))  # fmt: skip
        window = report.window_s
        await _each(learners, lambda learner: sit_exam(learner, data, window, epoch))
        stop.set()
        if teacher is not None:
            await teacher
        order = ["quiz page", "start", "attempt page", "save", "summary", "submit", "review",
                 "teacher edit"]  # fmt: skip
        report.steps = _step_figures(log, order)
        report.edits = _after_edits(log) if report.teacher else {}
        report.worker_rss_mb["after the run"] = worker_rss_mb(server_pid)
    finally:
        await asyncio.gather(*(learner.client.aclose() for learner in learners))
    return learners


def _wrk_runs(base: str, learners: list[Learner], duration: int) -> list[Figure]:
    """(c) The one-page attempt and its save at concurrency 8, each connection its learner's."""
    cookies = [learner.cookie_header() for learner in learners]
    paths = [f"/attempts/{learner.attempt_id}?page=1" for learner in learners]
    bodies = []
    with httpx.Client(base_url=base) as client:
        for learner, cookie, path in zip(learners, cookies, paths, strict=True):
            form = AttemptForm(client.get(path, headers={"Cookie": cookie}).text)
            fields, _ = form.answer(random.Random(learner.attempt_id), "wrk")
            pairs = [("csrf_token", form.csrf), ("page", "1"), ("go", "1")]
            pairs += [(name, value) for name, values in fields.items() for value in values]
            bodies.append(urlencode(pairs))
    figures = [_wrk(base, Target("ceiling (constant route)", "GET", "/healthz"),
                    WRK_CONCURRENCY, duration, [""])]  # fmt: skip
    _settle(base)
    figures.append(_wrk(base, Target("attempt page", "GET", "/", "cookie"),
                        WRK_CONCURRENCY, duration, cookies, paths))  # fmt: skip
    _settle(base)
    save = Target(
        "answer save", "POST", "/", "cookie", content_type="application/x-www-form-urlencoded"
    )
    figures.append(_wrk(base, save, WRK_CONCURRENCY, duration, cookies,
                        [p.split("?")[0] for p in paths], bodies))  # fmt: skip
    ceiling = figures[0].requests_per_s or 1
    for figure in figures:
        figure.ratio_to_ceiling = round(figure.requests_per_s / ceiling, 3)
    return figures


def bench_exam(size: str, database: str, window: int, duration: int, workers: int, port: int,
               teacher: bool) -> ExamReport:  # fmt: skip
    workdir = Path(tempfile.mkdtemp(prefix="agora-exam-"))
    url = _reset(database, workdir, "agora_bench_exam")
    env = _env(url, workdir / "storage")
    _python("-m", "app.cli", "db", "upgrade", env=env)
    _python("-m", "bench.generate", size, env=env)
    data = json.loads(_python("-m", "bench.exam_data", env=env).strip().splitlines()[-1])
    report = ExamReport(
        size, database, datetime.now(UTC).date().isoformat(), workers,
        f"{os.cpu_count()} cores", window, duration, teacher, len(data["learners"]),
    )  # fmt: skip
    report.load_average["before"] = [round(x, 2) for x in os.getloadavg()]
    log = Path(tempfile.gettempdir()) / f"agora-exam-{database}-server.log"
    server = _serve(env, port, workers, log)
    base = f"http://127.0.0.1:{port}"
    try:
        learners = asyncio.run(_exam(base, data, report, server.pid, duration))
    finally:
        server.terminate()
        server.wait(timeout=20)
    report.server_log = _server_log(log)
    report.load_average["after"] = [round(x, 2) for x in os.getloadavg()]
    report.check = check_answers(env, data["exam_quiz_id"], learners)
    try:
        sql = _sql_counts(env, data, data["learners"][-1])
    except Exception as error:  # the timed run is kept without its counts
        sql = {}
        report.note = f"statements not counted: {error!r}"
    for step in report.steps:
        step.sql_per_request = sql.get(step.step)
    for figure in report.wrk:
        figure.sql_per_request = sql.get(
            "save" if figure.target == "answer save" else figure.target
        )
    shutil.rmtree(workdir, ignore_errors=True)
    return report


def _server_log(path: Path) -> dict[str, Any]:
    """How many warnings and errors the server logged, and the first few kinds."""
    said: dict[str, int] = {}
    for line in path.read_text(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("level") in ("WARNING", "ERROR", "CRITICAL"):
            message = re.sub(r"\d+", "N", str(entry.get("message", "")))[:200]
            if "ClientDisconnect" in str(entry.get("exception", "")):
                message += " (client gone mid-request: wrk stopping at the end of its run)"
            said[message] = said.get(message, 0) + 1
    return {"path": str(path), "warnings": sum(said.values()),
            "kinds": dict(sorted(said.items(), key=lambda kv: -kv[1])[:8])}  # fmt: skip


def exam_table(report: ExamReport) -> str:
    starts = report.simultaneous_starts
    check = report.check
    lines = [
        f"### Exam rush, {report.database}, size {report.size} ({report.date}, {report.machine}, "
        f"{report.workers} workers, windows of {report.window_s} s, wrk {report.duration_s} s, "
        f"load average {report.load_average.get('before', [0])[0]} → "
        f"{report.load_average.get('after', [0])[0]})",
        "",
        f"(a) {starts.get('learners')} simultaneous starts: start p50 {starts.get('start_p50_ms')}"
        f" ms, p95 {starts.get('start_p95_ms')} ms, max {starts.get('start_max_ms')} ms; start "
        f"and first page p95 {starts.get('served_p95_ms')} ms, max {starts.get('served_max_ms')}"
        f" ms (goal: all within 500 ms); all served in {starts.get('all_served_s')} s; "
        f"{starts.get('errors')} errors",
        "",
        f"(b) {report.learners} learners" + (", the teacher editing every second" if report.teacher
                                             else ", no teacher") + ":",
        "",
        "| step | requests | p50 ms | p95 ms | p99 ms | max ms | errors | SQL/req |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]  # fmt: skip
    for s in report.steps:
        sql = "" if s.sql_per_request is None else str(s.sql_per_request)
        lines.append(f"| {s.step} | {s.requests} | {s.p50_ms:.1f} | {s.p95_ms:.1f} | "
                     f"{s.p99_ms:.1f} | {s.max_ms:.1f} | {s.errors} | {sql} |")  # fmt: skip
    if report.edits:
        e = report.edits
        lines += ["", f"Learners' p95 within 250 ms after a teacher's edit: "
                      f"{e['learner_p95_after_edit_ms']} ms ({e['learner_requests_after_edit']} "
                      f"requests), otherwise {e['learner_p95_otherwise_ms']} ms"]  # fmt: skip
    lines += [
        "",
        f"Database afterwards: {check.get('attempts')} attempts, {check.get('finished')} "
        f"finished, {check.get('graded')} graded, {check.get('grades_in_gradebook')} grades; "
        f"{check.get('answers_accepted')} accepted answers compared: lost answers: "
        f"{check.get('lost_answers')}, wrong values: {check.get('wrong_values')}; learners "
        f"stopped by an error: {check.get('learners_stopped')}",
        "",
        f"(c) wrk, concurrency {WRK_CONCURRENCY}, one learner per connection:",
        "",
        "| target | req/s | p50 ms | p95 ms | p99 ms | errors | × ceiling | SQL/req | Moodle 4.3 "
        "| goal |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]  # fmt: skip
    for f in report.wrk:
        sql = "" if f.sql_per_request is None else str(f.sql_per_request)
        goal = GOALS.get(f.target)
        said = f"≥ {goal[0]} req/s, p95 ≤ {goal[1]} ms" if goal else ""
        lines.append(f"| {f.target} | {f.requests_per_s:,.0f} | {f.p50_ms:.1f} | {f.p95_ms:.1f} "
                     f"| {f.p99_ms:.1f} | {f.errors} | {f.ratio_to_ceiling:.1%} | {sql} "
                     f"| {MOODLE.get(f.target, '')} | {said} |")  # fmt: skip
    lines += ["", *rss_lines(report.worker_rss_mb)]
    if report.server_log:
        lines += [f"Server warnings and errors logged: {report.server_log.get('warnings')}", ""]
    if report.note:
        lines += [f"Note: {report.note}", ""]
    return "\n".join(lines)


def exam_tables(paths: list[Path]) -> str:
    out = []
    for path in paths:
        data = json.loads(path.read_text())
        data["steps"] = [StepFigure(**s) for s in data["steps"]]
        data["wrk"] = [Figure(**f) for f in data["wrk"]]
        out.append(exam_table(ExamReport(**data)))
    return "\n".join(out)


def main(args: argparse.Namespace) -> None:
    for database in args.db:
        report = bench_exam(args.size, database, args.window, args.duration, args.workers,
                            args.port + 1, not args.no_teacher)  # fmt: skip
        report.note = "; ".join(x for x in (args.note, report.note) if x)
        path = RESULTS / f"{report.date}-{database}-{args.size}-exam.json"
        path.write_text(json.dumps(asdict(report), indent=2) + "\n")
        print(exam_table(report))
        print(f"(written to {path.relative_to(ROOT)})\n")
