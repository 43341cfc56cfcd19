"""The fast reader reads only the columns a collection can hold: what it leaves out must never
change what is read (the strict reader is the reference), and its hash table must say unsure,
never wrong."""

import json

import numpy as np
import pytest

from graph_agents.stores import LocalGraphStore, StoreError, frames


def _write(path, docs):
    path.write_text("".join(json.dumps(d, separators=(",", ":")) + "\n" for d in docs))


def _both(d, monkeypatch):
    """The store read by the fast path (asserting it took every collection) and by the strict one."""
    taken = []
    real = frames.place
    monkeypatch.setattr(frames, "place", lambda *a: taken.append(real(*a)) or taken[-1])
    monkeypatch.setattr(frames, "FAST_MIN_BYTES", 0)
    fast = LocalGraphStore.from_directory(d)
    monkeypatch.setattr(frames, "FAST_MIN_BYTES", 1 << 62)
    strict = LocalGraphStore.from_directory(d)
    return fast, strict, taken


def _same(fast, strict):
    assert fast.vertices.ids == strict.vertices.ids
    assert fast.vertices.names == strict.vertices.names
    for name, c in fast.columns.items():
        s = strict.columns[name]
        assert (c.start, c.stop, c.src.tolist(), c.dst.tolist()) == (s.start, s.stop, s.src.tolist(), s.dst.tolist())


def test_names_of_documents_the_sample_missed_come_from_the_later_attributes(tmp_path, monkeypatch):
    d = tmp_path / "g"
    d.mkdir()
    docs = [{"_key": f"p{i}", "name": f"N{i}"} for i in range(2000)]
    docs[1001] = {"_key": "p1001", "title": "only a title"}  # not sampled: read by the second parse
    docs[1003] = {"_key": "p1003", "name": "  ", "label": "blank name"}
    _write(d / "people.jsonl", docs)
    fast, strict, taken = _both(d, monkeypatch)
    assert taken == [True]
    _same(fast, strict)
    assert fast.vertices.names[1001] == "only a title" and fast.vertices.names[1003] == "blank name"


def test_a_name_the_sample_missed_still_comes_before_the_title(tmp_path, monkeypatch):
    d = tmp_path / "g"
    d.mkdir()
    docs = [{"_key": f"p{i}", "title": f"T{i}"} for i in range(2000)]
    docs[1001] = {"_key": "p1001", "title": "T", "name": "the name"}
    _write(d / "people.jsonl", docs)
    fast, strict, taken = _both(d, monkeypatch)
    assert taken == [True]
    _same(fast, strict)
    assert fast.vertices.names[1001] == "the name"


def test_a_data_object_without_type_stays_on_the_fast_path(tmp_path, monkeypatch):
    d = tmp_path / "g"
    d.mkdir()
    _write(d / "people.jsonl", [{"_key": f"p{i}", "name": f"N{i}", "data": {"x": i}} for i in range(50)])
    _write(d / "knows.jsonl", [{"_from": f"people/p{i}", "_to": f"people/p{i + 1}", "data": {"w": 1}} for i in range(49)])
    fast, strict, taken = _both(d, monkeypatch)
    assert taken == [True, True]
    _same(fast, strict)


def test_an_envelope_far_into_an_edge_file_goes_to_the_strict_reader(tmp_path, monkeypatch):
    d = tmp_path / "g"
    d.mkdir()
    _write(d / "people.jsonl", [{"_key": f"p{i}"} for i in range(3)])
    edges = [{"_from": "people/p0", "_to": "people/p1"}] * 3000
    edges[2001] = {"type": 2300, "data": {"_from": "people/p1", "_to": "people/p2"}, "_from": "people/p0", "_to": "people/p1"}
    _write(d / "knows.jsonl", edges)
    fast, strict, taken = _both(d, monkeypatch)
    assert taken == [True]  # the edges: unsure, never placed, read strictly
    _same(fast, strict)
    assert fast.columns["knows"].src[2001] == 1  # the envelope's own edge


def test_an_id_far_into_an_unkeyed_edge_file_is_checked(tmp_path, monkeypatch):
    d = tmp_path / "g"
    d.mkdir()
    _write(d / "people.jsonl", [{"_key": f"p{i}"} for i in range(2)])
    edges = [{"_from": "people/p0", "_to": "people/p1"} for _ in range(3000)]
    edges[2001]["_id"] = edges[2501]["_id"] = "knows/e1"  # one key twice: the strict reader's error
    _write(d / "knows.jsonl", edges)
    monkeypatch.setattr(frames, "FAST_MIN_BYTES", 0)
    with pytest.raises(StoreError, match=r"knows.jsonl:2502: invalid or duplicate _key 'e1'"):
        LocalGraphStore.from_directory(d)


