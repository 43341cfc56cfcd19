"""Asks written for this test, not taken from any corpus split: other domains and wording, jargon
("blast radius", "gatekeepers", "echo chambers", "keystone", "lone wolves", "six degrees"),
hedged and indirect questions, typos, and two asks in one sentence. They check that the rules
generalise beyond the sentences they were tuned on."""

import pytest

from graph_agents import algorithms, matcher
from graph_agents.models import GraphSchema
from graph_agents.nodes.extract_requirements import parse_requirements
from graph_agents.nodes.generate_use_cases import plan
from graph_agents.verticals import load_vertical

ASKS = [
    ('Who are the keystone species of this food web?', ['pagerank']),
    ('Which brokers act as gatekeepers between the buy side and the sell side?', ['betweenness']),
    ('Are our users stuck in echo chambers that never hear from the other camp?', ['label_propagation']),
    ('Which accounts are lone wolves with no ties to anyone else?', ['wcc']),
    ('How many degrees of separation are there between Kevin Bacon and Ada Lovelace?', ['shortest_path']),
    ("What's the blast radius if the Frankfurt data centre goes dark - which offices lose connectivity entirely?", ['articulation_points']),
    ('If a supplier is sanctioned, how does that taint spread to the firms that buy from it?', ['attribute_propagation']),
    ("I suppose what I'm really after is who the real movers and shakers are in this scene.", ['pagerank']),
    ('Might there be natural tribes among the forum posters?', ['label_propagation']),
    ('Does money loop back round to where it started anywhere in the ledger?', ['scc']),
    ('Whcih stations are the chokepoints of the metro network?', ['betweenness']),
    ('Find the most infuential bloggers.', ['pagerank']),
    ('Are any of these patient records probably the same person entered twice?', ['node_similarity']),
    ('List everything within three hops of server web-01.', ['k_hop']),
    ("How tightly knit are each employee's immediate circles - do the people they work with also work with each other?", ['clustering_coefficient']),
    ('How many closed triangles of mutual follows does each user sit in?', ['triangle_count']),
    ('Who belongs to the hard core of the network, and who hangs around the periphery?', ['k_core']),
    ('Which routers have the most direct connections?', ['degree']),
    ('Which single cables, if cut, would split the campus network in two?', ['bridges']),
    ('Rank the papers by how much they are cited by other influential papers.', ['pagerank']),
    ('Which warehouse can reach all the stores in the fewest hops on average?', ['closeness']),
    ('Split the customer base into modular communities, using Louvain if possible.', ['louvain']),
    ('From the perspective of Acme Corp, which suppliers matter most?', ['personalized_pagerank']),
    ('Which customers are most similar to customer c77?', ['similar_to']),
    ('Which sites are good hubs, pointing at the best authorities?', ['hits']),
    ('Who is connected to other well-connected people?', ['eigenvector']),
    ('Who are the go-betweens that hold the two departments together?', ['betweenness']),
    ('Is it really six degrees from Maria Lopez to Chen Wei?', ['shortest_path']),
    ('we suspect a handful of fixers sit in the middle of every deal - who are they?', ['betweenness']),
    ('Which accounts punch above their weight in the retweet network?', ['pagerank']),
    ("are there cliques of reviewers who only ever review each other's code", ['label_propagation']),
    ('Are there any isolated islands of users who never interact with the main network?', ['wcc']),
    ('Given the known infected hosts, estimate which other machines are likely compromised through their connections.', ['attribute_propagation']),
    ('Who sits in the innermost core of the trading network?', ['k_core']),
    ('Which single airport, if closed, would leave some cities with no connection to the rest at all?', ['articulation_points']),
    ('count the triangles each trader is part of', ['triangle_count']),
    ('who has the most counterparties?', ['degree']),
    ('Find pairs of suppliers that look like near duplicates of each other.', ['node_similarity']),
    ('Find the opinion leaders and the echo chambers they sit in.', ['pagerank', 'label_propagation']),
    ('Which gatekeepers link the two regions, and is the network one connected whole?', ['betweenness', 'wcc']),
    ('Find groups of accounts where money can travel from any of them to any other and back.', ['scc']),
    ('Which depot is on average closest to all the others?', ['closeness']),
    ('Who are the kingpins of this smuggling network?', ['pagerank']),
    ('Show the ego network of account 4411.', ['k_hop']),
    ("I'd like to understand whether our customers form natural segments based on what they buy together.", ['label_propagation']),
    ('who are the bottleneks in the supply chain', ['betweenness']),
    ('find the lone wolves - users with no links to anyone', ['wcc']),
    ('Not sure if this is possible, but could we somehow figure out which members everyone else looks up to?', ['pagerank']),
    ('Where are the single points through which most of the traffic between the two campuses flows?', ['betweenness']),
    ('Split the suppliers into natural clusters and find who links the clusters together.', ['label_propagation', 'betweenness']),
    ('do all of these wallets belong to one big connected blob or to several unrelated groups?', ['wcc']),
    ('Push the fraud label from confirmed mule accounts out to whoever they transact with.', ['attribute_propagation']),
    ('rank the journals by prestige, i.e. being cited by other prestigious journals', ['pagerank']),
    ('Who brokers deals across the divide between the east and west offices?', ['betweenness']),
    ('what are the main interest communities on the platform (not the official groups)', ['label_propagation']),
    ('Are there any circular ownership structures where company A owns B owns C owns A?', ['scc']),
    ('Which accounts are within 2 hops of the sanctioned entity "Oceanic Ltd"?', ['k_hop']),
    ('Which pharmacies have the largest number of direct suppliers?', ['degree']),
    ('Flag accounts that are probably duplicates because they share most of their contacts.', ['node_similarity']),
    ('Are there any employees whose departure would leave a team completely cut off from the rest of the company?', ['articulation_points']),
    ('Which products drive the most cross-selling?', ['pagerank']),
    ('Are some of the warehouses completely unreachable from the head office?', ['wcc']),
    ('Rather than the most popular stations, find the ones that every cross-town journey has to pass through.', ['betweenness']),
    ('Without using the official department labels, which natural teams actually form in the email traffic?', ['label_propagation']),
    ('Who are the real power centres in the lobbying network, the people whose endorsement everyone seeks?', ['pagerank']),
    ('Which households are linked to each other only through shared utility accounts?', ['wcc']),
    ('Estimate the likely political leaning of each user from the leanings of the accounts they follow.', ['attribute_propagation']),
    ('Which managers, if they left tomorrow, would leave their teams disconnected from the rest of the org?', ['articulation_points']),
    ('Which traders are deeply embedded in the dense core of the market rather than on its fringe?', ['k_core']),
    ('How many three-way trading relationships is each broker involved in?', ['triangle_count']),
    ('Which roads are the only connection between two parts of the valley?', ['bridges']),
    ('Which pairs of patients see almost exactly the same set of doctors?', ['node_similarity']),
    ('who has the biggest address book?', ['degree']),
    ('Find vendors that look a lot like vendor V-2231 in who they sell to.', ['similar_to']),
    ('Which blogs are the best directories pointing to the authoritative sources?', ['hits']),
    ('Are there groups of companies that all invoice each other in a circle?', ['scc']),
    ('From which fire station can the crew reach every district fastest on average?', ['closeness']),
    ('Which players does the rest of the squad pass to when it matters?', ['pagerank']),
    ('In the attack graph, which hosts would an intruder almost certainly have to pivot through?', ['betweenness']),
    ("If account 88 is compromised, what's the blast radius - which other accounts inherit that risk through shared credentials?", ['attribute_propagation']),
    ('Which fan communities form around the different teams?', ['label_propagation']),
    ('Make sure no clinic ended up orphaned in the referral network after the merger.', ['wcc']),
    ("Everyone up to three calls away from the suspect's phone +1 555 0101 please.", ['k_hop']),
    ('Rank hospitals by how many other hospitals they refer patients to.', ['degree']),
    ('Find clusters of wallets where funds circulate round and round among themselves.', ['scc']),
    ('Which bottleneck airports carry the most connecting traffic?', ['betweenness']),
    ('find look-alike SKUs that are bought by basically the same shoppers', ['node_similarity']),
    ('For each doctor, what share of the doctors they refer to also refer to each other?', ['clustering_coefficient']),
    ('Sort the players into natural cliques based on who they pass to.', ['label_propagation']),
    ('Is there any one server whose outage would knock whole branches offline?', ['articulation_points']),
    ('Whose opinions ripple the furthest through the forum?', ['pagerank']),
    ('In how many closed triads of mutual referrals does each clinic take part?', ['triangle_count']),
    ('Which scientists are the giants whose shoulders everyone else stands on in the citation graph?', ['pagerank']),
    ('who acts as the glue between the marketing and engineering folks?', ['betweenness']),
    ('Are there pockets of users who mostly talk amongst themselves?', ['label_propagation']),
    ('how many separate islands does the road network break into after the flood?', ['wcc']),
    ('Assume the five flagged vendors are bad - who else is guilty by association?', ['attribute_propagation']),
    ('Find the tight inner circle that everyone else orbits around.', ['k_core']),
    ("What's the quickest way to get an intro from me (user u1) to the CFO (user u99)?", ['shortest_path']),
    ('List the nodes with more than 50 direct neighbours.', ['degree']),
    ('Which two products have almost identical buyer lists?', ['node_similarity']),
    ('Which teams depend on each other in a circle, so that none can ship first?', ['scc']),
    ("Where should we put the new hub so it's as close as possible to all branches?", ['closeness']),
    ('Which employees are the information brokers who pass news between departments?', ['betweenness']),
    ('find the most trusted sources in the knowledge graph', ['pagerank']),
    ('Could you cluster our patients by the providers they share?', ['label_propagation']),
    ('If we lose the Dover port, which parts of the supply network get completely cut off?', ['articulation_points']),
]


