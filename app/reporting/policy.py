"""Who reads and who runs a project's reports. Coordinators (platform admins and managers)
run every project: its programmes, targets and readers. A project's programme managers read
all of it, down to its courses and cohorts; its funders read its aggregates only, never a
person nor a course's or cohort's figures; an institution's managers read the part of a
project that concerns their institution's learners when their institution awards one of its
programmes. Everyone else, partner systems included, knows no project (404)."""

from dataclasses import dataclass

from app.core.actors import Actor
from app.reporting.models import ReaderRole


@dataclass(frozen=True)
class ReportAccess:
    institution_id: int | None  # the only institution whose learners are counted, if one
    drill_down: bool  # courses and cohorts shown
    manages: bool  # the project, its targets and readers


def can_manage_projects(actor: Actor) -> bool:
    return actor.is_system or (actor.is_coordinator and not actor.is_partner_client)


def access(
    actor: Actor, reader_role: ReaderRole | None, awards_a_programme: bool
) -> ReportAccess | None:
    """`reader_role`: the actor's role among the project's readers; `awards_a_programme`:
    whether the actor's institution awards one of the project's programmes."""
    if actor.is_partner_client or actor.is_anonymous:
        return None
    if can_manage_projects(actor):
        return ReportAccess(None, drill_down=True, manages=True)
    if reader_role is ReaderRole.PROGRAMME_MANAGER:
        return ReportAccess(None, drill_down=True, manages=False)
    if reader_role is ReaderRole.FUNDER:
        return ReportAccess(None, drill_down=False, manages=False)
    if actor.is_institution_manager and awards_a_programme:
        return ReportAccess(actor.institution_id, drill_down=True, manages=False)
    return None
