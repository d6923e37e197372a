"""The annotator finds names by their words, never inside longer words or names."""

from rdflib import URIRef

from carnets.annotate import context, find_mentions

SERGE = URIRef("https://w3id.org/carnets/serge/person/victor-serge")
LIBRARY = URIRef("https://w3id.org/carnets/serge/organization/victor-serge-library")
PACT = URIRef("https://w3id.org/carnets/serge/event/molotov-ribbentrop-pact")
MOLOTOV = URIRef("https://w3id.org/carnets/serge/person/vyacheslav-molotov")
STALIN = URIRef("https://w3id.org/carnets/serge/person/joseph-stalin")
SAINT_EX = URIRef("https://w3id.org/carnets/serge/person/antoine-de-saint-exupery")


def spans(matches):
    return [(m.start, m.end, m.quote) for m in matches]


def test_offsets_index_the_text_exactly():
    text = "Twelve lines for Saint-Ex. Then Stalin’s trials."
    matches = find_mentions(text, [("Saint-Ex", SAINT_EX), ("Stalin", STALIN)])
    assert spans(matches) == [(17, 25, "Saint-Ex"), (32, 38, "Stalin")]
    assert all(text[m.start : m.end] == m.quote for m in matches)


def test_a_name_is_not_found_inside_a_longer_word():
    text = "hounded by Stalinist agents; Saint-Exupéry disappeared"
    assert find_mentions(text, [("Stalin", STALIN), ("Saint-Ex", SAINT_EX)]) == []


def test_the_longest_name_of_the_same_resource_wins():
    text = "Count Antoine de Saint-Exupéry, 1944"
    names = [("Antoine de Saint-Exupéry", SAINT_EX), ("Saint-Exupéry", SAINT_EX)]
    assert spans(find_mentions(text, names)) == [(6, 30, "Antoine de Saint-Exupéry")]


def test_a_name_inside_another_resource_s_name_is_not_a_mention_by_default():
    text = "cofounder of the Victor Serge Library in Moscow"
    names = [("Victor Serge", SERGE), ("Victor Serge Library", LIBRARY)]
    assert [m.resource for m in find_mentions(text, names)] == [LIBRARY]


def test_a_nested_name_counts_when_the_outer_resource_involves_it():
    text = "Under the regime of the Molotov-Ribbentrop Pact he"
    names = [("Molotov-Ribbentrop Pact", PACT), ("Molotov", MOLOTOV)]
    found = find_mentions(text, names, nesting={(PACT, MOLOTOV)})
    assert [(m.resource, m.quote) for m in found] == [
        (MOLOTOV, "Molotov"),
        (PACT, "Molotov-Ribbentrop Pact"),
    ]


def test_white_space_in_the_text_may_differ_from_the_label():
    text = "Excerpted from\xa0Notebooks, 1936–1947, by Victor\nSerge"
    found = find_mentions(text, [("Victor Serge", SERGE)])
    assert spans(found) == [(text.index("Victor"), len(text), "Victor\nSerge")]


def test_context_gives_prefix_and_suffix():
    text = "x " * 20 + "Stalin" + " y" * 20
    (match,) = find_mentions(text, [("Stalin", STALIN)])
    assert context(text, match) == (("x " * 16), (" y" * 16))
