"""A partner's LMS built with lti1p3platform (an independent LTI 1.3 platform implementation),
served on loopback: it starts the OIDC login at Agora, answers Agora's authentication request
with the library's signed id_token and auto-posting launch form, and offers the AGS endpoints
(token by the library's `get_access_token`, line items, scores) recording what it receives.
Tests change what it sends (`Partner.launch`) to forge, expire or misaddress a launch."""

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import jwt as pyjwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from lti1p3platform.framework.fastapi.oidc_login import FastAPIOIDCLogin
from lti1p3platform.framework.templates import template
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.registration import Registration

from tests.lti.conftest import free_port, serving

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
CLIENT_ID = "agora-at-partner"
DEPLOYMENT_ID = "deployment-1"
FORM_FIELD = re.compile(r'name="(id_token|state)" value="([^"]*)"')
ACTION = re.compile(r'action="([^"]*)"')


def new_private_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def public_pem(private_pem: str) -> str:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@dataclass
class LaunchSettings:
    """What the platform's next launch says; tests change it."""

    sub: str = "moodle-user-42"
    roles: list[str] = field(default_factory=lambda: [LEARNER])
    name: str | None = "Nadia Benali"
    email: str | None = "nadia.benali@partner.example.org"
    target_link_uri: str = ""
    custom: dict[str, str] = field(default_factory=dict)
    resource_link_id: str = "moodle-activity-7"
    lineitem: bool = True  # False: the AGS claim gives the line items container only
    deployment_id: str = DEPLOYMENT_ID
    expires_in: int = 300
    audience: str | None = None  # another client id than Agora's
    signing_key: str | None = None  # another key than the one the JWKS publishes
    claims: dict[str, Any] = field(default_factory=dict)  # put over the id_token's own


@dataclass
class Received:
    tokens: list[dict[str, str]] = field(default_factory=list)
    scores: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)  # item, type
    lineitems: list[dict[str, Any]] = field(default_factory=list)
    id_tokens: list[str] = field(default_factory=list)


@dataclass
class Partner:
    url: str
    agora_url: str
    private_key: str
    launch: LaunchSettings
    received: Received = field(default_factory=Received)

    @property
    def issuer(self) -> str:
        return self.url

    @property
    def jwks_url(self) -> str:
        return f"{self.url}/jwks.json"

    def registration_body(self, institution_id: int) -> dict[str, Any]:
        return {
            "institution_id": institution_id,
            "name": "Partner Moodle",
            "issuer": self.issuer,
            "client_id": CLIENT_ID,
            "deployment_ids": [DEPLOYMENT_ID],
            "auth_login_url": f"{self.url}/authorize",
            "auth_token_url": f"{self.url}/token",
            "jwks_url": self.jwks_url,
        }

    def registration(self) -> Registration:
        return (
            Registration()
            .set_iss(self.issuer)
            .set_client_id(CLIENT_ID)
            .set_deployment_id(self.launch.deployment_id)
            .set_oidc_login_url(f"{self.agora_url}/lti/tool/login")
            .set_launch_url(self.launch.target_link_uri)
            .set_tool_key_set_url(f"{self.agora_url}/lti/jwks.json")
            .set_platform_public_key(public_pem(self.private_key))
            .set_platform_private_key(self.launch.signing_key or self.private_key)
        )


def _config(partner: Partner) -> LTI1P3PlatformConfAbstract:
    class Config(LTI1P3PlatformConfAbstract):
        def init_platform_config(self, **kwargs: Any) -> None:
            pass

        def get_registration_by_params(self, **kwargs: Any) -> Registration:
            return partner.registration()

    return Config()


class _Login(FastAPIOIDCLogin):
    def set_lti_message_hint(self, **kwargs: Any) -> None:
        self._lti_message_hint = kwargs["hint"]


