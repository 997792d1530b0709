"""Placeholder: this module's account messages are registered here in this change."""


def register() -> None:
    return None
