"""Each agent's deterministic core."""

import pytest

from graph_agents import algorithms
from graph_agents.models import CollectionInfo, EdgeDefinition, GraphSchema, Requirement, Requirements
from graph_agents.nodes.analyze_schema import EmptyGraphError, build_schema
from graph_agents.nodes.extract_requirements import parse_requirements
from graph_agents.nodes.generate_templates import plan_templates
from graph_agents.nodes.generate_use_cases import plan_use_cases
from graph_agents.selection import mentioned_collections, select_collections
from graph_agents.stores import LocalGraphStore
from graph_agents.verticals import load_vertical

DOC = """# Fraud review

Intro paragraph that states context only.

## Objectives
- Cut losses from organised fraud

## Requirements
1. (High priority) We must find rings of accounts sharing devices.
2. Analysts should see which accounts are most influential
   in the payment network.
- Nice to have: communities of merchants (low priority)

Also, the team needs to detect circular transfer cycles? The report is due in May.

## Stakeholders
- Head of Risk

## Constraints
- Results must stay on premises.
"""


def test_extract_requirements_markdown():
    out = parse_requirements([{"name": "doc.md", "text": DOC}])
    texts = [r.text for r in out.requirements]
    assert out.objectives == ["Cut losses from organised fraud"]
    assert out.stakeholders == ["Head of Risk"]
    # a date is a constraint, not an ask
    assert out.constraints == ["The report is due in May.", "Results must stay on premises."]
    assert texts[0] == "(High priority) We must find rings of accounts sharing devices."
    assert texts[1] == "Analysts should see which accounts are most influential in the payment network."  # wrapped line joined
    assert "Also, the team needs to detect circular transfer cycles?" in texts
    assert all("due in May" not in t for t in texts)
    by_text = {r.text: r for r in out.requirements}
    assert by_text[texts[0]].priority == "high" and by_text[texts[0]].kind == "must"
    assert by_text["Nice to have: communities of merchants (low priority)"].priority == "low"
    assert [r.id for r in out.requirements] == [f"REQ-{i:03d}" for i in range(1, len(texts) + 1)]


def test_extract_requirements_plain_text_and_empty():
    out = parse_requirements([{"name": "t", "text": "The system shall rank suppliers. Weather is nice."}])
    assert [r.text for r in out.requirements] == ["The system shall rank suppliers."]
    assert parse_requirements([]).requirements == []


SCHEMA = GraphSchema(
    collections=[
        CollectionInfo(name="customers", type="document", count=100, role="core"),
        CollectionInfo(name="devices", type="document", count=90, role="satellite"),
        CollectionInfo(name="products", type="document", count=50, role="core"),
        CollectionInfo(name="purchased", type="edge", count=300, role="edge"),
        CollectionInfo(name="uses_device", type="edge", count=120, role="edge"),
        CollectionInfo(name="referred", type="edge", count=80, role="edge"),
    ],
    edge_definitions=[
        EdgeDefinition(collection="purchased", from_collections=["customers"], to_collections=["products"]),
        EdgeDefinition(collection="uses_device", from_collections=["customers"], to_collections=["devices"]),
        EdgeDefinition(collection="referred", from_collections=["customers"], to_collections=["customers"]),
    ],
)


def test_mentions_and_collection_selection():
    assert mentioned_collections("customers sharing devices", SCHEMA) == ["customers", "devices", "uses_device"]
    assert mentioned_collections("the referral network", SCHEMA) == ["referred"]
    wcc, pr = algorithms.get("wcc"), algorithms.get("pagerank")
    # named edges win over other edges between the same collections (referred stays out)
    assert select_collections(wcc, SCHEMA, ["customers", "devices", "uses_device"]) == (["customers", "devices"], ["uses_device"])
    # nothing named: partitions on core collections, scores on everything
    assert select_collections(wcc, SCHEMA, []) == (["customers", "products"], ["purchased", "referred"])
    assert select_collections(pr, SCHEMA, []) == (["customers", "devices", "products"], ["purchased", "referred", "uses_device"])
    # only a vertex named: the edges touching it
    assert select_collections(pr, SCHEMA, ["products"]) == (["customers", "products"], ["purchased"])


