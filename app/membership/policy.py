"""The reach rule of tenancy: which courses and people a confined actor (a partner client or an
institution manager) may act on. Everything outside its reach does not exist for it (404)."""

from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, column, false, select, table, true

from app.core.actors import Actor
from app.membership.models import CoursePartner

# Core views of the tables owned by the domains above membership, read without importing them.
courses_table = table("courses", column("id"), column("institution_id"))
users_table = table("users", column("id"), column("institution_id"))


def reaches_course(
    actor: Actor, owner_institution_id: int | None, partner_institution_ids: Collection[int]
) -> bool:
    """A confined actor reaches the courses its institution runs or is a partner of; anyone
    else is not confined by institution (their roles decide)."""
    if not actor.is_confined:
        return True
    home = actor.institution_id
    return home is not None and (home == owner_institution_id or home in partner_institution_ids)


def reaches_institution(actor: Actor, institution_id: int | None) -> bool:
    """A confined actor reaches its own institution's objects only (people, cohorts, API
    clients); an object of no institution is the coordinators'."""
    if not actor.is_confined:
        return True
    return actor.institution_id is not None and institution_id == actor.institution_id


def reaches_person(actor: Actor, person_institution_id: int | None) -> bool:
    """A confined actor reaches its own institution's people only."""
    return reaches_institution(actor, person_institution_id)


def reaches_any(actor: Actor, institution_ids: Collection[int]) -> bool:
    """For what several institutions share (a programme they award): one of them is home."""
    if not actor.is_confined:
        return True
    return actor.institution_id is not None and actor.institution_id in institution_ids


def reached_courses(actor: Actor, course_id: SQLColumnExpression[Any]) -> ColumnElement[bool]:
    """The SQL form of `reaches_course` for a column of course ids, for filtering lists."""
    if not actor.is_confined:
        return true()
    if actor.institution_id is None:
        return false()
    home = actor.institution_id
    return course_id.in_(
        select(courses_table.c.id).where(courses_table.c.institution_id == home)
    ) | course_id.in_(select(CoursePartner.course_id).where(CoursePartner.institution_id == home))


def in_reached_institution(
    actor: Actor, institution_id: SQLColumnExpression[Any]
) -> ColumnElement[bool]:
    """The SQL form of `reaches_institution` for a column of institution ids (people, cohorts,
    API clients), for filtering lists."""
    if not actor.is_confined:
        return true()
    if actor.institution_id is None:
        return false()
    return institution_id == actor.institution_id


def reached_user_ids(actor: Actor, user_id: SQLColumnExpression[Any]) -> ColumnElement[bool]:
    """`reaches_person` for a column of user ids (rows that point to a person)."""
    if not actor.is_confined:
        return true()
    if actor.institution_id is None:
        return false()
    return user_id.in_(
        select(users_table.c.id).where(users_table.c.institution_id == actor.institution_id)
    )
