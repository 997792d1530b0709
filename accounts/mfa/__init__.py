"""Two-factor sign-in: authenticator apps (TOTP), recovery codes and passkeys, on django-otp
and django-otp-webauthn; the pages that add, use and remove them."""