def test_use_cases_map_intents_and_merge_duplicates():
    reqs = Requirements(requirements=[
        Requirement(id="REQ-001", text="Which products are most influential in purchased baskets?", priority="low"),
        Requirement(id="REQ-002", text="Rank the most important products in purchased baskets", priority="high"),
        Requirement(id="REQ-003", text="Find rings of customers sharing devices"),
        Requirement(id="REQ-004", text="Find customers who broker between groups in the referral network"),
        Requirement(id="REQ-005", text="The weather report is due on Monday."),
    ])
    ucs = plan_use_cases(reqs, SCHEMA, load_vertical("ecommerce"))
    by_algo = {u.algorithm: u for u in ucs}
    assert set(by_algo) == {"pagerank", "wcc", "betweenness"}
    assert by_algo["pagerank"].requirement_ids == ["REQ-001", "REQ-002"] and by_algo["pagerank"].priority == "high"
    assert ucs[0].algorithm == "pagerank" and ucs[0].id == "UC-001"  # high priority first
    assert "'rings'" in by_algo["wcc"].rationale and by_algo["wcc"].phrases == ["rings", "sharing devices"]


def test_discovery_use_cases_without_requirements():
    vertical = load_vertical("fraud")
    ucs = plan_use_cases(Requirements(), SCHEMA, vertical)
    assert [u.algorithm for u in ucs] == vertical.discovery and all(u.requirement_ids == [] for u in ucs)


def test_templates_params_within_catalog_and_limit():
    reqs = Requirements(requirements=[Requirement(id=f"REQ-{i}", text=t) for i, t in enumerate(
        ["most influential customers", "brokers between customers", "communities of customers"])])
    ucs = plan_use_cases(reqs, SCHEMA, load_vertical("generic"))
    templates = plan_templates(ucs, SCHEMA, None)
    assert [t.id for t in templates] == ["T-001", "T-002", "T-003"]
    for t in templates:
        assert algorithms.get(t.algorithm).validate_params(t.parameters) == t.parameters
        assert set(t.vertex_collections) <= {"customers", "devices", "products"}
    assert len(plan_templates(ucs, SCHEMA, 2)) == 2
    big = SCHEMA.model_copy(deep=True)
    big.collections[0].count = 1_000_000
    bt = next(t for t in plan_templates(ucs, big, None) if t.algorithm == "betweenness")
    assert bt.parameters["k"] > 0 and "sample" in bt.parameter_reasons["k"]


async def test_analyze_schema_on_demo(demo_dir, tmp_path):
    store = LocalGraphStore.from_directory(demo_dir / "data", results_dir=tmp_path)
    schema = await build_schema(store, load_vertical("ecommerce"))
    by = schema.by_name()
    assert schema.graph_name == "ecommerce"
    assert by["customers"].count == 2000 and by["purchased"].type == "edge"
    assert "name" in by["customers"].attributes
    assert by["customers"].role == "core" and by["categories"].role == "satellite"
    assert schema.degree.max > schema.degree.median > 0
    hinted = await build_schema(store, load_vertical("ecommerce"), core=["devices"], satellite=["customers"])
    assert hinted.by_name()["devices"].role == "core" and hinted.by_name()["customers"].role == "satellite"


async def test_analyze_schema_infers_edges_and_rejects_empty(tmp_path):
    d = tmp_path / "g"
    d.mkdir()
    (d / "a.jsonl").write_text('{"_key": "1"}\n{"_key": "2"}\n')
    (d / "e.jsonl").write_text('{"_from": "a/1", "_to": "a/2"}\n')
    schema = await build_schema(LocalGraphStore.from_directory(d), load_vertical("generic"))
    assert schema.edge_definitions == [EdgeDefinition(collection="e", from_collections=["a"], to_collections=["a"])]
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "a.jsonl").write_text("")
    with pytest.raises(EmptyGraphError):
        await build_schema(LocalGraphStore.from_directory(tmp_path / "empty"), load_vertical("generic"))
