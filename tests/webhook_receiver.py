"""A real HTTP receiver on loopback for the outbound webhook tests: answers each POST as scripted.

``script`` is a list of what to do with the next requests, in order: an HTTP status to answer
(``500``, ``200``…) or ``"hang"`` (answer nothing for ``hang_seconds``, so the sender times out);
when it runs out every request gets ``then``. Each request is recorded with its headers and body.
"""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes


@dataclass
class Receiver:
    port: int = 0
    script: list = field(default_factory=list)
    then: object = 200
    hang_seconds: float = 2.0
    requests: list[Received] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/bounceportal"

    def next_answer(self):
        return self.script.pop(0) if self.script else self.then


def start_receiver() -> tuple[Receiver, ThreadingHTTPServer]:
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            receiver.requests.append(Received(self.path, dict(self.headers), body))
            answer = receiver.next_answer()
            if answer == "hang":
                time.sleep(receiver.hang_seconds)
                answer = 200
            self.send_response(int(answer))
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(f"answered {answer}".encode())

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    return receiver, server
