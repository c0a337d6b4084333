"""Video providers: Jitsi room links, and the BigBlueButton client tested against a small local
HTTP server that implements the documented API (checksums, replies and error replies)."""

import hashlib
import json
import re
import socket
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import httpx
import pytest

from app.core.config import Settings
from app.webinars.providers import (
    BigBlueButtonClient,
    JitsiProvider,
    MeetingNotFound,
    Participant,
    ProviderMisconfigured,
    ProviderRecording,
    ProviderRefused,
    ProviderUnavailable,
    Room,
    new_room_name,
    parse_bbb_events,
    provider_for,
)

SECRET = "639259d4-9dd8-4b25-bf01-95f9567eaf4b"
API_PATH = "/bigbluebutton/api/"
ALGORITHM_BY_LENGTH = {40: "sha1", 64: "sha256"}


# --- a small BigBlueButton API server -----------------------------------------------------------


@dataclass(frozen=True)
class ReceivedCall:
    name: str
    params: dict[str, str]
    query: str


@dataclass(frozen=True)
class Joined:
    meeting_id: str
    full_name: str
    user_id: str
    role: str


@dataclass(frozen=True)
class FakeRecording:
    record_id: str
    start_ms: int
    end_ms: int
    url: str | None  # None: still processing, no playback yet


