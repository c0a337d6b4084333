"""Who a launch is: the person a platform's `sub` was matched to before, else a new account in
the platform's institution, linked instead to the existing account with the launch's e-mail
address only when that is an ordinary account of the same institution (a person of another
institution, or a manager's or admin's account, is never taken over by a launch); and what the
launch gives them: a Learner is enrolled in the course as a student, other roles get no new
rights."""

import hashlib
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Institution, User
from app.accounts.schemas import UserCreate
from app.accounts.service import create_user, find_user_by_email, normalise_email
from app.core.actors import SYSTEM, PlatformRole
from app.core.errors import Forbidden
from app.core.i18n import N_, SUPPORTED_LOCALES
from app.enrolment.service import EnrolmentTerms, enrolment_of, place
from app.lti.tool_models import LtiIdentity, LtiPlatform
from app.membership.models import EnrolmentMethod

LEARNER_ROLES = frozenset(
    {
        "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner",
        "http://purl.imsglobal.org/vocab/lis/v2/membership/Learner#Learner",
        "Learner",
    }
)
# Accounts whose platform did not share an e-mail address (or shared one taken by a person of
# another institution) get a unique address under a reserved domain that receives no mail.
UNSHARED_DOMAIN = "learners.lti.example.org"


class AccountDisabled(Forbidden):
    code = "lti_account_disabled"
    title = N_("Your Agora account is disabled; ask your institution.")


def person_for(session: Session, platform: LtiPlatform, claims: dict[str, Any]) -> User:
    subject = str(claims["sub"])
    linked = session.scalar(
        select(User)
        .join(LtiIdentity, LtiIdentity.user_id == User.id)
        .where(LtiIdentity.platform_id == platform.id, LtiIdentity.subject == subject)
    )
    user = (
        linked
        or _same_institution_account(session, platform, claims)
        or _provision(session, platform, claims)
    )
    if not user.is_active:
        raise AccountDisabled()
    if linked is None:
        session.add(LtiIdentity(platform_id=platform.id, subject=subject, user_id=user.id))
        session.flush()
    return user


def _email(claims: dict[str, Any]) -> str | None:
    email = claims.get("email")
    if not isinstance(email, str) or not email.strip() or len(email) > 320:
        return None
    return normalise_email(email)


def _same_institution_account(
    session: Session, platform: LtiPlatform, claims: dict[str, Any]
) -> User | None:
    email = _email(claims)
    found = find_user_by_email(session, email) if email else None
    if found is None or found.institution_id != platform.institution_id:
        return None
    return found if found.platform_role is PlatformRole.USER else None


def _provision(session: Session, platform: LtiPlatform, claims: dict[str, Any]) -> User:
    email = _email(claims)
    if email is None or find_user_by_email(session, email) is not None:
        email = _unshared_address(platform, str(claims["sub"]))
    institution = session.get_one(Institution, platform.institution_id)
    fields = {
        "display_name": _display_name(platform, claims),
        "institution_code": institution.code,
        "preferred_language": _language(claims),
    }
    try:
        data = UserCreate(email=email, **fields)
    except ValidationError:  # an address the platform sent that is no address
        data = UserCreate(email=_unshared_address(platform, str(claims["sub"])), **fields)
    return create_user(session, SYSTEM, data)


def _unshared_address(platform: LtiPlatform, subject: str) -> str:
    digest = hashlib.sha256(f"{platform.id}:{subject}".encode()).hexdigest()[:20]
    return f"lti-{platform.id}-{digest}@{UNSHARED_DOMAIN}"


def _display_name(platform: LtiPlatform, claims: dict[str, Any]) -> str:
    parts = [claims.get(key) for key in ("given_name", "family_name")]
    names = [
        claims.get("name"),
        " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip()),
    ]
    for name in names:
        if isinstance(name, str) and name.strip():
            return name.strip()[:200]
    return f"{platform.name} learner"[:200]


def _language(claims: dict[str, Any]) -> str:
    presentation = claims.get("https://purl.imsglobal.org/spec/lti/claim/launch_presentation")
    locale = presentation.get("locale") if isinstance(presentation, dict) else None
    language = locale.replace("_", "-").split("-")[0].lower() if isinstance(locale, str) else ""
    return language if language in SUPPORTED_LOCALES else "en"


def is_learner(claims: dict[str, Any]) -> bool:
    roles = claims.get("https://purl.imsglobal.org/spec/lti/claim/roles")
    return isinstance(roles, list) and any(role in LEARNER_ROLES for role in roles)


def enrol_learner(session: Session, platform: LtiPlatform, user: User, course_id: int) -> None:
    """A Learner not yet enrolled becomes a student; an existing enrolment (any role, any
    status) is left as it is."""
    if enrolment_of(session, user.id, course_id) is not None:
        return
    place(
        session, SYSTEM, course_id, user.id, EnrolmentTerms(), EnrolmentMethod.MANUAL,
        reason=f"LTI launch from {platform.name}"[:200],
    )  # fmt: skip
