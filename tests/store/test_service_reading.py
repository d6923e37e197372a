"""What the reading of a query says of its SERVICE calls, checked against what the engine does.

The property-based test builds queries from pieces that have hidden SERVICE clauses from
readers before (comments ended by CR, escapes, `<` read as an IRI or as less-than, keywords
glued to other tokens, strings that open inside an IRI), runs each on pyoxigraph with the
network, and compares: whenever the engine called the canary, the reading must refuse the
query for an engine with network (it saw the call, or it is unsure of one).
"""

from __future__ import annotations

import os

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carnets.errors import QueryError, QueryRefused
from carnets.store.query_text import read_query, refuse_unsafe_services

ALLOWED = "https://query.wikidata.org/sparql"


@pytest.mark.parametrize(
    ("text", "services", "unsure"),
    [
        ("SELECT * { SERVICE <http://a/s> { ?s ?p ?o } }", ["http://a/s"], None),
        ("select * { service silent <http://a/s> { } }", ["http://a/s"], None),
        ("SELECT * { # x\rSERVICE <http://a/s> { } }", ["http://a/s"], None),
        ("SELECT * { SERVICE <http://a/\\u0073> { } }", ["http://a/s"], None),
        (
            "PREFIX c: <http://a/> PREFIX c: <http://b/> SELECT * { SERVICE c:s {} }",
            ["http://b/s"],
            None,
        ),
        ("BASE <http://a/> SELECT * { SERVICE <s> {} }", ["<s>"], None),
        ("SELECT * { BIND(<http://a/> AS ?e) SERVICE ?e {} }", ["?e"], None),
        ('SELECT * { ?s ?p "customer service" } # service', [], None),
        ("SELECT ?service { ?service ?p ?o }", [], None),
        ("PREFIX bd: <http://b/> SELECT * { ?s bd:serviceParam ?o }", [], None),
        ("SELECT * { ?s <http://www.w3.org/ns/sparql-service-description#name> ?o }", [], None),
        ("PREFIX : <http://a/> SELECT * { SERVICE:s {} }", [], "in the prefix of 'SERVICE:s'"),
        ("SELECT * { SERVICESILENT<http://a/> {} }", [], "in the word 'SERVICESILENT'"),
        ("SELECT * { ?s ?p trueSERVICE <http://a/> {} }", [], "in the word 'trueSERVICE'"),
        (
            "PREFIX : <http://a/> SELECT * { FILTER(?a<?b)SERVICE:s#>\n{} }",
            [],
            "after an IRI that the engine may read as code",
        ),
        (
            "SELECT * { FILTER(?a<?b&&'>) \"x') SERVICE <http://a/> {} #\" \n}",
            [],
            "after an IRI that the engine may read as code",
        ),
        (
            "SELECT * { FILTER(?a<?b)SERVICE>1) }",
            [],
            "in '<?b)SERVICE>', which the engine may read as code",
        ),
    ],
)
def test_reading(text, services, unsure):
    info = read_query(text)
    assert info.services == services
    if unsure is None:
        assert info.unsure_service is None
    else:
        assert unsure in info.unsure_service


def test_escapes_must_not_change_the_calls():
    # An engine that reads \u escapes first (as the specification says) would see SERVICE here.
    info = read_query('SELECT * { BIND("\\u0022 SERVICE <http://a/> {} #" AS ?x) }')
    assert info.services == []
    assert "once its \\u escapes are processed" in info.unsure_service


def test_what_cannot_be_read_is_refused_with_its_position():
    with pytest.raises(QueryError, match="line 2, column 3: unexpected '\\\\\\\\'"):
        read_query("SELECT *\n{ \\u0053ERVICE <http://a/> {} }")