def _understood(text: str) -> list[str]:
    """The algorithms a one-bullet document is answered with, or waits on a named vertex for."""
    reqs = parse_requirements([{"name": "d.md", "text": f"- {text}"}])
    core = plan(reqs, GraphSchema(), load_vertical("generic"))
    return [u.algorithm for u in core.use_cases if u.requirement_ids] + [a for v in core.needs.values() for a in v]


@pytest.mark.parametrize("text, expected", ASKS)
def test_asks_in_other_words_find_their_algorithms(text, expected):
    assert _understood(text) == expected


def test_a_long_word_one_slip_away_from_a_phrase_word_is_read_as_it():
    for typo, right in (("infuential", "influential"), ("bottlenekcs", "bottlenecks"), ("comunities", "communities")):
        assert algorithms.rank(f"find the {typo} ones")[0].name == algorithms.rank(f"find the {right} ones")[0].name
    assert matcher._one_slip("which", "whcih") and matcher._one_slip("broker", "brokr")
    assert not matcher._one_slip("broker", "bkorre")


def test_real_words_near_a_phrase_word_keep_their_meaning():
    # "containers" is not "contaminated", "contract" is not "contact"; short words are never guessed
    assert algorithms.asks("Spot the containers that are shipped out twice.") == []
    assert algorithms.asks("the courier contract renewal") == []
    assert algorithms.rank("several groups")[0].name != "bridges"  # "several" only stems like "severed"
    spelling = matcher._spelling(algorithms.intents())
    assert spelling.meant("contract", matcher.stem("contract")) is None
    assert spelling.meant("brokr", matcher.stem("brokr")) is None


