from graph_agents.reports.grounding import grounded, numbers_in, ungrounded

FACTS = {"count": 2400, "top1pct_share": 0.1984, "gini": 0.8815, "top": [{"id": "p/1", "score": 0.014523}],
         "quantiles": {"median": 0.000213}}


def test_numbers_skip_identifiers():
    assert numbers_in("customers/c01550 and p0256 scored 0.0147, 19.8% of 2,400.") == ["0.0147", "19.8%", "2,400"]


def test_matches_rounding_percent_and_separators():
    assert grounded("The top 1% hold 19.8% of 2,400 vertices (Gini 0.8815), led by 0.01452.", FACTS)
    assert grounded("Median 0.000213; the top 5 are listed.", FACTS)


def test_flags_wrong_numbers():
    assert ungrounded("The top 1% hold 42.0% of 2,400 vertices; 0.0999 leads.", FACTS) == ["42.0%", "0.0999"]
    assert not grounded("There are 2500 vertices.", FACTS)


def test_index_agrees_with_a_plain_scan():
    import random

    from graph_agents.reports.grounding import FactIndex

    rng = random.Random(3)
    values = [rng.choice([rng.random(), rng.random() * 1000, -rng.random(), float(rng.randint(0, 5000))]) for _ in range(300)]
    index = FactIndex({"v": values})

    def scan(token):  # the definition, one fact at a time
        raw = token.rstrip("%")
        cited, pct = float(raw), token.endswith("%")
        dec = len(raw.split(".")[1]) if "." in raw else 0
        digits = len(raw.lstrip("-").replace(".", "").lstrip("0"))
        for v in values:
            for c in ((v * 100, v) if pct else (v,)):
                if abs(cited - c) <= 0.5 * 10 ** -dec + 1e-12:
                    return True
                if "." in raw and c and digits and abs(cited - c) <= abs(c) * 0.5 * 10 ** (1 - digits):
                    return True
        return False

    tokens = [f"{v:.4g}" for v in values[:50]] + [f"{v * 100:.1f}%" for v in values[50:80]]
    tokens += [f"{rng.random() * 2000:.3f}" for _ in range(100)] + [str(rng.randint(11, 6000)) for _ in range(50)]
    for token in tokens:
        assert index.matches(token) == scan(token), token
