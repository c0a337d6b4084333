"""Privacy objects for both permission matrices: the managers named privacy officers for a row,
a fresh learner of the course's institution to export or erase, and managers to name."""

import itertools
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Institution, User
from app.core.actors import SYSTEM, PlatformRole
from app.privacy.service import officers
from tests.accounts.factories import make_user

_n = itertools.count(1)


class World(Protocol):
    db: Session
    people: dict[str, int]


def name_officers(w: World, *callers: str, emails: tuple[str, ...] = ()) -> None:
    """Make these callers of the matrix (by their key in `people`, or their e-mail address)
    privacy officers; naming one twice changes nothing."""
    ids = [w.people[caller] for caller in callers]
    ids += list(w.db.scalars(select(User.id).where(User.email.in_(emails))))
    for user_id in ids:
        officers.grant(w.db, SYSTEM, user_id)
    w.db.flush()


def institution(w: World, code: str) -> Institution:
    found = w.db.scalar(select(Institution).where(Institution.code == code))
    assert found is not None, code
    return found


def learner(w: World, code: str) -> User:
    """A fresh learner of the institution `code`."""
    person = make_user(
        w.db, email=f"privacy-{next(_n)}@example.org", institution=institution(w, code)
    )
    w.db.flush()
    return person


def manager(w: World, code: str) -> User:
    return make_user(w.db, role=PlatformRole.INSTITUTION_MANAGER, institution=institution(w, code))


def officer(w: World, code: str) -> User:
    named = manager(w, code)
    officers.grant(w.db, SYSTEM, named.id)
    w.db.flush()
    return named