@pytest.mark.parametrize("value", ["true", "[1]", '{"a": 1}', "-2"])
def test_a_key_that_is_no_string_is_found_among_string_keys(tmp_path, monkeypatch, value):
    d = tmp_path / "g"
    d.mkdir()
    body = "".join(f'{{"_key":"k{i}"}}\n' for i in range(2000)) + f'{{"_key":{value}}}\n'
    (d / "v.jsonl").write_text(body)
    monkeypatch.setattr(frames, "FAST_MIN_BYTES", 0)
    with pytest.raises(StoreError, match=r"v.jsonl:2001: invalid or duplicate _key"):
        LocalGraphStore.from_directory(d)


def test_an_escaped_field_name_is_never_called_absent(tmp_path):
    path = tmp_path / "e.jsonl"
    path.write_bytes(b'{"_from":"a/1","_to":"a/2","name":"caf\\u00e9"}\n')
    buf = frames._Buffer(path)
    try:
        buf.check()
        assert not buf.lacks("zzz")  # a backslash: no byte is proved absent
    finally:
        buf.close()
    path.write_bytes(b'{"_from":"a/1","_to":"a/2"}\n')
    buf = frames._Buffer(path)
    try:
        buf.check()
        assert buf.lacks("_key") and buf.lacks("_id") and not buf.lacks("_to")
    finally:
        buf.close()


def test_the_hash_index_finds_every_key_and_nothing_else(monkeypatch):
    monkeypatch.setattr(frames, "_QUERY_CHUNK", 1000)  # several chunks
    rng = np.random.default_rng(7)
    keys = rng.integers(0, 2**63, 5000, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    confirm = rng.integers(0, 2**63, 5000, dtype=np.uint64)
    index = frames._HashIndex(keys, confirm)
    queries = np.concatenate([keys[::-1], keys[:100] + np.uint64(1), np.zeros(3, dtype=np.uint64)])
    found = index.find(queries, np.concatenate([confirm[::-1], np.zeros(103, dtype=np.uint64)]))
    assert found[:5000].tolist() == list(range(4999, -1, -1))
    assert (found[5000:] == -1).all()
    with pytest.raises(frames._Unsure):  # a match the second hash contradicts: a collision
        index.find(keys[:1], confirm[:1] + np.uint64(1))
    assert frames._HashIndex(keys[:0], confirm[:0]).find(keys, confirm).tolist() == [-1] * 5000


def test_the_hash_index_says_unsure_on_equal_or_crafted_hashes():
    with pytest.raises(frames._Unsure):
        frames._HashIndex(np.array([5, 9, 5], dtype=np.uint64) << np.uint64(40), np.zeros(3, dtype=np.uint64))  # one hash twice
    with pytest.raises(frames._Unsure):
        frames._HashIndex(np.arange(1, 200, dtype=np.uint64), np.zeros(199, dtype=np.uint64))  # all in slot 0: too long a run


async def test_display_names_come_from_the_fast_readers_column_without_a_list_of_all(tmp_path, monkeypatch):
    d = tmp_path / "g"
    d.mkdir()
    _write(d / "people.jsonl", [{"_key": f"p{i}", "name": f"N{i}"} for i in range(40)] + [{"_key": "x"}])
    _write(d / "knows.jsonl", [{"_from": "people/p1", "_to": "ghosts/g1"}])
    monkeypatch.setattr(frames, "FAST_MIN_BYTES", 0)
    store = LocalGraphStore.from_directory(d)
    assert await store.display_names(["people/p7", "people/x", "ghosts/g1", "nobody/n"]) == {"people/p7": "N7"}
    assert all(type(part) is not list for part in store.vertices._name_parts)  # still polars' column
    assert store.vertices.documents == 41 and store.vertices.names[-2:] == ["N39", None]


def test_ends_the_sample_missed_are_found_outside_the_collection_the_sample_named(tmp_path, monkeypatch):
    # (60000 edges: the sample, 1 in ~120, misses these three) the sampled _to all name products, so products' own table is asked first; ends into people
    # and ends naming no document must still be found as the strict reader finds them
    d = tmp_path / "g"
    d.mkdir()
    _write(d / "people.jsonl", [{"_key": f"c{i}"} for i in range(3000)])
    _write(d / "products.jsonl", [{"_key": f"p{i}"} for i in range(500)])
    edges = [{"_from": f"people/c{i % 3000}", "_to": f"products/p{i % 500}"} for i in range(60000)]
    edges[30051]["_to"] = "people/c7"
    edges[30053]["_to"] = "products/gone"
    edges[30055]["_from"] = "products/p3"
    _write(d / "bought.jsonl", edges)
    used = []
    real = frames._find
    monkeypatch.setattr(frames, "_find", lambda v, k, target, h: used.append(target) or real(v, k, target, h))
    fast, strict, taken = _both(d, monkeypatch)
    assert taken == [True, True, True]
    assert sorted(used, key=str) == [(3000, 3500), None]  # _from: people is most of the ids, the full table
    _same(fast, strict)
    assert fast.columns["bought"].dst[30051] == 7 and fast.vertices.ids[fast.columns["bought"].dst[30053]] == "products/gone"
