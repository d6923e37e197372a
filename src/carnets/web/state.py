"""The publisher of the current request: routes reach the app's state here, not via app.py."""

from __future__ import annotations

from flask import current_app

from carnets.services.publisher import Publisher

EXTENSION = "carnets"


def publisher() -> Publisher:
    return current_app.extensions[EXTENSION]
