"""The README stays true: every setting and every command is documented there."""

from pathlib import Path

from carnets.cli import cli
from carnets.config import Settings

README = (Path(__file__).parents[1] / "README.md").read_text("utf-8")


def test_every_setting_is_in_the_readme():
    missing = [env for env, _, _ in Settings.describe() if f"`{env}`" not in README]
    assert missing == []


def test_every_command_is_in_the_readme():
    missing = [f"carnets {name}" for name in cli.commands if f"carnets {name}" not in README]
    assert missing == []


def test_the_readme_names_one_command_to_serve_and_one_to_test():
    assert "make serve" in README and "make test" in README
    ci = (Path(__file__).parents[1] / ".ci" / "run").read_text("utf-8")
    assert "make test" in ci