@dataclass
class FakeBigBlueButton:
    """The state behind the fake API: meetings, recordings, and what it was asked."""

    secret: str
    url: str = ""
    meetings: dict[str, dict[str, str]] = field(default_factory=dict)
    recordings: dict[str, list[FakeRecording]] = field(default_factory=dict)
    calls: list[ReceivedCall] = field(default_factory=list)
    replies: list[tuple[str, str]] = field(default_factory=list)  # (call, returncode/messageKey)
    joins: list[Joined] = field(default_factory=list)
    hooks: list[dict[str, str]] = field(default_factory=list)
    hooks_module: bool = True
    # When set, every call is answered with this (status, content type, body), unchecked.
    broken: tuple[int, str, bytes] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    # A slow server: every call waits (up to `hold_seconds`) until released.
    held: threading.Event | None = None
    hold_seconds: float = 0.0
    arrived: threading.Event = field(default_factory=threading.Event)

    def hold_calls(self, seconds: float) -> None:
        self.held, self.hold_seconds = threading.Event(), seconds

    def release(self) -> None:
        if self.held is not None:
            self.held.set()

    def answer_everything_with(self, status: int, body: bytes, content_type: str) -> None:
        self.broken = (status, content_type, body)

    def names(self) -> list[str]:
        return [call.name for call in self.calls]

    # the documented checksum: <call><query without checksum, as sent><secret> --------------

    def checksum_ok(self, call: str, query: str) -> bool:
        checksum = dict(parse_qsl(query)).get("checksum", "")
        algorithm = ALGORITHM_BY_LENGTH.get(len(checksum))
        if algorithm is None:
            return False
        # As BigBlueButton does: remove the checksum parameter from the raw query string.
        signed = (
            query.replace(f"&checksum={checksum}", "")
            .replace(f"checksum={checksum}&", "")
            .replace(f"checksum={checksum}", "")
        )
        expected = hashlib.new(algorithm, f"{call}{signed}{self.secret}".encode()).hexdigest()
        return checksum == expected

    # the calls ----------------------------------------------------------------------------

    def handle(self, call: str, params: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if call == "create":
            return _xml(self._create(params))
        if call == "join":
            return self._join(params)
        if call == "end":
            return _xml(self._end(params))
        if call == "getRecordings":
            return _xml(self._get_recordings(params))
        if call == "hooks/create" and self.hooks_module:
            self.hooks.append(params)
            return _xml(_success(hookID=str(len(self.hooks)), permanentHook="false"))
        return 404, {"Content-Type": "text/html"}, b"<html><body>Not Found</body></html>"

    def _create(self, params: dict[str, str]) -> ET.Element:
        meeting_id = params.get("meetingID")
        if not meeting_id:
            return _failed("missingParamMeetingID", "You must specify a meeting ID.")
        existing = self.meetings.get(meeting_id)
        if existing is not None:
            return _success(
                meetingID=meeting_id,
                attendeePW=existing["attendeePW"],
                moderatorPW=existing["moderatorPW"],
                messageKey="duplicateWarning",
                message="This conference was already in existence and may currently be in "
                "progress.",
            )
        self.meetings[meeting_id] = dict(params)
        return _success(
            meetingID=meeting_id,
            attendeePW=params.get("attendeePW", ""),
            moderatorPW=params.get("moderatorPW", ""),
            messageKey="",
            message="",
        )

    def _join(self, params: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        meeting = self.meetings.get(params.get("meetingID", ""))
        if meeting is None:
            return _xml(
                _failed(
                    "invalidMeetingIdentifier",
                    "The meeting ID that you supplied did not match any existing meetings",
                )
            )
        role = params.get("role", "")
        expected = meeting["moderatorPW"] if role == "MODERATOR" else meeting["attendeePW"]
        if role not in ("MODERATOR", "VIEWER") or params.get("password") != expected:
            return _xml(_failed("invalidPassword", "You either did not supply a password."))
        self.joins.append(
            Joined(params["meetingID"], params["fullName"], params.get("userID", ""), role)
        )
        if params.get("redirect") == "true":
            location = "https://bbb.example.org/html5client/join?sessionToken=fake"
            return 302, {"Location": location}, b""
        return _xml(_success(meetingID=params["meetingID"], auth_token="fake"))

    def _end(self, params: dict[str, str]) -> ET.Element:
        meeting = self.meetings.get(params.get("meetingID", ""))
        if meeting is None:
            return _failed(
                "notFound",
                "We could not find a meeting with that meeting ID - perhaps the meeting is not "
                "yet running?",
            )
        if params.get("password") != meeting["moderatorPW"]:
            return _failed("invalidPassword", "You must supply the moderator password.")
        del self.meetings[params["meetingID"]]
        return _success(
            messageKey="sentEndMeetingRequest",
            message="A request to end the meeting was sent.",
        )

    def _get_recordings(self, params: dict[str, str]) -> ET.Element:
        found = [
            recording
            for meeting_id in params.get("meetingID", "").split(",")
            for recording in self.recordings.get(meeting_id, [])
        ]
        root = _success()
        listing = ET.SubElement(root, "recordings")
        if not found:
            ET.SubElement(root, "messageKey").text = "noRecordings"
            ET.SubElement(root, "message").text = "There are no recordings for the meeting(s)."
            return root
        for recording in found:
            item = ET.SubElement(listing, "recording")
            ET.SubElement(item, "recordID").text = recording.record_id
            ET.SubElement(item, "meetingID").text = params["meetingID"]
            ET.SubElement(item, "published").text = "true"
            ET.SubElement(item, "startTime").text = str(recording.start_ms)
            ET.SubElement(item, "endTime").text = str(recording.end_ms)
            playback = ET.SubElement(item, "playback")
            if recording.url is not None:
                fmt = ET.SubElement(playback, "format")
                ET.SubElement(fmt, "type").text = "presentation"
                ET.SubElement(fmt, "url").text = recording.url
                ET.SubElement(fmt, "length").text = "42"
        return root


def _success(**children: str) -> ET.Element:
    root = ET.Element("response")
    ET.SubElement(root, "returncode").text = "SUCCESS"
    for tag, text in children.items():
        ET.SubElement(root, tag).text = text
    return root


def _failed(key: str, message: str) -> ET.Element:
    root = ET.Element("response")
    ET.SubElement(root, "returncode").text = "FAILED"
    ET.SubElement(root, "messageKey").text = key
    ET.SubElement(root, "message").text = message
    return root


def _xml(root: ET.Element) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "text/xml;charset=utf-8"}, ET.tostring(root, encoding="utf-8")


class _Server(ThreadingHTTPServer):
    bbb: FakeBigBlueButton


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        bbb = self.server.bbb
        if bbb.held is not None:
            bbb.arrived.set()
            bbb.held.wait(bbb.hold_seconds)
        parts = urlsplit(self.path)
        call = parts.path.removeprefix(API_PATH) if parts.path.startswith(API_PATH) else ""
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        params.pop("checksum", None)
        with bbb.lock:
            bbb.calls.append(ReceivedCall(call, params, parts.query))
            if bbb.broken is not None:
                status, content_type, body = bbb.broken
                headers = {"Content-Type": content_type}
            elif not bbb.checksum_ok(call, parts.query):
                status, headers, body = _xml(_failed("checksumError", "Checksums do not match"))
            else:
                status, headers, body = bbb.handle(call, params)
            root = (
                ET.fromstring(body)
                if headers.get("Content-Type", "").startswith("text/xml")
                else None
            )
            outcome = (
                ""
                if root is None
                else (root.findtext("messageKey") or root.findtext("returncode") or "")
            )
            bbb.replies.append((call, outcome or str(status)))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return None


@pytest.fixture
def bbb() -> Iterator[FakeBigBlueButton]:
    """A BigBlueButton API on 127.0.0.1, sharing SECRET with the client."""
    fake = FakeBigBlueButton(SECRET)
    server = _Server(("127.0.0.1", 0), _Handler)
    server.bbb = fake
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/bigbluebutton/api"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def bbb_url(bbb: FakeBigBlueButton) -> str:
    return bbb.url


@pytest.fixture
def bbb_client(bbb_url: str) -> BigBlueButtonClient:
    return BigBlueButtonClient(bbb_url, SECRET)


@pytest.fixture(autouse=True)
def _no_provider_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "WEBINAR_PROVIDER",
        "JITSI_BASE_URL",
        "BBB_URL",
        "BBB_SECRET",
        "BBB_CHECKSUM_ALGORITHM",
    ):
        monkeypatch.delenv(name, raising=False)