def _launch_class(partner: Partner) -> type[LTIAdvantageMessageLaunchAbstract]:
    class Launch(LTIAdvantageMessageLaunchAbstract):
        def get_preflight_response(self) -> dict[str, Any]:
            assert isinstance(self._request, Request)
            return dict(self._request.query_params)

        def get_launch_message(self, include_extra_claims: bool = True) -> dict[str, Any]:
            message = super().get_launch_message(include_extra_claims)
            if partner.launch.audience is not None:
                message["aud"] = message["azp"] = partner.launch.audience
            return {**message, **partner.launch.claims}

        def render_launch_form(self, launch_data: dict[str, Any], **kwargs: Any) -> Response:
            partner.received.id_tokens.append(launch_data["id_token"])
            return Response(template.render(launch_data), media_type="text/html")

    return Launch


def build_app(partner: Partner) -> FastAPI:
    app = FastAPI()

    @app.get("/start")
    def start(request: Request) -> Response:
        """The LMS page a learner clicks: third-party-initiated login at Agora."""
        login = _Login(request, _config(partner))
        login.set_lti_message_hint(hint="activity-7")
        return login.initiate_login(user_id=partner.launch.sub)

    @app.get("/authorize")
    def authorize(request: Request) -> Response:
        """Agora's authentication request comes back here; the LMS answers the launch."""
        settings = partner.launch
        launch = _launch_class(partner)(request, _config(partner))  # type: ignore[arg-type]
        launch.set_user_data(settings.sub, settings.roles, settings.name, settings.email)
        launch.set_resource_link_claim(settings.resource_link_id, title="Week 1 reading")
        launch.set_launch_context_claim("course-9", ["CourseSection"], "Health sciences")
        launch.set_custom_parameters_claim(settings.custom)
        launch.set_id_token_expiration(settings.expires_in)
        lineitems = f"{partner.url}/lineitems"
        launch.set_ags(lineitems, f"{lineitems}/1" if settings.lineitem else None)
        return launch.lti_launch()

    @app.get("/jwks.json")
    def jwks() -> JSONResponse:
        return JSONResponse({"keys": partner.registration().get_jwks()})

    @app.post("/token")
    async def token(request: Request) -> JSONResponse:
        form = {k: str(v) for k, v in (await request.form()).items()}
        partner.received.tokens.append(form)
        config = _config(partner)
        config.get_registration()
        try:
            return JSONResponse(dict(config.get_access_token(form)))
        except Exception as refused:  # the library's refusals: an RFC 6749 error
            return JSONResponse({"error": "invalid_client", "detail": str(refused)}, 400)

    def _authorised(request: Request) -> bool:
        header = request.headers.get("authorization", "")
        token = header.removeprefix("Bearer ")
        try:
            pyjwt.decode(token, public_pem(partner.private_key), algorithms=["RS256"])
        except pyjwt.PyJWTError:
            return False
        return True

    @app.get("/lineitems")
    def list_lineitems(request: Request, resource_link_id: str | None = None) -> Response:
        if not _authorised(request):
            return Response(status_code=401)
        items = [i for i in partner.received.lineitems if i["resourceLinkId"] == resource_link_id]
        return JSONResponse(items, media_type="application/vnd.ims.lis.v2.lineitemcontainer+json")

    @app.post("/lineitems")
    async def create_lineitem(request: Request) -> Response:
        if not _authorised(request):
            return Response(status_code=401)
        item = json.loads(await request.body())
        item["id"] = f"{partner.url}/lineitems/{100 + len(partner.received.lineitems)}"
        partner.received.lineitems.append(item)
        return JSONResponse(item, 201, media_type="application/vnd.ims.lis.v2.lineitem+json")

    @app.post("/lineitems/{item}/scores")
    async def score(item: str, request: Request) -> Response:
        if not _authorised(request):
            return Response(status_code=401)
        body = json.loads(await request.body())
        partner.received.scores.append((item, request.headers["content-type"], body))
        return Response(status_code=204)

    return app


@contextmanager
def partner_platform(agora_url: str) -> Iterator[Partner]:
    port = free_port()
    partner = Partner(
        url=f"http://127.0.0.1:{port}",
        agora_url=agora_url,
        private_key=new_private_key(),
        launch=LaunchSettings(),
    )
    with serving(build_app(partner), port):
        yield partner


def launch_form(html: str) -> tuple[str, dict[str, str]]:
    """The launch form the LMS answered: where it posts and what."""
    action = ACTION.search(html)
    assert action, html
    return action.group(1), dict(FORM_FIELD.findall(html))
