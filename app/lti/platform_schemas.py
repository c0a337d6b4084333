"""External LTI tools registered in Agora and placed in courses, over the API."""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.core.inputs import Id, Patch, StrictInput

Url = Annotated[str, Field(min_length=1, max_length=2000)]
CustomParameters = Annotated[
    dict[
        Annotated[str, Field(min_length=1, max_length=100)], Annotated[str, Field(max_length=1000)]
    ],
    Field(max_length=50, description="Custom parameters sent in every launch"),
]


class ServiceScope(StrEnum):
    """What a tool may be granted at Agora's token endpoint."""

    LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
    LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
    RESULT_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
    SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
    MEMBERSHIPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


class ToolCreate(StrictInput):
    name: str = Field(min_length=1, max_length=200)
    institution_id: Id | None = Field(
        default=None,
        description="Whose tool it is: placed in that institution's courses only. Left out: "
        "the caller's institution, or platform-wide for a coordinator.",
    )
    client_id: str | None = Field(
        default=None, min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$",
        description="The client id the tool knows Agora's registration by; generated if left out",
    )  # fmt: skip
    deployment_id: str = Field(default="1", min_length=1, max_length=255)
    login_url: Url = Field(description="The tool's OIDC login initiation URL")
    launch_url: Url = Field(description="The tool's launch URL (target link URI)")
    redirect_uris: list[Url] = Field(
        default_factory=list, max_length=20,
        description="Where id_tokens may be posted besides launch_url and deep_linking_url",
    )  # fmt: skip
    jwks_url: Url | None = Field(default=None, description="The tool's JWK Set URL")
    public_key: str | None = Field(
        default=None, min_length=1, max_length=10_000,
        description="The tool's RSA public key, PEM or a JWK as JSON (instead of jwks_url)",
    )  # fmt: skip
    deep_linking_url: Url | None = Field(
        default=None, description="Where teachers pick content from the tool (Deep Linking 2.0)"
    )
    custom: CustomParameters = Field(default_factory=dict)
    share_name: bool = Field(default=False, description="Send people's names to the tool")
    share_email: bool = Field(default=False, description="Send people's e-mail addresses")
    scopes: list[ServiceScope] = Field(
        default_factory=lambda: list(ServiceScope),
        description="The services (AGS, NRPS) the tool may use; all by default",
    )

    @model_validator(mode="after")
    def _one_key(self) -> "ToolCreate":
        if (self.jwks_url is None) == (self.public_key is None):
            raise ValueError("give exactly one of jwks_url and public_key")
        return self


class ToolUpdate(Patch):
    nullable = frozenset({"jwks_url", "public_key", "deep_linking_url"})

    name: str | None = Field(default=None, min_length=1, max_length=200)
    deployment_id: str | None = Field(default=None, min_length=1, max_length=255)
    login_url: Url | None = None
    launch_url: Url | None = None
    redirect_uris: list[Url] | None = Field(default=None, max_length=20)
    jwks_url: Url | None = None
    public_key: str | None = Field(default=None, min_length=1, max_length=10_000)
    deep_linking_url: Url | None = None
    custom: CustomParameters | None = None
    share_name: bool | None = None
    share_email: bool | None = None
    scopes: list[ServiceScope] | None = None


class ToolRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    institution_id: int | None
    name: str
    client_id: str
    deployment_id: str
    login_url: str
    launch_url: str
    redirect_uris: list[str]
    jwks_url: str | None
    public_key: str | None
    deep_linking_url: str | None
    custom: dict[str, str]
    share_name: bool
    share_email: bool
    scopes: list[str]
    created_at: datetime


class PlatformEndpoints(BaseModel):
    """What to enter in the tool: Agora's issuer and endpoints."""

    issuer: str
    client_id: str
    deployment_id: str
    authorization_url: str = Field(description="OIDC authentication request endpoint")
    token_url: str = Field(description="OAuth 2 token endpoint for AGS and NRPS")
    jwks_url: str
    deep_linking_return_url: str


class ToolRegistered(ToolRead):
    platform: PlatformEndpoints


class LineItemSpec(StrictInput):
    label: str | None = Field(default=None, min_length=1, max_length=300)
    score_maximum: Decimal = Field(gt=0, le=100_000, max_digits=10, decimal_places=2)


class PlacementCreate(StrictInput):
    section_id: Id = Field(description="The course section the module goes into")
    title: str = Field(min_length=1, max_length=300)
    key: str | None = Field(
        default=None, min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$",
        description="The module's key in its course; generated if left out",
    )  # fmt: skip
    url: Url | None = Field(default=None, description="Launch this URL instead of launch_url")
    custom: CustomParameters = Field(default_factory=dict)
    line_item: LineItemSpec | None = Field(
        default=None, description="A gradebook line item the tool posts scores to"
    )


class PlacementRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    module_id: int
    tool_id: int
    resource_link_id: str
    url: str | None
    custom: dict[str, str]
    line_item_id: int | None = None
