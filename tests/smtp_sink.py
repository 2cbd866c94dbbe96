"""A real SMTP peer for tests and the sending benchmark: aiosmtpd on a free loopback port.

``SmtpSink`` accepts everything by default and keeps what it received; tell it
how to answer chosen recipients with ``reply_to(address, "550 5.1.1 …",
stage="RCPT")`` (or stage "DATA"), optionally only the first ``times`` times.
A 421 reply closes the connection afterwards, as real servers do.
"""

import asyncio
import logging
import socket
import threading
import time
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller

logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command at INFO


def free_port() -> int:
    """A loopback port nobody listens on right now (aiosmtpd cannot start on port 0)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    received_at: float = field(default_factory=time.monotonic)


@dataclass
class _Rule:
    reply: str
    stage: str
    times: int | None


class SinkHandler:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages: list[Received] = []
        self.rules: dict[str, _Rule] = {}
        self.count = 0

    def _reply_for(self, address: str, stage: str) -> str | None:
        with self.lock:
            rule = self.rules.get(address.lower())
            if rule is None or rule.stage != stage or rule.times == 0:
                return None
            if rule.times is not None:
                rule.times -= 1
            return rule.reply

    @staticmethod
    def _answer(server, reply: str) -> str:
        if reply.startswith("421"):
            asyncio.get_running_loop().call_soon(server.transport.close)
        return reply

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self._reply_for(address, "RCPT")
        if reply:
            return self._answer(server, reply)
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        for address in envelope.rcpt_tos:
            reply = self._reply_for(address, "DATA")
            if reply:
                return self._answer(server, reply)
        with self.lock:
            self.count += 1
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
            return f"250 2.0.0 Ok: queued as Q{self.count}"


class SmtpSink:
    """aiosmtpd in a thread of this process; ``messages`` is what it accepted."""

    def __init__(self, handler: SinkHandler | None = None):
        self.handler = handler or SinkHandler()
        self.controller: Controller | None = None
        self.port = 0

    def start(self) -> "SmtpSink":
        for _attempt in range(5):  # another process may take the free port first
            self.port = free_port()
            self.controller = Controller(
                self.handler, hostname="127.0.0.1", port=self.port, server_hostname="sink.test", ready_timeout=10
            )
            try:
                self.controller.start()
                return self
            except (OSError, TimeoutError, RuntimeError):
                continue
        raise RuntimeError("could not start the SMTP sink")

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()

    @property
    def messages(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.messages)

    def reply_to(self, address: str, reply: str, *, stage: str = "RCPT", times: int | None = None) -> None:
        """Answer ``address`` with ``reply`` at RCPT or DATA (every time, or the first ``times`` times)."""
        with self.handler.lock:
            self.handler.rules[address.lower()] = _Rule(reply, stage, times)

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Received]:
        """Wait until at least ``count`` messages arrived (or the timeout); return them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.messages) < count:
            time.sleep(0.05)
        return self.messages
