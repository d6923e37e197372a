"""What every page shares: the reader's language, the words of the interface, the navigation.

The language is one of the edition's (edition.toml, languages; English and French have words):
a `lang` parameter (remembered in a cookie, so that a reader who chose French keeps it from
page to page), else the browser's Accept-Language, else the edition's first language.
Pages in more than one language say `Vary: Accept-Language, Cookie`. Templates reach the
language, `t()` (an interface word in the reader's language, with the writer's name put in for
`{author}`), the edition's configuration and the navigation through the context processor this
blueprint registers on the app.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from carnets.conneg import MAX_ACCEPT
from carnets.edition import INTERFACE_LANGUAGES
from carnets.web.state import publisher

bp = Blueprint("site", __name__)

LANGUAGES = INTERFACE_LANGUAGES
COOKIE = "carnets-lang"

# Interface words in French; English is the key.
FRENCH: dict[str, str] = {
    "Skip to the content": "Aller au contenu",
    "Entries": "Entrées",
    "People": "Personnes",
    "Places": "Lieux",
    "Works": "Œuvres",
    "Events": "Événements",
    "Organisations": "Organisations",
    "Deaths": "Décès",
    "Pictures": "Images",
    "Query": "Requêtes",
    "Ontology": "Ontologie",
    "Dataset": "Jeu de données",
    "Downloads": "Téléchargements",
    "Main": "Principal",
    "Language": "Langue",
    "Name": "Nom",
    "Mentions": "Mentions",
    "in entries": "dans les entrées",
    "Date": "Date",
    "Editorial texts": "Textes éditoriaux",
    "person": "personne",
    "relation": "relation",
    "born": "naissance",
    "died": "mort",
    "author": "auteur",
    "genre": "genre",
    "place": "lieu",
    "within": "dans",
    "manner": "circonstance",
    "report": "récit de {author}",
    "reports": "récits de décès",
    "wikidata": "Wikidata",
    "Sort by": "Trier par",
    "ascending": "croissant",
    "descending": "décroissant",
    "The text": "Le texte",
    "Mentions, in the order of the text": "Mentions, dans l'ordre du texte",
    "Deaths {author} reports here": "Décès dont {author} fait ici le récit",
    "Previous entry": "Entrée précédente",
    "Next entry": "Entrée suivante",
    "All statements": "Toutes les déclarations",
    "As data": "En données",
    "{author}'s report of a death": "Récit d'un décès par {author}",
    "uncertain": "incertain",
    "what the record says": "ce que disent les sources",
    "How to cite": "Comment citer",
    "Rights": "Droits",
    "Questions to ask": "Questions à poser",
    "In numbers": "En chiffres",
    "Page not found": "Page introuvable",
    "Bad request": "Requête incorrecte",
    "Service unavailable": "Service indisponible",
    "Legend": "Légende",
    "Meetings": "Rencontres",
    "Letters sent": "Lettres envoyées",
    "Letters received": "Lettres reçues",
    "Answers": "Répond à",
    "Answered by": "Réponses",
    "Citizenship": "Citoyenneté",
    "Publications": "Publications",
    "Publication of": "Publication de",
    "Part of": "Fait partie de",
    "Includes": "Comprend",
    "Caused by": "Causé par",
    "Led to": "A entraîné",
    "After": "Après",
    "Followed by": "Suivi de",
    "reported in": "rapporté dans",
}


def edition_languages() -> tuple[str, ...]:
    """The languages of this edition's pages, the default first."""
    return publisher().settings.edition.languages


def reader_lang() -> str:
    """The language of the page: the `lang` parameter, the cookie, Accept-Language, else the
    edition's first language."""
    languages = edition_languages()
    asked = request.args.get("lang")
    if asked in languages:
        return asked
    remembered = request.cookies.get(COOKIE)
    if remembered in languages:
        return remembered
    if len(request.headers.get("Accept-Language", "")) > MAX_ACCEPT:  # not worth parsing
        return languages[0]
    return request.accept_languages.best_match(languages, default=languages[0]) or languages[0]


def words(lang: str, author: str = ""):
    def t(text: str) -> str:
        said = FRENCH.get(text, text) if lang == "fr" else text
        return said.replace("{author}", author)

    return t


NAVIGATION = (
    ("/entry/", "Entries"),
    ("/person/", "People"),
    ("/place/", "Places"),
    ("/work/", "Works"),
    ("/event/", "Events"),
    ("/organization/", "Organisations"),
    ("/death/", "Deaths"),
    ("/pictures/", "Pictures"),
    ("/sparql", "Query"),
    ("/ontology", "Ontology"),
    ("/dataset", "Dataset"),
    ("/download/", "Downloads"),
)


@bp.app_context_processor
def site_context() -> dict:
    lang = reader_lang()
    config = publisher().settings.edition
    return {
        "lang": lang,
        "t": words(lang, config.author_name),
        "navigation": NAVIGATION,
        "languages": config.languages,
        "edition_config": config,
        "current_path": request.path,
    }


@bp.after_app_request
def remember_language(response: Response) -> Response:
    """Pages vary with the reader's language; a chosen language is kept for the next pages."""
    if response.mimetype == "text/html":
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
        asked = request.args.get("lang")
        if asked in edition_languages() and request.cookies.get(COOKIE) != asked:
            response.set_cookie(COOKIE, asked, max_age=365 * 86400, samesite="Lax")
    return response
