import json
from pathlib import Path

import pytest

from graph_agents.algorithms import CATALOG
from graph_agents.models import Vertical
from graph_agents.verticals import (
    ALIASES,
    BUILTIN_DIR,
    DETECTOR_KINDS,
    MIN_SCORE,
    REQUIRED_TERMS,
    VerticalError,
    detect_vertical,
    list_verticals,
    load_vertical,
    save_vertical,
)

BUILTINS = ["adtech", "ecommerce", "fraud", "generic", "social", "supply_chain", "telecom"]


# ------------------------------------------------------------------------------------ built-ins


def test_list_verticals_sorted_and_complete():
    names = [v.name for v in list_verticals()]
    assert names == BUILTINS


def test_builtin_dir_holds_one_json_per_vertical():
    files = sorted(e.name for e in BUILTIN_DIR.iterdir() if e.name.endswith(".json"))
    assert files == [f"{n}.json" for n in BUILTINS]


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_is_valid_and_complete(name):
    raw = json.loads(BUILTIN_DIR.joinpath(f"{name}.json").read_text(encoding="utf-8"))
    v = Vertical.model_validate(raw)
    assert v.name == name == load_vertical(name).name
    assert v.display_name and v.description
    assert 30 <= len(v.keywords) <= 60
    assert len({k.lower() for k in v.keywords}) == len(v.keywords)
    assert set(REQUIRED_TERMS) <= set(v.terms)
    assert all(isinstance(t, str) and t for t in v.terms.values())
    assert v.core_hints
    assert 4 <= len(v.metrics) <= 8
    assert set(v.algorithm_purposes) == set(CATALOG)
    assert 3 <= len(v.discovery) <= 5
    assert len(set(v.discovery)) == len(v.discovery)
    assert set(v.discovery) <= set(CATALOG)
    assert 1 <= len(v.detectors) <= 5
    for det in v.detectors:
        assert {"name", "algorithm", "kind", "description"} <= set(det)
        assert det["algorithm"] in CATALOG
        assert det["kind"] in DETECTOR_KINDS


def test_generic_terms_map_to_themselves():
    g = load_vertical("generic")
    assert all(k == v for k, v in g.terms.items())
    assert g.term("community") == "community"


def test_vertical_vocabulary():
    eco = load_vertical("ecommerce")
    assert eco.term("community") == "customer segment"
    assert eco.term("broker") == "cross-segment connector"
    fraud = load_vertical("fraud")
    assert fraud.term("component") == "linked-account ring"
    assert fraud.term("node") == "account"
    ring = next(d for d in fraud.detectors if d["name"] == "shared_device_ring")
    assert ring["algorithm"] == "wcc" and ring["kind"] == "large_component" and ring["min_size"] == 5
    assert any(
        d["algorithm"] == "betweenness" and d["kind"] == "dominant_broker"
        for d in load_vertical("supply_chain").detectors
    )


# -------------------------------------------------------------------------------------- loading


@pytest.mark.parametrize(
    "spec, name",
    [
        ("ECOMMERCE", "ecommerce"),
        (" Fraud ", "fraud"),
        ("retail", "ecommerce"),
        ("e-commerce", "ecommerce"),
        ("financial", "fraud"),
        ("AML", "fraud"),
        ("logistics", "supply_chain"),
        ("supply-chain", "supply_chain"),
        ("Supply Chain", "supply_chain"),
        ("it", "telecom"),
        ("network", "telecom"),
        ("social_network", "social"),
        ("social-network", "social"),
        ("advertising", "adtech"),
    ],
)
def test_names_and_aliases(spec, name):
    assert load_vertical(spec).name == name


def test_aliases_point_to_builtins():
    assert set(ALIASES.values()) <= set(BUILTINS)


