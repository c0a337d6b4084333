"""Input and output shapes apart: no input can set a role, a flag or an id it should not."""

from datetime import datetime
from typing import Annotated
from zoneinfo import available_timezones

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field

from app.core.actors import PlatformRole, Scope
from app.core.i18n import SUPPORTED_LOCALES
from app.core.inputs import Patch, StrictInput

_TIME_ZONES = frozenset(available_timezones())


def _check_time_zone(value: str) -> str:
    if value not in _TIME_ZONES:
        raise ValueError("unknown IANA time zone, e.g. Asia/Vientiane or Africa/Casablanca")
    return value


def _check_language(value: str) -> str:
    if value not in SUPPORTED_LOCALES:
        raise ValueError(f"language must be one of {', '.join(SUPPORTED_LOCALES)}")
    return value


def _check_country(value: str) -> str:
    if len(value) != 2 or not value.isalpha():
        raise ValueError("country is an ISO 3166-1 alpha-2 code such as LA, VN or MA")
    return value.upper()


TimeZone = Annotated[str, AfterValidator(_check_time_zone)]
Language = Annotated[str, AfterValidator(_check_language)]
Country = Annotated[str, AfterValidator(_check_country)]


class ProfileUpdate(Patch):
    """What a user may change about themselves."""

    nullable = frozenset({"country"})

    display_name: str | None = Field(default=None, min_length=1, max_length=200)
    preferred_language: Language | None = None
    time_zone: TimeZone | None = None
    country: Country | None = None


class PasswordChange(StrictInput):
    current_password: str
    new_password: str = Field(min_length=10, max_length=200)


class UserCreate(StrictInput):
    """What a manager or admin sets when creating an account."""

    email: EmailStr
    display_name: str = Field(min_length=1, max_length=200)
    password: str | None = Field(default=None, min_length=10, max_length=200)
    preferred_language: Language = "en"
    time_zone: TimeZone = "UTC"
    country: Country | None = None
    institution_code: str | None = None
    platform_role: PlatformRole = PlatformRole.USER


class UserAdminUpdate(Patch):
    nullable = frozenset({"institution_code"})

    display_name: str | None = Field(default=None, min_length=1, max_length=200)
    platform_role: PlatformRole | None = None
    is_active: bool | None = None
    institution_code: str | None = None


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    display_name: str
    preferred_language: str
    time_zone: str
    country: str | None
    institution_id: int | None
    platform_role: PlatformRole
    is_active: bool
    created_at: datetime


class InstitutionCreate(StrictInput):
    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    name: str = Field(min_length=1, max_length=300)
    country: Country
    grading_scale: str = Field(default="0-100", max_length=32)


class InstitutionUpdate(Patch):
    name: str | None = Field(default=None, min_length=1, max_length=300)
    country: Country | None = None
    grading_scale: str | None = Field(default=None, max_length=32)


class InstitutionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    country: str
    grading_scale: str


RATE_LIMIT_DESCRIPTION = (
    "Requests the client may send a minute; beyond them it gets 429 with `Retry-After` until "
    "the minute ends. null: the platform's default (`API_CLIENT_REQUESTS_PER_MINUTE`)."
)


class ApiClientCreate(StrictInput):
    name: str = Field(min_length=1, max_length=200)
    institution_code: str
    scopes: list[Scope] = Field(min_length=1)
    rate_limit_per_minute: int | None = Field(
        default=None, ge=1, le=1_000_000, description=RATE_LIMIT_DESCRIPTION
    )


class ApiClientUpdate(Patch):
    nullable = frozenset({"rate_limit_per_minute"})

    rate_limit_per_minute: int | None = Field(
        default=None, ge=1, le=1_000_000, description=RATE_LIMIT_DESCRIPTION
    )


class ApiClientRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    client_id: str
    name: str
    institution_id: int
    scopes: list[str]
    created_at: datetime
    revoked_at: datetime | None
    rate_limit_per_minute: int | None = Field(description=RATE_LIMIT_DESCRIPTION)


class ApiClientCreated(ApiClientRead):
    client_secret: str = Field(description="Shown once; store it now. Agora keeps only a hash.")


class ApiClientUsageRead(BaseModel):
    """A client's requests and error answers (status 400 or more, refusals for its limit
    included), counted per UTC minute."""

    model_config = ConfigDict(from_attributes=True)

    client: ApiClientRead
    requests_per_minute: int = Field(
        description="The limit in force: the client's own, or the default."
    )
    requests_last_24h: int
    errors_last_24h: int
    requests_last_30d: int
    last_seen_at: datetime | None = Field(
        description="The end of the newest minute the client sent a request in (kept 35 days); "
        "null if none."
    )


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    scope: str
    refresh_token: str | None = None


class PasswordResetRequest(StrictInput):
    email: EmailStr


class PasswordResetConfirm(StrictInput):
    token: str = Field(min_length=10, max_length=200)
    new_password: str = Field(min_length=10, max_length=200)
