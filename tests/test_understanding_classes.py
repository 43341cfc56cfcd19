"""Classes of phrasing that fresh corpora exposed, each tested with sentences of our own (not corpus
lines): a site taken out and who is cut off, a non-goal about something else, neighbours tied
among themselves, a relative clause after an errand, and asks that name no entity."""

import pytest

from graph_agents import algorithms
from graph_agents.models import GraphSchema
from graph_agents.nodes.extract_requirements import parse_requirements
from graph_agents.nodes.generate_use_cases import plan
from graph_agents.verticals import load_vertical


def _names(text: str) -> list[str]:
    return [c.name for c in algorithms.asks(text)]


def _plan(text: str):
    reqs = parse_requirements([{"name": "doc.md", "text": text}])
    return reqs, plan(reqs, GraphSchema(), load_vertical("generic"))


@pytest.mark.parametrize("text", [
    "If the Brno depot closed, would any of the villages be stranded?",
    "Suppose the main server went down: would some offices get cut off?",
    "Say the northern pumping station goes offline - would any district be cut off completely?",
])
def test_a_site_taken_out_and_others_cut_off_is_articulation_points(text):
    assert _names(text) == ["articulation_points"]


def test_a_condition_alone_stays_with_what_the_rest_of_the_ask_says():
    # the condition is shared: without a consequence of being cut off, the choke point decides
    assert _names("Which hubs would choke the deliveries if they went down?") == ["betweenness"]


def test_a_non_goal_vetoes_only_the_asks_about_what_it_names():
    text = """- Do volunteers fall into natural cohorts beyond their local chapter?
- Group the board members into communities.

Out of scope: the board communities, those were mapped last spring.
"""
    reqs, core = _plan(text)
    outcomes = [(c["requirement_id"], c["outcome"]) for c in core.coverage()]
    assert outcomes == [("REQ-001", "answered"), ("REQ-002", "out_of_scope")]
    assert [u.algorithm for u in core.use_cases] == ["label_propagation"]


def test_a_non_goal_that_names_only_the_method_vetoes_every_ask_for_it():
    reqs, core = _plan("- Split the volunteers into communities.\n\nWe do not need community detection this time.")
    assert [c["outcome"] for c in core.coverage()] == ["out_of_scope"]


def test_a_non_goal_about_data_vetoes_no_unrelated_ask():
    text = "- Check whether all sensors are still connected after the storm.\n\nOut of scope: anything that identifies individual households."
    reqs, core = _plan(text)
    assert [u.algorithm for u in core.use_cases] == ["wcc"]


@pytest.mark.parametrize("text", [
    "To what extent do a supplier's partners also trade with each other?",
    "List the researchers whose collaborators work with each other.",
    "Are a player's teammates also connected among themselves, or only through the player?",
])
def test_neighbours_tied_among_themselves_is_clustering(text):
    assert _names(text)[:1] == ["clustering_coefficient"]


def test_a_relative_clause_after_an_errand_is_an_ask_of_its_own():
    assert _names("Find the volunteers who link otherwise unrelated clubs, and split the clubs into natural groups.") == [
        "betweenness", "label_propagation"]
    assert _names("Show the members who bridge the two factions, and then cluster the members into communities.") == [
        "betweenness", "label_propagation"]
    # a noun joined by "and" is no errand: its relative clause still only describes it
    assert _names("Spread the risk score to the suppliers and partners that share an address with them.") == [
        "attribute_propagation"]
