"""The columnar local reader: correctness on the arrays, and hostile files refused as input errors."""

import gzip
import json
import os

import numpy as np
import pytest

from graph_agents.stores import LocalGraphStore, StoreError
from graph_agents.stores.base import VertexValues

MD5 = "0123456789abcdef0123456789abcdef"


@pytest.fixture(autouse=True, params=["strict", "fast"])
def reader(request, monkeypatch):
    """Every case twice: through the strict line reader, and through polars' fast path (taken at
    any size here), which must give the same columns or hand the input to the strict reader."""
    from graph_agents.stores import frames

    monkeypatch.setattr(frames, "FAST_MIN_BYTES", 1 << 62 if request.param == "strict" else 0)
    return request.param


def _jsonl(path, docs, prefix=b""):
    path.write_bytes(prefix + "".join(json.dumps(d) + "\n" for d in docs).encode())


def _structure(d, name, ctype):
    (d / f"{name}.structure.json").write_text(json.dumps({"parameters": {"name": name, "type": ctype}}))


def _graph_dir(tmp_path):
    d = tmp_path / "g"
    d.mkdir()
    _jsonl(d / "people.jsonl", [{"_key": f"p{i}", "name": f"P{i}", "team": "ab"[i % 2]} for i in range(6)])
    _jsonl(d / "knows.jsonl", [{"_from": f"people/p{i}", "_to": f"people/p{(i + 1) % 6}"} for i in range(6)]
           + [{"_from": "people/p0", "_to": "ghosts/g1"}])
    return d


async def test_columns_ids_edges_degrees_and_attributes_by_name(tmp_path):
    store = LocalGraphStore.from_directory(_graph_dir(tmp_path), results_dir=tmp_path / "r")
    g = await store.load_graph(["people"], ["knows"], ("team",))
    assert g.ids == [f"people/p{i}" for i in range(6)]
    assert isinstance(g.edges, np.ndarray) and g.edges.tolist() == [[i, (i + 1) % 6] for i in range(6)]
    assert g.attributes == {"team": list("ababab")}  # read again by name, in vertex order
    # the dangling end counts for degrees as before: p0 has 3, ghosts/g1 has 1, the others 2
    stats = await store.degree_stats(["knows"])
    assert stats.max == 3 and stats.mean == round(14 / 7, 3)
    assert (await store.load_graph(["people"], ["knows"])).edges is g.edges  # one graph, shared
    assert await store.display_names(["people/p1", "ghosts/g1"]) == {"people/p1": "P1"}
    sample = await store.sample("people", 3)
    assert [d["_id"] for d in sample] == ["people/p0", "people/p2", "people/p4"]  # spread, with ids


async def test_samples_are_spread_over_a_long_collection(tmp_path):
    d = tmp_path / "big"
    d.mkdir()
    _jsonl(d / "items.jsonl", [{"_key": f"k{i}"} for i in range(5000)])
    store = LocalGraphStore.from_directory(d, results_dir=tmp_path / "r")
    rows = [int(doc["_key"][1:]) for doc in await store.sample("items", 100)]
    assert len(rows) == 100 and rows[0] == 0 and rows[-1] > 4500 and rows == sorted(rows)


async def test_results_round_trip_as_columns(tmp_path):
    store = LocalGraphStore.from_directory(_graph_dir(tmp_path), results_dir=tmp_path / "r")
    ids = ["people/p0", "people/p1", "people/p2"]
    scores = VertexValues(ids, scores=np.array([0.5, 0.25, 0.25]))
    parts = VertexValues(ids, codes=np.array([1, 0, -1]), labels=["a", "b"])
    lists = VertexValues(ids, objects=[["x"], [], ["x", "y"]])
    for values in (scores, parts, lists, {"people/p0": 3}):
        where = await store.write_results("run", "T-1", "field", values)
        back = await store.read_results(where)
        assert isinstance(back, VertexValues) and dict(back.items()) == dict(values.items())
    assert json.loads(open(where).read())["ids"] == ["people/p0"]  # one object of columns, not a line per vertex
    assert dict((await store.read_results(await store.write_results("run", "T-2", "f", parts))).items()) == {
        "people/p0": "b", "people/p1": "a", "people/p2": None}


def test_duplicate_keys_across_dump_files_are_refused(tmp_path):
    d = tmp_path / "dump"
    d.mkdir()
    _structure(d, "customers", 2)
    docs = [{"_key": f"c{i}"} for i in range(10)]
    _jsonl(d / "customers.data.json", docs)
    with gzip.open(d / f"customers_{MD5}.data.json.gz", "wt") as fh:
        fh.write("".join(json.dumps(x) + "\n" for x in docs))
    with pytest.raises(StoreError, match=r"customers_.*\.data\.json\.gz:1: invalid or duplicate _key 'c0': already in collection 'customers'"):
        LocalGraphStore.from_directory(d)


