"""Two real `agora serve` processes on one database and one storage directory, with no sticky
sessions: whatever one server does, the other sees at once. Course structures are cached per
process but keyed by the course's version; portal sessions, bearer tokens' revocations and
sign-in throttling live in the database; reminders are claimed by a unique row, so two
`agora reminders` runs at the same moment queue, and deliver, each mail once.

The servers need committed data, so this module has a database of its own (a SQLite file, or
with TEST_DATABASE_URL a database `agora_two_servers` beside the suite's), migrated by two
`agora db upgrade` runs started together (as containers starting together do) and arranged
through an engine of its own, outside the suite's rolled-back transactions."""

import asyncio
import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path
from typing import IO

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from app.accounts.auth import actor_for_user
from app.accounts.deps import SESSION_COOKIE
from app.accounts.models import User
from app.accounts.service import find_user_by_email
from app.core.config import Settings
from app.core.db import make_engine, utcnow
from app.membership.models import CourseRole
from app.webinars.schemas import SessionCreate
from app.webinars.service import registration, scheduling
from tests.accounts.factories import PASSWORD, make_user
from tests.conftest import TEST_SECRET, csrf_from
from tests.courses.factories import enrol_as, import_hs101, module
from tests.smtp import Inbox, free_port

ROOT = Path(__file__).resolve().parents[1]
DATABASE = "agora_two_servers"
BASE_URL = "http://agora.example.test"  # the load balancer's address, the same for both
READY_TIMEOUT = 60.0
TEACHER = "teacher@two-servers.test"
STUDENTS = [f"student{n}@two-servers.test" for n in range(1, 5)]
LOCKED_OUT = "locked-out@two-servers.test"  # the throttling check's own account


# --- the database, the mail server and the arranged world ---------------------------------


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    suite_url = os.environ.get("TEST_DATABASE_URL")
    if not suite_url:
        yield f"sqlite:///{tmp_path_factory.mktemp('two-servers') / 'agora.db'}"
        return
    server = create_engine(suite_url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {DATABASE}"))
    try:
        yield make_url(suite_url).set(database=DATABASE).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
        server.dispose()


class SlowInbox(Inbox):
    """Takes a moment per mail, so that two reminder runs started together overlap."""

    port = 0

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.05)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture(scope="module")
def inbox() -> Iterator[SlowInbox]:
    inbox = SlowInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    try:
        yield inbox
    finally:
        controller.stop()


def _environment(settings: Settings, smtp_port: int | None = None) -> dict[str, str]:
    """What every process of the deployment is given: the same database, secret, public
    address, storage and signing keys."""
    environment = {
        **os.environ,
        "AGORA_ENV": "test",
        "DATABASE_URL": settings.database_url,
        "SECRET_KEY": TEST_SECRET,
        "BASE_URL": BASE_URL,
        "STORAGE_DIR": str(settings.storage_dir),
        "SIGNING_KEYS_DIR": str(settings.signing_keys_dir),
        "PYTHONUNBUFFERED": "1",
    }
    if smtp_port is not None:
        environment.update(SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_port))
    return environment


def _agora(*args: str) -> list[str]:
    return [sys.executable, "-m", "app.cli", *args]


@dataclass
class World:
    settings: Settings
    committed: Callable[[], Session]  # a session of our own, outside the servers
    course_id: int
    course_code: str
    section_id: int
    file_module_id: int


