"""/reconcile as a hostile or careless client calls it: every bad request is a 4xx with a message.

Runs against the publisher's app (create_app over the fixture edition's store), so that the
answers are the ones a server gives, error handlers and headers included.
"""

from __future__ import annotations

import json
import time

import pytest

from carnets.web import reconcile

PERSON = "https://w3id.org/carnets/ontology#Person"
PLACE = "https://w3id.org/carnets/ontology#Place"
FORM = "application/x-www-form-urlencoded"


def _post(client, queries, **extra):
    data = {"queries": queries if isinstance(queries, str) else json.dumps(queries), **extra}
    return client.post("/reconcile", data=data)


def _refused(response, status: int = 400) -> str:
    """The response is the given 4xx with a JSON message; the message."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["status"] == "error" and body["message"]
    return body["message"]


def test_a_good_batch_still_answers(client):
    response = _post(client, {"q0": {"query": "Max Jacob", "type": PERSON, "limit": "3"}})
    assert response.status_code == 200
    assert response.get_json()["q0"]["result"][0]["id"] == "person/max-jacob"


@pytest.mark.parametrize("content_type", [FORM, "multipart/form-data"])
def test_utf8_text_in_either_kind_of_form_is_read(client, content_type):
    queries = json.dumps({"q0": {"query": "Máx Jácob"}}, ensure_ascii=False)
    response = client.post("/reconcile", data={"queries": queries}, content_type=content_type)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["q0"]["result"][0]["id"] == "person/max-jacob"


@pytest.mark.parametrize(
    "path",
    [
        "/reconcile/properties?limit=%C2%B2",  # "²" passes str.isdigit()
        "/reconcile/properties?limit=-1",
        "/reconcile/properties?limit=1e3",
        "/reconcile/suggest/entity?prefix=m&cursor=%C2%B2",
        "/reconcile/suggest/entity?prefix=m&cursor=%D9%A3",  # Arabic-Indic three
        "/reconcile/suggest/entity?prefix=m&cursor=" + "9" * 5000,
    ],
)
def test_counts_in_urls_are_ascii_digits(client, path):
    assert "digits 0-9" in _refused(client.get(path))


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ({"query": "Max Jacob", "limit": -1}, "limit must be a non-negative integer"),
        ({"query": "Max Jacob", "limit": "three"}, "limit must be a non-negative integer"),
        ({"query": "Max Jacob", "limit": True}, "limit must be a non-negative integer"),
        ({"query": "Max Jacob", "limit": 2.5}, "limit must be a non-negative integer"),
        ({"query": "Max Jacob", "properties": 5}, "properties must be a list"),
        ({"query": "Max Jacob", "properties": [5]}, 'object with a "pid"'),
        ({"query": "Max Jacob", "properties": [{"pid": "shoeSize", "v": 42}]}, "unknown property"),
        ({"query": "Max Jacob", "properties": [{"pid": "deathYear", "v": [[1944]]}]}, "a value"),
        ({"query": "Max Jacob", "type": "Dragon"}, "unknown type"),
        ({"query": "Max Jacob", "type": ["Person", "Dragon"]}, "unknown type"),
        ({"query": 5}, 'a string "query"'),
        ({}, 'a string "query"'),
        (5, 'a string "query"'),
        ([], 'a string "query"'),
    ],
)
def test_malformed_queries_are_refused_with_a_reason(client, query, says):
    message = _refused(_post(client, {"q0": query}))
    assert says in message
    assert message.startswith("q0: ")  # which query of the batch


def test_an_unknown_type_names_the_known_ones(client):
    message = _refused(_post(client, {"q0": {"query": "Max Jacob", "type": "Dragon"}}))
    assert PERSON in message and PLACE in message and "Work" in message


def test_a_list_of_types_restricts_to_those_types(client):
    answer = _post(
        client,
        {
            "person": {"query": "Max Jacob", "type": ["Place", "Work"]},
            "place": {"query": "Drancy", "type": ["Place", "Work"]},
            "iris": {"query": "Drancy", "type": [PERSON, {"id": PLACE, "name": "Place"}]},
        },
    ).get_json()
    assert answer["person"]["result"] == []  # before: Max Jacob, a Person
    assert [r["id"] for r in answer["place"]["result"]] == ["place/drancy"]
    assert [r["id"] for r in answer["iris"]["result"]] == ["place/drancy"]


def test_a_huge_number_is_a_400(client):
    message = _refused(
        _post(client, '{"q0": {"query": "Max Jacob", "limit": 1' + "0" * 5000 + "}}")
    )
    assert "not valid JSON" in message


@pytest.mark.parametrize(
    "document",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"a":' * 50_000 + "1" + "}" * 50_000,
        "[" * 100_000 + '"',  # a string that never ends: the parser's own limit answers
        '{"q0": {"query": "x", "properties": ' + "[" * 20 + "]" * 20 + "}}",
    ],
)
def test_deep_json_is_refused_before_it_is_parsed(client, document):
    started = time.monotonic()
    message = _refused(_post(client, document))
    assert "nested" in message
    assert time.monotonic() - started < 1.0


def test_brackets_inside_strings_do_not_count_as_nesting(client):
    response = _post(client, {"q0": {"query": '[[[[[[[[[[[[[[[[[[[[{{{{{{{{{{{{{{{{{{{{{ \\" ['}})
    assert response.status_code == 200, response.get_data(as_text=True)


def test_extension_requests_are_checked(client):
    def extend(asked):
        body = asked if isinstance(asked, str) else json.dumps(asked)
        return client.post("/reconcile", data={"extend": body})

    assert "properties must be a list" in _refused(
        extend({"ids": ["person/max-jacob"], "properties": 5})
    )
    assert "ids must be a list of strings" in _refused(extend({"ids": [1], "properties": []}))
    assert "unknown property" in _refused(
        extend({"ids": ["person/max-jacob"], "properties": [{"id": "shoeSize"}]})
    )
    good = extend({"ids": ["person/max-jacob"], "properties": [{"id": "deathYear"}]})
    assert good.status_code == 200
    assert good.get_json()["rows"]["person/max-jacob"] == {"deathYear": [{"str": "1944"}]}


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"queries=%7B%22q0%22%3A%7B%22query%22%3A%22Jac%FFob%22%7D%7D", FORM),
        (b'queries={"q0":{"query":"Jac\xffob"}}', FORM),
        (b"query=Jac%C3ob", FORM),
    ],
)
def test_a_body_that_is_not_utf8_is_a_400(client, body, content_type):
    assert "not UTF-8" in _refused(client.post("/reconcile", data=body, content_type=content_type))


def test_a_query_string_that_is_not_utf8_is_a_400(client):
    assert "not UTF-8" in _refused(client.get("/reconcile?query=Jac%FFob"))


def test_a_json_body_is_refused_with_the_form_field_to_use(client):
    """The 0.1 and 0.2 protocols send form fields (OpenRefine does); a JSON body is a client
    speaking another protocol, and must not be answered with the manifest."""
    response = client.post(
        "/reconcile",
        data=json.dumps({"q0": {"query": "Max Jacob"}}),
        content_type="application/json",
    )
    message = _refused(response, 415)
    assert "form field queries" in message and "0.2" in message


def test_sizes_are_bounded(client):
    long_query = {"q0": {"query": "x" * (reconcile.MAX_TEXT + 1)}}
    assert "characters long" in _refused(_post(client, long_query), 413)
    many = {f"q{i}": {"query": "Max Jacob"} for i in range(reconcile.MAX_BATCH + 1)}
    assert f"at most {reconcile.MAX_BATCH}" in _refused(_post(client, many), 413)
    values = {
        "q0": {"query": "Max Jacob", "properties": [{"pid": "deathYear", "v": ["1944"] * 21}]}
    }
    assert "values" in _refused(_post(client, values), 413)
    body = b"queries=" + b"x" * (reconcile.MAX_REQUEST_BYTES + 1)
    assert "larger than" in _refused(client.post("/reconcile", data=body, content_type=FORM), 413)
    prefix = "/reconcile/suggest/entity?prefix=" + "m" * (reconcile.MAX_TEXT + 1)
    assert "characters long" in _refused(client.get(prefix), 413)


def test_the_manifest_does_not_reflect_the_host_header(client, settings):
    response = client.get("/reconcile", headers={"Host": "evil.example:666"})
    text = response.get_data(as_text=True)
    assert "evil.example" not in text
    manifest = response.get_json()
    service_url = settings.base + "reconcile"
    assert manifest["preview"]["url"] == service_url + "/preview?id={{id}}"
    assert manifest["suggest"]["entity"]["service_url"] == service_url
    assert manifest["batchSize"] == reconcile.BATCH_SIZE


def test_the_documentation_is_a_page_about_the_service(client, settings):
    manifest = client.get("/reconcile").get_json()
    url = manifest["documentation"]
    assert url.startswith(settings.base)
    assert url.rstrip("/") != settings.base + "reconcile"  # not the manifest itself
    page = client.get("/" + url[len(settings.base) :])  # {base}{path} is served at /{path}
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "Reconciliation service" in html and "queries" in html
    assert PERSON in html and "deathYear" in html  # the types and properties it takes
    assert f"<td>{reconcile.MAX_BATCH:,}</td>" in html  # and its limits
