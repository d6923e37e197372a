"""The publisher's web layer; `from carnets.web import create_app` builds the Flask app.

The names are loaded on first use (PEP 562) so that `carnets serve` can start the query
workers before it pays for importing Flask, which keeps start-up under a second.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from carnets.web.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str):
    if name in __all__:
        from carnets.web import app

        return getattr(app, name)
    raise AttributeError(f"module 'carnets.web' has no attribute {name!r}")