ROOM = Room(
    room_name="agora-" + "ab" * 16, title="Week 3: Health financing Q&A", duration_minutes=90
)
TEACHER = Participant(user_id=7, display_name="Nguyễn Thị Thu", moderator=True)
STUDENT = Participant(user_id=42, display_name='Amadou "Ama" Diallo & co', moderator=False)


def _signed_parts(url: str) -> tuple[str, str, str]:
    """(call, query as signed, checksum) of a BigBlueButton API URL."""
    parts = urlsplit(url)
    signed, _, checksum = parts.query.rpartition("&checksum=")
    return parts.path.rsplit("/", 1)[-1], signed, checksum


# --- checksums ---------------------------------------------------------------------------------


def test_checksum_matches_the_example_in_the_bigbluebutton_documentation():
    client = BigBlueButtonClient("https://bbb.example.org/bigbluebutton/api/", SECRET)
    query = "name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444"
    independent = hashlib.sha1(f"create{query}{SECRET}".encode()).hexdigest()

    url = client.url(
        "create",
        {
            "name": "Test Meeting",
            "meetingID": "abc123",
            "attendeePW": "111222",
            "moderatorPW": "333444",
        },
    )

    assert independent == "1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17"
    assert client.checksum("create", query) == independent
    assert url == (
        "https://bbb.example.org/bigbluebutton/api/create?"
        f"{query}&checksum=1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17"
    )


def test_sha256_checksum_is_the_sha256_of_call_query_and_secret():
    client = BigBlueButtonClient("https://bbb.example.org/bigbluebutton/api", SECRET, "sha256")
    query = "meetingID=abc123"

    assert (
        client.checksum("getRecordings", query)
        == hashlib.sha256(f"getRecordings{query}{SECRET}".encode()).hexdigest()
    )
    assert client.url("getRecordings", {"meetingID": "abc123"}).endswith(
        f"?{query}&checksum={hashlib.sha256(f'getRecordings{query}{SECRET}'.encode()).hexdigest()}"
    )


def test_server_accepts_calls_signed_with_sha256(bbb: FakeBigBlueButton, bbb_url: str):
    BigBlueButtonClient(bbb_url, SECRET, "sha256").prepare(ROOM)

    assert ROOM.room_name in bbb.meetings
    assert len(dict(parse_qsl(bbb.calls[0].query))["checksum"]) == 64


# --- create, join, end -------------------------------------------------------------------------


