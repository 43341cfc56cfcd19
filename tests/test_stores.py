import gzip
import json

import networkx as nx
import pytest

from graph_agents.stores import LocalGraphStore, StoreError, from_networkx


def _write_jsonl(path, docs):
    path.write_text("".join(json.dumps(d) + "\n" for d in docs))


def _dump_dir(tmp_path, wrapped=False, gz=False):
    d = tmp_path / "dump"
    d.mkdir()
    for name, ctype in (("people", 2), ("knows", 3), ("_graphs", 2)):
        (d / f"{name}.structure.json").write_text(json.dumps({"parameters": {"name": name, "type": ctype}}))
    people = [{"_key": "a", "name": "Ada"}, {"_key": "b", "name": "Bob"}, {"_key": "c"}]
    knows = [{"_key": "1", "_from": "people/a", "_to": "people/b"}, {"_key": "2", "_from": "people/b", "_to": "people/zz"}]
    graphs = [{"_key": "social", "edgeDefinitions": [{"collection": "knows", "from": ["people"], "to": ["people"]}]}]
    for name, docs in (("people", people), ("knows", knows), ("_graphs", graphs)):
        lines = [{"type": 2300, "data": x} for x in docs] if wrapped else docs
        if wrapped and name == "people":
            lines.append({"type": 2302, "data": {"_key": "gone"}})
        body = "".join(json.dumps(x) + "\n" for x in lines)
        if gz:
            with gzip.open(d / f"{name}_0123456789abcdef0123456789abcdef.data.json.gz", "wt") as fh:
                fh.write(body)
        else:
            (d / f"{name}.data.json").write_text(body)
    return d


async def _check_dump(store):
    metas = {m.name: (m.type, m.count) for m in await store.list_collections()}
    assert metas == {"people": ("document", 3), "knows": ("edge", 2)}
    name, defs = await store.named_graph()
    assert name == "social" and defs[0].collection == "knows"
    g = await store.load_graph(["people"], ["knows"])
    assert g.ids == ["people/a", "people/b", "people/c"]
    assert g.edges.tolist() == [[0, 1]]  # the dangling edge to people/zz is dropped
    assert await store.display_names(["people/a", "people/c"]) == {"people/a": "Ada"}


@pytest.mark.parametrize("wrapped,gz", [(False, False), (True, False), (False, True)])
async def test_arangodump_formats(tmp_path, wrapped, gz):
    await _check_dump(LocalGraphStore.from_directory(_dump_dir(tmp_path, wrapped, gz), results_dir=tmp_path / "r"))


async def test_jsonl_directory_and_graph_json(tmp_path):
    d = tmp_path / "j"
    d.mkdir()
    _write_jsonl(d / "users.jsonl", [{"_key": "u1"}, {"_key": "u2"}, {"_key": "u3"}])
    _write_jsonl(d / "follows.jsonl", [{"_from": "users/u1", "_to": "users/u2"}])
    _write_jsonl(d / "other.jsonl", [{"_key": "x"}])
    store = LocalGraphStore.from_directory(d, results_dir=tmp_path / "r")
    types = {m.name: m.type for m in await store.list_collections()}
    assert types == {"users": "document", "follows": "edge", "other": "document"}
    assert (await store.named_graph()) == (None, [])
    (d / "graph.json").write_text(json.dumps({"name": "g", "edge_definitions": [{"collection": "follows", "from": ["users"], "to": ["users"]}]}))
    scoped = LocalGraphStore.from_directory(d, results_dir=tmp_path / "r")
    assert {m.name for m in await scoped.list_collections()} == {"users", "follows"}  # the graph scopes it


async def test_results_are_per_run_and_template(tmp_path):
    store = from_networkx(nx.path_graph(3), results_dir=tmp_path / "r")
    a = await store.write_results("run1", "T-001", "rank", {"nodes/0": 0.5})
    b = await store.write_results("run2", "T-001", "rank", {"nodes/0": 0.7})
    c = await store.write_results("../../evil", "T-001", "rank", {"nodes/0": 1})
    assert a != b and await store.read_results(a) == {"nodes/0": 0.5} and await store.read_results(b) == {"nodes/0": 0.7}
    assert str(tmp_path / "r") in c and ".." not in c.replace(str(tmp_path), "")


async def test_from_networkx_keeps_collections(tmp_path):
    G = nx.DiGraph()
    G.add_node("people/a", name="Ada")
    G.add_node("people/b")
    G.add_node("x", kind="things")
    G.add_edge("people/a", "people/b", weight=2)
    G.add_edge("people/a", "x")
    store = from_networkx(G, collection_attribute="kind", results_dir=tmp_path)
    metas = {m.name: m.count for m in await store.list_collections()}
    assert metas == {"people": 2, "things": 1, "edges": 2}
    g = await store.load_graph(["people", "things"], ["edges"])
    assert len(g.edges) == 2


def test_bad_inputs(tmp_path):
    with pytest.raises(StoreError, match="not found"):
        LocalGraphStore.from_directory(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(StoreError, match="no collections"):
        LocalGraphStore.from_directory(tmp_path / "empty")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "a.jsonl").write_text('{"_key": "1"}\n{not json\n')
    with pytest.raises(StoreError, match=r"a.jsonl:2: invalid JSON"):
        LocalGraphStore.from_directory(bad)
    with pytest.raises(StoreError, match="named graph 'nope' not found"):
        LocalGraphStore.from_directory(_dump_dir(tmp_path), graph_name="nope")
