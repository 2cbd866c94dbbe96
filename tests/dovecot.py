"""A real Dovecot (IMAP + POP3) on free loopback ports, and a small OAuth2 provider beside it.

Started once per test session by the ``dovecot`` fixture (tests/campaigns/conftest.py)
with its own config, run and mail directories (RECIPES.md: mkdtemp + chmod 755,
mail uid 8, chroot off, anvil auth penalty off, wait for the pid to go). Each
test gets its own account (``DovecotServer.new_account``), so tests never see
each other's mail. The OAuth2 server plays both the provider's token endpoint
(refresh token in, access token out) and the introspection endpoint Dovecot's
oauth2 passdb asks whether an access token is good.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

CONFIG = """\
protocols = imap pop3
listen = 127.0.0.1
base_dir = {base}/run
state_dir = {base}/run/state
instance_name = bp-test-{port_imap}
ssl = yes
ssl_cert = <{base}/cert.pem
ssl_key = <{base}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2 oauthbearer
auth_verbose = yes
auth_failure_delay = 0
log_path = {base}/dovecot.log
mail_location = maildir:{base}/mail/%u
default_login_user = dovenull
default_internal_user = dovecot
default_internal_group = dovecot
first_valid_uid = 8
mail_uid = mail
mail_gid = mail
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port_imap}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {port_imaps}
  }}
  chroot =
}}
service pop3-login {{
  inet_listener pop3 {{
    address = 127.0.0.1
    port = {port_pop3}
  }}
  inet_listener pop3s {{
    address = 127.0.0.1
    port = {port_pop3s}
  }}
  chroot =
}}
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {base}/oauth2.conf
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/users
}}
userdb {{
  driver = static
  args = uid=mail gid=mail home={base}/mail/%u
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
"""

OAUTH2_CONF = """\
introspection_mode = post
introspection_url = http://127.0.0.1:{port}/introspect
username_attribute = username
active_attribute = active
active_value = true
"""


ACCOUNTS = 300
PASSWORD = "bounce-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


def write_self_signed_certificate(cert_path: Path, key_path: Path) -> None:
    """A throw-away certificate for 127.0.0.1 and localhost (TLS and STARTTLS tests trust it as their only CA)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    os.chmod(key_path, 0o600)


class OAuthProvider:
    """Token endpoint + introspection endpoint on loopback, with the grants the test sets up."""

    def __init__(self) -> None:
        self.refresh_tokens: dict[str, str] = {}  # refresh token -> username
        self.access_tokens: dict[str, str] = {}  # access token -> username
        self.requests: list[dict] = []
        self.introspection_rejects_all = False
        self._counter = itertools.count(1)
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                form = {
                    k: v[0] for k, v in parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode()).items()
                }
                provider.requests.append({"path": self.path, **form})
                if self.path == "/token":
                    status, body = provider._token(form)
                elif self.path == "/introspect":
                    user = (
                        None
                        if provider.introspection_rejects_all
                        else provider.access_tokens.get(form.get("token", ""))
                    )
                    status, body = 200, ({"active": True, "username": user} if user else {"active": False})
                else:
                    status, body = 404, {}
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def token_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/token"

    def _token(self, form):
        user = self.refresh_tokens.get(form.get("refresh_token", ""))
        if form.get("grant_type") != "refresh_token" or user is None:
            return 400, {"error": "invalid_grant", "error_description": "Bad refresh token"}
        access = f"access-{next(self._counter)}-{user}"
        self.access_tokens[access] = user
        return 200, {"access_token": access, "token_type": "Bearer", "expires_in": 3600}

    def start(self):
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def _running(pid: int) -> bool:
    """False once the process is gone or a zombie (this machine's init may be slow to reap daemons)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


@dataclass
class Account:
    username: str
    password: str
    maildir: Path


class DovecotServer:
    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="bp-dovecot-"))
        os.chmod(self.base, 0o755)
        self.imap_port, self.pop3_port = free_port(), free_port()
        self.imaps_port, self.pop3s_port = free_port(), free_port()
        self.ca_file = self.base / "cert.pem"  # self-signed for 127.0.0.1: trust it with SSL_CERT_FILE
        self.oauth = OAuthProvider()
        self.process: subprocess.Popen | None = None
        self._accounts = itertools.count(1)
        self._users_lock = threading.Lock()

    def start(self) -> DovecotServer:
        self.oauth.start()
        (self.base / "mail").mkdir()
        # Dovecot re-reads a changed passwd-file only now and then, so every account exists from the start.
        (self.base / "users").write_text("".join(f"bounces{n}:{{PLAIN}}{PASSWORD}\n" for n in range(1, ACCOUNTS + 1)))
        (self.base / "oauth2.conf").write_text(OAUTH2_CONF.format(port=self.oauth.port))
        write_self_signed_certificate(self.base / "cert.pem", self.base / "key.pem")
        (self.base / "dovecot.conf").write_text(
            CONFIG.format(
                base=self.base,
                port_imap=self.imap_port,
                port_pop3=self.pop3_port,
                port_imaps=self.imaps_port,
                port_pop3s=self.pop3s_port,
            )
        )
        shutil.chown(self.base / "mail", "mail", "mail")
        subprocess.run(["dovecot", "-c", str(self.base / "dovecot.conf")], check=True)
        wait_for_port(self.imap_port)
        wait_for_port(self.pop3_port)
        wait_for_port(self.imaps_port)
        wait_for_port(self.pop3s_port)
        return self

    def _stop_master(self) -> None:
        pid_file = self.base / "run" / "master.pid"
        if pid_file.exists():
            pid = int(pid_file.read_text().strip())
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and _running(pid):
                time.sleep(0.05)

    def _session_pids(self) -> list[int]:
        """This instance's IMAP/POP3 session processes (their title starts with dovecot-INSTANCE/)."""
        title = f"dovecot-bp-test-{self.imap_port}/".encode()
        pids = []
        for entry in Path("/proc").iterdir():
            try:
                if entry.name.isdigit() and (entry / "cmdline").read_bytes().startswith(title):
                    pids.append(int(entry.name))
            except OSError:
                continue  # gone meanwhile
        return pids

    def restart(self) -> None:
        """Stop Dovecot and every session it serves, then start it again on the same ports, mail kept.

        A stopped master leaves its session processes serving (they outlive it here), so they are
        killed too, by pid: the clients' connections drop as in a host restart.
        """
        self._stop_master()
        for pid in self._session_pids():
            os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.base / "run", ignore_errors=True)  # stale sockets break auth (RECIPES.md)
        subprocess.run(["dovecot", "-c", str(self.base / "dovecot.conf")], check=True)
        for port in (self.imap_port, self.pop3_port, self.imaps_port, self.pop3s_port):
            wait_for_port(port)

    def stop(self) -> None:
        self._stop_master()
        self.oauth.stop()
        shutil.rmtree(self.base, ignore_errors=True)

    def new_account(self) -> Account:
        """Hand out the next unused account (a test's own, empty mailbox)."""
        with self._users_lock:
            number = next(self._accounts)
        if number > ACCOUNTS:
            raise RuntimeError(f"tests/dovecot.py has only {ACCOUNTS} accounts; raise ACCOUNTS")
        username = f"bounces{number}"
        return Account(username=username, password=PASSWORD, maildir=self.base / "mail" / username)

    def log(self) -> str:
        path = self.base / "dovecot.log"
        return path.read_text() if path.exists() else ""
