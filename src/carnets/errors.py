"""The exceptions Carnets raises; the web layer maps them to HTTP in one place."""


class CarnetsError(Exception):
    """Base class: a problem the user can act on, with a message meant for them."""


class ConfigError(CarnetsError):
    """A setting has a value Carnets cannot use."""


class DataFileError(CarnetsError):
    """An RDF file could not be read or parsed; the message names the file and line."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")


class ValidationFailed(CarnetsError):
    """The edition does not conform to its shapes; carries the report."""

    def __init__(self, report: object) -> None:
        self.report = report
        super().__init__(str(report))


class QueryError(CarnetsError):
    """A SPARQL query or request is malformed; the message is the parser's."""


class QueryRefused(CarnetsError):
    """A well-formed request that this endpoint will not run (update, remote SERVICE)."""


class QueryTimeout(CarnetsError):
    """A query ran past the configured time limit."""


class LinkingError(CarnetsError):
    """A Wikidata endpoint could not be reached or answered badly."""


class QueryBusy(QueryTimeout):
    """No query worker was free in time: the server is busy, not the query slow (503)."""


class TooManyRequests(CarnetsError):
    """A client sent more than its share; it may try again after `retry_after` seconds (429)."""

    def __init__(self, message: str, retry_after: int = 1) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class EngineFailure(CarnetsError):
    """The query engine failed (a worker died): a fault of the server, answered 500 and logged."""


class ReleaseError(CarnetsError):
    """A release cannot be built, opened or trusted; the message says which file and why."""
