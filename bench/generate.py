"""A deterministic generator of synthetic Carnets editions for the benchmark.

`python bench/generate.py 10000 bench/out/edition-10000` writes an edition with the shipped
ontology and shapes and synthetic data in the same vocabulary: entries with text, mentions
anchored by computed offsets (W3C Web Annotation, both selectors), people (some with Cyrillic
names), deaths and Serge's reports of them, works, places, events and Wikidata links. The same
size and seed always give the same files. Proportions per entry follow a diary of the kind:
about eight mentions an entry, most of them of people, and a cast that grows with the diary.
"""

from __future__ import annotations

import argparse
import random
import shutil
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/carnets/serge/"
PREFIXES = """@prefix cn: <https://w3id.org/carnets/ontology#> .
@prefix schema: <https://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix crm: <http://www.cidoc-crm.org/cidoc-crm/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix manner: <https://w3id.org/carnets/ontology/manner/> .
@prefix certainty: <https://w3id.org/carnets/ontology/certainty/> .
@prefix edtf: <http://id.loc.gov/datatypes/edtf/> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix wd: <http://www.wikidata.org/entity/> .
"""
FIRST = [
    "Max",
    "Osip",
    "Anna",
    "Boris",
    "Jeanne",
    "Pierre",
    "Natalia",
    "Lev",
    "Marcel",
    "Olga",
    "André",
    "Benjamin",
    "Laurette",
    "Vlady",
    "Julián",
    "Hélène",
    "Dmitri",
    "Simone",
    "Ignazio",
    "Frida",
    "Gustav",
    "Nadezhda",
    "Antoine",
    "Paul",
    "Rosa",
]
LAST = [
    "Jacob",
    "Mandelstam",
    "Kibalchich",
    "Crémieux",
    "Gorkin",
    "Malraux",
    "Breton",
    "Sedova",
    "Silone",
    "Weil",
    "Zweig",
    "Chen",
    "Rusakov",
    "Dupont",
    "Lazarev",
    "Ferrer",
    "Kahlo",
    "Martinet",
    "Rosmer",
    "Wullens",
    "Poretsky",
    "Ciliga",
    "Souvarine",
    "Istrati",
    "Plisnier",
]
CYRILLIC = {
    "Mandelstam": "Мандельштам",
    "Rusakov": "Русаков",
    "Lazarev": "Лазарев",
    "Sedova": "Седова",
    "Poretsky": "Порецкий",
}
TEXT_WORDS = (
    "the of and to in a that he was it his is with as for we on not by this but had be at "
    "from war night city letter news train sea prison comrades silence book hope snow "
    "revolution exile Mexico Paris Moscow memory fear bread dawn river read today writes "
    "death arrested friends party years across winter papers dispatch front"
)
WORDS = TEXT_WORDS.split()
MANNERS = [
    "killed",
    "murdered",
    "executed",
    "missing-in-action",
    "accident",
    "suicide",
    "illness",
    "died-in-custody",
]
PLACES = [
    "Drancy",
    "Black Sea",
    "Saipan",
    "Buchenwald",
    "Coyoacán",
    "Marseille",
    "Leningrad",
    "Vorkuta",
    "Barcelona",
    "Brussels",
    "Orenburg",
    "Berlin",
]


def slug(text: str) -> str:
    table = str.maketrans("éèêàáçíóúüöñ", "eeeaaciouuon")
    return "-".join(
        "".join(c for c in text.lower().translate(table) if c.isalnum() or c == " ").split()
    )


def lit(text: str, lang: str = "en") -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"@{lang}'


