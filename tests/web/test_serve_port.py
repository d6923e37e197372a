"""`carnets serve` on a port that is taken says so in one line and exits non-zero (issue 7,
point 6): it used to end in a 58-line traceback."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from pathlib import Path

FIXTURE = Path(__file__).parent / "fixtures" / "edition"
SERVE = [sys.executable, "-c", "from carnets.cli import cli; cli()"]


def test_a_port_in_use_is_one_line_and_a_non_zero_exit(tmp_path: Path):
    root = tmp_path / "edition"
    shutil.copytree(FIXTURE, root)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [*SERVE, "--root", str(root), "serve", "--host", "127.0.0.1", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: port {port} on 127.0.0.1 is in use by another program; choose another with --port"
    ]
    assert len(result.stderr.splitlines()) <= 3  # the log lines of start-up, and the error
