"""The names in asks as people write them: the parameters ``ask_parameters`` reads from each, and
the descriptions ("the compromised server", "them") that must stay unnamed."""

from __future__ import annotations

import pytest

from graph_agents.entities import ask_parameters, extract

ASKS = [
    # paths: indirect questions, linked/tied/related to, chains from X to Y, "for X specifically"
    ("shortest_path", "How exactly is supplier S-3391 tied to the warehouse WH-North-7?",
     {"source": "S-3391", "target": "WH-North-7"}),
    ("shortest_path", "I'd like to know whether patient P-00912 is related to Dr. Amara Osei",
     {"source": "P-00912", "target": "Dr. Amara Osei"}),
    ("shortest_path", "what's the shortest route from Gdansk to Tallinn by ferry", {"source": "Gdansk", "target": "Tallinn"}),
    ("all_shortest_paths", "Give me every shortest path between router rtr-9 and switch sw-14.",
     {"source": "rtr-9", "target": "sw-14"}),
    ("shortest_path", "Trace the sequence of transfers from wallet 0xab12ef to the exchange hot wallet 0xcd34ff",
     {"source": "0xab12ef", "target": "0xcd34ff"}),
    ("shortest_path", "In what way are Mona Vasquez and Theo Lindgren connected?",
     {"source": "Mona Vasquez", "target": "Theo Lindgren"}),
    ("shortest_path", "for Hana Sato in particular, how short is the chain to Kofi Mensah?",
     {"source": "Hana Sato", "target": "Kofi Mensah"}),
    ("shortest_path", "Is employee E-118 linked with contractor C-77 in any way?", {"source": "E-118", "target": "C-77"}),
    ("shortest_path", "show me how host db-03 connects to the firewall FW-EDGE so that we can close it",
     {"source": "db-03", "target": "FW-EDGE"}),
    ("all_shortest_paths", "list all the equally short routes from Porto to Bilbao", {"source": "Porto", "target": "Bilbao"}),
    ("shortest_path", "the path between the supplier Acme Ltd and the buyer Globex", {"source": "Acme Ltd", "target": "Globex"}),
    ("shortest_path", "How is St Mungo's Trust connected to O'Neill & Sons?",
     {"source": "St Mungo's Trust", "target": "O'Neill & Sons"}),
    ("shortest_path", "Who links 10.0.0.12 to 10.0.3.7 on the internal network?", {"source": "10.0.0.12", "target": "10.0.3.7"}),
    ("shortest_path", "Is there a path from node 5 to node 9?", {"source": "5", "target": "9"}),
    ("shortest_path", "How does money flow from Account 12 to Account 99?", {"source": "Account 12", "target": "Account 99"}),
    ("shortest_path", "How is the compromised server connected to the payroll system?", {}),
    ("shortest_path", "the shortest path from the top 10 to the bottom 10", {}),
    ("shortest_path", "What is the shortest path from a customer to a seller?", {}),
    ("all_shortest_paths", "They want to see all shortest paths between the two holding companies, not only one.", {}),
    ("shortest_path", "how are they connected to each other", {}),
    ("all_shortest_paths", "every equally short path from the impeller to the finished VX-200 pump", {}),
    ("shortest_path", "Find the route from Alice to the nearest depot", {}),
    # neighbourhoods: within N hops/legs/transfers/degrees of X, ego networks, N hops away
    ("k_hop", "Which suppliers sit within 2 transfers of port Felixstowe?", {"seeds": "Felixstowe", "k": 2}),
    ("k_hop", "everyone up to three degrees of Jamal Rahman", {"seeds": "Jamal Rahman", "k": 3}),
    ("k_hop", "Show the neighbourhood of server srv-12: all machines 2 hops away", {"seeds": "srv-12", "k": 2}),
    ("k_hop", "Map the ego network of user u_4421, everybody two steps out", {"seeds": "u_4421", "k": 2}),
    ("k_hop", "what is within 4 jumps of Node-A and Node-B?", {"seeds": "Node-A,Node-B", "k": 4}),
    ("k_hop", "list stations within two stops of Kings Cross for the closure notice", {"seeds": "Kings Cross", "k": 2}),
    ("k_hop", "Everything within 3 hops of the relay 0x9c...e1 must be frozen", {"seeds": "0x9c...e1", "k": 3}),
    ("k_hop", "list the neighbours of Ines Duarte up to two hops", {"seeds": "Ines Duarte", "k": 2}),
    ("k_hop", "everything within 2 hops of vertex 42, please", {"seeds": "42", "k": 2}),
    ("k_hop", "within two hops of the top 10 accounts", {"k": 2}),
    ("k_hop", "Which devices are within 2 hops of the compromised server?", {"k": 2}),
    ("k_hop", "everything within three hops of them", {"k": 3}),
    ("k_hop", "The vendor shall list all stations within two transfers of any station flagged for closure.", {"k": 2}),
    ("k_hop", "what is every package that sits within 3 hops of it downstream?", {"k": 3}),
    ("k_hop", "within 2 hops of the three mixer services we already know", {"k": 2}),
    # personalised rankings: points of view, seen from, points of reference, relevant to
    ("personalized_pagerank", "From the standpoint of Banco Sul, which counterparties matter most?", {"seeds": "Banco Sul"}),
    ("personalized_pagerank", "rank the papers as seen by Prof. Ines Duarte", {"seeds": "Prof. Ines Duarte"}),
    ("personalized_pagerank", "taking as the point of reference Operation Tamarisk, who is most significant",
     {"seeds": "Operation Tamarisk"}),
    ("personalized_pagerank", "Which products are most relevant to shoppers c-101, c-102 and c-103?",
     {"seeds": "c-101,c-102,c-103"}),
    ("personalized_pagerank", "Which stores matter most from Leeds's perspective", {"seeds": "Leeds"}),
    ("personalized_pagerank", "Seen from Oslo, Bergen and Trondheim, which towns are the most relevant?",
     {"seeds": "Oslo,Bergen,Trondheim"}),
    ("personalized_pagerank", "Taking donors D-1, D-2 and D-3 as the point of reference, who else matters?",
     {"seeds": "D-1,D-2,D-3"}),
    ("personalized_pagerank", "rank the stations with the closed ones as seeds", {}),
    ("personalized_pagerank", "Seen from the three mixer services we already know, which other wallets matter most?", {}),
    ("personalized_pagerank", "rank the other stations by relevance to a set of seed stations named by the Authority", {}),
    ("personalized_pagerank", "which papers are most relevant from her point of view?", {}),
    ("personalized_pagerank", "Rank accounts by personalized PageRank from the flagged seed accounts", {}),
    # similarity: similar ... to X, most like X, resembles X
    ("similar_to", "find songs that sound most like Tidewater by Orla Mbeki", {"target": "Tidewater"}),
    ("similar_to", "which customers resemble customer c00042 the most", {"target": "c00042"}),
    ("similar_to", "accounts that behave a lot like AC-0042", {"target": "AC-0042"}),
    ("similar_to", "Which suppliers have a similar profile to Nordic Steel AB?", {"target": "Nordic Steel AB"}),
    ("similar_to", "show products comparable to SKU-88812", {"target": "SKU-88812"}),
    ("similar_to", "Which players are closest to Ada Obi in style?", {"target": "Ada Obi"}),
    ("similar_to", "Which products are like SKU-1 in who buys them?", {"target": "SKU-1"}),
    ("similar_to", "which artists are similar to her?", {}),
    ("similar_to", "Which users are most like the fraudsters we found?", {}),
    ("similar_to", "We would like customers grouped by region", {}),
    # asks from the issue
    ("shortest_path", "could you also tell us how claimant C-20417 is connected to Harbour Auto Repairs?",
     {"source": "C-20417", "target": "Harbour Auto Repairs"}),
    ("shortest_path", "what is the quickest chain of logons from web-01 to the domain controller DC-PROD-2?",
     {"source": "web-01", "target": "DC-PROD-2"}),
    ("k_hop", "Please map the ego network of account a17, everyone three hops away.", {"seeds": "a17", "k": 3}),
    ("k_hop", "I want to see the practices that are within two referral steps of St Bride's Hospital",
     {"seeds": "St Bride's Hospital", "k": 2}),
    ("personalized_pagerank", "As seen from our top donor D-9, which other donors are most significant in her circle",
     {"seeds": "D-9"}),
    ("similar_to", "which artists have a similar set of collaborators to Billie-Ray Kane", {"target": "Billie-Ray Kane"}),
    # the algorithms that name no vertex read none
    ("pagerank", "How is Alice connected to Bob?", {}),
]


