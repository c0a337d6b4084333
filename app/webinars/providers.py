"""Video-meeting providers behind one interface: Jitsi Meet (a room URL, nothing to call) and
BigBlueButton (its HTTP API, signed with the shared secret). Chosen by configuration."""

import hashlib
import hmac
import json
import logging
import secrets
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol
from urllib.parse import parse_qs, quote, urlencode

from app.core.config import Settings
from app.core.errors import Conflict, NotFound, ServiceUnavailable
from app.core.i18n import N_

if TYPE_CHECKING:
    import httpx

log = logging.getLogger("agora.webinars.providers")

TIMEOUT_SECONDS = 10.0


class ProviderUnavailable(ServiceUnavailable):
    code = "webinar_provider_unavailable"
    title = N_("The video service does not answer; try again in a moment.")


class ProviderMisconfigured(ServiceUnavailable):
    code = "webinar_provider_misconfigured"
    title = N_("The video service refused Agora's credentials; an administrator must fix it.")


class MeetingNotFound(NotFound):
    code = "meeting_not_found"
    title = N_("The video service has no such meeting running.")


class ProviderRefused(Conflict):
    code = "webinar_provider_refused"
    title = N_("The video service refused the request.")


@dataclass(frozen=True)
class Room:
    """What a provider needs to know about a session."""

    room_name: str
    title: str
    duration_minutes: int = 0
    record: bool = True


@dataclass(frozen=True)
class Participant:
    user_id: int
    display_name: str
    moderator: bool


@dataclass(frozen=True)
class ProviderRecording:
    record_id: str
    url: str
    started_at: datetime | None
    ended_at: datetime | None


@dataclass(frozen=True)
class ProviderEvent:
    """A join or leave reported by the provider, matched to a user by our external user id."""

    meeting_id: str
    user_id: int | None
    kind: Literal["join", "leave"]
    at: datetime


class Provider(Protocol):
    name: str

    def prepare(self, room: Room) -> None:
        """Make sure the meeting exists (idempotent)."""

    def join_url(self, room: Room, person: Participant) -> str: ...

    def end(self, room: Room) -> None: ...

    def recordings(self, room: Room) -> list[ProviderRecording]: ...


def new_room_name() -> str:
    """Unguessable: 128 random bits, so a room cannot be found by trying names."""
    return "agora-" + secrets.token_hex(16)


def external_user_id(user_id: int) -> str:
    return f"agora-{user_id}"


def user_id_from_external(value: str | None) -> int | None:
    if value and value.startswith("agora-") and value[6:].isdigit():
        return int(value[6:])
    return None


# --- Jitsi Meet --------------------------------------------------------------------------------


class JitsiProvider:
    """A room on a Jitsi Meet server: the URL is the room. Nothing to create, end or fetch."""

    name = "jitsi"

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    def prepare(self, room: Room) -> None:
        return None

    def join_url(self, room: Room, person: Participant) -> str:
        # The fragment pre-fills the name; it is read by the page, never sent to a server.
        display = quote(json.dumps(person.display_name))
        subject = quote(json.dumps(room.title))
        return (
            f"{self.base_url}/{room.room_name}"
            f"#userInfo.displayName={display}&config.subject={subject}"
        )

    def end(self, room: Room) -> None:
        return None

    def recordings(self, room: Room) -> list[ProviderRecording]:
        return []


# --- BigBlueButton -----------------------------------------------------------------------------