def test_duplicate_edge_keys_are_refused(tmp_path):
    d = tmp_path / "e"
    d.mkdir()
    _jsonl(d / "v.jsonl", [{"_key": "a"}])
    _jsonl(d / "e.jsonl", [{"_key": "1", "_from": "v/a", "_to": "v/a"}, {"_key": "1", "_from": "v/a", "_to": "v/a"}])
    with pytest.raises(StoreError, match=r"e.jsonl:2: invalid or duplicate _key '1': already"):
        LocalGraphStore.from_directory(d)


@pytest.mark.parametrize("kind", ["fifo", "dev_zero", "directory"])
def test_only_regular_files_are_read(tmp_path, kind):
    d = tmp_path / "x"
    d.mkdir()
    _jsonl(d / "v.jsonl", [{"_key": "a"}])
    target = d / "w.jsonl"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "dev_zero":
        target.symlink_to("/dev/zero")
    else:
        target.mkdir()
    with pytest.raises(StoreError, match=r"w.jsonl: not a regular file"):
        LocalGraphStore.from_directory(d)


def test_a_line_without_end_is_refused_not_buffered(tmp_path, monkeypatch):
    from graph_agents.stores import columns

    monkeypatch.setattr(columns, "MAX_LINE", 1000)
    monkeypatch.setattr(columns, "_CHUNK", 256)
    d = tmp_path / "long"
    d.mkdir()
    (d / "v.jsonl").write_bytes(b'{"_key": "a"}\n{"_key": "' + b"x" * 5000 + b'"}\n')
    with pytest.raises(StoreError, match=r"v.jsonl:2: a line longer than"):
        LocalGraphStore.from_directory(d)


async def test_a_utf8_bom_is_accepted(tmp_path):
    d = tmp_path / "bom"
    d.mkdir()
    _jsonl(d / "v.jsonl", [{"_key": "a"}, {"_key": "b"}], prefix=b"\xef\xbb\xbf")
    (d / "graph.json").write_bytes(b"\xef\xbb\xbf" + json.dumps({"name": "g", "edge_definitions": []}).encode())
    store = LocalGraphStore.from_directory(d)
    assert [m.count for m in await store.list_collections()] == [2]


@pytest.mark.parametrize("line,message", [
    ('{"_key": "a", "v": NaN}', "invalid JSON"),
    ('{"_key": "a", "v": Infinity}', "invalid JSON"),
    ('{"_key": {"x": 1}}', "invalid or duplicate _key"),
    ('{"_key": 7}', "invalid or duplicate _key"),
    ('{"_key": true}', "invalid or duplicate _key"),
    ('{"_key": "a/b"}', "invalid or duplicate _key"),
    ('{"_key": ""}', "invalid or duplicate _key"),
    ('{"_key": "a", "deep": ' + "[" * 100_000 + "]" * 100_000 + "}", "invalid JSON"),
    ('[1, 2]', "expected a JSON object"),
    ('"text"', "expected a JSON object"),
    ('{"_key": "\xff"}', None),  # not UTF-8 once written as latin-1 below
])
def test_bad_documents_name_file_and_line(tmp_path, line, message):
    d = tmp_path / "bad"
    d.mkdir()
    body = '{"_key": "ok"}\n' + line + "\n"
    (d / "v.jsonl").write_bytes(body.encode("latin-1") if message is None else body.encode())
    with pytest.raises(StoreError, match=rf"v.jsonl:2: {message or 'invalid JSON'}"):
        LocalGraphStore.from_directory(d)


def test_corrupt_gzip_is_an_input_error(tmp_path):
    d = tmp_path / "gz"
    d.mkdir()
    data = bytearray(gzip.compress(b"".join(b'{"_key": "k%d"}\n' % i for i in range(2000))))
    data[30:60] = b"\x00" * 30  # corrupt deflate data inside a valid gzip header (zlib.error)
    (d / "v.jsonl.gz").write_bytes(bytes(data))
    with pytest.raises(StoreError, match=r"v.jsonl.gz"):
        LocalGraphStore.from_directory(d)
    (d / "v.jsonl.gz").write_bytes(b"not gzip at all")
    with pytest.raises(StoreError, match=r"v.jsonl.gz: cannot read"):
        LocalGraphStore.from_directory(d)