def _custom(**over):
    data = {
        "name": "pharma",
        "display_name": "Pharma",
        "keywords": ["drug", "trial"],
        "terms": {"node": "compound"},
        "algorithm_purposes": {"pagerank": "Find key compounds."},
        "discovery": ["pagerank", "wcc"],
        "detectors": [{"name": "x", "algorithm": "wcc", "kind": "large_component", "min_size": 3}],
    }
    data.update(over)
    return data


def test_custom_json_file(tmp_path):
    path = tmp_path / "pharma.json"
    path.write_text(json.dumps(_custom()))
    v = load_vertical(str(path))
    assert v.name == "pharma" and v.term("node") == "compound" and v.term("edge") == "edge"
    # an existing file without the .json suffix is read as a path too
    other = tmp_path / "pharma_vertical"
    other.write_text(json.dumps(_custom()))
    assert load_vertical(str(other)).name == "pharma"


def _error(spec) -> str:
    with pytest.raises(VerticalError) as info:
        load_vertical(spec)
    message = str(info.value)
    assert message and "\n" not in message and "Traceback" not in message
    assert isinstance(info.value, ValueError)
    return message


def test_unknown_name_lists_known():
    message = _error("astrology")
    assert "astrology" in message
    for name in BUILTINS:
        assert name in message


def test_missing_file(tmp_path):
    message = _error(str(tmp_path / "nope.json"))
    assert "not found" in message and "nope.json" in message


def test_invalid_json_reports_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{\n  "name": "x",\n  "display_name": \n}\n')
    message = _error(str(path))
    assert "invalid JSON" in message and "line 4" in message


def test_not_an_object(tmp_path):
    path = tmp_path / "list.json"
    path.write_text("[1, 2]")
    assert "JSON object" in _error(str(path))


def test_missing_field_is_named(tmp_path):
    data = _custom()
    del data["display_name"]
    path = tmp_path / "nofield.json"
    path.write_text(json.dumps(data, indent=2))
    message = _error(str(path))
    assert "display_name" in message


def test_wrong_type_is_named(tmp_path):
    path = tmp_path / "wrongtype.json"
    path.write_text(json.dumps(_custom(keywords="drug")))
    assert "keywords" in _error(str(path))


@pytest.mark.parametrize(
    "over, field",
    [
        ({"discovery": ["pagerank", "no_such_algorithm"]}, "discovery"),
        ({"algorithm_purposes": {"no_such_algorithm": "x"}}, "algorithm_purposes"),
        ({"detectors": [{"name": "d", "algorithm": "wcc", "kind": "weird"}]}, "detectors.0.kind"),
        ({"detectors": [{"name": "d", "algorithm": "nope", "kind": "cycle"}]}, "detectors.0.algorithm"),
        ({"name": "  "}, "name"),
    ],
)
def test_catalog_consistency_errors(tmp_path, over, field):
    path = tmp_path / "inconsistent.json"
    path.write_text(json.dumps(_custom(**over)))
    assert field in _error(str(path))


def test_directory_and_empty_spec(tmp_path):
    assert "not a file" in _error(str(tmp_path) + "/")
    _error("   ")


# ------------------------------------------------------------------------------------ detection

CASES = {
    "ecommerce": (
        "Our online store wants to know which products customers buy together, find customer "
        "segments for targeted promotions, spot best-selling items and improve checkout "
        "conversion and the repeat purchase rate.",
        ["customers", "products", "purchased", "sellers"],
    ),
    "fraud": (
        "The AML team must detect money laundering: rings of accounts sharing devices, circular "
        "transactions and mule accounts forwarding funds. Suspicious activity is reported to "
        "compliance.",
        ["accounts", "transactions", "devices"],
    ),
    "supply_chain": (
        "Identify single points of failure among our suppliers and warehouses, and the "
        "shipments at risk from a disruption.",
        ["suppliers", "warehouses", "shipments"],
    ),
    "telecom": (
        "Find the routers and links whose failure would cause an outage, and check the "
        "redundancy of our cell sites.",
        ["routers", "links", "cells"],
    ),
    "social": (
        "Find influencers and communities among our users: who follows whom and which posts go "
        "viral.",
        ["users", "follows", "posts"],
    ),
    "adtech": (
        "Build an identity graph linking cookies and device ids into households, and measure "
        "reach and frequency of our campaigns across impressions.",
        ["cookies", "device_ids", "impressions", "campaigns"],
    ),
    "generic": ("lorem ipsum dolor sit amet", ["a", "b"]),
}


