"""Classes of phrasing that fresh corpora exposed, each tested with sentences of our own (not corpus
lines): a site taken out and who is cut off, a non-goal about something else, neighbours tied
among themselves, a relative clause after an errand, and asks that name no entity."""

import json

import pytest
from langchain_core.messages import AIMessage

from graph_agents import AgenticWorkflowRunner, algorithms
from graph_agents.answers import answers
from graph_agents.models import GraphSchema
from graph_agents.nodes.extract_requirements import parse_requirements
from graph_agents.nodes.generate_use_cases import plan
from graph_agents.runner import export_run
from graph_agents.verticals import load_vertical

from tests.doubles.fake_llm import SchemaFakeChatModel


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


# ------------------------------------------------------------------------ asks that name no entity


@pytest.mark.parametrize("text, algorithm, says", [
    ("Show me the shortest path.", "shortest_path", "names no source and target"),
    ("Who is near the flagged accounts?", "k_hop", "names no vertex to start from"),
    ("List every shortest path between the two holding companies.", "all_shortest_paths", "names no source and target"),
    ("Which sellers behave most like the best ones?", "similar_to", "names no vertex to compare with"),
])
def test_an_entity_ask_naming_no_vertex_is_not_analysed_and_says_what_to_name(text, algorithm, says):
    reqs, core = _plan(f"- {text}")
    assert core.use_cases == [] or all(u.algorithm != algorithm for u in core.use_cases if u.requirement_ids)
    [cov] = core.coverage()
    assert cov["outcome"] == "needs_entity" and says in cov["reason"] and "e.g." in cov["reason"]
    assert core.needs == {"REQ-001": [algorithm]}


def test_an_entity_ask_that_names_its_vertices_is_analysed():
    reqs, core = _plan("- Show the shortest path from Alice to Bob.\n- Who is within two hops of account a17?")
    assert [u.algorithm for u in core.use_cases] == ["shortest_path", "k_hop"]
    assert core.needs == {}


def test_one_ask_answered_and_one_waiting_for_a_name_are_both_accounted_for():
    reqs, core = _plan("- Find the most influential accounts and everything within two hops of them.")
    [cov] = core.coverage()
    assert cov["outcome"] == "answered" and "needs entity" in cov["reason"]


async def test_an_ask_naming_no_vertex_ends_not_analysed_on_the_demo(demo_dir, tmp_path):
    runner = AgenticWorkflowRunner(data_dir=demo_dir / "data", workspace=tmp_path / "ws")
    text = "- Find the most influential customers.\n- Show me the shortest path.\n- Who is near the flagged customers?"
    result = await runner.run_async(requirements=text)
    assert [c["outcome"] for c in result.coverage] == ["answered", "needs_entity", "needs_entity"]
    # the example names the kind the ask is about
    assert "customer A" in result.coverage[2]["reason"]
    # no analysis was started that could only fail
    assert [t.algorithm for t in result.templates] == ["pagerank"] and not result.errors
    run = json.loads(export_run(result, tmp_path / "out").read_text())
    assert run["coverage"]["summary"] == {"answered": 1, "needs_entity": 2}
    # each requirement's answer says it was not analysed, and why
    said = answers(result.values)
    assert [a["status"] for a in said] == ["answered", "not_analysed", "not_analysed"]
    assert "names no source and target" in said[1]["answer"]


class PathProposingModel(SchemaFakeChatModel):
    """Proposes a shortest path for the first requirement, naming no vertex."""

    def _answer(self, messages, kwargs):
        tools = kwargs.get("tools") or []
        if tools and tools[0]["function"]["name"] == "UseCasePlan":
            answer = {"use_cases": [{"title": "Path", "description": "Show the shortest path.",
                                     "algorithm": "shortest_path", "requirement_ids": ["REQ-001"]}]}
            call = {"name": "UseCasePlan", "args": answer, "id": "call_p", "type": "tool_call"}
            return "generate_use_cases", AIMessage(content="", tool_calls=[call], usage_metadata={
                "input_tokens": 1, "output_tokens": 1, "total_tokens": 2})
        return super()._answer(messages, kwargs)


async def test_a_proposed_path_naming_no_vertex_is_rejected_and_the_core_stands(demo_dir, tmp_path):
    runner = AgenticWorkflowRunner(data_dir=demo_dir / "data", workspace=tmp_path / "ws", llm=PathProposingModel())
    result = await runner.run_async(requirements="- Find the most influential customers.")
    assert any("names no source and target" in r["reason"] for r in result.llm_rejections)
    assert [t.algorithm for t in result.templates] == ["pagerank"] and not result.errors


# ------------------------------------------------------- classes fresh-e showed, in words of our own

