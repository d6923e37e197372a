# ruff: noqa: E501 -- the allow-list holds whole URLs, each with its reason on its line
"""Where the curated facts come from: every dcterms:source is a page of a known, classified
host, never a Wikipedia mirror, a scraper, a content farm or a bare IP address.

Issue 11 found many facts sourced to copies of other pages. A copy can drift from its
original, disappear, or invent; a scholar cannot cite it. This test keeps the problem from
coming back: a new source host must be classified below before the data can use it, and a
mirror is refused unless the exact page is in STILL_MIRROR with the reason it stays.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from rdflib import Graph
from rdflib.namespace import DCTERMS

DATA = Path(__file__).resolve().parent.parent / "data"
BASE = "https://w3id.org/carnets/serge/"
# Written by `carnets build` from the curated files: their sources are the curated ones.
GENERATED = {"texts.ttl", "mentions.ttl", "dates.ttl", "links.ttl"}

# Hosts accepted as sources, by kind. "weak" pages are originals (not copies) of lesser
# authority: blogs, amateur and commemorative sites; replace them when a better page states
# the same fact, but they are not refused.
ACCEPTED: dict[str, str] = {
    # reference works, registers and prosopographies
    "britannica.com": "encyclopaedia",
    "kids.britannica.com": "encyclopaedia (Britannica's student edition)",
    "brockhaus.de": "encyclopaedia",
    "treccani.it": "encyclopaedia (Enciclopedia Italiana)",
    "encspb.ru": "encyclopaedia of Saint Petersburg",
    "encyclopedia.com": "reference (Columbia Encyclopedia and others)",
    "encyclopedia.ushmm.org": "encyclopaedia (US Holocaust Memorial Museum)",
    "ebsco.com": "reference (EBSCO Research Starters)",
    "berose.fr": "encyclopaedia of the history of anthropology",
    "cths.fr": "prosopography (Comité des travaux historiques et scientifiques)",
    "ieg-ego.eu": "European History Online (Leibniz Institute)",
    "snaccooperative.org": "archival authority records (SNAC)",
    "www2.assemblee-nationale.fr": "register of deputies (Assemblée nationale)",
    "nobelprize.org": "Nobel Foundation",
    "isidore.science": "scholarly search platform (Huma-Num)",
    "vgulage.name": "memoirs of the Gulag database (Sakharov Center)",
    "en.wikipedia.org": "encyclopaedia (the original the mirrors copy)",
    "fr.wikipedia.org": "encyclopaedia (the original the mirrors copy)",
    "networks.h-net.org": "scholarly reviews (H-Net)",
    # archives, libraries, museums, universities, digitised texts
    "archives.yale.edu": "archive (Yale, Victor Serge papers)",
    "iisg.nl": "archive (International Institute of Social History)",
    "public-archiv.adk.de": "archive (Akademie der Künste)",
    "exilarchiv.de": "exile archive (Else-Lasker-Schüler-Stiftung)",
    "bibliotecas.uncu.edu.ar": "university library catalogue",
    "lib.kherson.ua": "regional research library (Kherson)",
    "vlady-revolucion-y-disidencia.uacm.edu.mx": "university exhibition (UACM)",
    "collection.sciencemuseumgroup.org.uk": "museum collection",
    "guggenheim-venice.it": "museum",
    "museemaillol.com": "museum",
    "mvr.asso.fr": "museum (Musée de la Résistance en ligne)",
    "galerie-roger-viollet.fr": "photographic archive",
    "bridgemaneducation.com": "image archive",
    "fr.m.wikisource.org": "digitised book (Méric, Les Bandits tragiques)",
    "marxists.org": "archive of primary texts (Marxists Internet Archive, ETOL)",
    "zachorfoundation.org": "Holocaust remembrance foundation",
    "asso-buchenwald-dora.com": "association of former deportees",
    "sneevlietherdenking.nl": "commemoration foundation",
    "en.worldfairs.info": "specialist database of world's fairs",
    # publishers and booksellers (for editions, titles, dates of publication)
    "agone.org": "publisher (Agone, Serge's French publisher)",
    "plutobooks.com": "publisher",
    "decitre.fr": "bookseller",
    "librairie-walden.com": "bookseller",
    "antoinedesaintexupery.com": "the Saint-Exupéry estate's site",
    "nyrb.com": "publisher",
    "luxediteur.com": "publisher",
    "editionslibertalia.com": "publisher",
    "rotpunktverlag.ch": "publisher",
    "newsouthbooks.com.au": "publisher",
    "penguinrandomhousehighereducation.com": "publisher",
    "calambac-verlag.com": "publisher",
    "trafoberlin.de": "publisher (Täubert's biography of Fränkel)",
    "arcpublications.co.uk": "publisher",
    "heptagon.de": "publisher",
    "la-breche.com": "bookseller",
    "librairiesindependantes.com": "booksellers' catalogue",
    "lepressier.com": "bookseller",
    "numerique.lalibrairie.com": "bookseller",
    "librairiedutemple.fr": "bookseller",
    "pomeranzbooks.co.il": "bookseller",
    "galeriajordipascual.net": "gallery",
    # press, reviews and magazines
    "publishersweekly.com": "trade press (Publishers Weekly)",
    "freedomnews.org.uk": "press (Freedom)",
    "history.com": "popular history (A&E's History)",
    "peren-revues.fr": "magazine (Figures historiques)",
    "jacobinmag.com": "magazine",
    "jewishcurrents.org": "magazine",
    "theparisreview.org": "magazine",
    "literaryreview.co.uk": "review",
    "lareviewofbooks.org": "review",
    "litro.co.uk": "magazine",
    "themoscowtimes.com": "newspaper",
    "rferl.org": "news service",
    "news.bbc.co.uk": "news service",
    "jta.org": "news agency archive",
    "freepressjournal.in": "newspaper",
    "neurologie-psychiatrie.lequotidiendumedecin.fr": "medical newspaper",
    "socialisme.nu": "party newspaper",
    "global-labour.info": "labour institute",
    # weak: original pages of lesser authority (blogs, amateur, commemorative, user-made)
    "grimanddim.org": "weak: a personal site of historical writings",
    "acbx41.over-blog.com": "weak (blog)",
    "anarchistagency.com": "weak (news aggregator quoting the Wall Street Journal)",
    "appl-lachaise.net": "weak (friends of Père-Lachaise association)",
    "bistrotducroissant.fr": "weak (the café's own history page)",
    "des-gens.net": "weak (local association)",
    "etoilejaune-anniversaire.blogspot.com": "weak (blog)",
    "executedtoday.com": "weak (blog)",
    "findagrave.com": "weak (user-made)",
    "flyingbombsandrockets.com": "weak (amateur)",
    "getbacklauretta.com": "weak (blog)",
    "guy-chambefort.typepad.fr": "weak (blog)",
    "histoire-en-questions.fr": "weak (amateur)",
    "historycentral.com": "weak (amateur)",
    "historyguy.rogersgalaxy.net": "weak (amateur)",
    "historykon.pl": "weak (popular history portal)",
    "karinthy.hu": "weak (personal site)",
    "laurettadimmick.com": "weak (blog)",
    "lecadeauartistique.com": "weak (shop)",
    "lesvraisvoyageurs.com": "weak (blog)",
    "libroenblancotenerife.blogspot.com": "weak (blog)",
    "marc.ne.free.fr": "weak (personal site)",
    "michaeldunnauthor.com": "weak (author's blog)",
    "napoleon-empire.net": "weak (amateur)",
    "passiongenealogie.hautetfort.com": "weak (blog)",
    "ppesydney.net": "weak (blog)",
    "premierempireauperelachaise.fr": "weak (amateur)",
    "proza.ru": "weak (self-publishing)",
    "saint-christophe-sur-le-nais.com": "weak (blog)",
    "shipwrecks.silk.co": "weak (user-made database)",
    "sinedjib.com": "weak (blog)",
    "thespine.ink": "weak (unidentified literary site)",
    "tkg.nainuwa.com": "weak (unidentified; heptagon.de and exilarchiv.de give the same facts)",
    "tombes-sepultures.com": "weak (amateur)",
    "ww2days.com": "weak (blog)",
}

# Copies of Wikipedia or of other reference works, scrapers, content farms: refused.
MIRRORS: set[str] = {
    "absoluteastronomy.com",
    "allfamous.org",
    "arc.ask3.ru",
    "art-directory.info",
    "artsandculture.google.com",
    "askwikinow.com",
    "biyografiler.com",
    "chinapedia.org",
    "db0nus869y26v.cloudfront.net",
    "de-academic.com",
    "de.zxc.wiki",
    "deathpulse.com",
    "dissertationsenligne.com",
    "dnhewrhegkli.shop",
    "doc256.com",
    "en-academic.com",
    "en.home-task.com",
    "encyclopedia2.thefreedictionary.com",
    "fact-index.com",
    "graphsearch.epfl.ch",
    "historical-parallax.com",
    "historyarchive.xyz",
    "historyatlas.com",
    "infosekolah.net",
    "infospaze.com",
    "marxists.incn.su",
    "military.wikia.org",
    "nl.xcv.wiki",
    "nobelprize.021best.net",
    "ok-techbrokedad.xyz",
    "perceptiosv.com",
    "piglix.com",
    "review.clateway.com",
    "reviewpainting.com",
    "theochem.ru.nl",
    "wiki.kidzsearch.com",
    "wiki3.en-us.nina.az",
    "wikiwand.com",
}
# Names that betray a copy whatever the host: "wiki" outside Wikimedia's own projects,
# and the names of known mirror families.
MIRROR_PATTERN = re.compile(r"wiki|chinapedia|historical-parallax|academic\.com$")
WIKIMEDIA = ("wikipedia.org", "wikisource.org", "wikidata.org", "wikimedia.org")

# Mirror pages still cited: no primary or scholarly page stating the same fact was found in
# issue 11's search. Each stays until one is; remove the entry when its page goes.
STILL_MIRROR: dict[str, str] = {
    "https://askwikinow.com/view_html.php?lang=simple&q=Adolf_Hitler&sq=Albert+Einstein": "Hitler's birth date and occupation: no reference page found",
    "https://ok-techbrokedad.xyz/content/wikipedia_en_all_mini_2025-06/Jean_Giraudoux": "Giraudoux's death (31 January 1944, cause): no reference page found",
    "https://dissertationsenligne.com/Litt%C3%A9rature/Biographie-De-Jean-Giraudoux/12297.html": "Giraudoux's death: as above",
    "http://piglix.com/piglix/Osip_Mandelshtam": "Mandelstam's patronymic, 15 January 1891 (a claim beside Arc's 14 January) and "
    "Vtoraya Rechka by name",
    "https://encyclopedia2.thefreedictionary.com/Maximilian+Voloshin": "reprint of the Great Soviet Encyclopedia: Voloshin's dates, death and Koktebel",
    "https://encyclopedia2.thefreedictionary.com/Lidiia+Nikolaevna+Seifullina": "reprint of the Great Soviet Encyclopedia: Seifullina's old-style dates",
    "http://www.infospaze.com/Vyacheslav_Molotov": "Molotov's dates: no reference page found",
    "https://www.deathpulse.com/notable/Vyacheslav_Molotov": "Molotov's death: as above",
    "https://www.theochem.ru.nl/~pwormer/Knowino/knowino.org/w/index4416.html?title=Josef_Stalin&printable=yes": "Stalin's dates (archived Knowino wiki): no reference page found",
    "https://allfamous.org/people/joseph-stalin-18781218.html": "Stalin's death: as above",
    "https://en-academic.com/dic.nsf/enwiki/1149265": "Consuelo de Saint-Exupéry's birth and death: no reference page found",
    "https://wiki.kidzsearch.com/wiki/Antoine_de_Saint-Exup%C3%A9ry": "Saint-Exupéry's full name, Consuelo as spouse, Vol de nuit 1931: not yet replaced",
    "https://arc.ask3.ru/arc/aa/a9/6b/a991afb70f1217de2ca463008ae0966b__translat.html": "Richard Greeman's birth date: no other page found",
    "https://doc256.com/vn/dlID3348039_les-annees-sans-pardon-roman.html": "Les Années sans pardon (1971): the publisher's page was not found",
    "http://www.art-directory.info/fine-art/victor-brauner-1903/": "Brauner's death: not yet replaced",
    "https://www.reviewpainting.com/Aristide-Maillol.htm": "Banyuls-sur-Mer as Maillol's place of death",
    "https://www.historyarchive.xyz/2025/03/the-brutal-execution-of-erwin-von.html": "the 8 August 1944 executions: not yet replaced",
    "https://historyatlas.com/topic/spanish-civil-war-of-1936-39": "dates of the Spanish Civil War",
    "https://artsandculture.google.com/entity/m075k5": "dates of the Spanish Civil War",
    "https://historyatlas.com/topic/great-purge-or-great-terror-the": "dates of the Great Terror",
}


def host_of(iri: str) -> str:
    """The host a reader would cite, without "www."."""
    host = urlsplit(iri).hostname or ""
    return host.removeprefix("www.")


def is_mirror(host: str) -> bool:
    if host in MIRRORS:
        return True
    if host.endswith(WIKIMEDIA):
        return False
    return bool(MIRROR_PATTERN.search(host))


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def problems(sources: set[str]) -> list[str]:
    """Every source that is refused, each with the reason a reader would need to fix it."""
    found = []
    for iri in sorted(sources):
        if iri.startswith(BASE):
            continue
        host = host_of(iri)
        if not iri.startswith(("http://", "https://")) or not host:
            found.append(f"{iri}: not a web page")
        elif is_ip(host):
            found.append(f"{iri}: a bare IP address; cite the site's own name")
        elif is_mirror(host):
            if iri not in STILL_MIRROR:
                found.append(f"{iri}: {host} is a mirror or scraper; cite the page it copies")
        elif host not in ACCEPTED:
            found.append(f"{iri}: {host} is not classified in tests/test_sources.py")
    return found


def curated_sources() -> set[str]:
    graph = Graph()
    for path in sorted(DATA.glob("*.ttl")):
        if path.name not in GENERATED:
            graph.parse(path)
    return {str(o) for o in graph.objects(None, DCTERMS.source)}


@pytest.fixture(scope="module")
def sources() -> set[str]:
    return curated_sources()


def test_every_source_is_a_classified_page_and_no_mirror(sources):
    assert problems(sources) == []


def test_every_still_mirror_page_is_still_cited(sources):
    """The allow-list shrinks with the data: a replaced page must leave it."""
    assert sorted(set(STILL_MIRROR) - sources) == []


def test_the_lists_do_not_overlap():
    assert sorted(h for h in ACCEPTED if is_mirror(h)) == []
    assert sorted(h for h in ACCEPTED if is_ip(h)) == []


@pytest.mark.parametrize(
    ("iri", "reason"),
    [
        ("http://156.54.191.165/enciclopedia/x_%28Enciclopedia-Italiana%29", "bare IP address"),
        ("https://wikiwand.com/en/Boris_Lavrenyov", "mirror or scraper"),
        ("https://it.frwiki.wiki/wiki/Benjamin_Cr%C3%A9mieux", "mirror or scraper"),
        ("https://www.example-new-host.org/page", "not classified"),
    ],
)
def test_refused_sources_are_reported(iri, reason):
    [message] = problems({iri})
    assert reason in message


def test_originals_and_edition_texts_pass():
    assert (
        problems(
            {
                "https://en.wikipedia.org/wiki/Boris_Lavrenyov",
                "https://fr.m.wikisource.org/wiki/Les_Bandits_tragiques/13",
                "https://www.treccani.it/enciclopedia/anthelme-brillat-savarin_(Enciclopedia-Italiana)/",
                BASE + "note/translators",
            }
        )
        == []
    )
