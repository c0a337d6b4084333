"""The sessions a webinar module stands for, as its module page and the course outline show
them: a seminar (in person or blended) reads as a seminar, with its place, its days and hours;
an online webinar as a webinar. Derived from the linked sessions' kind and delivery, so a
module needs no kind of its own for it."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.core.actors import Actor
from app.courses.models import Module, ModuleKind
from app.membership.models import CourseRole
from app.webinars import policy
from app.webinars.models import Delivery, SessionKind, SessionStatus, WebinarSession


@dataclass(frozen=True)
class LinkedSitting:
    starts_at: datetime
    ends_at: datetime
    title: str


@dataclass(frozen=True)
class LinkedSession:
    """A session of a module. `shown` says whether the reader may see its place, days and
    page; when not, `location` is None and `sittings` empty."""

    id: int
    title: str
    kind: SessionKind
    delivery: Delivery
    cancelled: bool
    shown: bool
    location: str | None
    sittings: tuple[LinkedSitting, ...]

    @property
    def is_seminar(self) -> bool:
        return self.kind is SessionKind.SEMINAR

    @property
    def minutes(self) -> int:
        return sum(int((s.ends_at - s.starts_at).total_seconds() // 60) for s in self.sittings)

    @property
    def hours(self) -> Decimal:
        """Hours of its timetable: what full attendance counts towards a programme's hours."""
        return (Decimal(self.minutes) / 60).quantize(Decimal("0.01")).normalize()


def _linked(webinar: WebinarSession, shown: bool) -> LinkedSession:
    return LinkedSession(
        id=webinar.id,
        title=webinar.title,
        kind=webinar.kind,
        delivery=webinar.delivery,
        cancelled=webinar.status is SessionStatus.CANCELLED,
        shown=shown,
        location=webinar.location if shown else None,
        sittings=tuple(LinkedSitting(s.starts_at, s.ends_at, s.title) for s in webinar.sittings)
        if shown
        else (),
    )


def sessions_of_modules(
    session: Session,
    actor: Actor,
    roles: frozenset[CourseRole],
    course_id: int,
    module_ids: Iterable[int],
) -> dict[int, list[LinkedSession]]:
    """The sessions of these modules of a course, in time order, keyed by module id; two
    queries whatever their number, none when no module is given."""
    wanted = sorted(set(module_ids))
    if not wanted:
        return {}
    shown = policy.can_see_timetable(actor, roles)
    found = session.scalars(
        select(WebinarSession)
        .where(WebinarSession.course_id == course_id, WebinarSession.module_id.in_(wanted))
        .options(selectinload(WebinarSession.sittings))
        .order_by(WebinarSession.starts_at, WebinarSession.id)
    ).all()
    by_module: dict[int, list[LinkedSession]] = {}
    for webinar in found:
        assert webinar.module_id is not None
        by_module.setdefault(webinar.module_id, []).append(_linked(webinar, shown))
    return by_module


def sessions_of_module(
    session: Session, actor: Actor, roles: frozenset[CourseRole], module: Module
) -> list[LinkedSession]:
    """A webinar module's sessions for its page (none for other kinds of module)."""
    if module.kind is not ModuleKind.WEBINAR:
        return []
    found = sessions_of_modules(session, actor, roles, module.course_id, [module.id])
    return found.get(module.id, [])
