"""Grades back to the partner platform (LTI Assignment and Grade Services 2.0): when a grade of
a person launched from a platform is released, or changed once released, the score is written
to the outbox in the same transaction; `agora worker` then obtains an access token from the
platform (OAuth 2 client credentials with a JWT client assertion signed by Agora's LTI key,
RFC 7523) and posts the score to the line item (made first in the line items container when
the launch named none). A module's link carries that module's grade item; a course's link
carries the course result. Every call goes through the SSRF guard; a failure is retried by
the outbox."""

import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session, SessionTransaction

from app.core import outbox
from app.core.config import Settings
from app.core.db import utcnow
from app.core.events import subscribe
from app.grades.events import GradeRecorded, GradeReleased
from app.grades.models import CourseResult, Grade, GradeItem
from app.grades.service.record import visible_to_learner
from app.lti import keys
from app.lti.tool_models import LtiGradeLink, LtiPlatform
from app.lti.tool_service import remote

PASSBACK = "lti.tool.score"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
LINEITEM_READ_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEMS_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_LIFETIME = 300


_SENT = "agora.lti.scores_sent"


@event.listens_for(Session, "after_transaction_end")
def _forget_sent(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_SENT, None)


@subscribe(GradeReleased)
def _grade_released(session: Session, released: GradeReleased) -> None:
    _send_scores(session, released.course_id, released.item_id, released.user_id)


@subscribe(GradeRecorded)
def _grade_recorded(session: Session, recorded: GradeRecorded) -> None:
    """A released grade changed (a correction, an override): the platform hears of it too."""
    _send_scores(session, recorded.course_id, recorded.item_id, recorded.user_id)


def _send_scores(session: Session, course_id: int, item_id: int, user_id: int) -> None:
    links = session.scalars(
        select(LtiGradeLink).where(
            LtiGradeLink.user_id == user_id, LtiGradeLink.course_id == course_id
        )
    ).all()
    if not links:
        return
    item = session.get_one(GradeItem, item_id)
    grade = session.scalar(select(Grade).where(Grade.item_id == item_id, Grade.user_id == user_id))
    if grade is None or not visible_to_learner(grade, item, utcnow()):
        return  # the learner does not see it yet: neither does their platform
    # A release publishes both events: one message per link and score in a transaction.
    sent: set[tuple[int, str, str]] = session.info.setdefault(_SENT, set())
    for link in links:
        score = _score(session, link, item)
        if score is None or (link.id, str(score[0]), str(score[1])) in sent:
            continue
        sent.add((link.id, str(score[0]), str(score[1])))
        outbox.enqueue(
            session,
            PASSBACK,
            {
                "link_id": link.id,
                "score_given": str(score[0]),
                "score_maximum": str(score[1]),
                "timestamp": utcnow().isoformat(timespec="milliseconds"),
                "label": item.title if link.module_id is not None else "",
            },
        )


def _score(session: Session, link: LtiGradeLink, item: GradeItem) -> tuple[Decimal, Decimal] | None:
    """What the link carries: its module's grade, or the course result."""
    if link.module_id is not None:
        if item.module_id != link.module_id:
            return None
        grade = session.scalar(
            select(Grade).where(Grade.item_id == item.id, Grade.user_id == link.user_id)
        )
        points = grade.final_points if grade is not None else None
        return None if points is None else (points, item.max_points)
    result = session.scalar(
        select(CourseResult).where(
            CourseResult.course_id == link.course_id, CourseResult.user_id == link.user_id
        )
    )
    if result is None or result.points is None or not result.max_points:
        return None
    return result.points, result.max_points


@dataclass(frozen=True)
class _Passback:
    """What the calls need, read before any of them so no transaction is open meanwhile."""

    link_id: int
    platform_id: int
    resource_link_id: str
    resource_link_title: str
    subject: str
    token_url: str
    assertion: str
    lineitem_url: str | None
    lineitems_url: str | None
    scopes: tuple[str, ...]


def deliver(new_session: outbox.NewSession, settings: Settings, delivery: outbox.Delivery) -> None:
    payload = delivery.payload
    with new_session() as session:
        passback = _read(session, settings, int(payload["link_id"]))
        session.commit()  # signing may have made Agora's first LTI key
    if passback is None:
        return  # the link or its platform was removed since: nowhere to send
    try:
        token = _access_token(settings, passback)
        lineitem = passback.lineitem_url or _line_item(new_session, settings, passback, token,
                                                       payload)  # fmt: skip
        _post_score(settings, passback, token, lineitem, payload)
    except remote.RemoteFailed as failure:
        raise outbox.DeliveryFailed(str(failure)) from None


