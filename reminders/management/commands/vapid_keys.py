"""`manage.py vapid_keys`: print a new web push (VAPID) key pair as environment lines."""

import base64

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.core.management.base import BaseCommand


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def new_pair() -> tuple[str, str]:
    """A P-256 private key (32 bytes) and its public key (the uncompressed point), base64url:
    the form browsers take as `applicationServerKey` and pywebpush signs with."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return b64url(private), b64url(public)


class Command(BaseCommand):
    help = (
        "Print a new VAPID key pair for phone notifications, as VAPID_PRIVATE_KEY=... and "
        "VAPID_PUBLIC_KEY=... lines. Keep the pair: devices subscribed with one public key "
        "stop receiving notifications when it changes."
    )
    # Its output is two lines for a file: not the warning that these keys are missing.
    requires_system_checks: list[str] = []

    def handle(self, *args: object, **options: object) -> None:
        private, public = new_pair()
        self.stdout.write(f"VAPID_PRIVATE_KEY={private}\nVAPID_PUBLIC_KEY={public}")