def test_creating_a_meeting_twice_succeeds_both_times_with_the_same_passwords(
    bbb: FakeBigBlueButton, bbb_client: BigBlueButtonClient
):
    bbb_client.prepare(ROOM)
    bbb_client.prepare(ROOM)

    first, second = bbb.calls
    assert bbb.names() == ["create", "create"]
    assert bbb.replies == [("create", "SUCCESS"), ("create", "duplicateWarning")]
    assert first.params == second.params
    meeting = bbb.meetings[ROOM.room_name]
    assert meeting["name"] == "Week 3: Health financing Q&A"
    assert meeting["record"] == "true"
    assert meeting["duration"] == "90"
    assert meeting["attendeePW"] != meeting["moderatorPW"]
    assert SECRET not in first.query


def test_a_meeting_without_recording_or_duration_says_so(
    bbb: FakeBigBlueButton, bbb_client: BigBlueButtonClient
):
    bbb_client.prepare(Room(room_name="agora-plain", title="Drop-in", record=False))

    meeting = bbb.meetings["agora-plain"]
    assert meeting["record"] == "false"
    assert "duration" not in meeting


@pytest.mark.parametrize(
    ("person", "role"), [(TEACHER, "MODERATOR"), (STUDENT, "VIEWER")], ids=["teacher", "student"]
)
def test_join_link_is_signed_and_lets_the_person_in_with_their_role(
    bbb: FakeBigBlueButton, bbb_client: BigBlueButtonClient, person: Participant, role: str
):
    bbb_client.prepare(ROOM)

    url = bbb_client.join_url(ROOM, person)

    call, signed, checksum = _signed_parts(url)
    assert url.startswith(f"{bbb.url}/join?")
    assert call == "join"
    assert checksum == hashlib.sha1(f"join{signed}{SECRET}".encode()).hexdigest()
    params = dict(parse_qsl(signed))
    assert params["fullName"] == person.display_name
    assert params["meetingID"] == ROOM.room_name
    assert params["role"] == role
    assert params["userID"] == f"agora-{person.user_id}"
    assert SECRET not in url

    opened = httpx.get(url, follow_redirects=False)

    assert opened.status_code == 302
    assert opened.headers["Location"].startswith("https://bbb.example.org/html5client/")
    assert bbb.joins == [
        Joined(ROOM.room_name, person.display_name, f"agora-{person.user_id}", role)
    ]


def test_student_who_edits_their_link_into_a_moderator_link_is_refused(
    bbb: FakeBigBlueButton, bbb_client: BigBlueButtonClient
):
    bbb_client.prepare(ROOM)
    url = bbb_client.join_url(ROOM, STUDENT)

    opened = httpx.get(url.replace("role=VIEWER", "role=MODERATOR"), follow_redirects=False)

    assert opened.status_code == 200
    assert ET.fromstring(opened.content).findtext("messageKey") == "checksumError"
    assert bbb.joins == []


def test_join_links_do_not_call_the_server(bbb: FakeBigBlueButton, bbb_client: BigBlueButtonClient):
    bbb_client.join_url(ROOM, TEACHER)

    assert bbb.calls == []


def test_ending_a_meeting_closes_it_on_the_server(
    bbb: FakeBigBlueButton, bbb_client: BigBlueButtonClient
):
    bbb_client.prepare(ROOM)

    bbb_client.end(ROOM)

    assert ROOM.room_name not in bbb.meetings
    assert bbb.replies[-1] == ("end", "sentEndMeetingRequest")


def test_ending_a_meeting_that_is_not_running_says_not_found(
    bbb: FakeBigBlueButton, bbb_client: BigBlueButtonClient
):
    with pytest.raises(MeetingNotFound) as raised:
        bbb_client.end(ROOM)

    assert "could not find a meeting" in raised.value.detail
    assert bbb.replies == [("end", "notFound")]


def test_a_refusal_the_client_does_not_know_keeps_bigbluebuttons_message(
    bbb: FakeBigBlueButton, bbb_client: BigBlueButtonClient
):
    with pytest.raises(ProviderRefused) as raised:
        bbb_client.call("create", {"name": "No id"})

    assert raised.value.detail == "You must specify a meeting ID. (missingParamMeetingID)"


