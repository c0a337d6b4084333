"""Addresses partners give are called only when public: literal IPs and every resolved address
are checked (loopback only where a test allows it), and the request connects to the address
that was checked, with the name kept for Host and TLS; redirects are not followed."""

import socket
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from app.core.addresses import UnsafeAddress, check_url, resolve_destination, send


def _resolving_to(*ips: str):
    def resolve(host: str, port: int, **_kwargs: object) -> list[tuple[object, ...]]:
        family = socket.AF_INET6 if ":" in ips[0] else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in ips]

    return resolve


def _refuses(url: str, *ips: str, allow_http: bool = True) -> None:
    resolver = _resolving_to(*ips) if ips else _resolving_to("93.184.216.34")
    with pytest.raises(UnsafeAddress):
        resolve_destination(url, allow_http=allow_http, allow_loopback=False, resolver=resolver)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook", "http://127.8.9.10/hook", "http://[::1]/hook",
        "http://0.0.0.0/hook", "http://[::]/hook", "http://10.1.2.3/hook",
        "http://172.16.0.1/hook", "http://192.168.1.1/hook", "http://169.254.169.254/latest/",
        "http://100.64.0.1/hook", "http://[fd00::1]/hook", "http://[fe80::1]/hook",
        "http://224.0.0.1/hook", "http://192.0.2.10/hook", "http://198.18.0.1/hook",
        "http://[::ffff:127.0.0.1]/hook", "http://[::ffff:10.0.0.1]/hook",
        "http://[64:ff9b::a00:1]/hook", "http://[2002:a00:1::]/hook",
        "http://localhost/hook", "http://api.localhost/hook",
    ],
)  # fmt: skip
def test_addresses_that_are_not_public_are_refused(url: str):
    _refuses(url)
    with pytest.raises(UnsafeAddress):
        check_url(url, allow_http=True, allow_loopback=False)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://hooks.example.org/x", "https"),
        ("ftp://hooks.example.org/x", "https"),
        ("https://user:pass@hooks.example.org/x", "user name"),
        ("https:///x", "no host"),
        ("https://hooks.example.org:99999/x", "port"),
        ("https://hooks.example.org:0/x", "port"),
        ("https://hooks.example.org/x#frag", "fragment"),
        ("https://hooks.example.org/" + "x" * 2000, "longer than 2,000"),
        ("//hooks.example.org/x", "absolute"),
        ("https://hooks.example.org/a b", "spaces"),
        ("https://hooks_.exa$mple.org/x", "not a valid host name"),
        ("https://127.1/x", "standard form"),
        ("https://2130706433/x", "standard form"),
        ("https://0x7f000001/x", "standard form"),
    ],
)
def test_malformed_addresses_say_what_is_wrong(url: str, problem: str):
    with pytest.raises(UnsafeAddress) as refused:
        check_url(url, allow_http=False, allow_loopback=False)
    assert problem in refused.value.detail


@pytest.mark.parametrize(
    "ips", [("10.0.0.5",), ("93.184.216.34", "10.0.0.5"), ("::ffff:169.254.169.254",)]
)
def test_a_name_resolving_to_any_private_address_is_refused(ips: tuple[str, ...]):
    _refuses("https://hooks.partner.example/agora", *ips)


def test_a_name_that_does_not_resolve_is_refused():
    def fail(*_args: object, **_kwargs: object) -> list[tuple[object, ...]]:
        raise socket.gaierror("Name or service not known")

    with pytest.raises(UnsafeAddress) as refused:
        resolve_destination(
            "https://nowhere.example/x", allow_http=False, allow_loopback=False, resolver=fail
        )
    assert "does not resolve" in refused.value.detail


def test_a_public_address_is_accepted_with_the_address_to_connect_to():
    found = resolve_destination(
        "https://Hooks.Partner.example:8443/agora?x=1", allow_http=False, allow_loopback=False,
        resolver=_resolving_to("93.184.216.34"),
    )  # fmt: skip
    assert (found.scheme, found.host, found.port, found.address) == (
        "https", "hooks.partner.example", 8443, "93.184.216.34",
    )  # fmt: skip
    literal = resolve_destination("https://93.184.216.34/h", allow_http=False, allow_loopback=False)
    assert literal.address == "93.184.216.34"


def test_loopback_is_accepted_only_when_allowed():
    with pytest.raises(UnsafeAddress):
        resolve_destination("http://127.0.0.1:9/x", allow_http=True, allow_loopback=False)
    allowed = resolve_destination("http://127.0.0.1:9/x", allow_http=True, allow_loopback=True)
    assert allowed.address == "127.0.0.1"
    with pytest.raises(UnsafeAddress):  # loopback allowed, private still not
        resolve_destination("http://10.0.0.1/x", allow_http=True, allow_loopback=True)