def _document(text: str, name: str) -> list[tuple[list[str], list[str]]]:
    reqs = parse_requirements([{"name": name, "text": text}])
    core = plan(reqs, GraphSchema(), load_vertical("generic"))
    return [([u.algorithm for u in core.use_cases if r.id in u.requirement_ids], core.needs.get(r.id, []))
            for r in reqs.requirements]


def test_an_email_with_hedged_asks_two_in_one_sentence():
    text = """Subject: graph stuff for the board pack

Hi both,

Quick one before I head off. The board keeps asking two things: who actually holds sway over our dealer network, and whether the dealers fall into regional cliques or one big mesh. If you can, also tell me which distributors are the only link between the northern dealers and the rest.

Separately, Priya wondered whether any dealer accounts are the same business under different names (same bank details, same address).

Cheers,
Tom
"""
    assert _document(text, "board.txt") == [(["pagerank", "label_propagation"], []), (["betweenness"], []), (["wcc"], [])]


def test_a_chat_with_shorthand_and_a_chain_between_two_numbers():
    text = """[10:02] dana: morning! for the telco churn thing, can we see which subscribers are basically the hub everyone calls?
[10:03] lee: also i wonder if churn is contagious - like when one person leaves do their frequent contacts follow
[10:04] dana: yes!! and pls find groups of numbers that call each other a lot but nobody outside
[10:05] lee: last one: is there a chain of calls linking Dana Reyes to Lee Park? legal asked
"""
    assert _document(text, "chat.txt") == [(["pagerank"], []), (["attribute_propagation"], []), (["label_propagation"], []),
                                           (["shortest_path"], [])]


def test_a_memo_whose_questions_name_sites_chains_and_flagged_ones():
    text = """# Memo: supply risk review

## Questions
1. Which suppliers are keystone firms that a large part of the network depends on?
2. If Taiwan Semi Fab 3 stopped shipping, which of our plants would end up with no supplier path at all?
3. What is the shortest supply chain from "Nordic Ore AB" to our Ulm plant?
4. Show me the neighbourhood of the flagged suppliers.
"""
    assert _document(text, "memo.md") == [(["pagerank"], []), (["articulation_points"], []), (["shortest_path"], []),
                                          ([], ["k_hop"])]


def test_a_negation_after_a_verb_of_checking_is_what_is_checked():
    assert [c.name for c in algorithms.asks("Check that no depot is isolated from the others.")] == ["wcc"]
    assert [c.name for c in algorithms.asks("Verify that none of the sites ended up unreachable.")] == ["wcc"]
    assert algorithms.asks("We have no interest in isolated depots.") == []


def test_listed_statements_of_fact_are_no_asks():
    facts = ["The hub in Rotterdam handles 40% of our volume.", "Communities on the platform are moderated by volunteers.",
             "The bridge maintenance contract was renewed in June."]
    for text in ("".join(f"- {f}\n" for f in facts), " ".join(facts)):
        reqs = parse_requirements([{"name": "facts.md", "text": text}])
        assert plan(reqs, GraphSchema(), load_vertical("generic")).use_cases[0].requirement_ids == []  # discovery only
    # a listed fragment or a statement that several words decide is still an ask
    assert _understood("Communities of merchants that buy from each other") == ["label_propagation"]
    assert _understood("The key question is which accounts broker between the two regions.") == ["betweenness"]
