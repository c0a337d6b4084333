"""Projects, their targets and readers: read by those the policy lets in (404 for anyone
else), run by coordinators. Every refusal is raised before anything is written."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, exists, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.expression import Exists

from app.accounts.models import Institution, User
from app.accounts.service import audit, find_user_by_email
from app.core.actors import Actor, require
from app.core.errors import Conflict, Invalid, NotFound
from app.core.i18n import N_
from app.courses.models import Programme, programme_institutions
from app.reporting import policy
from app.reporting.models import (
    ReaderRole,
    ReportingProgramme,
    ReportingProject,
    ReportReader,
    ReportTarget,
)
from app.reporting.policy import ReportAccess
from app.reporting.schemas import (
    ProjectCreate,
    ProjectUpdate,
    ReaderCreate,
    ReaderRead,
    TargetCreate,
    TargetRead,
)  # fmt: skip

NO_PROJECT = N_("No such project.")


class UnknownProgramme(Invalid):
    code = "unknown_programme"
    title = N_("No programme has this code.")


class UnknownInstitution(Invalid):
    code = "unknown_institution"
    title = N_("No institution has this code.")


class ProgrammeNotInProject(Invalid):
    code = "programme_not_in_project"
    title = N_("This programme is not one of the project's.")


class UnknownReader(Invalid):
    code = "unknown_person"
    title = N_("No account has this e-mail address.")


@dataclass(frozen=True)
class Opened:
    project: ReportingProject
    access: ReportAccess
    programmes: tuple[Programme, ...]


def _reader_role(session: Session, actor: Actor, project_id: int) -> ReaderRole | None:
    if actor.user_id is None:
        return None
    return session.scalar(
        select(ReportReader.role).where(
            ReportReader.project_id == project_id, ReportReader.user_id == actor.user_id
        )
    )


def _awards(actor: Actor, project_id: int | InstrumentedAttribute[int]) -> Exists:
    """Whether the actor's institution awards a programme of the project."""
    return exists().where(
        ReportingProgramme.project_id == project_id,
        programme_institutions.c.programme_id == ReportingProgramme.programme_id,
        programme_institutions.c.institution_id == actor.institution_id,
    )


def programmes_of(session: Session, project_id: int) -> tuple[Programme, ...]:
    return tuple(
        session.scalars(
            select(Programme)
            .join(ReportingProgramme, ReportingProgramme.programme_id == Programme.id)
            .where(ReportingProgramme.project_id == project_id)
            .order_by(Programme.code)
        )
    )


def open_project(session: Session, actor: Actor, code: str) -> Opened:
    """The project and what the actor may see of it; 404 when it may see nothing."""
    project = session.scalar(select(ReportingProject).where(ReportingProject.code == code))
    if project is None:
        raise NotFound(NO_PROJECT)
    awards = bool(actor.institution_id) and bool(session.scalar(select(_awards(actor, project.id))))
    found = policy.access(actor, _reader_role(session, actor, project.id), awards)
    if found is None:
        raise NotFound(NO_PROJECT)
    return Opened(project, found, programmes_of(session, project.id))


def visible_projects(session: Session, actor: Actor) -> Sequence[ReportingProject]:
    """The projects the actor reads, in one statement."""
    stmt = select(ReportingProject).order_by(ReportingProject.code)
    if policy.can_manage_projects(actor):
        return session.scalars(stmt).all()
    if actor.is_partner_client or actor.user_id is None:
        return []
    reader = exists().where(
        ReportReader.project_id == ReportingProject.id, ReportReader.user_id == actor.user_id
    )
    conditions = [reader]
    if actor.is_institution_manager and actor.institution_id is not None:
        conditions.append(_awards(actor, ReportingProject.id))
    return session.scalars(stmt.where(or_(*conditions))).all()


def managed(session: Session, actor: Actor, code: str) -> Opened:
    opened = open_project(session, actor, code)
    require(opened.access.manages)
    return opened


def _programme_ids(session: Session, codes: Sequence[str]) -> list[int]:
    found = dict(
        session.execute(select(Programme.code, Programme.id).where(Programme.code.in_(codes))).all()
    )
    for code in codes:
        if code not in found:
            raise UnknownProgramme(field="programmes")
    return [found[code] for code in dict.fromkeys(codes)]


def _set_programmes(session: Session, project: ReportingProject, codes: Sequence[str]) -> None:
    ids = _programme_ids(session, codes)
    session.execute(delete(ReportingProgramme).where(ReportingProgramme.project_id == project.id))
    session.add_all(ReportingProgramme(project_id=project.id, programme_id=i) for i in ids)


def create_project(session: Session, actor: Actor, data: ProjectCreate) -> ReportingProject:
    require(policy.can_manage_projects(actor))
    if session.scalar(select(ReportingProject.id).where(ReportingProject.code == data.code)):
        raise Conflict(N_("A project already has this code."), field="code")
    project = ReportingProject(
        code=data.code, name=data.name, funder=data.funder, starts_on=data.starts_on,
        ends_on=data.ends_on,
    )  # fmt: skip
    session.add(project)
    session.flush()
    _set_programmes(session, project, data.programmes)
    audit(session, actor, "report.project.create", f"report_project:{project.id}", project.code)
    return project


