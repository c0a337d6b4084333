"""Outbound HTTP to addresses partners supply (webhook endpoints), safe against server-side
request forgery: only public addresses are called, the address checked is the one connected to
(so a DNS answer that changes between check and connect cannot redirect the call), and
redirects are never followed.

`check_url` is the syntax-only check for saving a URL; `resolve_destination` resolves the name
and checks every address it has; `send` calls the checked address."""

import ipaddress
import re
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import SplitResult, urlsplit

from app.core.errors import Invalid
from app.core.i18n import N_

if TYPE_CHECKING:
    import httpx

MAX_URL_LENGTH = 2000
_DEFAULT_PORTS = {"http": 80, "https": 443}
_LABEL = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)")
_UNSAFE_CHARACTERS = re.compile(r"[\x00-\x20\x7f\\]")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Ranges `is_global` lets through in some Python versions though nothing public lives there.
_NOT_PUBLIC = tuple(
    ipaddress.ip_network(network)
    for network in ("192.0.0.0/24", "198.18.0.0/15", "3fff::/20", "64:ff9b:1::/48")
)
# IPv6 ranges whose last 32 bits are an IPv4 address the packet may end up at.
_EMBEDS_IPV4_IN_LOW_BITS = tuple(
    ipaddress.ip_network(network) for network in ("::/96", "64:ff9b::/96")
)


class UnsafeAddress(Invalid):
    code = "unsafe_address"
    title = N_("This address may not be called: it must be a public HTTPS address.")

    def __init__(self, detail: str | None = None, *, field: str | None = "url") -> None:
        super().__init__(detail, field=field)


@dataclass(frozen=True)
class Destination:
    url: str  # normalised: lower-case scheme and host, no default port, path at least "/"
    scheme: str
    host: str  # as given (a name or a literal IP), lower-case, no brackets
    port: int
    address: str  # the resolved IP that was checked and that the request must connect to


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int
    path: str  # path and query, always starting with "/"
    literal: IPAddress | None


def check_url(url: str, *, allow_http: bool, allow_loopback: bool) -> None:
    """Refuse a URL that could not be called safely, without resolving its name."""
    _parse(url, allow_http=allow_http, allow_loopback=allow_loopback)


def resolve_destination(
    url: str,
    *,
    allow_http: bool,
    allow_loopback: bool,
    resolver: Callable[..., Any] | None = None,
) -> Destination:
    """Check the URL, resolve its host and refuse it if any address it has is not public."""
    target = _parse(url, allow_http=allow_http, allow_loopback=allow_loopback)
    if target.literal is not None:
        address = target.literal
    else:
        addresses = _resolve(target, resolver or socket.getaddrinfo)
        for resolved in addresses:
            _check_address(resolved, allow_loopback=allow_loopback, host=target.host)
        address = addresses[0]
    return Destination(
        url=_url(target.scheme, target.host, target.port, target.path),
        scheme=target.scheme,
        host=target.host,
        port=target.port,
        address=str(address),
    )


def send(
    destination: Destination,
    *,
    method: str,
    content: bytes,
    headers: Mapping[str, str],
    timeout: float,
) -> "httpx.Response":
    """Send the request to the checked address, never following a redirect.

    The Host header keeps the name. For https, httpcore passes the `sni_hostname` request
    extension to the TLS handshake as `server_hostname` (httpcore `_sync/connection.py`), which
    Python's ssl uses both for SNI and for checking the certificate's name, so the certificate
    is verified against the name, not the IP connected to. A fresh client per call: pooled
    connections are keyed by IP, and one must not be reused for another name; `trust_env` is
    off so no proxy from the environment resolves the name again."""
    import httpx  # imported on first use: only the worker sends, serving pages never does

    request_headers = httpx.Headers(headers)
    request_headers["Host"] = _authority(destination.scheme, destination.host, destination.port)
    extensions = {"sni_hostname": destination.host} if destination.scheme == "https" else {}
    with httpx.Client(follow_redirects=False, trust_env=False, timeout=timeout) as client:
        return client.request(
            method,
            _url(destination.scheme, destination.address, destination.port, _path(destination)),
            content=content,
            headers=request_headers,
            extensions=extensions,
        )


def _parse(url: str, *, allow_http: bool, allow_loopback: bool) -> _Target:
    parts = _split(url)
    scheme = _scheme(parts, allow_http=allow_http)
    if parts.username is not None or "@" in parts.netloc:
        raise UnsafeAddress("the address must not contain a user name or password")
    host = _host(parts)
    literal = _literal(host)
    if literal is not None:
        host = str(literal)
        _check_address(literal, allow_loopback=allow_loopback, host=host)
    elif _is_localhost(host) and not allow_loopback:
        raise UnsafeAddress(f"{host} is this server itself")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return _Target(scheme, host, _port(parts, scheme), path, literal)


