"""Error pages for people: the plain-text error a handler made, as HTML for a browser.

carnets.web.errors answers every error in plain text, which is what curl users and SPARQL
clients read. A browser that navigates to a missing page should get a page it can use: the
same status, headers and message, inside the site's layout, with the way back. `as_page` turns
one such response into that page when the client prefers HTML (it names text/html above
text/plain, as browsers do and `*/*` does not); `init_app` wraps every error handler already
registered on the app so that each of its responses passes through `as_page`.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, render_template, request

from carnets.conneg import MAX_ACCEPT

TITLES = {
    400: "Bad request",
    403: "Forbidden",
    404: "Page not found",
    405: "Method not allowed",
    406: "Not acceptable",
    410: "Gone",
    413: "Request too large",
    429: "Too many requests",
    500: "Server error",
    503: "Service unavailable",
}


def prefers_html() -> bool:
    if len(request.headers.get("Accept", "")) > MAX_ACCEPT:  # refused unread, as conneg does
        return False
    accepted = request.accept_mimetypes
    return accepted["text/html"] > accepted["text/plain"] and accepted["text/html"] > 0


def as_page(response: Response) -> Response:
    """`response` (a plain-text error) as an HTML page, if the client prefers HTML."""
    if response.status_code < 400 or response.mimetype != "text/plain" or not prefers_html():
        return response
    message = response.get_data(as_text=True).strip()
    try:
        body = render_template(
            "error.html",
            status=response.status_code,
            title=TITLES.get(response.status_code, "Error"),
            message=message,
            path=request.path,
        )
    except Exception:  # an error page must never hide the error it reports
        return response
    response.set_data(body)
    response.mimetype = "text/html"
    response.vary.add("Accept")
    return response


def _wrapped(handler: Callable) -> Callable:
    def handle(error: Exception) -> Response:
        return as_page(handler(error))

    return handle


def init_app(app: Flask) -> None:
    """Wrap the app's registered error handlers (call after carnets.web.errors.init_app)."""
    for by_code in app.error_handler_spec[None].values():
        for exception, handler in list(by_code.items()):
            by_code[exception] = _wrapped(handler)
