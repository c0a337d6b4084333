"""What the registrars' grading-tables page shows: the tables per reference group with their
owners' names, the scales they can be on, and the institutions whose tables the reader keeps.
A constant number of queries whatever the number of tables."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.accounts.models import Institution
from app.core.actors import Actor, require
from app.credits import policy
from app.credits.models import GradingTable
from app.grades.models import Scale
from app.grades.service import scales
from app.membership.policy import in_reached_institution

MAX_TABLES_SHOWN = 100


@dataclass(frozen=True)
class ReferenceGroup:
    """The tables of one field of study (ISCED-F) and cycle (EQF level), newest first."""

    isced_code: str
    eqf_level: int
    tables: list[GradingTable] = field(default_factory=list)


@dataclass(frozen=True)
class TablesPage:
    groups: list[ReferenceGroup]
    owner_names: dict[int, str]
    owners: Sequence[Institution]
    scales: Sequence[Scale]
    all_tables: list[GradingTable]


def check_registrar_desk(actor: Actor) -> None:
    """The scales and tables pages are the registrars' (managers with `credits:write`)."""
    require(policy.keeps_credit_records(actor) and policy.can_read_grading_tables(actor))


def tables_page(session: Session, actor: Actor) -> TablesPage:
    """The newest tables (100 at most) grouped by reference group, for registrars."""
    check_registrar_desk(actor)
    found = session.scalars(
        select(GradingTable)
        .options(selectinload(GradingTable.rows))
        .order_by(GradingTable.created_at.desc(), GradingTable.id.desc())
        .limit(MAX_TABLES_SHOWN)
    ).all()
    groups: dict[tuple[str, int], ReferenceGroup] = {}
    for table in found:
        key = (table.isced_code, table.eqf_level)
        groups.setdefault(key, ReferenceGroup(*key)).tables.append(table)
    owner_ids = {t.owner_institution_id for t in found if t.owner_institution_id is not None}
    named = session.execute(
        select(Institution.id, Institution.name).where(Institution.id.in_(owner_ids))
    )
    names: dict[int, str] = dict(named.all())
    owners = session.scalars(
        select(Institution)
        .where(in_reached_institution(actor, Institution.id))
        .order_by(Institution.code)
    ).all()
    return TablesPage(
        groups=[groups[key] for key in sorted(groups)],
        owner_names=names,
        owners=owners,
        scales=scales.list_scales(session, actor),
        all_tables=list(found),
    )


def scales_page(session: Session, actor: Actor) -> Sequence[Scale]:
    """The grading scales with their levels, for registrars."""
    check_registrar_desk(actor)
    return scales.list_scales(session, actor)
