"""Who is asking: every request counts against its client's rate (see services.admission).

The client is the address the request came from, or, behind `CARNETS_TRUSTED_PROXIES`
reverse proxies, the address the nearest of them says it forwarded (werkzeug's ProxyFix,
installed by the app factory); the rest of X-Forwarded-For is the client's to forge.
"""

from __future__ import annotations

from flask import Flask, request

from carnets.web.state import publisher

UNCOUNTED = ("/health",)  # load balancers poll it; it must never be refused


def client() -> str:
    return request.remote_addr or "unknown"


def _count() -> None:
    if request.path not in UNCOUNTED:
        publisher().admission.take(client())


def init_app(app: Flask) -> None:
    app.before_request(_count)
