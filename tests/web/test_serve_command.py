"""`carnets serve` as a deployment runs it: a real process, a real port, a validated edition."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "edition"
SERVE = [sys.executable, "-c", "from carnets.cli import cli; cli()"]
SHAPE = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix cn: <https://w3id.org/carnets/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<urn:shape:person> a sh:NodeShape ; sh:targetClass cn:Person ;
    sh:property [ sh:path skos:prefLabel ; sh:minCount 1 ; sh:message "a person has a label" ] .
"""


class Server:
    def __init__(self, root: Path) -> None:
        env = {**os.environ, "CARNETS_PORT": "0", "CARNETS_THREADS": "2"}
        self.process = subprocess.Popen(
            [*SERVE, "--root", str(root), "serve", "--host", "127.0.0.1"],
            env=env,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
        )
        self.lines: list[str] = []
        self.url: str | None = None
        self.ready = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.append(line)
            found = re.search(r"at (http://127\.0\.0\.1:\d+)/", line)
            if found:
                self.url = found.group(1)
                self.ready.set()
        self.ready.set()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.reader.join(timeout=10)
        self.process.stderr.close()


@pytest.fixture
def edition(tmp_path: Path) -> Path:
    root = tmp_path / "edition"
    shutil.copytree(FIXTURE, root)
    (root / "shapes").mkdir()
    (root / "shapes" / "people.ttl").write_text(SHAPE)
    return root


@pytest.fixture
def server(edition: Path) -> Iterator[Server]:
    running = Server(edition)
    yield running
    running.stop()


def test_serve_validates_builds_and_answers(server, edition):
    assert server.ready.wait(60)
    assert server.url, "".join(server.lines)
    with urllib.request.urlopen(f"{server.url}/sparql?query=ASK%7B%7D", timeout=10) as response:
        assert response.status == 200
        assert b"true" in response.read()
    assert list((edition / "build" / "publish").glob("*/manifest.json"))


def test_serve_refuses_invalid_data_and_keeps_the_last_good_release(edition):
    good = Server(edition)
    assert good.ready.wait(60) and good.url
    good.stop()
    built = list((edition / "build" / "publish").glob("*/manifest.json"))
    (edition / "data" / "broken.ttl").write_text(
        "<https://w3id.org/carnets/serge/person/x> a <https://w3id.org/carnets/ontology#Person> .\n"
    )
    result = subprocess.run(
        [*SERVE, "--root", str(edition), "serve", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "a person has a label" in result.stderr
    assert "person/x" in result.stderr
    assert list((edition / "build" / "publish").glob("*/manifest.json")) == built
