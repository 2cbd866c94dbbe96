"""The egress guard (issue #13, finding 3): every connection made for a customer goes to a checked,
public address; production refuses loopback and private networks with one and the same text."""

import socket
import ssl
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bounceportal import egress
from tests.dovecot import free_port, write_self_signed_certificate

REFUSED_IN_PRODUCTION = [
    "127.0.0.1",
    "127.0.0.1.",
    "localhost",
    "localhost.",
    "LOCALHOST",
    "[::1]",
    "::1",
    "::127.0.0.1",
    "::ffff:127.0.0.1",
    "64:ff9b::7f00:1",
    "2002:7f00:1::",
    "0.0.0.0",
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "100.64.0.1",
    "100.100.100.200",
    "169.254.169.254",
    "192.0.0.192",
    "fd00:ec2::254",
    "fe80::1",
    "fc00::1",
    "224.0.0.1",
    "ff02::1",
    "240.0.0.1",
    "255.255.255.255",
    "198.18.0.1",
    "nothing-here.invalid",
    "",
    "a" * 64 + ".example",
]


@pytest.fixture
def production(settings):
    """The production setting: no exception for loopback or any private network."""
    settings.EGRESS_ALLOWED_NETWORKS = []
    return settings


@pytest.mark.parametrize("host", REFUSED_IN_PRODUCTION)
def test_in_production_every_private_loopback_or_unresolvable_target_is_refused_with_one_text(production, host):
    with pytest.raises(egress.EgressRefused) as refused:
        egress.resolve_public(host, 993)

    assert str(refused.value) == egress.REFUSED_TEXT


@pytest.mark.parametrize("host", ["8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"])
def test_public_addresses_and_their_ipv6_forms_pass(production, host):
    target = egress.resolve_public(host, 993)

    assert target.addresses and target.port == 993


def test_one_private_answer_among_public_ones_refuses_the_name(production, monkeypatch):
    answers = [("8.8.8.8", 993), ("10.0.0.7", 993)]
    monkeypatch.setattr(
        socket, "getaddrinfo", lambda *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", sa) for sa in answers]
    )

    with pytest.raises(egress.EgressRefused):
        egress.resolve_public("mixed.example", 993)


def test_the_loopback_allowance_is_explicit_and_covers_nothing_else(settings):
    settings.EGRESS_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]

    assert egress.resolve_public("localhost.", 143).addresses[0] in ("127.0.0.1", "::1")
    with pytest.raises(egress.EgressRefused):
        egress.resolve_public("10.0.0.1", 143)
    with pytest.raises(egress.EgressRefused):
        egress.resolve_public("169.254.169.254", 80)


def test_in_production_a_loopback_listener_is_never_reached(production, tcp_listener):
    port, accepted = tcp_listener

    for host in ("127.0.0.1", "localhost.", "[::1]", "::ffff:127.0.0.1"):
        with pytest.raises(egress.EgressRefused):
            egress.open_socket(host, port, timeout=2)

    assert accepted == []


def test_the_socket_goes_to_the_address_that_was_checked_not_to_a_second_lookup(settings, tcp_listener, monkeypatch):
    """DNS rebinding: the name resolves once; a second answer (now private) is never asked for."""
    settings.EGRESS_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    port, _ = tcp_listener
    answers = iter([[("127.0.0.1", port)], [("10.9.9.9", port)]])
    lookups = []

    def rebinding_resolver(host, port_, *args, **kwargs):
        lookups.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", sa) for sa in next(answers)]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_resolver)

    with egress.open_socket("rebind.example", port, timeout=2) as sock:
        peer = sock.getpeername()

    assert lookups == ["rebind.example"] and peer == ("127.0.0.1", port)


@pytest.fixture
def tls_server():
    """A TLS listener on 127.0.0.1 with a certificate for 127.0.0.1 and localhost; yields (port, CA file)."""
    folder = Path(tempfile.mkdtemp(prefix="bp-egress-"))
    cert, key = folder / "cert.pem", folder / "key.pem"
    write_self_signed_certificate(cert, key)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def serve():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            try:
                with context.wrap_socket(conn, server_side=True) as tls:
                    tls.sendall(b"hello\n")
            except (OSError, ssl.SSLError):
                pass

    threading.Thread(target=serve, daemon=True).start()
    yield server.getsockname()[1], cert
    server.close()


def test_tls_is_verified_against_the_host_name_typed_not_the_address(settings, tls_server):
    settings.EGRESS_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]
    port, ca_file = tls_server
    context = ssl.create_default_context(cafile=str(ca_file))

    with egress.open_socket("localhost.", port, timeout=5, tls=context) as sock:
        greeting = sock.recv(16)
        name_sent = sock.server_hostname

    assert greeting == b"hello\n" and name_sent == "localhost"
    with pytest.raises(ssl.SSLCertVerificationError):
        egress.open_socket("localhost", port, timeout=5, tls=ssl.create_default_context())


class _Recorder(BaseHTTPRequestHandler):
    seen: list[str] = []

    def do_POST(self):
        self.seen.append(self.path)
        self.send_response(302)
        self.send_header("Location", "http://10.0.0.1/")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    _Recorder.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    yield server.server_address[1], _Recorder.seen
    server.shutdown()
    server.server_close()


def test_http_requests_follow_no_redirect_and_plain_http_needs_the_explicit_allowance(settings, http_server):
    settings.EGRESS_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    port, seen = http_server

    response = egress.http_request(f"http://127.0.0.1:{port}/token", body=b"x=1")
    settings.EGRESS_ALLOWED_NETWORKS = []
    with pytest.raises(egress.EgressRefused):
        egress.http_request(f"http://127.0.0.1:{port}/again", body=b"x=1")

    assert response.status == 302 and seen == ["/token"]


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:{port}/", "https://127.0.0.1:{port}/", "https://[::1]:{closed}/", "ftp://example.com/", "x"],
)
def test_in_production_http_targets_are_refused_alike_whether_a_port_is_open_or_closed(production, http_server, url):
    port, seen = http_server

    with pytest.raises(egress.EgressRefused) as refused:
        egress.http_request(url.format(port=port, closed=free_port()), body=b"")

    assert str(refused.value) == egress.REFUSED_TEXT and seen == []
