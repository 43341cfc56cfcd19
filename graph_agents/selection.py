"""Which collections an analysis runs on: the entities a requirement names, resolved against the
schema, and the subgraph on which the algorithm means something for the entity asked about."""

from __future__ import annotations

from functools import lru_cache

from .algorithms import Algorithm
from .matcher import stem, tokenize
from .models import GraphSchema

_STOP = {"by", "to", "of", "has", "have", "is", "in", "on", "uses", "use", "and", "the", "with", "from", "at", "a", "an"}
# common words for the same business entity: a requirement says "shoppers", the collection is "customers"
ENTITY_SYNONYMS: dict[str, tuple[str, ...]] = {
    "customer": ("client", "shopper", "buyer", "consumer", "user", "member", "subscriber", "patron", "account holder"),
    "user": ("customer", "member", "account", "subscriber", "people", "person"),
    "account": ("user", "customer", "profile", "wallet"),
    "person": ("people", "individual", "member", "user"),
    "product": ("item", "sku", "article", "good", "merchandise", "offering", "listing"),
    "seller": ("merchant", "vendor", "retailer", "shop", "store"),
    "supplier": ("vendor", "provider", "manufacturer"),
    "device": ("phone", "handset", "computer", "laptop", "browser", "terminal", "fingerprint"),
    "transfer": ("payment", "transaction", "remittance", "wire", "money"),
    "transaction": ("payment", "transfer"),
    "purchase": ("buy", "bought", "order", "basket"),
    "refer": ("referral", "invite", "invitation", "recommendation"),
    "follow": ("follower", "following"),
    "friend": ("friendship", "connection"),
    "call": ("phone call", "calling"),
}


# words that end a noun phrase: what follows them is not the head of "most influential ..."
_NOT_HEAD = {"in", "on", "of", "for", "what", "which", "that", "who", "whom", "to", "among", "across", "by", "with",
             "from", "and", "or", "are", "is", ",", "?", ".", ";", ":"}


def _word_stems(text: str) -> list[str]:
    return [t.stem for t in tokenize(text.replace("_", " ")) if t.text.isalnum() and t.text not in _STOP and len(t.text) >= 3]


@lru_cache(maxsize=4096)
def _name_stems(name: str) -> tuple[tuple[str, ...], ...]:
    """Stem sequences that name a collection: its words ("uses_device" -> use, devic), each word
    alone, and the synonyms of each word."""
    words = _word_stems(name)
    forms: list[tuple[str, ...]] = [tuple(words)] if words else [(stem(name.lower()),)]
    for raw in name.lower().replace("-", "_").split("_"):
        if raw in _STOP or len(raw) < 3:
            continue
        forms.append((stem(raw),))
        for key, synonyms in ENTITY_SYNONYMS.items():
            if stem(key) == stem(raw) or stem(raw).startswith(stem(key)) and len(stem(key)) >= 5:
                forms.extend(tuple(_word_stems(s)) for s in synonyms)
    return tuple(dict.fromkeys(f for f in forms if f))


def _same(a: str, b: str) -> bool:
    # prefix either way: "referr" (referral) meets "refer" (referred); "devic" meets "devices"
    return a == b or (min(len(a), len(b)) >= 5 and (a.startswith(b) or b.startswith(a)))


def mentions(text: str, schema: GraphSchema) -> list[tuple[str, int]]:
    """(collection, word position) for every collection the text names, in text order."""
    stems = [t.stem for t in tokenize(text.replace("_", " "))]
    found: list[tuple[str, int]] = []
    for c in schema.collections:
        for form in _name_stems(c.name):
            for i in range(len(stems) - len(form) + 1):
                if all(_same(stems[i + k], form[k]) for k in range(len(form))):
                    found.append((c.name, i))
    return sorted(set(found), key=lambda x: (x[1], x[0]))


def mentioned_collections(text: str, schema: GraphSchema) -> list[str]:
    """Collections whose name (or a word of it, or a common synonym) the text names, singular or plural."""
    named = {c for c, _ in mentions(text, schema)}
    return [c.name for c in schema.collections if c.name in named]


def subject_of(text: str, schema: GraphSchema, near: str = "") -> list[str]:
    """The document collection the text asks about: the one named closest to the deciding words
    ``near`` (after them first: "most influential customers"), else the first one named."""
    kinds = {c.name: c.type for c in schema.collections}
    docs = [(c, i) for c, i in mentions(text, schema) if kinds.get(c) == "document"]
    if not docs:
        return []
    toks = tokenize(text)
    tokens = [t.stem for t in toks]
    target = [t.stem for t in tokenize(near)] if near else []
    at = next((i for i in range(len(tokens)) if target and tokens[i:i + len(target)] == target), None)
    if at is None:
        return [docs[0][0]]
    end = at + len(target)
    stop = next((i for i in range(end, min(end + 3, len(toks))) if toks[i].text in _NOT_HEAD), min(end + 3, len(toks)))
    after = [ci for ci in docs if end <= ci[1] < stop]  # the head noun: "most influential (retail) customers"
    before = [ci for ci in docs if ci[1] < at]  # the subject: "which products are the most influential"
    inside = [ci for ci in docs if at <= ci[1] < end]  # "which products ... drive"
    pick = (inside or after or before[-1:] or docs)[0]
    return [pick[0]]