@pytest.fixture
def local_server() -> Iterator[tuple[int, list[dict[str, str]]]]:
    seen: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            seen.append({"host": self.headers["host"], "body": body.decode(), "path": self.path})
            self.send_response(302 if self.path == "/moved" else 204)
            self.send_header("location", "http://169.254.169.254/")
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield server.server_address[1], seen
    server.shutdown()
    server.server_close()


def test_the_request_goes_to_the_checked_address_with_the_name_as_host(local_server):
    port, seen = local_server
    destination = resolve_destination(
        f"http://hooks.example.test:{port}/in", allow_http=True, allow_loopback=True,
        resolver=_resolving_to("127.0.0.1"),
    )  # fmt: skip

    response = send(destination, method="POST", content=b'{"a":1}', headers={}, timeout=5)
    moved = send(
        resolve_destination(
            f"http://hooks.example.test:{port}/moved", allow_http=True, allow_loopback=True,
            resolver=_resolving_to("127.0.0.1"),
        ),
        method="POST", content=b"{}", headers={}, timeout=5,
    )  # fmt: skip

    assert response.status_code == 204
    assert seen[0] == {"host": f"hooks.example.test:{port}", "body": '{"a":1}', "path": "/in"}
    assert moved.status_code == 302  # answered, not followed
    assert len(seen) == 2


def test_https_names_the_server_for_tls_while_connecting_to_the_checked_address(
    monkeypatch: pytest.MonkeyPatch,
):
    sent: list[httpx.Request] = []

    def capture(_client: httpx.Client, request: httpx.Request, **_kwargs: object) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200)

    monkeypatch.setattr(httpx.Client, "send", capture)
    destination = resolve_destination(
        "https://hooks.partner.example/agora", allow_http=False, allow_loopback=False,
        resolver=_resolving_to("2606:2800:220:1:248:1893:25c8:1946"),
    )  # fmt: skip

    send(destination, method="POST", content=b"{}", headers={}, timeout=5)

    [request] = sent
    assert str(request.url) == "https://[2606:2800:220:1:248:1893:25c8:1946]/agora"
    assert request.headers["host"] == "hooks.partner.example"
    assert request.extensions["sni_hostname"] == "hooks.partner.example"


def test_https_verifies_the_certificate_against_the_name_at_the_checked_address(
    local_server, monkeypatch: pytest.MonkeyPatch
):
    """No certificate is needed: the TLS handshake is stopped where it starts, after the TCP
    connection, which shows both the peer connected to and the name TLS is told to verify."""
    port, seen = local_server
    handshakes: list[tuple[object, str | None]] = []

    def start_tls(
        _context: ssl.SSLContext, sock: socket.socket, *, server_hostname: str | None, **_kw: object
    ) -> ssl.SSLSocket:
        handshakes.append((sock.getpeername(), server_hostname))
        raise ssl.SSLError("stopped before the handshake")

    monkeypatch.setattr(ssl.SSLContext, "wrap_socket", start_tls)
    destination = resolve_destination(
        f"https://hooks.example.test:{port}/in", allow_http=False, allow_loopback=True,
        resolver=_resolving_to("127.0.0.1"),
    )  # fmt: skip

    with pytest.raises(httpx.ConnectError):
        send(destination, method="POST", content=b"{}", headers={}, timeout=5)

    assert handshakes == [(("127.0.0.1", port), "hooks.example.test")]
    assert seen == []


def test_a_name_is_idna_encoded_and_the_url_normalised():
    found = resolve_destination(
        "HTTPS://Bücher.Example./hook", allow_http=False, allow_loopback=False,
        resolver=_resolving_to("93.184.216.34"),
    )  # fmt: skip
    assert found.host == "xn--bcher-kva.example"
    assert found.url == "https://xn--bcher-kva.example/hook"


def test_the_resolver_is_asked_for_the_ascii_name_and_port():
    asked: list[tuple[str, int]] = []

    def resolve(host: str, port: int, **_kwargs: object) -> list[tuple[object, ...]]:
        asked.append((host, port))
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]

    resolve_destination(
        "https://hooks.example.org/x", allow_http=False, allow_loopback=False, resolver=resolve
    )
    assert asked == [("hooks.example.org", 443)]


@pytest.mark.parametrize("url", ["http://localhost./x", "http://API.LocalHost/x"])
def test_localhost_names_are_refused_without_resolving(url: str):
    def must_not_resolve(*_args: object, **_kwargs: object) -> list[tuple[object, ...]]:
        raise AssertionError("resolved")

    with pytest.raises(UnsafeAddress):
        resolve_destination(url, allow_http=True, allow_loopback=False, resolver=must_not_resolve)


def test_a_name_with_no_addresses_is_refused():
    with pytest.raises(UnsafeAddress) as refused:
        resolve_destination(
            "https://hooks.example.org/x",
            allow_http=False,
            allow_loopback=False,
            resolver=lambda *_args, **_kwargs: [],
        )
    assert refused.value.detail == "the name does not resolve"
    assert refused.value.code == "unsafe_address"