@pytest.fixture(scope="module")
def world(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    base = tmp_path_factory.mktemp("two-servers-files")
    settings = Settings(
        agora_env="test",
        database_url=database_url,
        secret_key=TEST_SECRET,
        base_url=BASE_URL,
        storage_dir=base / "storage",
        signing_keys_dir=base / "keys",
    )
    # Migrated as containers starting together migrate it: each runs `agora db upgrade`.
    upgrades = [
        subprocess.Popen(
            _agora("db", "upgrade"), cwd=ROOT, env=_environment(settings), stderr=subprocess.PIPE
        )
        for _ in "ab"
    ]
    errors = [run.communicate(timeout=300)[1] for run in upgrades]
    assert [run.returncode for run in upgrades] == [0, 0], errors
    engine: Engine = make_engine(database_url)
    committed = sessionmaker(bind=engine, expire_on_commit=False)
    with committed() as db, db.begin():
        course = import_hs101(db, settings)
        teacher = make_user(db, email=TEACHER, password=PASSWORD, time_zone="Europe/Paris")
        enrol_as(db, course, teacher, CourseRole.TEACHER)
        for number, email in enumerate(STUDENTS, 1):
            student = make_user(db, email=email, password=PASSWORD)
            student.display_name = f"Two-servers student {number}"
            enrol_as(db, course, student, CourseRole.STUDENT)
        make_user(db, email=LOCKED_OUT, password=PASSWORD)
        section_id = module(db, course, "intro").section_id
        glossary = module(db, course, "glossary").id
        arranged = World(settings, committed, course.id, course.code, section_id, glossary)
    try:
        yield arranged
    finally:
        engine.dispose()


# --- the two servers ----------------------------------------------------------------------


@dataclass
class Servers:
    a: str
    b: str
    env: dict[str, str]


def _wait_until_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{url} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    pytest.fail(f"{url} not ready after {READY_TIMEOUT:.0f} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def servers(
    world: World, inbox: SlowInbox, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Servers]:
    env = _environment(world.settings, inbox.port)
    logs = tmp_path_factory.mktemp("two-servers-logs")
    started: list[tuple[str, subprocess.Popen[bytes], IO[bytes], Path]] = []
    try:
        for name in ("a", "b"):  # both start at once; then each is waited for
            port, path = free_port(), logs / f"{name}.log"
            log = path.open("wb")
            command = _agora("serve", "--port", str(port), "--no-access-log")
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
            started.append((f"http://127.0.0.1:{port}", process, log, path))
        for url, process, _log, path in started:
            _wait_until_ready(url, process, path)
        yield Servers(started[0][0], started[1][0], env)
    finally:
        for _url, process, _log, _path in started:
            process.terminate()
        for _url, process, log, _path in started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


def _client(base_url: str) -> httpx.Client:
    """A browser of its own (its own cookies), on one server."""
    return httpx.Client(base_url=base_url, timeout=30, follow_redirects=False)


def _token(server: str, email: str, password: str = PASSWORD) -> httpx.Response:
    data = {"grant_type": "password", "username": email, "password": password}
    return httpx.post(f"{server}/api/v1/auth/token", data=data, timeout=30)


def _bearer(server: str, email: str) -> dict[str, str]:
    response = _token(server, email)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


# --- 1. a course edited through one server is shown at once by the other -----------------


def _section_titles(server: str, course_id: int, headers: dict[str, str]) -> list[str]:
    response = httpx.get(f"{server}/api/v1/courses/{course_id}/outline", headers=headers)
    assert response.status_code == 200, response.text
    return [section["title"] for section in response.json()["sections"]]


def test_a_course_edited_through_one_server_is_shown_at_once_by_the_other(
    servers: Servers, world: World
):
    teacher = _bearer(servers.a, TEACHER)
    with _client(servers.b) as browser_on_b:
        # Warm B's cached course structure, through the API and through the course page.
        before = _section_titles(servers.b, world.course_id, teacher)
        assert _section_titles(servers.b, world.course_id, teacher) == before
        page = browser_on_b.get(f"/courses/{world.course_code}")
        assert page.status_code == 200
        assert "Week 1 — What a health system is" in page.text

        renamed = httpx.patch(
            f"{servers.a}/api/v1/sections/{world.section_id}",
            json={"title": "Week 1 — Renamed through server A"},
            headers=teacher,
        )
        assert renamed.status_code == 200, renamed.text

        after = _section_titles(servers.b, world.course_id, teacher)
        page = browser_on_b.get(f"/courses/{world.course_code}")
    assert after[0] == "Week 1 — Renamed through server A"
    assert after[1:] == before[1:]
    assert "Week 1 — Renamed through server A" in page.text
    assert "Week 1 — What a health system is" not in page.text


def test_a_file_uploaded_through_one_server_downloads_from_the_other(
    servers: Servers, world: World
):
    teacher = _bearer(servers.b, TEACHER)
    content = b"Shared storage: uploaded through A, read through B.\n" * 20
    uploaded = httpx.post(
        f"{servers.a}/api/v1/modules/{world.file_module_id}/files",
        files={"file": ("two-servers.txt", content, "text/plain")},
        headers=teacher,
    )
    assert uploaded.status_code == 201, uploaded.text
    url = f"{servers.b}{uploaded.json()['url']}"

    whole = httpx.get(url, headers=teacher)
    part = httpx.get(url, headers={**teacher, "Range": "bytes=0-13"})

    assert whole.status_code == 200
    assert whole.content == content
    assert part.status_code == 206
    assert part.content == b"Shared storage"


# --- 2. sessions and tokens are the database's, not a server's ----------------------------


def _sign_in(form_from: httpx.Client, post_to: httpx.Client, email: str) -> str:
    """The sign-in form read from one server and sent to the other; returns the session."""
    form = form_from.get("/login")
    post_to.cookies.update(form_from.cookies)
    signed_in = post_to.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf_from(form.text)}
    )
    assert signed_in.status_code == 303, signed_in.text
    return signed_in.cookies[SESSION_COOKIE]