# --- configuration and transport errors --------------------------------------------------------


def test_wrong_secret_is_reported_as_misconfiguration_naming_bbb_secret(
    bbb: FakeBigBlueButton, bbb_url: str
):
    client = BigBlueButtonClient(bbb_url, "not-the-servers-secret")

    with pytest.raises(ProviderMisconfigured) as raised:
        client.prepare(ROOM)

    assert "BBB_SECRET" in raised.value.detail
    assert bbb.replies == [("create", "checksumError")]
    assert bbb.meetings == {}


@pytest.mark.parametrize("status", [401, 403])
def test_server_refusing_access_is_reported_as_misconfiguration(
    bbb: FakeBigBlueButton, bbb_client: BigBlueButtonClient, status: int
):
    bbb.answer_everything_with(status, b"<html><body>Forbidden</body></html>", "text/html")

    with pytest.raises(ProviderMisconfigured):
        bbb_client.prepare(ROOM)


@pytest.mark.parametrize("status", [500, 502, 503, 404])
def test_server_error_is_reported_as_unavailable(
    bbb: FakeBigBlueButton, bbb_client: BigBlueButtonClient, status: int
):
    bbb.answer_everything_with(status, b"<html><body>Internal Server Error", "text/html")

    with pytest.raises(ProviderUnavailable) as raised:
        bbb_client.prepare(ROOM)

    assert str(status) in raised.value.detail


@pytest.mark.parametrize(
    "body",
    [b"Service temporarily unavailable", b'{"returncode": "SUCCESS"}', b"", b"<response><retu"],
    ids=["text", "json", "empty", "truncated"],
)
def test_reply_that_is_not_xml_is_reported_as_unavailable(
    bbb: FakeBigBlueButton, bbb_client: BigBlueButtonClient, body: bytes
):
    bbb.answer_everything_with(200, body, "text/plain")

    with pytest.raises(ProviderUnavailable):
        bbb_client.prepare(ROOM)


def test_well_formed_page_that_is_not_an_api_reply_is_reported_as_unavailable(
    bbb: FakeBigBlueButton, bbb_client: BigBlueButtonClient
):
    page = b"<html><head><title>Welcome to nginx!</title></head><body>It works</body></html>"
    bbb.answer_everything_with(200, page, "text/html")

    with pytest.raises(ProviderUnavailable):
        bbb_client.prepare(ROOM)


def test_server_that_is_down_is_reported_as_unavailable():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = BigBlueButtonClient(f"http://127.0.0.1:{port}/bigbluebutton/api", SECRET)

    with pytest.raises(ProviderUnavailable):
        client.prepare(ROOM)


# --- recordings --------------------------------------------------------------------------------


def test_recordings_come_with_their_times_in_utc_and_playback_link(
    bbb: FakeBigBlueButton, bbb_client: BigBlueButtonClient
):
    start = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    end = datetime(2026, 1, 1, 10, 30, 15, tzinfo=UTC)
    bbb.recordings[ROOM.room_name] = [
        FakeRecording(
            record_id="ffbfc4cc24428694e8b53a4e144f414052431693-1767258000000",
            start_ms=int(start.timestamp() * 1000),
            end_ms=int(end.timestamp() * 1000),
            url="https://bbb.example.org/playback/presentation/2.3/ffbfc4cc",
        ),
        FakeRecording(record_id="still-processing", start_ms=1, end_ms=2, url=None),
    ]

    found = bbb_client.recordings(ROOM)

    assert found == [
        ProviderRecording(
            record_id="ffbfc4cc24428694e8b53a4e144f414052431693-1767258000000",
            url="https://bbb.example.org/playback/presentation/2.3/ffbfc4cc",
            started_at=start,
            ended_at=end,
        )
    ]
    assert found[0].started_at is not None
    assert found[0].started_at.tzinfo == UTC
    assert bbb.calls[-1].params == {"meetingID": ROOM.room_name}


def test_recording_with_unreadable_times_is_listed_without_them(
    bbb: FakeBigBlueButton, bbb_client: BigBlueButtonClient
):
    bbb.recordings[ROOM.room_name] = [
        FakeRecording(record_id="r1", start_ms=10**20, end_ms=10**20, url="https://bbb/p/r1")
    ]

    assert bbb_client.recordings(ROOM) == [
        ProviderRecording(record_id="r1", url="https://bbb/p/r1", started_at=None, ended_at=None)
    ]


