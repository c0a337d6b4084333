"""Cohorts (intakes enrolled together), groups inside a course, and learner profiles."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.accounts.service import audit, find_institution, find_user_by_email
from app.core.actors import Actor, require
from app.core.errors import Conflict, Invalid, NotFound
from app.core.i18n import N_
from app.courses.models import Course
from app.enrolment import policy
from app.enrolment.models import (
    Cohort,
    CohortCourse,
    CohortMember,
    Group,
    Grouping,
    GroupingGroup,
    GroupMember,
    LearnerProfile,
    ProfessionalStatus,
)
from app.enrolment.service import EnrolmentTerms, existing_course, place, record_change
from app.membership.models import Enrolment, EnrolmentMethod, EnrolmentStatus
from app.membership.policy import in_reached_institution
from app.membership.service import course_roles, require_course_reach


class CohortCodeTaken(Conflict):
    code = "cohort_code_taken"
    title = N_("A cohort with this code already exists.")


def create_cohort(
    session: Session, actor: Actor, code: str, name: str, institution_code: str | None = None
) -> Cohort:
    """An intake of an institution (an institution manager's own) or, for coordinators who
    name none, of the whole platform."""
    require(policy.can_manage_cohorts(actor))
    institution_id = (
        find_institution(session, institution_code, field="institution_code").id
        if institution_code
        else actor.institution_id
        if actor.is_institution_manager
        else None
    )
    require(policy.can_see_cohort(actor, institution_id))
    if session.scalar(select(Cohort.id).where(Cohort.code == code)):
        raise CohortCodeTaken(field="code")
    cohort = Cohort(code=code, name=name, institution_id=institution_id)
    session.add(cohort)
    session.flush()
    return cohort


def get_cohort(session: Session, actor: Actor, cohort_id: int) -> Cohort:
    require(policy.can_manage_cohorts(actor))
    cohort = session.get(Cohort, cohort_id)
    if cohort is None or not policy.can_see_cohort(actor, cohort.institution_id):
        raise NotFound(N_("No such cohort."))
    return cohort


def list_cohorts(session: Session, actor: Actor) -> Sequence[Cohort]:
    require(policy.can_manage_cohorts(actor))
    return session.scalars(
        select(Cohort)
        .where(in_reached_institution(actor, Cohort.institution_id))
        .order_by(Cohort.code)
    ).all()


def link_course(session: Session, actor: Actor, cohort_id: int, course_id: int) -> None:
    """Link a course to a cohort: its current members are enrolled at once."""
    cohort = get_cohort(session, actor, cohort_id)
    require_course_reach(session, actor, course_id)
    if not session.scalar(
        select(CohortCourse.id).where(
            CohortCourse.cohort_id == cohort.id, CohortCourse.course_id == course_id
        )
    ):
        session.add(CohortCourse(cohort_id=cohort.id, course_id=course_id))
    for user_id in session.scalars(
        select(CohortMember.user_id).where(CohortMember.cohort_id == cohort.id)
    ):
        place(
            session,
            actor,
            course_id,
            user_id,
            EnrolmentTerms(),
            EnrolmentMethod.COHORT,
            reason=f"cohort {cohort.code}",
        )


def _course_ids(session: Session, cohort_id: int) -> list[int]:
    return list(
        session.scalars(select(CohortCourse.course_id).where(CohortCourse.cohort_id == cohort_id))
    )


def is_member(session: Session, cohort_id: int, user_id: int) -> bool:
    found = session.scalar(
        select(CohortMember.id).where(
            CohortMember.cohort_id == cohort_id, CohortMember.user_id == user_id
        )
    )
    return found is not None


def members(session: Session, actor: Actor, cohort_id: int) -> Sequence[User]:
    cohort = get_cohort(session, actor, cohort_id)
    return session.scalars(
        select(User)
        .join(CohortMember, CohortMember.user_id == User.id)
        .where(CohortMember.cohort_id == cohort.id)
        .order_by(User.display_name)
    ).all()


def linked_courses(session: Session, actor: Actor, cohort_id: int) -> Sequence[Course]:
    cohort = get_cohort(session, actor, cohort_id)
    return session.scalars(
        select(Course)
        .join(CohortCourse, CohortCourse.course_id == Course.id)
        .where(CohortCourse.cohort_id == cohort.id)
        .order_by(Course.code)
    ).all()


def add_member(session: Session, actor: Actor, cohort_id: int, user_id: int) -> None:
    """Adding someone to a cohort enrols them in every course linked to it."""
    cohort = get_cohort(session, actor, cohort_id)
    person = session.get(User, user_id)
    if person is None or not policy.can_enrol_person(actor, person.institution_id):
        raise Invalid("No such user.", field="user_id")
    if not is_member(session, cohort.id, user_id):
        session.add(CohortMember(cohort_id=cohort.id, user_id=user_id))
    for course_id in _course_ids(session, cohort.id):
        place(
            session,
            actor,
            course_id,
            user_id,
            EnrolmentTerms(),
            EnrolmentMethod.COHORT,
            reason=f"cohort {cohort.code}",
        )


def add_member_by_email(session: Session, actor: Actor, cohort_id: int, email: str) -> None:
    """The cohort page's form: people are found by their e-mail address; someone outside the
    manager's reach is as unknown as nobody."""
    get_cohort(session, actor, cohort_id)
    person = find_user_by_email(session, email.strip())
    if person is None or not policy.can_enrol_person(actor, person.institution_id):
        raise Invalid(N_("Nobody has an account with this e-mail address."), field="email")
    add_member(session, actor, cohort_id, person.id)


def remove_member(session: Session, actor: Actor, cohort_id: int, user_id: int) -> None:
    """Removing someone from a cohort suspends the enrolments the cohort gave them."""
    cohort = get_cohort(session, actor, cohort_id)
    member = session.scalar(
        select(CohortMember).where(
            CohortMember.cohort_id == cohort.id, CohortMember.user_id == user_id
        )
    )
    if member is None:
        raise NotFound(N_("Not a member of this cohort."))
    session.delete(member)
    for enrolment in session.scalars(
        select(Enrolment).where(
            Enrolment.user_id == user_id,
            Enrolment.course_id.in_(_course_ids(session, cohort.id)),
            Enrolment.method == EnrolmentMethod.COHORT,
            Enrolment.status == EnrolmentStatus.ACTIVE,
        )
    ):
        previous, enrolment.status = enrolment.status, EnrolmentStatus.SUSPENDED
        reason = f"left cohort {cohort.code}"
        record_change(session, actor, enrolment, enrolment.status, reason, previous)


def create_group(session: Session, actor: Actor, course_id: int, name: str) -> Group:
    """A group has a name, unique in its course (surrounding spaces do not count)."""
    existing_course(session, course_id)
    require(policy.can_manage_groups(actor, course_roles(session, actor, course_id)))
    name = name.strip()
    if not name:
        raise Invalid(N_("Give the group a name."), field="name")
    if session.scalar(select(Group.id).where(Group.course_id == course_id, Group.name == name)):
        raise Conflict("A group of this course already has this name.", field="name")
    group = Group(course_id=course_id, name=name)
    session.add(group)
    session.flush()
    return group


def groups_of(session: Session, actor: Actor, course_id: int) -> list[tuple[Group, list[int]]]:
    """A course's groups with their members' ids: staff and members of the course see them."""
    roles = course_roles(session, actor, course_id)
    require(policy.can_see_groups(actor, roles), NotFound, N_("No such course."))
    groups = session.scalars(
        select(Group).where(Group.course_id == course_id).order_by(Group.name)
    ).all()
    members: dict[int, list[int]] = {group.id: [] for group in groups}
    for group_id, user_id in session.execute(
        select(GroupMember.group_id, GroupMember.user_id).where(GroupMember.group_id.in_(members))
    ):
        members[group_id].append(user_id)
    return [(group, members[group.id]) for group in groups]


def group_member_names(session: Session, actor: Actor, course_id: int) -> dict[int, str]:
    """Names of the people in a course's groups, for those who may see its groups."""
    roles = course_roles(session, actor, course_id)
    require(policy.can_see_groups(actor, roles), NotFound, N_("No such course."))
    rows = session.execute(
        select(User.id, User.display_name)
        .join(GroupMember, GroupMember.user_id == User.id)
        .join(Group, Group.id == GroupMember.group_id)
        .where(Group.course_id == course_id)
    )
    return dict(rows.all())


def create_grouping(
    session: Session, actor: Actor, course_id: int, name: str, group_ids: list[int]
) -> tuple[Grouping, list[int]]:
    """Gather groups of one course under a name; groups of other courses are refused."""
    existing_course(session, course_id)
    require(policy.can_manage_groups(actor, course_roles(session, actor, course_id)))
    own = set(session.scalars(select(Group.id).where(Group.course_id == course_id)))
    foreign = sorted(set(group_ids) - own)
    if foreign:
        raise Invalid(f"Group {foreign[0]} is not a group of this course.", field="group_ids")
    if session.scalar(
        select(Grouping.id).where(Grouping.course_id == course_id, Grouping.name == name)
    ):
        raise Conflict("A grouping of this course already has this name.", field="name")
    grouping = Grouping(course_id=course_id, name=name)
    session.add(grouping)
    session.flush()
    session.add_all(
        GroupingGroup(grouping_id=grouping.id, group_id=g) for g in sorted(set(group_ids))
    )
    return grouping, sorted(set(group_ids))


def groupings_of(
    session: Session, actor: Actor, course_id: int
) -> list[tuple[Grouping, list[int]]]:
    roles = course_roles(session, actor, course_id)
    require(policy.can_see_groups(actor, roles), NotFound, N_("No such course."))
    groupings = session.scalars(
        select(Grouping).where(Grouping.course_id == course_id).order_by(Grouping.name)
    ).all()
    members: dict[int, list[int]] = {grouping.id: [] for grouping in groupings}
    for grouping_id, group_id in session.execute(
        select(GroupingGroup.grouping_id, GroupingGroup.group_id).where(
            GroupingGroup.grouping_id.in_(members)
        )
    ):
        members[grouping_id].append(group_id)
    return [(grouping, sorted(members[grouping.id])) for grouping in groupings]


def set_group_member(
    session: Session, actor: Actor, group_id: int, user_id: int, *, member: bool
) -> None:
    """Only people enrolled in the course can join one of its groups."""
    group = session.get(Group, group_id)
    if group is None:
        raise NotFound(N_("No such group."))
    roles = course_roles(session, actor, group.course_id)
    require(policy.can_see_groups(actor, roles), NotFound, N_("No such group."))
    require(policy.can_manage_groups(actor, roles))
    existing = session.scalar(
        select(GroupMember).where(GroupMember.group_id == group.id, GroupMember.user_id == user_id)
    )
    if not member:
        if existing is not None:
            session.delete(existing)
        return
    enrolled = session.scalar(
        select(Enrolment.id).where(
            Enrolment.user_id == user_id, Enrolment.course_id == group.course_id
        )
    )
    if enrolled is None:
        raise Invalid("Only people enrolled in the course can join its groups.", field="user_id")
    if existing is None:
        session.add(GroupMember(group_id=group.id, user_id=user_id))


def read_profile(session: Session, actor: Actor, user_id: int) -> dict[str, object]:
    """A learner's reporting profile. Nationality and refugee status appear only for those
    allowed to read them, and each such read is written to the audit log."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(N_("No such user."))
    sensitive = policy.can_read_sensitive(actor, user.institution_id)
    if not (policy.can_edit_profile(actor, user_id, user.institution_id) or sensitive):
        raise NotFound(N_("No such user."))
    profile = session.get(LearnerProfile, user_id)
    result: dict[str, object] = {
        "user_id": user.id,
        "country": user.country,
        "institution_id": user.institution_id,
        "professional_status": profile.professional_status if profile else None,
    }
    if sensitive:
        audit(session, actor, "profile.read_sensitive", f"user:{user.id}", person_id=user.id)
        result["nationality"] = profile.nationality if profile else None
        result["refugee"] = profile.refugee if profile else None
    return result


def update_profile(
    session: Session,
    actor: Actor,
    user_id: int,
    professional_status: ProfessionalStatus | None,
    nationality: str | None,
    refugee: bool | None,
    set_sensitive: bool,
) -> None:
    """The learner or a manager sets the profile; sensitive fields are only written by the
    learner themselves or by someone allowed to read them."""
    user = session.get(User, user_id)
    allowed = user is not None and policy.can_edit_profile(actor, user_id, user.institution_id)
    require(allowed, NotFound, N_("No such user."))
    assert user is not None
    profile = session.get(LearnerProfile, user_id) or LearnerProfile(user_id=user_id)
    session.add(profile)
    profile.professional_status = professional_status
    if set_sensitive:
        require(policy.can_write_sensitive(actor, user_id, user.institution_id))
        # Which fields changed, never their values: the trail is not special-category data.
        changed = [
            name
            for name, old, new in (
                ("nationality", profile.nationality, nationality),
                ("refugee", profile.refugee, refugee),
            )
            if old != new
        ]
        profile.nationality, profile.refugee = nationality, refugee
        detail = "changed: " + (", ".join(changed) or "nothing")
        subject = f"user:{user_id}"
        audit(session, actor, "profile.write_sensitive", subject, detail, person_id=user_id)
