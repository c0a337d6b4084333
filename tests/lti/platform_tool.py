"""An external tool built with pylti1p3 (an independent LTI 1.3 tool implementation), served on
loopback for Agora to launch: its OIDC login initiation, its launch (pylti1p3 validates the
id_token: signature by Agora's JWKS fetched over HTTP, issuer, audience, nonce, state,
deployment, message) and its own JWKS. What each validated launch carried is kept, and the
launch object too, for the test to call AGS, NRPS or answer a deep linking request with."""

import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pylti1p3.cookie import CookieService
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.message_launch import MessageLaunch
from pylti1p3.oidc_login import OIDCLogin
from pylti1p3.redirect import Redirect
from pylti1p3.registration import Registration
from pylti1p3.request import Request as LtiRequest
from pylti1p3.session import SessionService
from pylti1p3.tool_config import ToolConfDict

from tests.lti.conftest import free_port, serving

CLIENT_ID = "quiz-tool-client"
DEPLOYMENT_ID = "deployment-7"


def new_private_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()  # fmt: skip


def public_pem(private_pem: str) -> str:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return (
        key.public_key()  # type: ignore[union-attr]
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


class _Request(LtiRequest):
    def __init__(self, params: dict[str, str], cookies: dict[str, str], session: dict) -> None:
        self._params, self._cookies, self._session = params, cookies, session

    @property
    def session(self) -> dict:
        return self._session

    def is_secure(self) -> bool:
        return False

    def get_param(self, key: str) -> str:
        return self._params.get(key)  # type: ignore[return-value]

    def get_cookie(self, key: str) -> str | None:
        return self._cookies.get(key)


class _Cookies(CookieService):
    def __init__(self, request: _Request) -> None:
        self._request = request
        self.to_set: dict[str, tuple[str, int | None]] = {}

    def _key(self, name: str) -> str:
        return f"{self._cookie_prefix}-{name}"

    def get_cookie(self, name: str) -> str | None:
        return self._request.get_cookie(self._key(name))

    def set_cookie(self, name: str, value: str | int, exp: int | None = 3600) -> None:
        self.to_set[self._key(name)] = (str(value), exp)

    def apply(self, response: Response) -> Response:
        for key, (value, exp) in self.to_set.items():
            response.set_cookie(key, value, max_age=exp, path="/", httponly=True)
        return response


class _Redirect(Redirect[Response]):
    def __init__(self, location: str, cookies: _Cookies) -> None:
        self._location, self._cookies = location, cookies

    def do_redirect(self) -> Response:
        return self._cookies.apply(RedirectResponse(self._location, status_code=302))

    def do_js_redirect(self) -> Response:
        return self.do_redirect()

    def set_redirect_url(self, location: str) -> None:
        self._location = location

    def get_redirect_url(self) -> str:
        return self._location


class _Login(OIDCLogin):
    def get_redirect(self, url: str) -> _Redirect:
        return _Redirect(url, self._cookie_service)


class _Launch(MessageLaunch):
    def _get_request_param(self, key: str) -> str:
        return self._request.get_param(key)


def _no_proxy_session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # loopback calls must not go through a proxy from the environment
    return session


@dataclass
class FakeTool:
    port: int
    agora_url: str
    private_key: str = field(default_factory=new_private_key)
    client_id: str = CLIENT_ID
    deployment_id: str = DEPLOYMENT_ID
    launches: list[dict[str, Any]] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    last_launch: MessageLaunch | None = None
    # The content items a deep linking launch answers with.
    content_items: list[DeepLinkResource] = field(default_factory=list)
    session: dict[str, Any] = field(default_factory=dict)  # the tool's server-side session
    agora_id: int = 0  # its registration's id in Agora, once registered

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def public_key(self) -> str:
        return public_pem(self.private_key)

    def config(self) -> ToolConfDict:
        agora = self.agora_url
        conf = ToolConfDict(
            {
                agora: [
                    {
                        "default": True, "client_id": self.client_id,
                        "auth_login_url": f"{agora}/lti/authorize",
                        "auth_token_url": f"{agora}/lti/token",
                        "key_set_url": f"{agora}/lti/jwks.json",
                        "deployment_ids": [self.deployment_id],
                    }
                ]
            }
        )  # fmt: skip
        conf.set_private_key(agora, self.private_key, client_id=self.client_id)
        conf.set_public_key(agora, self.public_key, client_id=self.client_id)
        return conf

    def jwks(self) -> dict[str, Any]:
        return {"keys": [dict(Registration.get_jwk(self.public_key))]}

    def registration(self) -> dict[str, Any]:
        """What to register in Agora for this tool."""
        return {
            "name": "Quiz Tool", "client_id": self.client_id,
            "deployment_id": self.deployment_id, "login_url": f"{self.url}/login",
            "launch_url": f"{self.url}/launch", "deep_linking_url": f"{self.url}/pick",
            "jwks_url": f"{self.url}/jwks", "custom": {"tool_level": "1"},
        }  # fmt: skip


def _params(request: Request, form: dict[str, Any]) -> dict[str, str]:
    return {**dict(request.query_params), **{k: str(v) for k, v in form.items()}}


def tool_app(tool: FakeTool) -> FastAPI:
    app = FastAPI()

    async def login(request: Request) -> Response:
        form = dict(await request.form()) if request.method == "POST" else {}
        lti_request = _Request(_params(request, form), dict(request.cookies), tool.session)
        cookies = _Cookies(lti_request)
        target = lti_request.get_param("target_link_uri")
        try:
            return _Login(
                lti_request, tool.config(), SessionService(lti_request), cookies
            ).redirect(target)
        except (LtiException, OIDCException) as error:
            tool.refusals.append(str(error))
            return Response(str(error), status_code=400)

    app.add_api_route("/login", login, methods=["GET", "POST"])

    async def launch(request: Request) -> Response:
        form = dict(await request.form())
        lti_request = _Request(_params(request, form), dict(request.cookies), tool.session)
        message = _Launch(
            lti_request, tool.config(), SessionService(lti_request), _Cookies(lti_request),
            requests_session=_no_proxy_session(),
        )  # fmt: skip
        try:
            data = message.get_launch_data()
        except LtiException as error:
            tool.refusals.append(str(error))
            return Response(str(error), status_code=400)
        tool.launches.append(data)
        tool.last_launch = message
        if message.is_deep_link_launch():
            return HTMLResponse(message.get_deep_link().output_response_form(tool.content_items))
        return HTMLResponse("<p>launched</p>")

    app.add_api_route("/launch", launch, methods=["POST"])
    app.add_api_route("/pick", launch, methods=["POST"])

    async def jwks() -> JSONResponse:
        return JSONResponse(tool.jwks())

    app.add_api_route("/jwks", jwks, methods=["GET"])
    return app


@contextmanager
def running_tool(agora_url: str) -> Iterator[FakeTool]:
    tool = FakeTool(port=free_port(), agora_url=agora_url)
    with serving(tool_app(tool), tool.port):
        yield tool


def random_jti() -> str:
    return secrets.token_hex(8)


def as_json(value: object) -> str:
    return json.dumps(value)
