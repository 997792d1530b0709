"""A stand-in for browsers' push services: a local HTTP server that takes what pywebpush posts,
decrypts it with the keys of the device it was meant for (made here, as a browser makes them)
and records it. Each device answers 201, 410, or hangs (once or always) per its mode. Not a
test module."""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from reminders.management.commands.vapid_keys import b64url


@dataclass
class Device:
    """A browser's subscription: its own P-256 key pair and auth secret, and how its push
    service answers ("ok", "gone", "hang", "hang-once", "redirect" to `redirect_to`)."""

    mode: str = "ok"
    redirect_to: str = ""
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    secret: bytes = field(default_factory=lambda: os.urandom(16))
    received: list[dict] = field(default_factory=list)
    posts: int = 0

    @property
    def p256dh(self) -> str:
        point = self.key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        return b64url(point)

    @property
    def auth(self) -> str:
        return b64url(self.secret)

    def decrypt(self, body: bytes) -> dict:
        plain = http_ece.decrypt(
            body, private_key=self.key, auth_secret=self.secret, version="aes128gcm"
        )
        return json.loads(plain)


@dataclass
class PushService:
    url: str
    hang_seconds: float
    devices: dict[str, Device] = field(default_factory=dict)
    log: list[dict] = field(default_factory=list)

    def device(self, name: str, mode: str = "ok") -> tuple[str, Device]:
        """A new device: its endpoint URL and keys."""
        self.devices[name] = Device(mode=mode)
        return f"{self.url}/push/{name}", self.devices[name]


def _handler(service: PushService) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            name = self.path.rsplit("/", 1)[-1]
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            device = service.devices.get(name)
            headers = {key.lower(): value for key, value in self.headers.items()}
            entry = {"device": name, "headers": headers, "at": time.monotonic()}
            service.log.append(entry)
            if device is None:
                return self._answer(404)
            device.posts += 1
            if device.mode == "gone":
                return self._answer(410)
            if device.mode == "redirect":
                return self._answer(307, location=device.redirect_to)
            if device.mode == "hang" or (device.mode == "hang-once" and device.posts == 1):
                time.sleep(service.hang_seconds)
                return self._answer(201)
            entry["data"] = device.decrypt(body)
            device.received.append(entry)
            self._answer(201)

        def _answer(self, code: int, location: str = "") -> None:
            try:
                self.send_response(code)
                location = location or f"{service.url}/message/{len(service.log)}"
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()
            except OSError:
                pass  # the sender gave up waiting (a hanging device)

    return Handler


@contextmanager
def push_service(hang_seconds: float = 5.0) -> Iterator[PushService]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(PushService("", hang_seconds)))
    service = PushService(f"http://127.0.0.1:{server.server_address[1]}", hang_seconds)
    server.RequestHandlerClass = _handler(service)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield service
    finally:
        server.shutdown()
        server.server_close()


def vapid_key_of(headers: dict) -> str:
    """The `k=` of a VAPID Authorization header (the server's public key)."""
    value = headers.get("authorization", "")
    parts = dict(part.strip().split("=", 1) for part in value[len("vapid ") :].split(","))
    return parts.get("k", "")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
