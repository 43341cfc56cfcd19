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