def update_project(
    session: Session, actor: Actor, code: str, data: ProjectUpdate
) -> ReportingProject:
    project = managed(session, actor, code).project
    changes = data.model_dump(exclude_unset=True)
    programmes = changes.pop("programmes", None)
    for name, value in changes.items():
        setattr(project, name, value)
    if project.ends_on is not None and project.ends_on < project.starts_on:
        raise Invalid(N_("The project ends before it starts."), field="ends_on")
    if programmes is not None:
        _set_programmes(session, project, programmes)
    audit(
        session,
        actor,
        "report.project.update",
        f"report_project:{project.id}",
        ",".join(sorted(data.model_fields_set)),
    )
    return project


def delete_project(session: Session, actor: Actor, code: str) -> None:
    project = managed(session, actor, code).project
    audit(session, actor, "report.project.delete", f"report_project:{project.id}", project.code)
    session.delete(project)


# --- targets ------------------------------------------------------------------------------


def targets(session: Session, project_id: int) -> Sequence[ReportTarget]:
    return session.scalars(
        select(ReportTarget)
        .where(ReportTarget.project_id == project_id)
        .order_by(ReportTarget.due_on, ReportTarget.indicator, ReportTarget.id)
    ).all()


def institution_id_of(session: Session, code: str | None) -> int | None:
    if code is None:
        return None
    found = session.scalar(select(Institution.id).where(Institution.code == code))
    if found is None:
        raise UnknownInstitution(field="institution")
    return found


def add_target(session: Session, actor: Actor, code: str, data: TargetCreate) -> ReportTarget:
    opened = managed(session, actor, code)
    programme_id = None
    if data.programme is not None:
        by_code = {p.code: p.id for p in opened.programmes}
        if data.programme not in by_code:
            raise ProgrammeNotInProject(field="programme")
        programme_id = by_code[data.programme]
    target = ReportTarget(
        project_id=opened.project.id, indicator=data.indicator, value=data.value,
        counts_from=data.counts_from, due_on=data.due_on, label=data.label,
        programme_id=programme_id, country=data.country,
        institution_id=institution_id_of(session, data.institution),
    )  # fmt: skip
    session.add(target)
    session.flush()
    audit(
        session, actor, "report.target.add", f"report_target:{target.id}",
        f"{target.indicator.value} {target.value} by {target.due_on}",
    )  # fmt: skip
    return target


def remove_target(session: Session, actor: Actor, code: str, target_id: int) -> None:
    opened = managed(session, actor, code)
    target = session.get(ReportTarget, target_id)
    if target is None or target.project_id != opened.project.id:
        raise NotFound(N_("No such target."))
    audit(session, actor, "report.target.remove", f"report_target:{target.id}")
    session.delete(target)


# --- readers ------------------------------------------------------------------------------


def readers(session: Session, project_id: int) -> list[tuple[ReportReader, User]]:
    rows = session.execute(
        select(ReportReader, User)
        .join(User, User.id == ReportReader.user_id)
        .where(ReportReader.project_id == project_id)
        .order_by(User.display_name, User.id)
    )
    return [(reader, user) for reader, user in rows]


def add_reader(
    session: Session, actor: Actor, code: str, data: ReaderCreate
) -> tuple[ReportReader, User]:
    opened = managed(session, actor, code)
    user = find_user_by_email(session, data.email)
    if user is None:
        raise UnknownReader(field="email")
    reader = session.scalar(
        select(ReportReader).where(
            ReportReader.project_id == opened.project.id, ReportReader.user_id == user.id
        )
    )
    if reader is None:
        reader = ReportReader(project_id=opened.project.id, user_id=user.id)
        session.add(reader)
    reader.role, reader.monthly = data.role, data.monthly
    session.flush()
    audit(
        session,
        actor,
        "report.reader.set",
        f"report_project:{opened.project.id}",
        f"user:{user.id} {data.role.value}",
    )
    return reader, user


def remove_reader(session: Session, actor: Actor, code: str, reader_id: int) -> None:
    opened = managed(session, actor, code)
    reader = session.get(ReportReader, reader_id)
    if reader is None or reader.project_id != opened.project.id:
        raise NotFound(N_("No such reader."))
    audit(
        session,
        actor,
        "report.reader.remove",
        f"report_project:{opened.project.id}",
        f"user:{reader.user_id}",
    )
    session.delete(reader)


def reader_read(reader: ReportReader, user: User) -> ReaderRead:
    return ReaderRead(
        id=reader.id, user_id=user.id, display_name=user.display_name, email=user.email,
        role=reader.role, monthly=reader.monthly,
    )  # fmt: skip


def target_read(session: Session, target: ReportTarget) -> TargetRead:
    """A target as read back, with its programme's and institution's codes."""
    programme = session.get(Programme, target.programme_id) if target.programme_id else None
    institution = session.get(Institution, target.institution_id) if target.institution_id else None
    return TargetRead(
        id=target.id, indicator=target.indicator, value=target.value,
        counts_from=target.counts_from, due_on=target.due_on, label=target.label,
        programme=programme.code if programme else None, country=target.country,
        institution=institution.code if institution else None,
    )  # fmt: skip


def institution_codes(session: Session) -> list[tuple[str, str]]:
    """Every institution's code and name, for narrowing a dashboard to one."""
    rows = session.execute(select(Institution.code, Institution.name).order_by(Institution.name))
    return [(code, name) for code, name in rows]