class BigBlueButtonClient:
    """The BigBlueButton API: each call is `GET {api}/{call}?{query}&checksum=…`, where the
    checksum is the SHA-1 (or SHA-256) hex digest of call name + query string + shared secret,
    and the reply is XML with a `returncode` of SUCCESS or FAILED."""

    name = "bigbluebutton"

    def __init__(
        self,
        api_url: str,
        secret: str,
        algorithm: Literal["sha1", "sha256"] = "sha1",
        transport: "httpx.BaseTransport | None" = None,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.secret = secret
        self.algorithm = algorithm
        self.transport = transport

    # signing ---------------------------------------------------------------------------------

    def checksum(self, call: str, query: str) -> str:
        return hashlib.new(self.algorithm, f"{call}{query}{self.secret}".encode()).hexdigest()

    def url(self, call: str, params: dict[str, str]) -> str:
        query = urlencode(params)
        checksum = self.checksum(call, query)
        separator = "&" if query else ""
        return f"{self.api_url}/{call}?{query}{separator}checksum={checksum}"

    def _password(self, room: Room, role: str) -> str:
        """Per-meeting passwords derived from the secret, so none has to be stored."""
        digest = hmac.new(self.secret.encode(), f"{room.room_name}:{role}".encode(), "sha256")
        return digest.hexdigest()[:20]

    # calls -----------------------------------------------------------------------------------

    def call(self, call: str, params: dict[str, str]) -> ET.Element:
        """One API call; FAILED replies and transport errors become clear domain errors."""
        import httpx  # with its command-line extras it costs a worker ~80 ms at start-up

        try:
            with httpx.Client(timeout=TIMEOUT_SECONDS, transport=self.transport) as http:
                reply = http.get(self.url(call, params))
        except httpx.HTTPError as exc:
            log.warning("BigBlueButton %s failed: %s", call, exc)
            raise ProviderUnavailable() from exc
        if reply.status_code in (401, 403):
            raise ProviderMisconfigured(f"BigBlueButton answered {reply.status_code} to {call}.")
        if reply.status_code >= 400:
            log.warning("BigBlueButton %s answered HTTP %s", call, reply.status_code)
            raise ProviderUnavailable(f"BigBlueButton answered HTTP {reply.status_code}.")
        try:
            root = ET.fromstring(reply.content)
        except ET.ParseError as exc:
            raise ProviderUnavailable("BigBlueButton sent a reply that is not XML.") from exc
        if root.tag != "response" or root.find("returncode") is None:
            # Well-formed but not an API reply, e.g. a proxy's or web server's own page.
            log.warning("BigBlueButton %s answered with a <%s> document", call, root.tag)
            raise ProviderUnavailable("BigBlueButton sent a reply that is not an API response.")
        if root.findtext("returncode") != "SUCCESS":
            self._raise_failure(call, root)
        return root

    @staticmethod
    def _raise_failure(call: str, root: ET.Element) -> None:
        key = root.findtext("messageKey") or ""
        message = root.findtext("message") or f"BigBlueButton refused {call}."
        log.warning("BigBlueButton %s FAILED: %s %s", call, key, message)
        if key == "checksumError":
            raise ProviderMisconfigured(
                "BigBlueButton rejected the checksum: BBB_SECRET does not match the server's."
            )
        if key in ("notFound", "invalidMeetingIdentifier"):
            raise MeetingNotFound(message)
        raise ProviderRefused(f"{message} ({key})" if key else message)

    def prepare(self, room: Room) -> None:
        """`create` is idempotent for the same meeting ID (BBB answers duplicateWarning)."""
        params = {
            "name": room.title,
            "meetingID": room.room_name,
            "attendeePW": self._password(room, "attendee"),
            "moderatorPW": self._password(room, "moderator"),
            "record": "true" if room.record else "false",
        }
        if room.duration_minutes:
            params["duration"] = str(room.duration_minutes)
        self.call("create", params)

    def join_url(self, room: Room, person: Participant) -> str:
        """A signed URL the participant's browser opens; nothing is sent from here."""
        role = "moderator" if person.moderator else "attendee"
        return self.url(
            "join",
            {
                "fullName": person.display_name,
                "meetingID": room.room_name,
                "password": self._password(room, role),
                "role": "MODERATOR" if person.moderator else "VIEWER",
                "userID": external_user_id(person.user_id),
                "redirect": "true",
            },
        )

    def end(self, room: Room) -> None:
        self.call(
            "end",
            {"meetingID": room.room_name, "password": self._password(room, "moderator")},
        )

    def recordings(self, room: Room) -> list[ProviderRecording]:
        root = self.call("getRecordings", {"meetingID": room.room_name})
        found = []
        for recording in root.iterfind("recordings/recording"):
            url = recording.findtext("playback/format/url")
            if not url:
                continue
            found.append(
                ProviderRecording(
                    record_id=recording.findtext("recordID") or "",
                    url=url,
                    started_at=_from_millis(recording.findtext("startTime")),
                    ended_at=_from_millis(recording.findtext("endTime")),
                )
            )
        return found

    def register_hook(self, callback_url: str, room: Room) -> bool:
        """Ask bbb-webhooks to post this meeting's events to Agora; False when it could not.
        Servers without the webhooks module answer 404; attendance then comes from the join
        link alone."""
        try:
            self.call("hooks/create", {"callbackURL": callback_url, "meetingID": room.room_name})
        except (ProviderUnavailable, ProviderRefused) as exc:
            log.warning("BigBlueButton webhooks not registered for %s: %s", room.room_name, exc)
            return False
        return True


def _from_millis(value: str | int | None) -> datetime | None:
    """Epoch milliseconds as a UTC time; None when absent or out of range."""
    if isinstance(value, str):
        value = int(value) if value.isdigit() else None
    if value is None or isinstance(value, bool):
        return None
    try:
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _mapping(value: object) -> dict[str, Any]:
    """A JSON object, or an empty one when the payload has something else in its place."""
    return value if isinstance(value, dict) else {}


def parse_bbb_events(payload: str) -> list[ProviderEvent]:
    """The `event` field bbb-webhooks posts: a JSON list of events; keeps user joins and
    leaves, each with the meeting's external id and the user's external id."""
    try:
        items = json.loads(payload)
    except json.JSONDecodeError:
        return []
    if isinstance(items, dict):
        items = [items]
    events = []
    for item in items if isinstance(items, list) else []:
        data = _mapping(_mapping(item).get("data"))
        kind = {"user-joined": "join", "user-left": "leave"}.get(str(data.get("id")))
        attributes = _mapping(data.get("attributes"))
        meeting = _mapping(attributes.get("meeting")).get("external-meeting-id")
        millis = _mapping(data.get("event")).get("ts")
        at = _from_millis(millis) if isinstance(millis, int) else None
        if kind is None or not meeting or at is None:
            continue
        user = _mapping(attributes.get("user")).get("external-user-id")
        events.append(
            ProviderEvent(
                meeting_id=str(meeting),
                user_id=user_id_from_external(str(user) if user else None),
                kind="join" if kind == "join" else "leave",
                at=at,
            )
        )
    return events


EVENTS_PATH = "/api/v1/webinars/bbb-events/"


def events_callback_url(settings: Settings, token: str) -> str:
    """The address given to bbb-webhooks for one meeting; its token is that meeting's alone
    (and is kept out of the access log, see `app.core.logging`)."""
    return f"{settings.base_url.rstrip('/')}{EVENTS_PATH}{token}"


def event_field(body: str) -> str:
    """The `event` field of the form bbb-webhooks posts (`domain`, `event`, `timestamp`)."""
    values = parse_qs(body, keep_blank_values=True).get("event", [""])
    return values[0]


def provider_for(settings: Settings, name: str | None = None) -> Provider:
    """The provider a session was created with (or the configured one for a new session)."""
    chosen = name or settings.webinar_provider
    if chosen == "bigbluebutton":
        secret = settings.bbb_secret.get_secret_value() if settings.bbb_secret else ""
        if not settings.bbb_url or not secret:
            raise ProviderMisconfigured("Set BBB_URL and BBB_SECRET to use BigBlueButton.")
        return BigBlueButtonClient(settings.bbb_url, secret, settings.bbb_checksum_algorithm)
    return JitsiProvider(settings.jitsi_base_url)