def select_collections(algorithm: Algorithm, schema: GraphSchema, focus: list[str]) -> tuple[list[str], list[str]]:
    """(vertex collections, edge collections) for ``algorithm``.

    Named collections win: the vertex collections named plus the ends of the edges named, and
    the named edges between them (or every edge between them when no edge is named). With
    nothing named, partitions run on the core collections, scores on the whole graph.
    """
    kinds = {c.name: c.type for c in schema.collections}
    defs = {d.collection: d for d in schema.edge_definitions if d.collection in kinds}
    named_edges = [n for n in focus if kinds.get(n) == "edge" and n in defs]
    vertices = {n for n in focus if kinds.get(n) == "document"}
    if vertices:  # "the communities they belong to" names no relation of customers: belongs_to joins others
        named_edges = [n for n in named_edges if vertices & set(defs[n].from_collections + defs[n].to_collections)]
    for n in named_edges:
        vertices.update(c for c in defs[n].from_collections + defs[n].to_collections if c in kinds)

    def inside(v: set[str]) -> list[str]:
        return [n for n, d in defs.items() if set(d.from_collections) <= v and set(d.to_collections) <= v]

    if vertices:
        edges = [e for e in inside(vertices) if e in named_edges] or inside(vertices)
        if not edges:  # only vertices were named and no edge joins them: take the edges that touch them
            allowed = set(schema.core_collections) | vertices if algorithm.core_only else set(kinds)
            edges = [
                n for n, d in defs.items()
                if vertices & set(d.from_collections + d.to_collections)
                and set(d.from_collections + d.to_collections) <= allowed
            ]
            for n in edges:
                vertices.update(defs[n].from_collections + defs[n].to_collections)
    elif algorithm.core_only:
        vertices = set(schema.core_collections)
        edges = inside(vertices)
    else:
        vertices = set(schema.vertex_collections)
        edges = list(defs)
    return sorted(v for v in vertices if kinds.get(v) == "document"), sorted(edges)


def _through_anything(algorithm: Algorithm) -> bool:
    """Paths, and similarity to one named entity: answers that run through whatever relates them."""
    return algorithm.family == "paths" or algorithm.name == "similar_to"


def focus_collections(
    algorithm: Algorithm, schema: GraphSchema, focus: list[str], subject: list[str]
) -> tuple[list[str], list[str], str]:
    """(vertex collections, edge collections, why) for an analysis about ``subject``.

    A score is about the subject's vertices: it runs where the subject relates to itself (the
    relations from and to the subject: "influence among customers" is who referred whom) when
    the schema has such a relation; otherwise on the collections the requirement names, and the
    reason says whether the subject can be ranked there at all.
    """
    defs = {d.collection: d for d in schema.edge_definitions}
    if _through_anything(algorithm) and not any(n in defs for n in focus):
        # a chain between two entities, or the neighbours two share, may pass through any collection
        # ("how is customer c1 connected to seller s1" goes through the products both touch)
        vertices = sorted(c.name for c in schema.collections if c.type == "document")
        return vertices, sorted(defs), (
            f"the ask is about {', '.join(subject or focus) or 'named entities'}: a {algorithm.title.lower()} "
            f"may pass through any relation, so the whole graph ({', '.join(sorted(defs)) or 'no edges'})")
    if algorithm.kind == "score" and len(subject) == 1:
        s = subject[0]
        own = sorted(n for n, d in defs.items() if d.from_collections == [s] and d.to_collections == [s])
        named = [n for n in own if n in focus]
        if own:
            edges = named or own
            return [s], edges, (
                f"the ask is about {s}; {', '.join(edges)} relate{'s' if len(edges) == 1 else ''} {s} to {s}, "
                f"so {algorithm.title} among {s} is defined there"
            )
    vertices, edges = select_collections(algorithm, schema, focus or subject)
    if algorithm.kind == "score" and subject:
        s = subject[0]
        into = [n for n in edges if s in defs[n].to_collections] if s in vertices else []
        if algorithm.directed and s in vertices and not into:
            return vertices, edges, (
                f"the ask is about {s}, but no relation in the graph points at {s} "
                f"({', '.join(edges) or 'no edges'}); every {s[:-1] if s.endswith('s') else s} gets the same "
                f"{algorithm.title}, so no ranking of {s} exists there"
            )
        return vertices, edges, f"the ask is about {s}: ranked on {', '.join(vertices)} via {', '.join(edges) or 'no edges'}, reported for {s}"
    scope = f"{', '.join(vertices)} via {', '.join(edges) or 'no edges'}"
    return vertices, edges, (
        f"the ask names {', '.join(focus)}: {scope}" if focus else
        f"nothing named, so {'the core collections' if algorithm.core_only else 'the whole graph'}: {scope}"
    )