def test_meeting_without_recordings_has_an_empty_list(
    bbb: FakeBigBlueButton, bbb_client: BigBlueButtonClient
):
    assert bbb_client.recordings(ROOM) == []
    assert bbb.replies == [("getRecordings", "noRecordings")]


# --- webhooks ----------------------------------------------------------------------------------


def test_webhook_registration_is_signed_for_hooks_create(
    bbb: FakeBigBlueButton, bbb_client: BigBlueButtonClient
):
    bbb_client.register_hook("https://agora.example.org/webinars/bbb-events/t0ken", ROOM)

    assert bbb.hooks == [
        {
            "callbackURL": "https://agora.example.org/webinars/bbb-events/t0ken",
            "meetingID": ROOM.room_name,
        }
    ]


def test_server_without_the_webhooks_module_does_not_stop_the_session(
    bbb: FakeBigBlueButton, bbb_client: BigBlueButtonClient
):
    bbb.hooks_module = False

    bbb_client.register_hook("https://agora.example.org/webinars/bbb-events/t0ken", ROOM)

    assert bbb.replies == [("hooks/create", "404")]


# --- webhook events ----------------------------------------------------------------------------


def _event(kind: str, user: str | None = "agora-42", ts: Any = 1767258000000) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "meeting": {"internal-meeting-id": "183f0bf3a0982a127bdb8161", "external-meeting-id": "m1"}
    }
    if user is not None:
        attributes["user"] = {
            "internal-user-id": "w_klfavdlkumj0",
            "external-user-id": user,
            "name": "Amadou",
            "role": "VIEWER",
        }
    return {"data": {"type": "event", "id": kind, "attributes": attributes, "event": {"ts": ts}}}


def test_webhook_events_keep_joins_and_leaves_with_our_user_ids():
    payload = json.dumps(
        [
            _event("meeting-created"),
            _event("user-joined", "agora-42", 1767258000000),
            _event("chat-group-message-sent"),
            _event("user-audio-voice-enabled"),
            _event("user-left", "agora-42", 1767261600500),
            _event("meeting-ended"),
        ]
    )

    events = parse_bbb_events(payload)

    assert [(e.kind, e.meeting_id, e.user_id) for e in events] == [
        ("join", "m1", 42),
        ("leave", "m1", 42),
    ]
    assert events[0].at == datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    assert events[1].at == datetime(2026, 1, 1, 10, 0, 0, 500000, tzinfo=UTC)


def test_a_single_webhook_event_object_is_accepted():
    events = parse_bbb_events(json.dumps(_event("user-joined", "agora-7")))

    assert [(e.kind, e.user_id) for e in events] == [("join", 7)]


@pytest.mark.parametrize("user", ["guest-3", "agora-", "agora-x1", "", None])
def test_participants_without_an_agora_id_are_kept_without_a_user(user: str | None):
    events = parse_bbb_events(json.dumps([_event("user-joined", user)]))

    assert [(e.kind, e.user_id) for e in events] == [("join", None)]


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "not json",
        "null",
        "42",
        '"user-joined"',
        '[1, null, "x", []]',
        '[{"data": "user-joined"}]',
        '[{"data": null}]',
        '[{"data": {"id": "user-joined", "attributes": "m1", "event": {"ts": 1}}}]',
        '[{"data": {"id": "user-joined", "attributes": {"meeting": "m1"}, "event": {"ts": 1}}}]',
        '[{"data": {"id": "user-joined", "attributes": {"meeting": null}, "event": {"ts": 1}}}]',
        json.dumps([_event("user-joined", ts="1767258000000")]),
        json.dumps([_event("user-joined", ts=None)]),
        json.dumps([_event("user-joined", ts=True)]),
        json.dumps([_event("user-joined", ts=10**20)]),
        json.dumps([{"data": {**_event("user-joined")["data"], "event": None}}]),
        json.dumps([{"data": {**_event("user-joined")["data"], "attributes": {}}}]),
    ],
)
def test_malformed_webhook_payloads_are_ignored(payload: str):
    assert parse_bbb_events(payload) == []