@pytest.mark.parametrize("algorithm,text,params", ASKS)
def test_the_names_an_ask_gives_are_read_and_descriptions_are_not(algorithm: str, text: str, params: dict) -> None:
    got, reasons = ask_parameters(algorithm, text)
    assert got == params and set(reasons) == set(params)


@pytest.mark.parametrize("text,names", [
    # a name read next to a description: the name alone, the description never
    ("every equally short path from the impeller to the finished VX-200 pump", ["VX-200"]),
    ("Find the route from Alice to the nearest depot", ["Alice"]),
    # verbs, pronouns and common nouns after the words that introduce a name are none
    ("Is it connected to anything we know?", []),
    ("how is this related to what they bought", []),
    ("which accounts are linked to the flagged ones", []),
    ("what lies within two hops of each seed", []),
    # the end of a sentence ends a name
    ("Who is linked to Marta Ruiz. The board asks.", ["Marta Ruiz"]),
    # common nouns and verbs around "between ... and" name nothing, nor do capitals in a shouted ask
    ("Identify employees who are the only link between engineering and sales.", []),
    ("which authors sit between fields and connect otherwise separate research areas", []),
    ("NEED TO KNOW WHICH AGENTS ARE THE BRIDGE BETWEEN OUR TWO BROKER NETWORKS", []),
    ("SHORTEST PATH FROM AC-0042 TO V-17 PLS", ["AC-0042", "V-17"]),
    ("show the degrees of separation between our CEO and the supplier in question", []),
    ("Find the path from acme to globex by rail", ["acme", "globex"]),
    ("how did the flows change from January to March", []),
    # an initial and a possessive inside a name are part of it
    ("Show how agent R. Alvarez is connected to club FC Portmere", ["R. Alvarez", "FC Portmere"]),
])
def test_extract_reads_names_not_descriptions(text: str, names: list[str]) -> None:
    assert extract(text) == names
