"""Real SPARQL engines on 127.0.0.1 for the tests: Oxigraph server and Virtuoso.

Each engine runs in a folder of its own on free ports, so it shares nothing with a system
instance (Debian's virtuoso-opensource service listens on 1111 and 8890 with its database in
/var/lib). `launch` starts the process without waiting, so that a test session can boot every
engine at once; `Engine.wait_until_ready` then polls its SPARQL endpoint, and `Engine.stop`
asks it to shut down (SIGTERM: both engines finish their writes) before killing it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ENGINES = ("oxigraph", "virtuoso")

# Virtuoso's own database, listeners and logs, all inside `directory`; 10,000 buffers of 8 KB
# are plenty for test editions. Writes go through /sparql-auth and /sparql-graph-crud-auth as
# dba/dba, the password of a new database.
VIRTUOSO_INI = """\
[Database]
DatabaseFile = {directory}/virtuoso.db
ErrorLogFile = {directory}/virtuoso.log
LockFile = {directory}/virtuoso.lck
TransactionFile = {directory}/virtuoso.trx
xa_persistent_file = {directory}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {directory}/virtuoso-temp.db
TransactionFile = {directory}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{isql_port}
DisableUnixSocket = 1
MaxClientConnections = 10
CheckpointInterval = 0
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = ., {directory}
ThreadsPerQuery = 2
MaxQueryMem = 200M

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {directory}
MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8
EnabledGzipContent = 0

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
"""


def tail(path: Path, lines: int = 20) -> str:
    """The last lines of a log, for an error message; empty if it cannot be read."""
    try:
        text = path.read_text("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


@dataclass
class Engine:
    """A running engine: its process, the URLs of its endpoints and the credentials to write."""

    name: str
    process: subprocess.Popen
    directory: Path
    query_url: str
    update_url: str
    graph_store_url: str
    user: str | None = None
    password: str | None = None

    @property
    def log(self) -> Path:
        return self.directory / "engine.log"

    def log_tail(self, lines: int = 20) -> str:
        return tail(self.log, lines)

    def wait_until_ready(self, timeout: float = 60.0) -> float:
        """Seconds until the query endpoint answered `ASK {}`; RuntimeError if it never did."""
        started = time.monotonic()
        probe = self.query_url + "?query=ASK%7B%7D"
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with status {self.process.returncode}:\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(probe, timeout=2) as response:
                    if response.status == 200:
                        return time.monotonic() - started
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} was not ready after {timeout:g} s:\n{self.log_tail()}")

    def ask_engine(self, query: str, accept: str) -> bytes:
        """The engine's own answer to `query`, past every layer of Carnets."""
        request = urllib.request.Request(
            self.query_url,
            data=urllib.parse.urlencode({"query": query}).encode(),
            headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read()

    def triple_counts(self) -> dict[str, int]:
        """Triples per named graph, as the engine counts them (system graphs included)."""
        body = self.ask_engine(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
            "application/sparql-results+json",
        )
        rows = json.loads(body)["results"]["bindings"]
        return {row["g"]["value"]: int(row["n"]["value"]) for row in rows}

    def stop(self, timeout: float = 20.0) -> None:
        """Shut the engine down, then delete its database (a Virtuoso one is 50 MB) but keep
        its configuration and logs for whoever reads a failure."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        for path in self.directory.iterdir():
            if path.is_dir():
                shutil.rmtree(path)
            elif path.suffix not in (".log", ".ini"):
                path.unlink()


def binary(name: str) -> str | None:
    """The engine's executable: `oxigraph` beside this Python (the dev extra), `virtuoso-t`."""
    if name == "oxigraph":
        beside = Path(sys.executable).with_name("oxigraph")
        return str(beside) if beside.exists() else shutil.which("oxigraph")
    if name == "virtuoso":
        return shutil.which("virtuoso-t")
    raise ValueError(name)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _death_signal() -> Callable[[], None] | None:
    """Engines stop with the test run even when it is killed (Linux: PR_SET_PDEATHSIG).

    The C function is looked up here, in the parent; the child only calls it.
    """
    if sys.platform != "linux":
        return None
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    return lambda: prctl(1, signal.SIGTERM)


def _spawn(command: list[str], directory: Path) -> subprocess.Popen:
    with (directory / "engine.log").open("ab") as log:
        return subprocess.Popen(
            command,
            cwd=directory,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_death_signal(),
        )


def launch_oxigraph(directory: Path) -> Engine:
    """`oxigraph serve` on an on-disk store; the default graph is the union of the named graphs,
    as Carnets' own endpoint has it."""
    root = f"http://127.0.0.1:{free_port()}"
    command = [binary("oxigraph") or "oxigraph", "serve", "--location", str(directory / "db")]
    command += ["--bind", root.removeprefix("http://"), "--union-default-graph"]
    return Engine(
        "oxigraph",
        _spawn(command, directory),
        directory,
        query_url=f"{root}/query",
        update_url=f"{root}/update",
        graph_store_url=f"{root}/store",
    )


def launch_virtuoso(directory: Path) -> Engine:
    """`virtuoso-t` in the foreground with a virtuoso.ini of its own (new database, dba/dba).

    Anonymous SPARQL goes to /sparql; writes go to the digest-authenticated /sparql-auth and
    /sparql-graph-crud-auth as dba.
    """
    http_port = isql_port = free_port()
    while isql_port == http_port:
        isql_port = free_port()
    config = directory / "virtuoso.ini"
    config.write_text(
        VIRTUOSO_INI.format(directory=directory, http_port=http_port, isql_port=isql_port)
    )
    command = [binary("virtuoso") or "virtuoso-t", "+foreground", "+configfile", str(config)]
    root = f"http://127.0.0.1:{http_port}"
    return Engine(
        "virtuoso",
        _spawn(command, directory),
        directory,
        query_url=f"{root}/sparql",
        update_url=f"{root}/sparql-auth",
        graph_store_url=f"{root}/sparql-graph-crud-auth",
        user="dba",
        password="dba",
    )


LAUNCHERS: dict[str, Callable[[Path], Engine]] = {
    "oxigraph": launch_oxigraph,
    "virtuoso": launch_virtuoso,
}


def launch(name: str, directory: Path) -> Engine:
    """Start engine `name` in `directory` (created if needed); does not wait for it."""
    directory.mkdir(parents=True, exist_ok=True)
    return LAUNCHERS[name](directory)


def in_ci() -> bool:
    """CI sets CI=true: there a missing engine is a failure, not a reason to skip."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
