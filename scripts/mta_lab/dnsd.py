"""A tiny authoritative DNS server for the lab's domains (UDP and TCP on 127.0.0.1:53).

It answers MX and A for the lab domains and their MX hosts, NOERROR/no data for other types
of known names, and NXDOMAIN for everything else (``nx.lab`` in particular), so the MTAs write
real "host unknown" notices. Only used inside the lab's own network namespace.
"""

from __future__ import annotations

import socket
import socketserver
import struct
import threading

from .plan import BOUNCE_DOMAIN, COLLECTOR_IP, HOSTS

A, MX, SOA = 1, 15, 6


def zone() -> dict[str, dict[int, list]]:
    """Return name -> {qtype: [rdata values]} for the lab."""
    z: dict[str, dict[int, list]] = {"lab": {}, "mta.lab": {A: ["127.0.0.1"]}}
    for domain, ip in HOSTS.items():
        z[domain] = {MX: [(10, f"mx.{domain}")]}
        z[f"mx.{domain}"] = {A: [ip]}
    z[BOUNCE_DOMAIN] = {MX: [(10, "collect.lab")]}
    z["collect.lab"] = {A: [COLLECTOR_IP]}
    return z


def _name(name: str) -> bytes:
    return b"".join(bytes([len(p)]) + p.encode() for p in name.rstrip(".").split(".") if p) + b"\0"


def _parse_question(data: bytes) -> tuple[str, int, int]:
    """Return (qname, qtype, end offset of the question)."""
    labels, i = [], 12
    while data[i]:
        labels.append(data[i + 1 : i + 1 + data[i]].decode("ascii", "replace"))
        i += 1 + data[i]
    qtype, _qclass = struct.unpack("!HH", data[i + 1 : i + 5])
    return ".".join(labels).lower(), qtype, i + 5


def _rr(qtype: int, value, ttl: int = 60) -> bytes:
    rdata = socket.inet_aton(value) if qtype == A else struct.pack("!H", value[0]) + _name(value[1])
    return b"\xc0\x0c" + struct.pack("!HHIH", qtype, 1, ttl, len(rdata)) + rdata


def _soa() -> bytes:
    rdata = _name("ns.lab") + _name("hostmaster.lab") + struct.pack("!IIIII", 1, 60, 60, 600, 30)
    return _name("lab") + struct.pack("!HHIH", SOA, 1, 30, len(rdata)) + rdata


def answer(data: bytes, records: dict) -> bytes:
    """Return the response to one DNS query packet."""
    qid, flags = struct.unpack("!HH", data[:4])
    qname, qtype, end = _parse_question(data)
    known = records.get(qname)
    answers = [_rr(qtype, v) for v in (known or {}).get(qtype, [])]
    rcode = 0 if known is not None else 3
    out_flags = 0x8000 | 0x0400 | (flags & 0x0100) | 0x0080 | rcode
    authority = [] if answers else [_soa()]
    header = struct.pack("!HHHHHH", qid, out_flags, 1, len(answers), len(authority), 0)
    return header + data[12:end] + b"".join(answers) + b"".join(authority)


def _logged(server, data: bytes) -> bytes:
    reply = answer(data, server.records)
    if server.log:
        qname, qtype, _ = _parse_question(data)
        with open(server.log, "a") as fh:
            fh.write(f"{qname} {qtype} rcode={reply[3] & 15} answers={reply[7]} len={len(data)}\n")
    return reply


class _UDP(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        try:
            sock.sendto(_logged(self.server, data), self.client_address)
        except (IndexError, struct.error):
            pass  # a malformed packet gets no answer, as from a real server under load


class _TCP(socketserver.BaseRequestHandler):
    def handle(self):
        head = self.request.recv(2)
        if len(head) < 2:
            return
        data = self.request.recv(struct.unpack("!H", head)[0])
        reply = _logged(self.server, data)
        self.request.sendall(struct.pack("!H", len(reply)) + reply)


def start(host: str = "127.0.0.1", port: int = 53, log: str = "") -> list[socketserver.BaseServer]:
    """Start the UDP and TCP servers in daemon threads; return them (call ``shutdown()`` to stop)."""
    servers: list[socketserver.BaseServer] = []
    for cls, handler in ((socketserver.ThreadingUDPServer, _UDP), (socketserver.ThreadingTCPServer, _TCP)):
        cls.allow_reuse_address = True
        srv: socketserver.BaseServer = cls((host, port), handler)
        srv.records = zone()  # type: ignore[attr-defined]
        srv.log = log  # type: ignore[attr-defined]
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
    return servers