@pytest.mark.parametrize("structure", [[1, 2], {"parameters": [1]}, {"parameters": {"name": "v", "type": "2"}}, "x"])
def test_bad_structures_are_input_errors(tmp_path, structure):
    d = tmp_path / "s"
    d.mkdir()
    (d / "v.structure.json").write_text(json.dumps(structure))
    _jsonl(d / "v.data.json", [{"_key": "a"}])
    with pytest.raises(StoreError, match=r"v.structure.json: expected parameters.name and parameters.type 2 or 3"):
        LocalGraphStore.from_directory(d)


def test_structure_type_must_match_the_documents(tmp_path):
    d = tmp_path / "t"
    d.mkdir()
    _structure(d, "v", 2)
    _jsonl(d / "v.data.json", [{"_key": "a"}])
    _structure(d, "links", 2)  # documents with both ends, declared a document collection
    _jsonl(d / "links.data.json", [{"_key": "1", "_from": "v/a", "_to": "v/a"}])
    with pytest.raises(StoreError, match=r"links.structure.json: type 2 \(document collection\) but its documents carry _from and _to"):
        LocalGraphStore.from_directory(d)
    _structure(d, "links", 3)  # and an edge collection whose documents lack them
    _jsonl(d / "links.data.json", [{"_key": "1", "name": "no ends"}])
    with pytest.raises(StoreError, match=r"links.data.json:1: an edge needs _from and _to"):
        LocalGraphStore.from_directory(d)


@pytest.mark.parametrize("spec,ok", [
    ({"name": "g", "edge_definitions": None}, False),
    ({"name": "g", "edge_definitions": "knows"}, False),
    ({"name": "g", "edge_definitions": [{"collection": "knows", "from": 3, "to": ["people"]}]}, False),
    ({"name": "g", "edge_definitions": [None]}, False),
    ([], False),
    ({"name": "g", "edge_definitions": [{"collection": "knows", "from": "people", "to": "people"}]}, True),
])
async def test_graph_json_shapes(tmp_path, spec, ok):
    d = _graph_dir(tmp_path)
    (d / "graph.json").write_text(json.dumps(spec))
    if not ok:
        with pytest.raises(StoreError, match=r"graph.json|bad edge definition"):
            LocalGraphStore.from_directory(d)
        return
    _, defs = await LocalGraphStore.from_directory(d).named_graph()
    assert defs[0].from_collections == ["people"] and defs[0].to_collections == ["people"]  # not letters


async def test_graph_agents_own_collections_are_not_the_users_graph(tmp_path):
    d = _graph_dir(tmp_path)
    _jsonl(d / "ga_results_run_t1.jsonl", [{"_key": "x", "id": "people/p0", "rank": 1}])
    _jsonl(d / "ga_catalog_runs.jsonl", [{"_key": "r"}])
    names = {m.name for m in await LocalGraphStore.from_directory(d).list_collections()}
    assert names == {"people", "knows"}
    dump = tmp_path / "dump"
    dump.mkdir()
    _structure(dump, "people", 2)
    _jsonl(dump / "people.data.json", [{"_key": "a"}])
    _structure(dump, "ga_catalog_lineage", 3)
    _jsonl(dump / "ga_catalog_lineage.data.json", [{"_from": "x/1", "_to": "y/2"}])
    assert {m.name for m in await LocalGraphStore.from_directory(dump).list_collections()} == {"people"}


def test_a_graph_over_the_memory_budget_is_refused_before_loading(tmp_path, monkeypatch):
    d = _graph_dir(tmp_path)
    monkeypatch.setenv("GRAPH_AGENTS_MEMORY_MB", "0.001")
    with pytest.raises(StoreError, match=r"needs about .* GiB of memory .* budget; set GRAPH_AGENTS_MEMORY_MB"):
        LocalGraphStore.from_directory(d)
    monkeypatch.setenv("GRAPH_AGENTS_MEMORY_MB", "lots")
    with pytest.raises(StoreError, match=r"GRAPH_AGENTS_MEMORY_MB='lots'"):
        LocalGraphStore.from_directory(d)
    monkeypatch.setenv("GRAPH_AGENTS_MEMORY_MB", "4096")
    assert LocalGraphStore.from_directory(d).columns["knows"].count == 7


def _columns(store):
    return (store.vertices.ids, store.vertices.names,
            {n: (c.type, c.start, c.stop, c.src.tolist(), c.dst.tolist()) for n, c in store.columns.items()})


