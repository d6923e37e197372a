"""The edition's configuration file, `edition.toml` in the edition root.

Everything the code needs to know about one edition and cannot read from its graphs lives
here: its base URI and short name, its writer, its translators and the rights of its texts,
the languages of its pages, the words its pages use for it, and the layout of a source
document with editorial texts around the entries. The code holds no constant of any edition;
a second edition is a second folder with its own `edition.toml` (see README, "The edition
configuration file", for every key).

A missing file, a missing key or a value of the wrong kind is a ConfigError naming the file
and the key, before anything is built or served.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from carnets.errors import ConfigError

FILE_NAME = "edition.toml"
# The languages the interface has words for (carnets.web.site); an edition's pages use some.
INTERFACE_LANGUAGES = ("en", "fr")
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_PATH = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~/-]*$")


@dataclass(frozen=True)
class Editorial:
    """An editorial text of a source document: it starts at `starts` and runs to the next
    editorial text or dated heading (or the end of the document)."""

    path: str
    starts: str
    title_en: str
    title_fr: str
    language: str


@dataclass(frozen=True)
class EditionConfig:
    """One edition's configuration, read from its `edition.toml` by `load`."""

    path: Path
    name: str
    base: str
    title: str
    languages: tuple[str, ...]
    author: str  # path of the writer's resource under the base
    author_name: str  # the writer's name in the pages' phrases ("{author}'s report of a death")
    notebooks: str  # path of the notebooks, the root resource
    source: str | None  # path of the published work the texts are quoted from
    example: str | None  # path of the dataset's example resource (VoID)
    translation_language: str | None
    translators: tuple[str, ...]
    rights_translation: str | None
    rights_original: str
    footer: dict[str, str]
    reconciliation_name: str
    excluded_links: dict[str, str] = field(default_factory=dict)
    editorial: tuple[Editorial, ...] = ()

    def iri(self, path: str) -> str:
        return self.base + path

    def phrase(self, text: str) -> str:
        """A phrase of the interface with the writer's name put in ("{author}'s report")."""
        return text.replace("{author}", self.author_name)

    @classmethod
    def load(cls, root: Path) -> EditionConfig:
        """The configuration in `root/edition.toml`; ConfigError naming the file and key."""
        path = root / FILE_NAME
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(
                f"{path}: no such file; every edition root needs its {FILE_NAME} "
                "(see README, 'The edition configuration file')"
            ) from None
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"{path}: cannot read it: {error}") from None
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{path}: not valid TOML: {error}") from None
        return _Reader(path, raw).config()


class _Reader:
    """Reads the TOML table into an EditionConfig, naming the file and key of any fault."""

    def __init__(self, path: Path, raw: dict) -> None:
        self.path = path
        self.raw = raw

    def fail(self, key: str, message: str) -> ConfigError:
        return ConfigError(f"{self.path}: {key}: {message}")

    def get(self, key: str, kind: type, default=..., *, table: dict | None = None):
        """The value at a dotted key, checked to be of `kind`; `default` when absent."""
        value: object = self.raw if table is None else table
        for part in key.split("."):
            if not isinstance(value, dict) or part not in value:
                if default is ...:
                    raise self.fail(key, "missing (see README, 'The edition configuration file')")
                return default
            value = value[part]
        if not isinstance(value, kind) or (kind is str and not value.strip()):
            raise self.fail(key, f"expected {_kind(kind)}, got {value!r}")
        return value

    def text_path(self, key: str, default=...) -> str | None:
        value = self.get(key, str, default)
        if value is not None and (not _PATH.match(value) or ".." in value.split("/")):
            raise self.fail(
                key, f"expected a path under the base such as 'person/x', got {value!r}"
            )
        return value

    def languages(self, key: str) -> tuple[str, ...]:
        found = self.get(key, list)
        if not found or not all(isinstance(x, str) for x in found):
            raise self.fail(key, f"expected a list of language codes, got {found!r}")
        unknown = [x for x in found if x not in INTERFACE_LANGUAGES]
        if unknown:
            raise self.fail(
                key, f"the interface has words for {', '.join(INTERFACE_LANGUAGES)} only: {unknown}"
            )
        return tuple(found)

    def config(self) -> EditionConfig:
        name = self.get("name", str)
        if not _NAME.match(name):
            raise self.fail("name", f"expected lower-case letters, digits and '-', got {name!r}")
        base = self.get("base", str)
        if not re.match(r"^https?://[^/\s]+/\S*$", base) or not base.endswith(("/", "#")):
            raise self.fail("base", f"expected an http(s) URI ending with '/' or '#', got {base!r}")
        languages = self.languages("languages")
        translators = self.get("translation.translators", list, [])
        if not all(isinstance(x, str) and _PATH.match(x) for x in translators):
            raise self.fail("translation.translators", f"expected paths, got {translators!r}")
        translation_language = self.get("translation.language", str, None)
        rights_translation = self.get("rights.translation", str, None)
        if translation_language and rights_translation is None:
            raise self.fail("rights.translation", "missing: the edition quotes a translation")
        footer = {lang: self.get(f"footer.{lang}", str) for lang in languages}
        excluded = self.get("links.exclude", dict, {})
        for qid, reason in excluded.items():
            if not re.match(r"^Q[1-9]\d*$", qid) or not isinstance(reason, str):
                raise self.fail(f"links.exclude.{qid}", 'expected Q123 = "the reason"')
        return EditionConfig(
            path=self.path,
            name=name,
            base=base,
            title=self.get("title", str),
            languages=languages,
            author=self.text_path("author.resource"),
            author_name=self.get("author.name", str),
            notebooks=self.text_path("notebooks.resource"),
            source=self.text_path("notebooks.source", None),
            example=self.text_path("example", None),
            translation_language=translation_language,
            translators=tuple(translators),
            rights_translation=rights_translation,
            rights_original=self.get("rights.original", str),
            footer=footer,
            reconciliation_name=self.get("reconciliation.name", str, f"Carnets: {name}"),
            excluded_links=dict(excluded),
            editorial=self.editorial(languages[0]),
        )

    def editorial(self, language: str) -> tuple[Editorial, ...]:
        items = self.get("editorial", list, [])
        found = []
        for i, item in enumerate(items):
            where = f"editorial[{i}]"
            if not isinstance(item, dict):
                raise self.fail(where, f"expected a table, got {item!r}")

            def value(key: str, default=..., item=item, where=where) -> str:
                try:
                    return self.get(key, str, default, table=item)
                except ConfigError as error:
                    raise self.fail(f"{where}.{key}", str(error).rsplit(": ", 1)[-1]) from None

            path = value("path")
            if not _PATH.match(path):
                raise self.fail(f"{where}.path", f"expected a path such as 'note/x', got {path!r}")
            found.append(
                Editorial(
                    path=path,
                    starts=value("starts"),
                    title_en=value("title.en"),
                    title_fr=value("title.fr"),
                    language=value("language", language),
                )
            )
        return tuple(found)


def _kind(kind: type) -> str:
    return {str: "a non-empty string", list: "a list", dict: "a table"}.get(kind, kind.__name__)