def _split(url: str) -> SplitResult:
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeAddress(f"the address is longer than {MAX_URL_LENGTH:,} characters")
    if _UNSAFE_CHARACTERS.search(url):
        raise UnsafeAddress("the address contains spaces, control characters or backslashes")
    if "#" in url:
        raise UnsafeAddress("the address must not have a fragment (#…)")
    try:
        return urlsplit(url)
    except ValueError as error:
        raise UnsafeAddress(f"the address is malformed: {error}") from None


def _scheme(parts: SplitResult, *, allow_http: bool) -> str:
    if not parts.scheme:
        raise UnsafeAddress("the address must be absolute, like https://example.org/hook")
    if parts.scheme not in _DEFAULT_PORTS:
        raise UnsafeAddress("the address must start with https://")
    if parts.scheme == "http" and not allow_http:
        raise UnsafeAddress("the address must use https://, not http://")
    if not parts.netloc:
        raise UnsafeAddress("the address has no host")
    return parts.scheme


def _host(parts: SplitResult) -> str:
    host = (parts.hostname or "").removesuffix(".")
    if not host:
        raise UnsafeAddress("the address has no host")
    if ":" in host:  # bracketed, so an IPv6 literal or nothing
        return host
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise UnsafeAddress(f"{host} is not a valid host name") from None
    if not all(_LABEL.fullmatch(label) for label in host.lower().split(".")):
        raise UnsafeAddress(f"{host} is not a valid host name")
    return host.lower()


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if ":" in host:
        raise UnsafeAddress(f"{host} is not a valid IPv6 address")
    if _is_legacy_ipv4(host):
        raise UnsafeAddress(f"{host} is neither a host name nor an IPv4 address in standard form")
    return None


def _is_legacy_ipv4(host: str) -> bool:
    """Forms like 127.1, 0x7f000001 or 2130706433, which resolvers read as IPv4 addresses."""
    try:
        socket.inet_aton(host)
    except OSError:
        return host.rsplit(".", 1)[-1].isdigit()  # no top-level domain is numeric
    return True


def _is_localhost(host: str) -> bool:
    return host == "localhost" or host.endswith(".localhost")


def _port(parts: SplitResult, scheme: str) -> int:
    try:
        port = parts.port
    except ValueError:
        raise UnsafeAddress("the port must be a number from 1 to 65535") from None
    if port is None:
        return _DEFAULT_PORTS[scheme]
    if not 1 <= port <= 65535:
        raise UnsafeAddress("the port must be a number from 1 to 65535")
    return port


def _resolve(target: _Target, resolver: Callable[..., Any]) -> list[IPAddress]:
    try:
        answers = resolver(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):  # socket.gaierror is an OSError
        raise UnsafeAddress("the name does not resolve") from None
    addresses = [_answer_address(answer) for answer in answers]
    if not addresses:
        raise UnsafeAddress("the name does not resolve")
    return addresses


def _answer_address(answer: Any) -> IPAddress:
    """The address in a getaddrinfo answer `(family, type, proto, canonname, sockaddr)`."""
    _family, _type, _proto, _canonname, sockaddr = answer
    try:
        return ipaddress.ip_address(sockaddr[0])
    except (ValueError, TypeError, IndexError):
        raise UnsafeAddress("the name resolves to something other than an IP address") from None


def _check_address(address: IPAddress, *, allow_loopback: bool, host: str) -> None:
    judged = _embedded_ipv4(address) or address
    if (judged.is_loopback and allow_loopback) or _is_public(judged):
        return
    found = address if host == str(address) else f"{host} resolves to {address}, which"
    leads = "" if judged is address else f" leads to {judged}, which"
    raise UnsafeAddress(f"{found}{leads} is not a public address")


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one leads to: mapped, compatible, NAT64 or 6to4."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.is_loopback or address.is_unspecified:  # ::1 and :: are in ::/96 too
        return None
    if any(address in network for network in _EMBEDS_IPV4_IN_LOW_BITS):
        return ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
    return address.sixtofour


def _is_public(address: IPAddress) -> bool:
    return (
        address.is_global
        and not address.is_multicast
        and not address.is_reserved
        and not any(address in network for network in _NOT_PUBLIC)
    )


def _authority(scheme: str, host: str, port: int) -> str:
    name = f"[{host}]" if ":" in host else host
    return name if _DEFAULT_PORTS[scheme] == port else f"{name}:{port}"


def _url(scheme: str, host: str, port: int, path: str) -> str:
    return f"{scheme}://{_authority(scheme, host, port)}{path}"


def _path(destination: Destination) -> str:
    parts = urlsplit(destination.url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
