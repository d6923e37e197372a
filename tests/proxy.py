"""nginx on 127.0.0.1 in front of replicas of `carnets serve`, for tests/scale.

The proxy runs from a folder of its own on a free port, with its configuration, pid file, logs
and temporary folders all inside it, so it shares nothing with a system nginx (Debian's
nginx-light starts one on port 80 unless told not to). Its configuration is the README's for
scaling out, plus a response header naming the replica that answered. `launch_nginx` starts
the process without waiting; `Proxy.wait_until_ready` then polls it, and `Proxy.stop` asks it
to shut down (SIGQUIT: nginx finishes the requests in flight) before killing it.

A `Replica` is a real `carnets serve` process on a free port whose stderr (the start-up line,
then one line per request, naming the client it saw) is read as it comes; `Cluster` is
replicas and the proxy in front of them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from engines import _death_signal, free_port, tail

from carnets.export import Release

INSTALL = "apt-get install nginx-light, or run `make engines`"

# The README's configuration for scaling out, and what a test needs besides: every file nginx
# writes in the test's folder, responses buffered in memory only (nginx's workers may run as
# another user, who cannot enter that folder), and a header naming the replica that answered.
NGINX_CONF = """\
# Written by tests/proxy.py: everything nginx writes stays in {directory}.
worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
events {{
    worker_connections 256;
}}
http {{
    log_format upstream '$remote_addr "$request" $status $upstream_addr $upstream_status';
    access_log {directory}/access.log upstream;
    client_body_temp_path {directory}/temp/body;
    proxy_temp_path {directory}/temp/proxy;
    fastcgi_temp_path {directory}/temp/fastcgi;
    uwsgi_temp_path {directory}/temp/uwsgi;
    scgi_temp_path {directory}/temp/scgi;
    client_body_buffer_size 1m;
    proxy_max_temp_file_size 0;

    upstream carnets {{
{servers}
        keepalive 16;
        keepalive_timeout 20s;
    }}

    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 1m;

        location / {{
            proxy_pass http://carnets;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_connect_timeout 2s;
            proxy_read_timeout 30s;
            proxy_next_upstream {next_upstream};
            proxy_next_upstream_tries 2;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""
SERVER = "        server {address} max_fails={max_fails} fail_timeout={fail_timeout}s;"


@dataclass
class Proxy:
    """A running nginx: its master process, its folder and the URL it listens on."""

    process: subprocess.Popen
    directory: Path
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.directory / "error.log"

    def log_tail(self, lines: int = 20) -> str:
        return tail(self.log, lines)

    def access_log(self) -> list[str]:
        try:
            return (self.directory / "access.log").read_text("utf-8", "replace").splitlines()
        except OSError:
            return []

    def wait_until_ready(self, timeout: float = 10.0) -> float:
        """Seconds until nginx accepted a connection; RuntimeError if it never did."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"nginx exited with status {self.process.returncode}:\n{self.log_tail()}"
                )
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return time.monotonic() - started
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"nginx was not listening after {timeout:g} s:\n{self.log_tail()}")

    def stop(self, timeout: float = 10.0) -> None:
        """Shut nginx down gracefully, then kill it; keep its configuration and logs."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        shutil.rmtree(self.directory / "temp", ignore_errors=True)


def nginx_binary() -> str | None:
    """Debian installs nginx in /usr/sbin, which is not on every user's PATH."""
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None


def nginx_conf(
    directory: Path,
    port: int,
    upstreams: list[str],
    *,
    next_upstream: str = "error timeout non_idempotent",
    max_fails: int = 1,
    fail_timeout: float = 10,
) -> str:
    """The configuration of a proxy on 127.0.0.1:`port` over `upstreams` ("host:port")."""
    servers = "\n".join(
        SERVER.format(address=address, max_fails=max_fails, fail_timeout=f"{fail_timeout:g}")
        for address in upstreams
    )
    return NGINX_CONF.format(
        directory=directory, port=port, servers=servers, next_upstream=next_upstream
    )


def launch_nginx(directory: Path, upstreams: list[str], **options) -> Proxy:
    """Start nginx in the foreground in `directory` (created if needed) in front of
    `upstreams`; does not wait for it. `options` go to `nginx_conf`."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "temp").mkdir(exist_ok=True)
    port = free_port()
    config = directory / "nginx.conf"
    config.write_text(nginx_conf(directory, port, upstreams, **options))
    command = [nginx_binary() or "nginx", "-p", str(directory), "-c", str(config)]
    command += ["-e", str(directory / "error.log"), "-g", "daemon off;"]
    with (directory / "error.log").open("ab") as log:
        process = subprocess.Popen(
            command,
            cwd=directory,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_death_signal(),
        )
    return Proxy(process, directory, port)


SERVE = [sys.executable, "-c", "from carnets.cli import cli; cli()"]
ACCESS = re.compile(r'carnets\.access (?P<client>\S+) "(?P<method>[A-Z]+) (?P<path>[^"]*)" ')


@dataclass(frozen=True)
class Logged:
    """One line of a replica's request log."""

    client: str
    method: str
    path: str


class Replica:
    """`carnets serve` in a process of its own, its stderr read line by line as it comes."""

    def __init__(self, root: Path, settings: dict[str, str]) -> None:
        """Serve the edition in `root` with `settings` (CARNETS_* variables, and only those:
        the environment's own are left out); CARNETS_PORT=0 lets the replica pick a port."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("CARNETS_")}
        env.update(settings)
        self.launched = time.monotonic()
        self.process = subprocess.Popen(
            [*SERVE, "--root", str(root), "serve"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=_death_signal(),
        )
        self.lines: list[str] = []
        self.port: int | None = None
        self._listening = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.append(line)
            found = re.search(r"at http://127\.0\.0\.1:(\d+)/", line)
            if found and self.port is None:
                self.port = int(found.group(1))
                self._listening.set()
        self._listening.set()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def health(self) -> tuple[int, dict]:
        try:
            with urllib.request.urlopen(f"http://{self.address}/health", timeout=5) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def wait_until_ready(self, timeout: float = 60.0) -> float:
        """Seconds from launch until /health said ok with the query workers answering from
        memory; RuntimeError if that did not come within `timeout` seconds of launch."""
        started = self.launched
        self._listening.wait(timeout)
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None or self.port is None:
                break
            try:
                status, body = self.health()
                if status == 200 and body["warm"]:
                    return time.monotonic() - started
            except (OSError, ValueError):
                pass
            time.sleep(0.02)
        raise RuntimeError(f"the replica did not become ready:\n{self.log_tail()}")

    def log_tail(self, lines: int = 20) -> str:
        return "".join(self.lines[-lines:])

    def mark(self) -> int:
        """Where the log stands now: `requests(since=mark)` gives what came after."""
        return len(self.lines)

    def requests(self, since: int = 0) -> list[Logged]:
        """The requests this replica answered, but for the harness's polls of /health (a log
        line is written once its answer is sent, so a test may have the answer a moment before
        the line: see `eventually`)."""
        found = (ACCESS.search(line) for line in self.lines[since:])
        logged = [Logged(**match.groupdict()) for match in found if match]
        return [request for request in logged if request.path != "/health"]

    def descendants(self) -> set[int]:
        """The process ids of the replica's query workers and their helpers."""
        found: set[int] = set()
        pending = [self.process.pid]
        while pending:
            current = pending.pop()
            try:
                for task in Path(f"/proc/{current}/task").iterdir():
                    children = [int(c) for c in (task / "children").read_text().split()]
                    found.update(children)
                    pending += children
            except (FileNotFoundError, ProcessLookupError):
                continue
        return found

    def kill(self) -> None:
        """Die at once, as a replica does when its machine or its process is lost."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=5)

    def stop(self, timeout: float = 10.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self._reader.join(timeout=5)
        self.process.stderr.close()


@dataclass
class Cluster:
    """Replicas on one release and the proxy in front of them."""

    replicas: list[Replica]
    proxy: Proxy
    release: Release


def eventually(check: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Whether `check()` comes true within `timeout` seconds."""
    end = time.monotonic() + timeout
    while not check():
        if time.monotonic() > end:
            return False
        time.sleep(0.02)
    return True