def generate(entries: int, out: Path, seed: int = 1944) -> dict[str, int]:
    rng = random.Random(seed)
    counts = {
        "entries": entries,
        "people": max(20, entries // 2),
        "works": max(10, entries // 5),
        "places": max(8, entries // 12),
        "events": max(8, entries // 10),
    }
    counts["deaths"] = counts["people"] * 2 // 5
    people = []
    for i in range(counts["people"]):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name = f"{first} {last}" + (f" {i}" if i >= len(FIRST) else "")
        people.append((slug(name) or f"person-{i}", name, last))
    works = [
        (f"work-{i}", f"The {rng.choice(WORDS).title()} of {rng.choice(WORDS).title()} {i}")
        for i in range(counts["works"])
    ]
    places = [
        (slug(f"{PLACES[i % len(PLACES)]} {i}"), f"{PLACES[i % len(PLACES)]} {i}")
        for i in range(counts["places"])
    ]
    events = [
        (f"event-{i}", f"Event {i} near {places[i % len(places)][1]}")
        for i in range(counts["events"])
    ]
    start = date(1920, 1, 1)
    days = [start + timedelta(days=i) for i in range(entries)]
    # Zipf-like popularity: a few people fill the notebooks, most appear once or twice.
    weights = [1 / (rank + 1) for rank in range(len(people))]

    data = out / "data"
    if out.exists():
        shutil.rmtree(out)
    data.mkdir(parents=True)
    for folder in ("ontology", "shapes"):
        shutil.copytree(ROOT / folder, out / folder)
    shutil.copy(ROOT / "edition.toml", out)

    lines = [PREFIXES]
    add = lines.append
    add(f"""<{BASE}dataset> a void:Dataset, dcat:Dataset ;
    dcterms:title "Carnets synthetic benchmark edition ({entries} entries)"@en ;
    dcterms:license <https://creativecommons.org/licenses/by/4.0/> ;
    dcterms:rights "Synthetic text, generated for benchmarking."@en ;
    dcterms:source <https://example.org/synthetic-edition> ; owl:versionInfo "bench-{entries}" ;
    schema:version "bench-{entries}" ; dcterms:modified "2024-01-01"^^xsd:date .
<{BASE}notebooks> a cn:Notebook, schema:CreativeWork ;
    skos:prefLabel "Synthetic notebooks"@en ; rdfs:label "Synthetic notebooks"@en ;
    schema:author <{BASE}person/victor-serge> ; dcterms:rights "Synthetic text."@en .
<{BASE}person/victor-serge> a cn:Person, schema:Person ;
    skos:prefLabel "Victor Serge"@en ; rdfs:label "Victor Serge"@en .
""")
    for s, name, last in people:
        alt = f" ; skos:altLabel {lit(last)}"
        if last in CYRILLIC:
            alt += f", {lit(CYRILLIC[last], 'ru')}"
        add(
            f"<{BASE}person/{s}> a cn:Person, schema:Person ; skos:prefLabel {lit(name)} ; "
            f"rdfs:label {lit(name)} ; schema:name {lit(name)}{alt} ."
        )
    for s, title in works:
        author = rng.choice(people)[0]
        add(
            f"<{BASE}work/{s}> a cn:Work, schema:Book ; skos:prefLabel {lit(title)} ; "
            f"rdfs:label {lit(title)} ; schema:name {lit(title)} ; "
            f"schema:author <{BASE}person/{author}> ."
        )
    for s, name in places:
        add(
            f"<{BASE}place/{s}> a cn:Place, schema:Place ; skos:prefLabel {lit(name)} ; "
            f"rdfs:label {lit(name)} ."
        )
    for s, name in events:
        day = rng.choice(days)
        add(
            f"<{BASE}event/{s}> a cn:Event, schema:Event ; skos:prefLabel {lit(name)} ; "
            f'rdfs:label {lit(name)} ; cn:edtf "{day}"^^edtf:EDTF ; '
            f'cn:earliestDate "{day}"^^xsd:date ; cn:latestDate "{day}"^^xsd:date ; '
            f"dcterms:source <https://example.org/record/{s}> ."
        )
    died = rng.sample(people, counts["deaths"])
    death_days = {}
    for s, name, _ in died:
        day = rng.choice(days)
        death_days[s] = day
        add(
            f"<{BASE}death/{s}> a cn:Death, crm:E69_Death, schema:Event ; "
            f"skos:prefLabel {lit('Death of ' + name)} ; rdfs:label {lit('Death of ' + name)} ; "
            f'crm:P100_was_death_of <{BASE}person/{s}> ; cn:edtf "{day}"^^edtf:EDTF ; '
            f'cn:earliestDate "{day}"^^xsd:date ; cn:latestDate "{day}"^^xsd:date ; '
            f"cn:manner manner:{rng.choice(MANNERS)} ; "
            f"schema:location <{BASE}place/{rng.choice(places)[0]}> ; "
            f"dcterms:source <https://example.org/record/{s}> ."
        )
    (data / "edition.ttl").write_text("\n".join(lines) + "\n", "utf-8")

    texts, mentions = [PREFIXES], [PREFIXES]
    mention_count = reports = 0
    reported_days: set[tuple] = set()
    for day in days:
        entry = f"{BASE}entry/{day}"
        parts: list[str] = []
        length = 0
        anchored = []
        for _ in range(rng.randint(4, 12)):
            words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30)))
            parts.append(words.capitalize() + " ")
            length += len(parts[-1])
            kind = rng.random()
            if kind < 0.6:
                s, name, last = rng.choices(people, weights)[0]
                label = rng.choice([name, last] + ([CYRILLIC[last]] if last in CYRILLIC else []))
                body = f"person/{s}"
            elif kind < 0.75:
                s, label = rng.choice(works)
                body = f"work/{s}"
            elif kind < 0.9:
                s, label = rng.choice(places)
                body = f"place/{s}"
            else:
                s, label = rng.choice(events)
                body = f"event/{s}"
            anchored.append((length, length + len(label), label, body))
            parts.append(label + ". ")
            length += len(label) + 2
        text = "".join(parts).strip()
        mentioned = sorted({body for *_, body in anchored})
        texts.append(
            f"<{entry}> a cn:Entry, schema:CreativeWork ; "
            f"skos:prefLabel {lit(f'Entry of {day}')} ; "
            f'rdfs:label {lit(f"Entry of {day}")} ; schema:dateCreated "{day}"^^xsd:date ; '
            f"schema:position {(day - start).days + 1} ; schema:isPartOf <{BASE}notebooks> ; "
            f"schema:author <{BASE}person/victor-serge> ; schema:text {lit(text)} ; "
            f"dcterms:rights {lit('Synthetic text.')} ; schema:mentions "
            + ", ".join(f"<{BASE}{m}>" for m in mentioned)
            + " ."
        )
        for begin, end, label, body in anchored:
            assert text[begin:end] == label
            mention_count += 1
            mention = f"{entry}#m{begin}-{end}"
            mentions.append(
                f"<{mention}> a oa:Annotation, cn:Mention ; oa:motivatedBy oa:identifying ; "
                f"oa:hasBody <{BASE}{body}> ; oa:hasTarget <{mention}-target> .\n"
                f"<{mention}-target> a oa:SpecificResource ; oa:hasSource <{entry}> ; "
                f"oa:hasSelector <{mention}-quote>, <{mention}-position> .\n"
                f"<{mention}-quote> a oa:TextQuoteSelector ; oa:exact {lit(label)} ; "
                f"oa:prefix {lit(text[max(0, begin - 32) : begin])} ; "
                f"oa:suffix {lit(text[end : end + 32])} .\n"
                f"<{mention}-position> a oa:TextPositionSelector ; "
                f"oa:start {begin} ; oa:end {end} ."
            )
            person = body.removeprefix("person/")
            reported = (day, person) in reported_days
            if (
                person in death_days
                and death_days[person] <= day
                and not reported
                and rng.random() < 0.1
            ):
                reported_days.add((day, person))
                reports += 1
                texts.append(
                    f"<{BASE}report/{day}/{person}> a cn:DeathReport ; "
                    f"skos:prefLabel {lit(f'Report of {person}, {day}')} ; "
                    f"rdfs:label {lit(f'Report of {person}, {day}')} ; "
                    f"cn:reportedIn <{entry}> ; cn:reportsDeath <{BASE}death/{person}> ; "
                    f"cn:quote {lit(label)} ; "
                    f"cn:reportedManner manner:{rng.choice(MANNERS)} ; "
                    "cn:certainty certainty:asserted ."
                )
    (data / "texts.ttl").write_text("\n".join(texts) + "\n", "utf-8")
    (data / "mentions.ttl").write_text("\n".join(mentions) + "\n", "utf-8")
    links = [PREFIXES]
    for i, (s, _, _) in enumerate(people):
        if i % 10 < 7:
            item = f"wd:Q{100000 + i}"
            links.append(
                f"<{BASE}person/{s}> owl:sameAs {item} .\n"
                f"<{BASE}link/person/{s}> a cn:WikidataLink ; cn:linkSubject <{BASE}person/{s}> ; "
                f"cn:linkTarget {item} ; cn:evidence {lit('Synthetic link.')} ; "
                f"dcterms:source <https://example.org/evidence/{s}> ."
            )
    (data / "links.ttl").write_text("\n".join(links) + "\n", "utf-8")
    counts.update(mentions=mention_count, reports=reports)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("entries", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=1944)
    args = parser.parse_args()
    print(generate(args.entries, args.out, args.seed))


if __name__ == "__main__":
    main()
