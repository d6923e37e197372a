"""The cookbook: the questions of queries/ as the query workbench offers them.

Each file of queries/ opens with comment lines that ask its question; the first sentence is
its title in the workbench, the whole comment its description. Federated queries (SERVICE)
are marked, since this server refuses them unless its allow-list names the endpoint.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path

SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)


@dataclass(frozen=True)
class Recipe:
    name: str  # the file's stem
    title: str
    description: str
    query: str
    federated: bool

    def as_json(self) -> dict:
        return asdict(self)


def read_cookbook(folder: Path) -> list[Recipe]:
    """Every query of `folder`, those that run here first, each group by file name."""
    recipes = []
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        comment: list[str] = []
        for line in text.splitlines():
            if not line.startswith("#"):
                break
            stripped = line.lstrip("#").strip()
            if not stripped and comment:
                break
            comment.append(stripped)
        description = " ".join(comment).strip()
        recipes.append(
            Recipe(
                name=path.stem,
                title=_first_sentence(description) or path.stem.replace("-", " "),
                description=description,
                query=text,
                federated=any(SERVICE.search(line.split("#", 1)[0]) for line in text.splitlines()),
            )
        )
    recipes.sort(key=lambda recipe: (recipe.federated, recipe.name))
    return recipes


def _first_sentence(text: str) -> str:
    """Up to the first full stop or question mark that ends a sentence."""
    match = re.search(r"(?<=[.?])\s", text)
    return text if match is None else text[: match.start()]
