"""Partner platforms (LMSs) registered to launch into Agora, over the API."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.core.inputs import Id, Patch, StrictInput

DeploymentId = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)
]
Address = Annotated[str, Field(min_length=1, max_length=2000)]


class PlatformCreate(StrictInput):
    institution_id: Id | None = Field(
        default=None,
        description="The partner institution whose people the platform launches (they are "
        "provisioned there). A partner client or an institution manager may leave it out: "
        "their own institution.",
    )
    name: str = Field(min_length=1, max_length=200)
    issuer: str = Field(
        min_length=1, max_length=500, description="The platform's `iss`, as in its id_tokens"
    )
    client_id: str = Field(
        min_length=1, max_length=255, description="The client id the platform gave Agora"
    )
    deployment_ids: list[DeploymentId] = Field(min_length=1, max_length=100)
    auth_login_url: Address = Field(description="The platform's OIDC authorisation endpoint")
    auth_token_url: Address = Field(description="The platform's OAuth 2 token endpoint (AGS)")
    jwks_url: Address = Field(description="The platform's JSON Web Key Set")


class PlatformUpdate(Patch):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    issuer: str | None = Field(default=None, min_length=1, max_length=500)
    client_id: str | None = Field(default=None, min_length=1, max_length=255)
    deployment_ids: list[DeploymentId] | None = Field(default=None, min_length=1, max_length=100)
    auth_login_url: Address | None = None
    auth_token_url: Address | None = None
    jwks_url: Address | None = None


class PlatformRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    institution_id: int
    name: str
    issuer: str
    client_id: str
    deployment_ids: list[str]
    auth_login_url: str
    auth_token_url: str
    jwks_url: str
    created_at: datetime


class ToolEndpoints(BaseModel):
    """What the partner enters in its LMS to register Agora as a tool."""

    login_url: str = Field(description="OIDC login initiation (GET or POST)")
    launch_url: str = Field(description="Redirect URI / target link URI (POST)")
    jwks_url: str = Field(description="Agora's public keys (client assertions are signed so)")


class PlatformRegistered(PlatformRead):
    tool: ToolEndpoints
