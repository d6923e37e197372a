"""The validated release: built once per state of the inputs, never from invalid data."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from carnets.config import Settings
from carnets.errors import ValidationFailed
from carnets.export import fingerprint, prepare_release
from carnets.loading import EditionFiles

FIXTURE = Path(__file__).parent / "web" / "fixtures" / "edition"


@dataclass
class Report:
    conforms: bool

    def text(self) -> str:
        return "Conforms" if self.conforms else "invalid: person/x has no label"


class CountingValidator:
    def __init__(self, conforms: bool = True) -> None:
        self.calls = 0
        self.conforms = conforms

    def __call__(self, settings: Settings) -> Report:
        self.calls += 1
        return Report(self.conforms)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    shutil.copytree(FIXTURE, tmp_path / "edition")
    return Settings.from_env({}, root=tmp_path / "edition")


def test_release_is_built_once_and_reused(settings):
    validate = CountingValidator()
    first = prepare_release(settings, validate=validate)
    again = prepare_release(settings, validate=validate)
    assert validate.calls == 1
    assert again.path == first.path
    assert (first.store_path).is_dir()
    assert first.triple_counts[settings.base + "graph/links"] == 2
    assert not [p for p in first.path.parent.iterdir() if p.name.startswith(".building")]


def test_changed_input_is_validated_again(settings):
    validate = CountingValidator()
    first = prepare_release(settings, validate=validate)
    links = settings.data_dir / "links.ttl"
    links.write_text(links.read_text() + "\n# a comment changes the fingerprint\n")
    second = prepare_release(settings, validate=validate)
    assert validate.calls == 2
    assert second.path != first.path


def test_invalid_edition_raises_and_leaves_the_last_good_release(settings):
    good = prepare_release(settings, validate=CountingValidator())
    (settings.data_dir / "extra.ttl").write_text(
        "<https://w3id.org/carnets/serge/person/x> a <https://w3id.org/carnets/ontology#Person> .\n"
    )
    with pytest.raises(ValidationFailed) as failure:
        prepare_release(settings, validate=CountingValidator(conforms=False))
    assert "no label" in failure.value.report.text()
    assert (good.path / "manifest.json").exists()
    assert len([p for p in good.path.parent.iterdir() if p.is_dir()]) == 1


def test_fingerprint_covers_base_and_shapes(settings, tmp_path):
    files = EditionFiles.find(settings)
    other_base = Settings.from_env({}, root=settings.root, base="http://example.org/x/")
    assert fingerprint(settings, files) != fingerprint(other_base, files)
    shapes = settings.root / "shapes"
    shapes.mkdir(exist_ok=True)
    (shapes / "s.ttl").write_text("# a shape\n")
    assert fingerprint(settings, EditionFiles.find(settings)) != fingerprint(settings, files)


def test_real_validation_of_the_fixture(settings):
    from carnets.validation import validate

    release = prepare_release(settings, validate=validate)
    assert release.manifest["dumps"]


def test_relative_roots_give_absolute_release_paths(settings, monkeypatch):
    monkeypatch.chdir(settings.root.parent)
    relative = Settings.from_env({}, root=Path(settings.root.name))
    release = prepare_release(relative, validate=CountingValidator())
    assert release.path.is_absolute()
