"""An in-process SMTP server (aiosmtpd) for tests: it collects messages, and can refuse
recipients, answer slowly, or be stopped and started again on its port. Not a test
module."""

import email
import email.message
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller


def free_port() -> int:
    # aiosmtpd's Controller cannot take port 0, so pick a free one first.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Collector:
    refuse: str = ""  # an SMTP reply to every RCPT, e.g. "550 5.1.1 No such user"
    delay: float = 0.0  # seconds to wait before accepting each message
    messages: list[email.message.Message] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            time.sleep(self.delay)  # blocks the server loop: one message at a time, slowly
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(message["Message-ID"]) for message in self.messages]


@contextmanager
def smtp_server(
    collector: Collector | None = None, *, port: int | None = None
) -> Iterator[tuple[Collector, int]]:
    with stoppable_smtp_server(collector, port=port) as server:
        yield server.collector, server.port


@dataclass
class StoppableServer:
    """An SMTP server whose port the test closes (`stop()`) and opens again (`start()`)."""

    collector: Collector
    port: int
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.collector, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@contextmanager
def stoppable_smtp_server(
    collector: Collector | None = None, *, port: int | None = None
) -> Iterator[StoppableServer]:
    server = StoppableServer(collector or Collector(), port or free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()
