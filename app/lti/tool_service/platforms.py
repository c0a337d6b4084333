"""Partner platforms registered to launch into Agora: by the partner's own client (`lti:manage`),
the managers of its institution, or the coordinators. Another institution's registration does
not exist for the caller."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Institution
from app.accounts.service import audit
from app.core.actors import Actor, require
from app.core.addresses import UnsafeAddress, check_url
from app.core.config import Settings
from app.core.errors import Conflict, Invalid, NotFound
from app.core.i18n import N_
from app.lti import policy
from app.lti.tool_models import LtiPlatform
from app.lti.tool_schemas import PlatformCreate, PlatformUpdate, ToolEndpoints

_ADDRESSES = ("auth_login_url", "auth_token_url", "jwks_url")


class NoSuchPlatform(NotFound):
    code = "no_such_lti_platform"
    title = N_("No such LTI platform registration.")


class PlatformTaken(Conflict):
    code = "lti_platform_taken"
    title = N_("A platform with this issuer and client id is already registered.")


class InstitutionNeeded(Invalid):
    code = "institution_needed"
    title = N_("Name the institution whose people this platform launches (`institution_id`).")


class BadIssuer(Invalid):
    code = "bad_issuer"
    title = N_("The issuer must be an https:// address, as the platform's id_tokens carry it.")


def tool_endpoints(settings: Settings) -> ToolEndpoints:
    """Agora's own endpoints, for the partner to enter in its LMS."""
    base = settings.base_url.rstrip("/")
    return ToolEndpoints(
        login_url=f"{base}/lti/tool/login",
        launch_url=f"{base}/lti/tool/launch",
        jwks_url=f"{base}/lti/jwks.json",
    )


def register(
    session: Session, actor: Actor, settings: Settings, data: PlatformCreate
) -> LtiPlatform:
    require(policy.can_manage_lti(actor))
    institution_id = data.institution_id or _home(actor)
    if session.get(Institution, institution_id) is None or not policy.can_manage_registration(
        actor, institution_id
    ):
        raise NotFound(N_("No such institution."), field="institution_id")
    _check(settings, data.issuer, *(getattr(data, name) for name in _ADDRESSES))
    _refuse_taken(session, data.issuer, data.client_id, None)
    platform = LtiPlatform(
        institution_id=institution_id, name=data.name, issuer=data.issuer,
        client_id=data.client_id, deployment_ids=list(dict.fromkeys(data.deployment_ids)),
        auth_login_url=data.auth_login_url, auth_token_url=data.auth_token_url,
        jwks_url=data.jwks_url,
    )  # fmt: skip
    session.add(platform)
    session.flush()
    audit(session, actor, "lti.platform.register", f"lti_platform:{platform.id}", data.issuer)
    return platform


def _home(actor: Actor) -> int:
    if actor.institution_id is None or not actor.is_confined:
        raise InstitutionNeeded(field="institution_id")
    return actor.institution_id


def _check(settings: Settings, issuer: str | None, *addresses: str | None) -> None:
    schemes = ("https://", "http://") if settings.webhooks_allow_http else ("https://",)
    if issuer is not None and not issuer.startswith(schemes):
        raise BadIssuer(field="issuer")
    for field, address in zip(_ADDRESSES, addresses, strict=True):
        if address is None:
            continue
        try:
            check_url(
                address,
                allow_http=settings.webhooks_allow_http,
                allow_loopback=settings.webhooks_allow_loopback,
            )
        except UnsafeAddress as refused:
            raise UnsafeAddress(refused.detail, field=field) from None


def _refuse_taken(session: Session, issuer: str, client_id: str, own_id: int | None) -> None:
    found = session.scalar(
        select(LtiPlatform.id).where(
            LtiPlatform.issuer == issuer, LtiPlatform.client_id == client_id
        )
    )
    if found is not None and found != own_id:
        raise PlatformTaken(field="client_id")


def platforms(session: Session, actor: Actor) -> Sequence[LtiPlatform]:
    """The registrations of the caller's institution; every one for coordinators."""
    require(policy.can_manage_lti(actor))
    stmt = select(LtiPlatform).order_by(LtiPlatform.id)
    if actor.is_confined:
        stmt = stmt.where(LtiPlatform.institution_id == (actor.institution_id or -1))
    return session.scalars(stmt).all()


def platform(session: Session, actor: Actor, platform_id: int) -> LtiPlatform:
    require(policy.can_manage_lti(actor))
    found = session.get(LtiPlatform, platform_id)
    if found is None or not policy.can_manage_registration(actor, found.institution_id):
        raise NoSuchPlatform()
    return found


def update(
    session: Session, actor: Actor, settings: Settings, platform_id: int, data: PlatformUpdate
) -> LtiPlatform:
    found = platform(session, actor, platform_id)
    _check(settings, data.issuer, *(getattr(data, name) for name in _ADDRESSES))
    changes = data.model_dump(exclude_unset=True)
    if "deployment_ids" in changes:
        changes["deployment_ids"] = list(dict.fromkeys(changes["deployment_ids"]))
    _refuse_taken(
        session, changes.get("issuer", found.issuer), changes.get("client_id", found.client_id),
        found.id,
    )  # fmt: skip
    for name, value in changes.items():
        setattr(found, name, value)
    audit(session, actor, "lti.platform.update", f"lti_platform:{found.id}", ",".join(changes))
    return found


def remove(session: Session, actor: Actor, platform_id: int) -> None:
    """Its people keep their accounts; their launches and grade links from it go."""
    found = platform(session, actor, platform_id)
    audit(session, actor, "lti.platform.remove", f"lti_platform:{found.id}", found.issuer)
    session.delete(found)