@pytest.mark.parametrize("expected", list(CASES))
def test_detect_vertical(expected):
    text, collections = CASES[expected]
    v, scores = detect_vertical([text], collections)
    assert v.name == expected
    assert set(scores) == set(BUILTINS) - {"generic"}
    if expected != "generic":
        assert scores[expected] == max(scores.values()) >= MIN_SCORE
        # collection names alone are strong enough evidence
        assert detect_vertical([], collections)[0].name == expected
    else:
        assert max(scores.values()) < MIN_SCORE


def test_detect_is_deterministic():
    text, collections = CASES["fraud"]
    assert detect_vertical([text], collections) == detect_vertical([text], collections)


def test_detect_word_boundaries_and_plurals():
    # "carting" / "cartography" must not count as "cart"; "Categories" counts as "category"
    assert detect_vertical(["cartography carting"], [])[0].name == "generic"
    _, scores = detect_vertical(["Categories, SKUs, baskets"], [])
    assert scores["ecommerce"] > 0
    # camelCase and joined collection names
    assert detect_vertical([], ["deviceIds", "cookieSyncs"])[0].name == "adtech"
    assert detect_vertical([], ["cellsites", "basestations"])[0].name == "telecom"


def test_long_document_does_not_swamp():
    once = detect_vertical(["customer"], [])[1]["ecommerce"]
    many = detect_vertical(["customer " * 5000], [])[1]["ecommerce"]
    assert once == many
    wordy = " ".join(load_vertical("ecommerce").keywords) * 50
    score = detect_vertical([wordy], [])[1]["ecommerce"]
    assert score <= 10.0
    # strong collection evidence still decides against a document mentioning another industry
    v, _ = detect_vertical(["customers place orders"], ["suppliers", "warehouses", "shipments"])
    assert v.name == "supply_chain"


def test_weak_evidence_falls_back_to_generic():
    assert detect_vertical(["a user"], [])[0].name == "generic"
    assert detect_vertical([], [])[0].name == "generic"


# --------------------------------------------------------------------------------------- saving


def test_save_round_trip(tmp_path):
    v = Vertical.model_validate(_custom(name="pharma_v1"))
    path = save_vertical(v, tmp_path / "custom")
    assert path == tmp_path / "custom" / "pharma_v1.json"
    assert load_vertical(str(path)) == v
    assert not list((tmp_path / "custom").glob(".*tmp"))


def test_save_sanitizes_hostile_name(tmp_path):
    target = tmp_path / "a" / "b"
    v = Vertical.model_validate(_custom(name="../../etc/x"))
    path = save_vertical(v, target)
    assert path.parent == target
    assert path.resolve().is_relative_to(target.resolve())
    assert "/" not in path.name and ".." not in path.name
    assert load_vertical(str(path)).name == path.stem
    assert not (tmp_path / "etc").exists()


def test_save_refuses_invalid(tmp_path):
    v = Vertical.model_validate(_custom(discovery=["no_such_algorithm"]))
    with pytest.raises(VerticalError):
        save_vertical(v, tmp_path)


def test_a_term_for_one_relation_words_a_report_on_that_relation_alone():
    from graph_agents.verticals import load_vertical

    v = load_vertical("ecommerce")
    assert v.term("influence") == "purchasing influence"
    assert v.on_relations(["referred"]).term("influence") == "referral influence"
    # on any other mix, or with no relation named, the plain term stays
    assert v.on_relations(["referred", "purchased"]).term("influence") == "purchasing influence"
    assert v.on_relations([]).term("influence") == "purchasing influence"
    assert v.on_relations(["purchased"]) is v