FRESH_E_CLASSES = [
    ('Do some of the routers form clusters in which each one can reach every other one?', 'scc'),
    ('are there sets of accounts that are all reachable from each other along the transfers?', 'scc'),
    ('Which warehouses, if they shut down, would disconnect some shops from every supplier?', 'articulation_points'),
    ('Who, if they quit, would cut the mentoring network into separate pieces?', 'articulation_points'),
    ('Find communities of traders, but each must be internally connected, never two separate pieces.', 'leiden'),
    ('Segment the stores into groups that come out the same every run.', 'louvain'),
    ('From the point of view of supplier S-7, which other suppliers matter most?', 'personalized_pagerank'),
    ('Who is nearest to everyone, counting the people they cannot reach as zero?', 'harmonic'),
    ('Which routers sit on many of the paths between other routers?', 'betweenness'),
    ('Which individual power lines, if they failed, would black out a neighbourhood?', 'bridges'),
    ('For every user, count the trios where all three follow each other.', 'triangle_count'),
    ('Which stores are most similar to one another in what they stock?', 'node_similarity'),
    ('Show every airport within two legs of Oslo.', 'k_hop'),
    ('How is supplier Acme linked to customer Zenith?', 'shortest_path'),
    ('Mark the neighbours of the infected farms as high risk.', 'attribute_propagation'),
    ('Which depot reaches all the shops fastest on average?', 'closeness'),
]


@pytest.mark.parametrize("text, algorithm", FRESH_E_CLASSES)
def test_the_classes_fresh_e_showed_in_other_words(text, algorithm):
    reqs, core = _plan(f"- {text}")
    assert [u.algorithm for u in core.use_cases if u.requirement_ids][:1] + core.needs.get("REQ-001", []) == [algorithm]


def test_reaching_every_other_fastest_is_closeness_not_a_strong_component():
    assert _names("Which depot can reach every other one fastest on average?") == ["closeness"]


def test_most_like_one_entity_is_similar_to_but_liking_is_not():
    assert _names("Which suppliers are most like Nordwerk GmbH?") == ["similar_to"]
    assert _names("We would most like to see the communities of buyers.") == ["label_propagation"]
    assert _names("Which features do users most like?") == []


def test_look_alikes_are_pairs_unless_a_group_noun_says_segments():
    assert _names("Find look-alikes for our best shoppers.")[:1] == ["node_similarity"]
    assert _names("Find look-alike segments of shoppers.") == ["label_propagation"]


# Each algorithm's own name in a short imperative picks it, whatever the name's words also mean
# ("label propagation" is not attribute propagation, "clustering coefficient" is not clustering).
@pytest.mark.parametrize("text,algorithm", [
    ("Use label propagation to find segments", "label_propagation"),
    ("Run label propagation on customers", "label_propagation"),
    ("Run PageRank on the accounts", "pagerank"),
    ("Compute page rank for every page", "pagerank"),
    ("Compute degree centrality for the users", "degree"),
    ("Run eigenvector centrality on the suppliers", "eigenvector"),
    ("Compute hubs and authorities for the citation graph", "hits"),
    ("Compute closeness centrality of the stations", "closeness"),
    ("Compute betweenness centrality for the routers", "betweenness"),
    ("Find weakly connected components of the accounts", "wcc"),
    ("Find strongly connected components of the transfers", "scc"),
    ("Compute the core number of every user", "k_core"),
    ("Run triangle counting on the friendships", "triangle_count"),
    ("Compute the clustering coefficient of each node", "clustering_coefficient"),
    ("Find the cut vertices of the network", "articulation_points"),
    ("Find articulation points in the power grid", "articulation_points"),
    ("Find bridge edges in the road network", "bridges"),
    ("Enumerate simple cycles among the transfers", "simple_cycles"),
    ("Compute Jaccard similarity between the users", "node_similarity"),
    ("Run attribute propagation on the fraud flags", "attribute_propagation"),
    ("Run harmonic centrality on the stations", "harmonic"),
])
def test_an_algorithm_named_outright_wins(text, algorithm):
    assert _names(text) == [algorithm]


