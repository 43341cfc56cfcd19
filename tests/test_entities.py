"""Entity names in asks, resolved against a graph's ids, keys and display names."""

from __future__ import annotations

import pytest

from graph_agents.entities import Resolver, extract


@pytest.mark.parametrize("text,names", [
    ("How is Alice connected to Bob?", ["Alice", "Bob"]),
    ("the shortest route between Acme Corp and Globex", ["Acme Corp", "Globex"]),
    ("Customers similar to customer c00042.", ["c00042"]),
    ("Find the path from acme to globex", ["acme", "globex"]),
    ('Who sits between "Jane Doe" and "John Smith"?', ["Jane Doe", "John Smith"]),
    ("everyone within two hops of flagged accounts", []),
    ("everyone within two hops of account a17", ["a17"]),
    # the kind of entity before each name is not part of it, in every pattern
    ("How is customer c00042 connected to seller s001?", ["c00042", "s001"]),
    ("Is Alice connected to Bob?", ["Alice", "Bob"]),
    ("the route between seller s001 and customer c00042", ["s001", "c00042"]),
    ("Which customers look most like customer c00042?", ["c00042"]),
    ("vendors that behave most like vendor v9", ["v9"]),
    ("is it connected to anything at all?", []),
    ("We would like customers grouped by region", []),
])
def test_extract_finds_the_names(text: str, names: list[str]) -> None:
    assert extract(text) == names


def resolver() -> Resolver:
    ids = ["customers/c00042", "customers/c00043", "sellers/s001", "sellers/s002", "sellers/s003"]
    names = ["Ana Núñez", "Ben Ode", "Acme Corp", "Globex", "Globex"]
    return Resolver(ids, names)


def test_ids_keys_and_names_resolve_exactly_or_case_and_accent_insensitively() -> None:
    r = resolver()
    assert r.resolve("customers/c00042").vertex == "customers/c00042"
    assert r.resolve("c00043").vertex == "customers/c00043"
    assert r.resolve("ana nunez").vertex == "customers/c00042"
    assert r.resolve("ACME  corp").vertex == "sellers/s001"


def test_ambiguous_names_list_the_candidates_and_unknown_ones_the_closest() -> None:
    r = resolver()
    amb = r.resolve("globex")
    assert amb.status == "ambiguous" and amb.vertex is None and amb.candidates == ["sellers/s002", "sellers/s003"]
    miss = r.resolve("Acme Corporation")
    assert miss.status == "unresolved" and miss.candidates == ["sellers/s001"]
    assert miss.message == "'Acme Corporation' names no vertex; the closest is sellers/s001: name it if it is the one meant."
    assert miss.said({"sellers/s001": "Acme Corp"}).endswith("the closest is Acme Corp (sellers/s001): name it if it is the one meant.")
    assert amb.message == "'globex' is ambiguous: it names sellers/s002, sellers/s003; name one of them."
    assert r.resolve("zzzz").candidates == []


@pytest.mark.parametrize("algorithm,text,params", [
    ("shortest_path", "How is Alice connected to Bob?", {"source": "Alice", "target": "Bob"}),
    ("similar_to", "Customers similar to customer c00042", {"target": "c00042"}),
    ("k_hop", "Everyone within three hops of account a17", {"seeds": "a17", "k": 3}),
    ("k_hop", "everyone within two hops of flagged accounts", {"k": 2}),
    ("personalized_pagerank", 'Who matters most from the perspective of "Acme Corp"?', {"seeds": "Acme Corp"}),
    ("pagerank", "How is Alice connected to Bob?", {}),
    ("personalized_pagerank", "Which accounts matter most as seen from Alice and Bob?", {"seeds": "Alice,Bob"}),
    ("personalized_pagerank", "Which products are most relevant to customer c00042?", {"seeds": "c00042"}),
    ("personalized_pagerank", "Who matters from the point of view of Acme Corp, Globex and customers/c1?",
     {"seeds": "Acme Corp,Globex,customers/c1"}),
    ("personalized_pagerank", "Which products are relevant to our growth?", {}),  # no name: nothing seeded
])
def test_ask_parameters_carry_the_named_entities(algorithm: str, text: str, params: dict) -> None:
    from graph_agents.entities import ask_parameters

    got, reasons = ask_parameters(algorithm, text)
    assert got == params and set(reasons) == set(params)