def test_a_portal_session_made_on_one_server_is_valid_on_the_other_until_signed_out(
    servers: Servers,
):
    student, name = STUDENTS[0], "Two-servers student 1"
    with _client(servers.a) as on_a, _client(servers.b) as on_b:
        session = _sign_in(on_b, on_a, student)  # the form from B, the sign-in on A
        on_b.cookies.set(SESSION_COOKIE, session)

        profile_on_b = on_b.get("/profile")
        assert profile_on_b.status_code == 200
        assert name in profile_on_b.text

        # Sign out on A, with the form token B gave this session.
        on_a.cookies.set(SESSION_COOKIE, session)
        signed_out = on_a.post("/logout", data={"csrf_token": csrf_from(profile_on_b.text)})
        assert signed_out.status_code == 303

        on_b.cookies.set(SESSION_COOKIE, session)  # B's browser still sends the old cookie
        after = on_b.get("/profile")
    assert after.status_code in (303, 401), after.status_code
    assert name not in after.text
    if after.status_code == 303:
        assert after.headers["location"].startswith("/login")


def test_an_api_token_from_one_server_works_on_the_other(servers: Servers):
    tokens = _token(servers.a, STUDENTS[1])
    assert tokens.status_code == 200, tokens.text
    access, refresh = tokens.json()["access_token"], tokens.json()["refresh_token"]

    me = httpx.get(f"{servers.b}/api/v1/users/me", headers={"Authorization": f"Bearer {access}"})
    assert me.status_code == 200, me.text
    assert me.json()["email"] == STUDENTS[1]

    # The refresh token rotates on B; reusing the old one on A is refused (its whole chain).
    data = {"grant_type": "refresh_token", "refresh_token": refresh}
    rotated = httpx.post(f"{servers.b}/api/v1/auth/token", data=data)
    assert rotated.status_code == 200, rotated.text
    reused = httpx.post(f"{servers.a}/api/v1/auth/token", data=data)
    assert reused.status_code in (400, 401), reused.text
    again = {"grant_type": "refresh_token", "refresh_token": rotated.json()["refresh_token"]}
    assert httpx.post(f"{servers.a}/api/v1/auth/token", data=again).status_code in (400, 401)


# --- 3. throttling counts the failures made on both ---------------------------------------


def test_failed_sign_ins_on_both_servers_add_up_to_the_limit(servers: Servers, world: World):
    allowed = world.settings.login_max_failures_per_account  # the default, as the servers'
    wrong = [
        _token(server, LOCKED_OUT, "not the password")
        for _, server in zip(range(allowed), [servers.a, servers.b] * allowed, strict=False)
    ]
    assert [(r.status_code, r.json()["code"]) for r in wrong] == [
        (400, "invalid_credentials")
    ] * allowed

    # Refused on either server, even with the right password, saying when to try again.
    for server in (servers.a, servers.b):
        refused = _token(server, LOCKED_OUT)
        assert refused.status_code == 429, refused.text
        assert refused.json()["code"] == "login_throttled"
        assert int(refused.headers["Retry-After"]) > 0


# --- 4. reminder workers on both never send a mail twice ----------------------------------


def _subject(message: Message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def test_reminder_runs_started_together_on_both_send_each_reminder_once(
    servers: Servers, world: World, inbox: SlowInbox
):
    # Due now, by the real clock the runs read: two sessions in three hours (their
    # day-before reminder, due from 24 h to 1 h before) and one in 30 minutes (its hour-before
    # reminder); the runs start within seconds, far inside both windows.
    now = utcnow().replace(microsecond=0)
    starts = {
        "Financing primary health care": now + timedelta(hours=3),
        "Social health protection": now + timedelta(hours=3, minutes=30),
        "Quality indicators": now + timedelta(minutes=30),
    }
    with world.committed() as db, db.begin():
        teacher = actor_for_user(_user(db, TEACHER))
        students = [actor_for_user(_user(db, email)) for email in STUDENTS]
        for title, at in starts.items():
            data = SessionCreate.model_validate(
                {
                    "title": title,
                    "time_zone": "Europe/Paris",
                    "starts_at": at,
                    "ends_at": at + timedelta(minutes=90),
                }
            )
            webinar = scheduling.schedule(db, teacher, world.settings, world.course_id, data)
            db.flush()
            for student in students:
                registration.register(db, student, webinar.id)
    inbox.messages.clear()

    runs = [
        subprocess.Popen(
            _agora("reminders"), cwd=ROOT, env=servers.env, stdout=subprocess.PIPE, text=True
        )
        for _ in (servers.a, servers.b)
    ]
    outputs = [run.communicate(timeout=120)[0] for run in runs]

    assert [run.returncode for run in runs] == [0, 0], outputs
    found = (re.finditer(r"reminders queued: (\d+)", out) for out in outputs)
    sent = [int(m.group(1)) for matches in found for m in matches]
    assert len(sent) == 2, outputs
    expected = {(email, title) for email in STUDENTS for title in starts}
    # The same runs deliver the rest of the outbox too (the notices of the enrolments).
    reminders = [m for m in inbox.messages if _subject(m).startswith("Reminder")]
    received = Counter(
        (message["To"], next(t for t in starts if t in _subject(message))) for message in reminders
    )
    assert set(received) == expected
    assert set(received.values()) == {1}, received
    assert sum(sent) == len(expected) == len(reminders)


def _user(db: Session, email: str) -> User:
    user = find_user_by_email(db, email)
    assert user is not None, email
    return user