def _read(session: Session, settings: Settings, link_id: int) -> _Passback | None:
    link = session.get(LtiGradeLink, link_id)
    platform = session.get(LtiPlatform, link.platform_id) if link else None
    if link is None or platform is None:
        return None
    now = int(utcnow().timestamp())
    assertion = keys.sign(
        session,
        settings,
        {
            "iss": platform.client_id,
            "sub": platform.client_id,
            "aud": platform.auth_token_url,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME,
            "jti": uuid.uuid4().hex,
        },
    )
    return _Passback(
        link.id, platform.id, link.resource_link_id, link.resource_link_title, link.subject,
        platform.auth_token_url, assertion, link.lineitem_url, link.lineitems_url,
        tuple(link.scopes),
    )  # fmt: skip


def _access_token(settings: Settings, passback: _Passback) -> str:
    wanted = [SCORE_SCOPE]
    if passback.lineitem_url is None:
        wanted.append(LINEITEM_SCOPE)
    granted = [s for s in wanted if not passback.scopes or s in passback.scopes] or wanted
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": passback.assertion,
        "scope": " ".join(granted),
    }
    answer = remote.call(
        settings, passback.token_url, method="POST", content=urlencode(form).encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    body = answer.json() if answer.ok else None
    token = body.get("access_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        raise remote.RemoteFailed(f"token endpoint: HTTP {answer.status}, no access token")
    return token


def _line_item(
    new_session: outbox.NewSession,
    settings: Settings,
    passback: _Passback,
    token: str,
    payload: dict[str, Any],
) -> str:
    """The resource link's line item in the container: found by its resource link id, else
    made; kept on every grade link of that resource link so it is made once."""
    container = passback.lineitems_url
    if container is None:
        raise remote.RemoteFailed("the launch gave neither a line item nor a line items URL")
    found = _existing_line_item(settings, passback, token, container)
    if found is None:
        item = {
            "scoreMaximum": float(payload["score_maximum"]),
            "label": payload.get("label") or passback.resource_link_title or "Agora",
            "resourceLinkId": passback.resource_link_id,
            "tag": "agora",
        }
        answer = remote.call(
            settings, container, method="POST", content=json.dumps(item).encode(),
            headers={**_bearer(token), "content-type": LINEITEM_TYPE, "accept": LINEITEM_TYPE},
        )  # fmt: skip
        made = answer.json() if answer.ok else None
        found = made.get("id") if isinstance(made, dict) else None
        if not isinstance(found, str):
            raise remote.RemoteFailed(f"line item not made: HTTP {answer.status}")
    with new_session() as session:
        session.execute(
            update(LtiGradeLink)
            .where(
                LtiGradeLink.platform_id == passback.platform_id,
                LtiGradeLink.resource_link_id == passback.resource_link_id,
                LtiGradeLink.lineitems_url == container,
            )
            .values(lineitem_url=found)
        )
        session.commit()
    return found


def _existing_line_item(
    settings: Settings, passback: _Passback, token: str, container: str
) -> str | None:
    address = _with_query(container, {"resource_link_id": passback.resource_link_id})
    answer = remote.call(settings, address, headers={**_bearer(token), "accept": LINEITEMS_TYPE})
    items = answer.json() if answer.ok else None
    for item in items if isinstance(items, list) else []:
        if (
            isinstance(item, dict)
            and item.get("resourceLinkId") == passback.resource_link_id
            and isinstance(item.get("id"), str)
        ):
            return str(item["id"])
    return None


def _post_score(
    settings: Settings, passback: _Passback, token: str, lineitem: str, payload: dict[str, Any]
) -> None:
    score = {
        "userId": passback.subject,
        "scoreGiven": float(payload["score_given"]),
        "scoreMaximum": float(payload["score_maximum"]),
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": payload["timestamp"],
    }
    answer = remote.call(
        settings, scores_url(lineitem), method="POST", content=json.dumps(score).encode(),
        headers={**_bearer(token), "content-type": SCORE_TYPE},
    )  # fmt: skip
    if not answer.ok:
        raise remote.RemoteFailed(f"score refused: HTTP {answer.status}")


def scores_url(lineitem: str) -> str:
    """`{lineitem}/scores`, the line item's query string kept after the path."""
    parts = urlsplit(lineitem)
    path = parts.path.rstrip("/") + "/scores"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def _with_query(address: str, parameters: dict[str, str]) -> str:
    parts = urlsplit(address)
    query = "&".join(q for q in (parts.query, urlencode(parameters)) if q)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def _bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


outbox.register(PASSBACK, deliver)