def test_a_participant_entry_of_the_wrong_shape_is_kept_without_a_user():
    event = _event("user-joined")
    event["data"]["attributes"]["user"] = "agora-42"

    events = parse_bbb_events(json.dumps([event]))

    assert [(e.kind, e.user_id) for e in events] == [("join", None)]


# --- Jitsi -------------------------------------------------------------------------------------


def test_jitsi_join_link_is_the_room_on_the_configured_server():
    provider = JitsiProvider("https://meet.example.org/")
    room = Room(room_name=new_room_name(), title="Week 3: Q&A #2")

    url = provider.join_url(room, STUDENT)

    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "meet.example.org",
        f"/{room.room_name}",
    )
    assert parts.query == ""
    settings_in_fragment = dict(item.split("=", 1) for item in parts.fragment.split("&"))
    assert json.loads(unquote(settings_in_fragment["userInfo.displayName"])) == (
        STUDENT.display_name
    )
    assert json.loads(unquote(settings_in_fragment["config.subject"])) == room.title
    assert quote(STUDENT.display_name) not in parts.path


def test_jitsi_has_nothing_to_create_end_or_fetch():
    provider = JitsiProvider("https://meet.example.org")

    provider.prepare(ROOM)
    provider.end(ROOM)

    assert provider.recordings(ROOM) == []


def test_room_names_are_unguessable():
    names = [new_room_name() for _ in range(200)]

    assert len(set(names)) == len(names)
    for name in names:
        match = re.fullmatch(r"agora-([0-9a-f]+)", name)
        assert match, name
        assert len(match.group(1)) >= 32


# --- choosing the provider ---------------------------------------------------------------------


def _settings(**values: Any) -> Settings:
    return Settings(
        _env_file=None,
        agora_env="test",
        database_url="sqlite://",
        secret_key="test-secret-key-that-is-long-enough-for-production-checks",
        **values,
    )


def test_jitsi_is_the_default_provider():
    provider = provider_for(_settings(jitsi_base_url="https://meet.example.org"))

    assert isinstance(provider, JitsiProvider)
    assert provider.name == "jitsi"
    assert provider.join_url(ROOM, TEACHER).startswith(
        f"https://meet.example.org/{ROOM.room_name}#"
    )


def test_bigbluebutton_is_used_when_configured(bbb: FakeBigBlueButton, bbb_url: str):
    settings = _settings(
        webinar_provider="bigbluebutton",
        bbb_url=bbb_url,
        bbb_secret=SECRET,
        bbb_checksum_algorithm="sha256",
    )

    provider = provider_for(settings)
    provider.prepare(ROOM)

    assert isinstance(provider, BigBlueButtonClient)
    assert provider.name == "bigbluebutton"
    assert provider.algorithm == "sha256"
    assert ROOM.room_name in bbb.meetings


def test_a_session_keeps_the_provider_it_was_created_with():
    settings = _settings(webinar_provider="bigbluebutton", bbb_url=None, bbb_secret=None)

    assert isinstance(provider_for(settings, "jitsi"), JitsiProvider)


@pytest.mark.parametrize(
    "missing",
    [
        {"bbb_url": None, "bbb_secret": SECRET},
        {"bbb_url": "", "bbb_secret": SECRET},
        {"bbb_url": "https://bbb.example.org/bigbluebutton/api", "bbb_secret": None},
        {"bbb_url": "https://bbb.example.org/bigbluebutton/api", "bbb_secret": ""},
        {"bbb_url": None, "bbb_secret": None},
    ],
    ids=["no-url", "empty-url", "no-secret", "empty-secret", "neither"],
)
def test_bigbluebutton_without_url_or_secret_is_a_misconfiguration(missing: dict[str, Any]):
    settings = _settings(webinar_provider="bigbluebutton", **missing)

    with pytest.raises(ProviderMisconfigured) as raised:
        provider_for(settings)

    assert "BBB_URL" in raised.value.detail
    assert "BBB_SECRET" in raised.value.detail