# Classes from fresh-f's wrong picks, each in wordings of our own:
# distance to all the others on average is closeness, and it stays harmonic when some are unreachable;
# how one is linked to another, or how far, is a path; lying on many shortest routes, or the routes
# passing through, is betweenness; sharing the most with each other is pairwise similarity;
# breaking the network apart if removed is a cut vertex; no path to a named place is components.
@pytest.mark.parametrize("text,algorithm", [
    ("Which depots reach all the other depots in the fewest legs on average?", "closeness"),
    ("Score each clinic by its average distance to every other clinic.", "closeness"),
    ("How close, on average, is each warehouse to all the other warehouses?", "closeness"),
    ("Closeness, but robust to towns that are unreachable from the rest.", "harmonic"),
    ("Which hub is nearest, on average, to all the stores, counting the stores it cannot reach as contributing nothing?",
     "harmonic"),
    ("Show how supplier s-9 is linked to retailer r-12.", "shortest_path"),
    ("Connect dealer d-4 to bank b-1 with the fewest middlemen.", "shortest_path"),
    ("How far is the warehouse from the port, in road hops?", "shortest_path"),
    ("Which airports lie on the greatest number of shortest flight routes?", "betweenness"),
    ("Which junctions do most delivery routes pass through?", "betweenness"),
    ("Who are the key connectors between the departments?", "betweenness"),
    ("Which customers share the most products with each other?", "node_similarity"),
    ("Which authors have the most similar reading lists, judged by the books they share?", "node_similarity"),
    ("Which routers would break the network apart if removed?", "articulation_points"),
    ("Which employees have no path to the head office?", "wcc"),
])
def test_fresh_f_classes_in_other_words(text, algorithm):
    assert _names(text) == [algorithm]


# Groups asked for with results that repeat are Louvain's (the result alone asks nothing); a small loop,
# or one spelled out hop by hop, is a cycle to list; exposure *to* something spreads, exposure of names does not.
@pytest.mark.parametrize("text,expected", [
    ("Group the shops into clusters with stable results every month.", ["louvain"]),
    ("Split the riders into communities, with reproducible results we can rerun.", ["louvain"]),
    ("The pipeline must give stable results every month.", []),
    ("Are there small rings where money goes from one firm to another and back?", ["simple_cycles"]),
    ("Look for short loops of transfers between accounts.", ["simple_cycles"]),
    ("Do shipments ever go a to b to c and back to a?", ["simple_cycles"]),
    ("Which roads whose removal would cut off a village?", ["bridges"]),
    ("No exposure of customer addresses in the exports.", []),
    ("Score each supplier for exposure to sanctioned firms.", ["attribute_propagation"]),
])
def test_fresh_f_classes_louvain_cycles_exposure(text, expected):
    assert _names(text) == expected


# The ones good senders send to are HITS authorities ("it is good to send to" asks nothing); a link named
# in brackets before its removal clause is still a bridge.
@pytest.mark.parametrize("text,expected", [
    ("Which shops do the good referrers send customers to?", ["hits"]),
    ("Which firms are the ones that good brokers refer clients to?", ["hits"]),
    ("It would be good to send to all staff by Friday.", []),
    ("Also the pipes (single segments) whose removal would cut off a district.", ["bridges"]),
])
def test_fresh_f_classes_authorities_and_bracketed_links(text, expected):
    assert _names(text) == expected


# An example after ", e.g." / ", for example" supports the ask like a gloss in brackets: it is no ask of its own
@pytest.mark.parametrize("text,expected", [
    ("Harmonic closeness, robust to depots nobody can reach, e.g. the island depot.", ["harmonic"]),
    ("Find the brokers between teams, for example people who link the isolated sales office.", ["betweenness"]),
    ("Rank the suppliers by influence, e.g. the ones every other supplier depends on.", ["pagerank"]),
])
def test_an_example_after_a_comma_is_no_ask_of_its_own(text, expected):
    assert _names(text) == expected


# Endorsed (recommended, trusted) by others who are themselves endorsed is PageRank's recursion
@pytest.mark.parametrize("text", [
    "Which doctors are recommended by other well recommended doctors?",
    "Show the members trusted by other trusted members.",
])
def test_endorsed_by_the_endorsed_is_pagerank(text):
    assert _names(text) == ["pagerank"]


# Links to (or reaching) others that are themselves important is eigenvector centrality; being cited or
# endorsed by them keeps the direction, and stays PageRank
@pytest.mark.parametrize("text,algorithm", [
    ("Score the depots by their links to other important depots.", "eigenvector"),
    ("Which employees have connections to other influential employees?", "eigenvector"),
    ("Find the members whose invitations reach the most other influential members.", "eigenvector"),
    ("Rank the papers by how much they are cited by other influential papers.", "pagerank"),
])
def test_links_to_other_important_ones_is_eigenvector(text, algorithm):
    assert _names(text) == [algorithm]


# A forecast of a trend, or what a reader would value, asks for no ranking
@pytest.mark.parametrize("text", [
    "A sales trend forecast for next year would be nice to have.",
    "We would value a projection of ticket sales by month.",
])
def test_a_trend_or_a_wish_asks_nothing(text):
    assert _names(text) == []
