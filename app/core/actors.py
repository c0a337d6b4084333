"""Who is acting: a signed-in user, a partner API client, or nobody. Knows no domain."""

from dataclasses import dataclass, field
from enum import StrEnum

from app.core.errors import DomainError, Forbidden


class PlatformRole(StrEnum):
    ADMIN = "admin"  # a platform-wide coordinator who also grants roles
    MANAGER = "manager"  # a platform-wide coordinator: every institution's people and courses
    INSTITUTION_MANAGER = "institution_manager"  # manages their own institution only
    USER = "user"


class Scope(StrEnum):
    """What an API token may do. Users' own tokens carry all scopes by default; their
    platform and course roles still decide. Partner clients carry only the scopes granted."""

    COURSES_READ = "courses:read"
    COURSES_WRITE = "courses:write"
    ENROLMENTS_READ = "enrolments:read"
    ENROLMENTS_WRITE = "enrolments:write"
    USERS_READ = "users:read"
    USERS_WRITE = "users:write"
    GRADES_READ = "grades:read"
    GRADES_WRITE = "grades:write"
    CREDITS_READ = "credits:read"
    CREDITS_WRITE = "credits:write"
    WEBINARS_READ = "webinars:read"
    WEBINARS_WRITE = "webinars:write"
    SENSITIVE_READ = "sensitive:read"
    WEBHOOKS = "webhooks:manage"
    LTI = "lti:manage"


ALL_SCOPES = frozenset(Scope)
# A user's own token carries every scope except reading sensitive data, which is asked for.
DEFAULT_USER_SCOPES = ALL_SCOPES - {Scope.SENSITIVE_READ}


@dataclass(frozen=True)
class Actor:
    user_id: int | None = None
    api_client_id: int | None = None
    institution_id: int | None = None
    platform_role: PlatformRole | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    # The platform itself (CLI, seed loader, scheduled jobs): an admin that is not a person.
    is_system: bool = False

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None and self.api_client_id is None and not self.is_system

    @property
    def is_admin(self) -> bool:
        return self.platform_role is PlatformRole.ADMIN

    @property
    def is_coordinator(self) -> bool:
        """Admins and managers run the whole platform, every institution included."""
        return self.platform_role in (PlatformRole.ADMIN, PlatformRole.MANAGER)

    @property
    def is_institution_manager(self) -> bool:
        return self.platform_role is PlatformRole.INSTITUTION_MANAGER

    @property
    def is_manager(self) -> bool:
        """Coordinators and institution managers; the latter only within their institution's
        reach, which the policies check object by object (`is_confined`)."""
        return self.is_coordinator or self.is_institution_manager

    @property
    def is_partner_client(self) -> bool:
        return self.api_client_id is not None

    @property
    def is_confined(self) -> bool:
        """Partner clients and institution managers act only on their institution's people
        and on the courses it runs or is a partner of; the rest does not exist for them."""
        return self.is_partner_client or self.is_institution_manager

    def has_scope(self, scope: Scope) -> bool:
        return scope in self.scopes


ANONYMOUS = Actor()
SYSTEM = Actor(platform_role=PlatformRole.ADMIN, scopes=ALL_SCOPES, is_system=True)


def require(allowed: bool, error: type[DomainError] = Forbidden, detail: str | None = None) -> None:
    """Raise `error` unless a policy allowed the action."""
    if not allowed:
        raise error(detail)
