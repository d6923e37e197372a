"""Every Carnets exception and HTTP error mapped to a response, in this one place.

Errors are plain text (the SPARQL Protocol's habit, and what curl users read), never a
traceback, and carry CORS headers like every other response so a browser client can read them.
Every error, and every plain-text answer, says `X-Content-Type-Options: nosniff`: an error
message quotes what the client sent, and a browser must not read it as HTML or script.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from carnets.conneg import AcceptTooLong, NotAcceptable
from carnets.errors import (
    CarnetsError,
    ConfigError,
    QueryError,
    QueryRefused,
    QueryTimeout,
    TooManyRequests,
    ValidationFailed,
)

log = logging.getLogger("carnets.web")

STATUS: dict[type[Exception], int] = {
    QueryError: 400,
    QueryRefused: 403,
    NotAcceptable: 406,
    QueryTimeout: 503,
    TooManyRequests: 429,
    ValidationFailed: 500,
    ConfigError: 500,
}

CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "Content-Length, Content-Type, ETag, Last-Modified, "
    "Vary, Link, Carnets-Truncated, Carnets-Max-Rows, Digest",
}
PREFLIGHT = {
    "Access-Control-Allow-Methods": "GET, POST, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Accept-Encoding, Content-Type, If-None-Match, "
    "If-Modified-Since, Range",
    "Access-Control-Max-Age": "86400",
}


NOSNIFF = {"X-Content-Type-Options": "nosniff"}


def text_response(message: str, status: int) -> Response:
    return Response(message.rstrip() + "\n", status=status, mimetype="text/plain", headers=NOSNIFF)


def _carnets_error(error: CarnetsError) -> Response:
    status = next((code for kind, code in STATUS.items() if isinstance(error, kind)), 500)
    if status >= 500 and not isinstance(error, QueryTimeout):
        log.error("%s %s: %s", request.method, request.path, error)
    response = text_response(str(error), status)
    if isinstance(error, QueryTimeout):
        response.headers["Retry-After"] = "1"
    if isinstance(error, TooManyRequests):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def _not_acceptable(error: NotAcceptable) -> Response:
    return text_response(f"406 Not Acceptable: {error}", 406)


def _accept_too_long(error: AcceptTooLong) -> Response:
    return text_response(f"431 Request Header Fields Too Large: {error}", 431)


def _http_error(error: HTTPException) -> Response:
    response = text_response(f"{error.code} {error.name}: {error.description}", error.code or 500)
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    if getattr(error, "retry_after", None) is not None:  # 429 and 503 may say when to come back
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def _unexpected(error: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.path)
    return text_response("500 Internal Server Error: the error has been logged", 500)


def _cors(response: Response) -> Response:
    response.headers.update(CORS)
    if response.status_code >= 400 or response.mimetype == "text/plain":
        response.headers.update(NOSNIFF)
    if request.method == "OPTIONS":
        response.headers.update(PREFLIGHT)
    return response


def init_app(app: Flask) -> None:
    app.register_error_handler(CarnetsError, _carnets_error)
    app.register_error_handler(NotAcceptable, _not_acceptable)
    app.register_error_handler(AcceptTooLong, _accept_too_long)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
    app.after_request(_cors)