@pytest.mark.parametrize("gz", [False, True])
def test_the_fast_path_reads_what_the_strict_reader_reads(tmp_path, monkeypatch, gz):
    from graph_agents.stores import frames

    monkeypatch.setattr(frames, "FAST_MIN_BYTES", 0)
    d = tmp_path / "g"
    d.mkdir()
    people = [{"_key": f"p{i}", "name": ["", f"P{i}", None, 7][i % 4], "title": "T", "n": i} for i in range(300)]
    knows = [{"_key": f"k{i}", "_from": f"people/p{i}", "_to": f"people/p{(i * 7) % 300}"} for i in range(300)]
    knows += [{"_key": "x1", "_from": "ghosts/g2", "_to": "people/p1"}, {"_key": "x2", "_from": "people/p0", "_to": "ghosts/g1"},
              {"_key": "x3", "_from": "ghosts/g1", "_to": "ghosts/g2"}]
    likes = [{"_from": "ghosts/g1", "_to": "people/p3"}, {"_from": "people/p4", "_to": "ghosts/g9"}]
    for name, docs in (("people", people), ("knows", knows), ("likes", likes)):
        body = "".join(json.dumps(x) + "\n" for x in docs).encode()
        (d / f"{name}.jsonl{'.gz' if gz else ''}").write_bytes(gzip.compress(body) if gz else body)
    taken = []
    real = frames.place
    monkeypatch.setattr(frames, "place", lambda *a: taken.append(real(*a)) or taken[-1])
    fast = LocalGraphStore.from_directory(d)
    assert taken == [True, True, True]  # every collection through polars
    monkeypatch.setattr(frames, "FAST_MIN_BYTES", 1 << 62)
    strict = LocalGraphStore.from_directory(d)
    assert _columns(fast) == _columns(strict)
    assert fast.vertices.ids[300:] == ["ghosts/g2", "ghosts/g1", "ghosts/g9"]  # dangling, first seen first
    rows = [row for row, _ in fast.columns["people"].sample.items]
    assert rows[0] == 0 and rows == sorted(rows) and all(doc["n"] == row for row, doc in fast.columns["people"].sample.items)


@pytest.mark.parametrize("body,message", [
    (b'{"_key": "a"}\n{"_key": 7}\n', "v.jsonl:2: invalid or duplicate _key 7"),  # polars would read "7"
    (b'{"_key": "a"}\n{"\\u005fkey": 7}\n', "v.jsonl:2: invalid or duplicate _key 7"),
    (b'{"_key": "a"}\n{"_key": "a"}\n', "v.jsonl:2: invalid or duplicate _key 'a'"),
    (b'{"_key": "a"}\n{"type": 2300, "data": {"_key": "a"}}\n', "v.jsonl:2: invalid or duplicate _key 'a'"),
    (b'{"_key": "a"}\n{"name": "no key", "_key": null}\n', None),  # the row number as key, as before
])
def test_the_fast_path_hands_doubtful_input_to_the_strict_reader(tmp_path, body, message):
    d = tmp_path / "b"
    d.mkdir()
    (d / "v.jsonl").write_bytes(body)
    if message is None:
        assert LocalGraphStore.from_directory(d).vertices.ids == ["v/a", "v/1"]
        return
    with pytest.raises(StoreError, match=message):
        LocalGraphStore.from_directory(d)


def test_a_large_read_reports_progress_by_collection(tmp_path, monkeypatch):
    from graph_agents.stores import local

    monkeypatch.setattr(local, "PROGRESS_BYTES", 1)
    events = []
    LocalGraphStore.from_directory(_graph_dir(tmp_path), on_progress=events.append)
    assert {e["task"] for e in events} == {"load-graph"} and events[0]["label"] == "loading people"
    assert events[-1]["done"] == events[-1]["total"] and {e["unit"] for e in events} == {"bytes"}
    assert events[-1]["label"] == "loading knows" and events[-1]["total"] > 0
    assert [e["done"] for e in events] == sorted(e["done"] for e in events)


def test_a_graph_of_edges_alone_takes_its_vertices_from_the_ends(tmp_path):
    d = tmp_path / "e"
    d.mkdir()
    _jsonl(d / "links.jsonl", [{"_from": "a/1", "_to": "a/2"}, {"_from": "a/2", "_to": "b/3"}, {"_from": "b/3", "_to": "a/1"}])
    store = LocalGraphStore.from_directory(d)
    assert store.vertices.ids == ["a/1", "a/2", "b/3"] and store.vertices.documents == 0
    links = store.columns["links"]
    assert links.src.tolist() == [0, 1, 2] and links.dst.tolist() == [1, 2, 0]
