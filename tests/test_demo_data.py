"""The bundled demo graph: layout, ArangoDB conventions, determinism and the planted structures.

Each planted structure is checked with the analysis that should find it, run with igraph directly
on the JSON-lines files (not through the project's engines).
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import igraph as ig
import pytest

from graph_agents import algorithms
from graph_agents.demo import DEMO_REQUIREMENTS, ensure_demo, generate_demo

DOCUMENT_COLLECTIONS = {"customers", "products", "categories", "sellers", "devices"}
EDGE_COLLECTIONS = {"purchased", "belongs_to", "sold_by", "uses_device", "transfers", "referred"}
LPA_SEEDS = (0, 1, 2, 3, 4)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict:
    target = tmp_path_factory.mktemp("demo")
    started = time.perf_counter()
    assert generate_demo(target) == target
    elapsed = time.perf_counter() - started
    data = target / "data"
    docs = {
        p.stem: [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines()]
        for p in sorted(data.glob("*.jsonl"))
    }
    return {
        "dir": target,
        "elapsed": elapsed,
        "docs": docs,
        "graph": json.loads((data / "graph.json").read_text(encoding="utf-8")),
        "truth": json.loads((target / "ground_truth.json").read_text(encoding="utf-8")),
    }


def _graph(docs: dict, vertex_collections: list[str], edge_collections: list[str], directed: bool):
    ids = [d["_id"] for c in vertex_collections for d in docs[c]]
    index = {v: i for i, v in enumerate(ids)}
    edges = [
        (index[e["_from"]], index[e["_to"]])
        for c in edge_collections
        for e in docs[c]
        if e["_from"] in index and e["_to"] in index
    ]
    return ids, ig.Graph(n=len(ids), edges=edges, directed=directed)


def _files(root: Path) -> dict[str, bytes]:
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in files}


# ---- layout, conventions, determinism ---------------------------------------------------------


def test_generation_is_fast(demo):
    assert demo["elapsed"] < 2.0


def test_same_seed_gives_identical_files(demo, tmp_path):
    again = generate_demo(tmp_path / "again")
    assert _files(again) == _files(demo["dir"])
    other = generate_demo(tmp_path / "other", seed=8)
    assert _files(other)["data/purchased.jsonl"] != _files(demo["dir"])["data/purchased.jsonl"]


def test_layout(demo):
    root = demo["dir"]
    for name in ("requirements.md", "ground_truth.json", "VERSION", "data/graph.json"):
        assert (root / name).is_file(), name
    assert set(demo["docs"]) == DOCUMENT_COLLECTIONS | EDGE_COLLECTIONS
    graph = demo["graph"]
    assert graph["name"] == "ecommerce"
    defs = {d["collection"]: (d["from"], d["to"]) for d in graph["edge_definitions"]}
    assert defs == {
        "purchased": (["customers"], ["products"]),
        "belongs_to": (["products"], ["categories"]),
        "sold_by": (["products"], ["sellers"]),
        "uses_device": (["customers"], ["devices"]),
        "transfers": (["sellers"], ["sellers"]),
        "referred": (["customers"], ["customers"]),
    }


def test_arangodb_conventions(demo):
    docs = demo["docs"]
    defs = {d["collection"]: d for d in demo["graph"]["edge_definitions"]}
    all_ids = set()
    for name, rows in docs.items():
        assert rows, name
        keys = [d["_key"] for d in rows]
        assert len(set(keys)) == len(keys), f"duplicate keys in {name}"
        for d in rows:
            assert d["_id"] == f"{name}/{d['_key']}"
        is_edge = ["_from" in d and "_to" in d for d in rows]
        assert all(is_edge) or not any(is_edge), name
        assert all(is_edge) == (name in EDGE_COLLECTIONS), name
        all_ids.update(d["_id"] for d in rows)
    for name in EDGE_COLLECTIONS:
        for e in docs[name]:
            assert e["_from"] in all_ids and e["_to"] in all_ids, e
            assert e["_from"].split("/")[0] in defs[name]["from"], e
            assert e["_to"].split("/")[0] in defs[name]["to"], e
            assert e["_from"] != e["_to"], e


def test_documents_look_real(demo):
    docs = demo["docs"]
    c = docs["customers"][0]
    assert {"name", "email", "city", "segment", "signup_date"} <= set(c)
    assert len(c["name"].split()) == 2 and "@" in c["email"]
    p = docs["products"][0]
    assert {"name", "category", "price"} <= set(p) and p["price"] > 0
    assert {d["name"] for d in docs["categories"]} == {p["category"] for p in docs["products"]}
    assert all({"name", "country"} <= set(s) for s in docs["sellers"])
    assert all({"name", "fingerprint", "type"} <= set(d) for d in docs["devices"])
    assert all({"quantity", "amount", "date"} <= set(e) for e in docs["purchased"])
    assert all({"amount", "date"} <= set(e) for e in docs["transfers"])
    assert len({p["name"] for p in docs["products"]}) == len(docs["products"])


def test_sizes(demo):
    counts = {name: len(rows) for name, rows in demo["docs"].items()}
    assert demo["truth"]["collections"] == counts
    assert 5_000 <= sum(counts.values()) <= 20_000
    expected = {
        "customers": (1800, 2200), "products": (350, 450), "categories": (15, 25),
        "sellers": (50, 70), "devices": (1900, 2500), "purchased": (5000, 10000),
        "uses_device": (2000, 2600), "transfers": (120, 180), "referred": (1200, 1800),
        "belongs_to": (350, 450), "sold_by": (350, 450),
    }
    for name, (lo, hi) in expected.items():
        assert lo <= counts[name] <= hi, (name, counts[name])


# ---- the planted structures -------------------------------------------------------------------


def test_influential_products_top_pagerank(demo):
    ids, g = _graph(demo["docs"], ["customers", "products"], ["purchased"], directed=True)
    rank = g.pagerank(damping=0.85, directed=True)
    top = sorted(range(len(ids)), key=lambda i: -rank[i])[:5]
    planted = demo["truth"]["influential_products"]
    assert len(planted) == 5
    assert {ids[i] for i in top} == set(planted)


def test_copurchase_communities_found_by_label_propagation(demo):
    truth = demo["truth"]
    communities = truth["copurchase_communities"]
    assert len(communities) == 5
    community_of = {c: k for k, members in enumerate(communities) for c in members}
    assert len(community_of) == sum(len(m) for m in communities)  # disjoint

    # products are partitioned per community; customers buy mostly from their own community
    influential = set(truth["influential_products"])
    buyers: dict[str, list[int]] = {}
    for e in demo["docs"]["purchased"]:
        if e["_to"] not in influential:
            buyers.setdefault(e["_to"], []).append(community_of[e["_from"]])
    product_home = {p: max(set(ks), key=ks.count) for p, ks in buyers.items()}
    for k in range(len(communities)):
        own = total = 0
        for e in demo["docs"]["purchased"]:
            if e["_to"] in product_home and community_of[e["_from"]] == k:
                total += 1
                own += product_home[e["_to"]] == k
        assert own / total >= 0.85, (k, own / total)

    ids, g = _graph(demo["docs"], ["customers", "products"], ["purchased"], directed=False)
    customers = [i for i, v in enumerate(ids) if v in community_of]
    planted = [community_of[ids[i]] for i in customers]
    state = random.getstate()
    try:
        for seed in LPA_SEEDS:
            random.seed(seed)  # igraph draws from Python's random module
            membership = g.community_label_propagation().membership
            found = [membership[i] for i in customers]
            nmi = ig.compare_communities(planted, found, method="nmi")
            assert nmi >= 0.7, (seed, nmi)
    finally:
        random.setstate(state)


def test_device_ring_is_largest_wcc(demo):
    truth = demo["truth"]
    ring, shared = truth["device_ring"], truth["shared_devices"]
    assert 8 <= len(ring) <= 12 and 3 <= len(shared) <= 4
    ids, g = _graph(demo["docs"], ["customers", "devices"], ["uses_device"], directed=False)
    components = sorted(g.connected_components(mode="weak"), key=len, reverse=True)
    assert {ids[i] for i in components[0]} == set(ring) | set(shared)
    assert len(components[1]) <= 4
    # every ring member uses exactly two of the shared devices
    for cid in ring:
        used = [e["_to"] for e in demo["docs"]["uses_device"] if e["_from"] == cid]
        assert len(used) == 2 and set(used) <= set(shared)


def test_seller_cycle_is_only_nontrivial_scc(demo):
    cycle = demo["truth"]["seller_cycle"]
    assert 5 <= len(cycle) <= 6
    ids, g = _graph(demo["docs"], ["sellers"], ["transfers"], directed=True)
    nontrivial = [c for c in g.connected_components(mode="strong") if len(c) > 1]
    assert len(nontrivial) == 1
    assert {ids[i] for i in nontrivial[0]} == set(cycle)
    transfers = {(e["_from"], e["_to"]) for e in demo["docs"]["transfers"]}
    for a, b in zip(cycle, cycle[1:] + cycle[:1]):
        assert (a, b) in transfers


def test_broker_tops_betweenness(demo):
    truth = demo["truth"]
    broker = truth["broker"]
    assert broker not in truth["device_ring"]
    ids, g = _graph(demo["docs"], ["customers"], ["referred"], directed=False)
    score = g.betweenness(directed=False)
    ranked = sorted(range(len(ids)), key=lambda i: -score[i])
    assert ids[ranked[0]] == broker
    assert score[ranked[0]] > 1.5 * score[ranked[1]]
    # the broker's referrals reach two or more communities, and no other referral crosses them
    community_of = {c: k for k, m in enumerate(truth["copurchase_communities"]) for c in m}
    reached = set()
    for e in demo["docs"]["referred"]:
        a, b = e["_from"], e["_to"]
        if broker in (a, b):
            reached.add(community_of[b if a == broker else a])
        else:
            assert community_of[a] == community_of[b], e
    assert len(reached) >= 2


def test_ground_truth_descriptions(demo):
    truth = demo["truth"]
    planted = ["influential_products", "copurchase_communities", "device_ring",
               "shared_devices", "seller_cycle", "broker"]
    for item in planted:
        assert isinstance(truth["description"][item], str) and truth["description"][item]
    assert isinstance(truth["broker"], str) and truth["broker"].startswith("customers/")


# ---- requirements -----------------------------------------------------------------------------


def test_requirements_document(demo):
    text = (demo["dir"] / "requirements.md").read_text(encoding="utf-8")
    assert text == DEMO_REQUIREMENTS
    assert text.startswith("# ") and "Northwind Market" in text
    for section in ("Objectives", "Requirements", "Stakeholders", "Constraints"):
        assert f"## {section}" in text
    body = text.split("## Requirements", 1)[1].split("\n## ", 1)[0]
    items = [line for line in body.splitlines() if line[:1].isdigit()]
    assert len(items) == 5
    expected = [
        ("pagerank", ("products", "customers", "purchased")),
        ("label_propagation", ("communities", "customers", "products", "purchased")),
        ("wcc", ("customers", "devices", "sharing")),
        ("scc", ("transfers", "sellers", "cycle")),
        ("betweenness", ("referr", "customers", "broker")),
    ]
    for item, (algorithm, words) in zip(items, expected):
        low = item.lower()
        assert "must" in low or "should" in low, item
        assert "priority" in low, item
        for word in words:
            assert word in low, (word, item)
        assert algorithms.match(item)[0][0] == algorithm, (item, algorithms.match(item))


# ---- ensure_demo ------------------------------------------------------------------------------


def test_ensure_demo_generates_once_and_on_version_change(tmp_path):
    target = tmp_path / "demo"
    assert ensure_demo(target) == target
    assert (target / "data" / "graph.json").is_file()
    requirements = target / "requirements.md"
    requirements.write_text("edited", encoding="utf-8")
    ensure_demo(target)
    assert requirements.read_text(encoding="utf-8") == "edited"  # current: left alone
    (target / "VERSION").write_text("an older generator\n", encoding="utf-8")
    (target / "data" / "stale.jsonl").write_text("{}\n", encoding="utf-8")
    ensure_demo(target)
    assert requirements.read_text(encoding="utf-8") == DEMO_REQUIREMENTS
    assert not (target / "data" / "stale.jsonl").exists()


def test_ensure_demo_default_location(tmp_path, monkeypatch):
    monkeypatch.setenv("GRAPH_AGENTS_HOME", str(tmp_path / "home"))
    assert ensure_demo() == tmp_path / "home" / "demo"
    assert (tmp_path / "home" / "demo" / "ground_truth.json").is_file()
    monkeypatch.delenv("GRAPH_AGENTS_HOME")
    monkeypatch.chdir(tmp_path)
    assert ensure_demo().resolve() == (tmp_path / ".graph_agents" / "demo").resolve()