def test_refusals():
    allowed = {ALLOWED}
    refuse_unsafe_services(
        read_query(f"ASK {{ SERVICE <{ALLOWED}> {{}} }}"), allowed, networked=True
    )
    with pytest.raises(QueryRefused, match="CARNETS_SERVICE_ALLOW"):
        refuse_unsafe_services(
            read_query("ASK { SERVICE <http://a/> {} }"), allowed, networked=False
        )
    with pytest.raises(QueryRefused, match="must be written as an IRI"):
        refuse_unsafe_services(read_query("ASK { SERVICE ?e {} }"), allowed, networked=False)
    unsure = read_query("PREFIX : <http://a/> ASK { SERVICE:s {} }")
    refuse_unsafe_services(unsure, allowed, networked=False)  # a worker without network runs it
    with pytest.raises(QueryRefused, match="may call another endpoint"):
        refuse_unsafe_services(unsure, allowed, networked=True)


# Pieces of queries, most of them seen hiding a SERVICE clause from some reader. {T} is the
# canary's endpoint written one of several ways.
HIDERS = [
    "",
    "# comment\r",
    "# comment\n",
    "#",
    "BIND(<urn:x:\\u0041#> AS ?z) ",
    "BIND(<urn:x:\\u0041'> AS ?z) ",
    "BIND(1 AS ?a) FILTER(?a<?b)",
    "BIND(1 AS ?a) FILTER(?a<?b&&'>) . ?s ?p \"x') ",
    'BIND("""SERVICE""" AS ?q) ',
    "BIND('#' AS ?q) ",
    "?s ?p true",
    "?s ?p 1",
    "{ BIND(1 AS ?one) } ",
    "OPTIONAL { ",
    "FILTER EXISTS { ",
    "MINUS { ",
]
KEYWORDS = ["SERVICE", "service", "SeRvIcE", "SERVICE SILENT", "SERVICESILENT", "\\u0053ERVICE"]
SEPARATORS = [" ", "", "\t", "\r", "\n", "# c\r", "# c\n"]
TARGETS = ["<{C}>", "c:sparql", ":sparql", "<{H}\\u0073parql>", "?e", "<sparql>"]
TAILS = ["", "#>\n", '#" .\n', " ", "\r"]


@st.composite
def hidden_calls(draw, root: str) -> str:
    hider = draw(st.sampled_from(HIDERS))
    closing = "} " if hider.rstrip().endswith("{") else ""
    keyword = draw(st.sampled_from(KEYWORDS))
    target = draw(st.sampled_from(TARGETS)).format(C=root + "sparql", H=root)
    return (
        f"PREFIX c: <{root}> PREFIX : <{root}> BASE <{root}>\n"
        f"SELECT * WHERE {{ VALUES ?e {{ <{root}sparql> }} {hider}{keyword}"
        f"{draw(st.sampled_from(SEPARATORS))}{target}{draw(st.sampled_from(TAILS))}"
        f"{{ ?x ?y ?z }} {closing}}}"
    )


@pytest.fixture(scope="module")
def engine() -> ox.Store:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("o")))
    return store


@pytest.fixture(scope="module")
def live_calls() -> list[int]:
    return []


@settings(
    max_examples=int(os.environ.get("CARNETS_HYPOTHESIS_EXAMPLES", "400")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_the_reading_sees_every_call_the_engine_makes(engine, canary, live_calls, data):
    text = data.draw(hidden_calls(canary.root))
    heard = len(canary.connections)
    try:
        info = read_query(text)
    except QueryError:
        info = None  # refused before it runs: the server answers 400 and the engine never sees it
    try:
        results = engine.query(text)
        if isinstance(results, ox.QuerySolutions):
            list(results)
    except (SyntaxError, OSError, RuntimeError):
        pass
    called = len(canary.connections) > heard
    if not called:
        return
    live_calls.append(1)
    if info is not None:  # (None: unreadable, so the server answers 400 and never runs it)
        with pytest.raises(QueryRefused):
            refuse_unsafe_services(info, {ALLOWED}, networked=True)


def test_the_generated_queries_include_real_attacks(live_calls):
    """Runs after the property test: a generator that never reached the canary tests nothing."""
    print(f"{len(live_calls)} generated queries reached the canary")
    assert len(live_calls) >= 20
