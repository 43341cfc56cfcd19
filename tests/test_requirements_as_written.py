"""Asks as people write them (issue 12, the classes fresh-e showed), in other words than that corpus:
what must become a requirement, what must not, and where a sentence ends."""

from __future__ import annotations

import pytest

from graph_agents.nodes.extract_requirements import parse_requirements
from graph_agents.nodes.extract_requirements.blocks import sentences


def _asks(text: str) -> list[str]:
    return [r.text for r in parse_requirements([{"name": "doc.md", "text": text}]).requirements]


@pytest.mark.parametrize("text, expected", [
    ("Please ask Dr. Okafor, who keeps the St. Helens data, which depots matter most. Then stop.",
     ["Please ask Dr. Okafor, who keeps the St. Helens data, which depots matter most.", "Then stop."]),
    ("For the papers of Prof. M. Duarte et al. in the U.S. archive, which are closest? Next.",
     ["For the papers of Prof. M. Duarte et al. in the U.S. archive, which are closest?", "Next."]),
    # a company abbreviation may end a sentence; mid-sentence it does not
    ("The data comes from Norvik Ltd. The board meets monthly.", ["The data comes from Norvik Ltd.", "The board meets monthly."]),
    ("Norvik Ltd. and Arden Inc. share suppliers.", ["Norvik Ltd. and Arden Inc. share suppliers."]),
])
def test_titles_initials_and_abbreviations_end_no_sentence(text, expected):
    assert sentences(text) == expected


@pytest.mark.parametrize("text, words", [
    # key results of an OKR, even with a date that reads like a constraint
    ("## Objective 2: Grow our reach\n\n- KR2.1: Find the outlets that sit between otherwise separate reader groups, reviewed by 3 March.\n",
     "outlets that sit between"),
    ("## Objective 4: Plan ahead\n\n- KR4.2: Build a footfall forecast per branch that ops signs off by Q2.\n", "footfall forecast"),
    # a table's request column holding a noun phrase; the heading's parenthesis names only the team
    ("# Network questions (Compliance team)\n\n| # | Request | Priority |\n|---|---|---|\n| 1 | Quarterly churn projection per region | Low |\n",
     "churn projection"),
    # release notes: items requested for the next version
    ("# Release notes v3.0\n\n## Fixed\n- Duplicate stations merged.\n\n## Requested for v3.1\n- Stations most like Kings Cross in how they connect\n",
     "Stations most like Kings Cross"),
    # a wish said of the thing wished for
    ("Thanks for the call. A demand forecast per store would be handy.\n", "demand forecast"),
    ("Thanks for the call. We would appreciate a projection of membership by year.\n", "projection of membership"),
    ("Thanks for the call. A passenger sentiment score per route would be lovely.\n", "sentiment score"),
    # an ask in the passive
    ("Notes from the ops review.\n\nAll stations within three stops of Central should be identified before the closure.\n",
     "within three stops of Central"),
    # the question inside a statement
    ("The big unknown for us is whether the depots still form one connected network after the merger.\n", "one connected network"),
    # nested goals: the leaves are the asks
    ("# Supply study\n\n- Goals\n  - Risk\n    - Flag every supplier that sits downstream of a sanctioned firm\n", "Flag every supplier"),
    # the writer's own wish to understand what a question names
    ("We would like to understand where parcels pile up because everything funnels through one depot.\n", "parcels pile up"),
])
def test_an_ask_as_people_write_it_becomes_a_requirement(text, words):
    assert any(words in ask for ask in _asks(text)), _asks(text)


@pytest.mark.parametrize("text", [
    "The steering committee wants to understand the supplier landscape before the tender.\n",
    "The trustees want to understand whether the merger has worked, two years on.\n",
    "Sales have been asking about referral loops for months.\n",
    "They want to launch the loyalty scheme with those customers.\n",
    "# Plan\n\n- Goals\n  - Logistics\n",
    "## Objective 1: Engagement\n\n- KR1.1: Open rate from 20% to 25%.\n- KR1.2: 90% of posts tagged by topic (no graph work needed).\n",
    "## Not planned\n\n- Fare prediction for 2030.\n",
    # a memo describing its data
    "1. The Registry holds filings of some 9,000 charities from 2001 onwards, from which a network may be built in which"
    " each trustee is linked to every charity whose board they sit on, and to every other trustee of it.\n",
])
def test_framing_goals_and_headings_are_no_requirement(text):
    assert _asks(text) == []


def test_a_numbered_label_of_a_heading_says_its_section_and_a_plain_one_does_not():
    from graph_agents.nodes.extract_requirements.classify import section_of

    assert section_of(["Objective 3: Grow audience"]) == "objectives"
    assert section_of(["Goal 2: Stakeholders"]) == "objectives"
    assert section_of(["Note: questions for the vendor"]) == "asks"


def test_framing_that_names_what_to_find_is_still_an_ask():
    asks = _asks("The COO wants to understand which suppliers are single points of failure in the network.\n")
    assert len(asks) == 1 and "single points of failure" in asks[0]


def test_a_reported_goal_that_names_what_to_find_is_still_an_ask():
    asks = _asks("The planning team needs to decide which depots are the most central in the network.\n")
    assert len(asks) == 1


def test_an_order_for_the_ask_before_is_no_ask_of_its_own():
    text = "[09:01] ana: which customers have the fewest direct contacts?\n[09:02] ana: sort those by region\n"
    assert _asks(text) == ["which customers have the fewest direct contacts?"]


def test_the_method_for_the_ask_before_joins_it():
    asks = _asks("Which stores form natural clusters? Please use something that optimises modularity.\n")
    assert len(asks) == 1 and "modularity" in asks[0] and "natural clusters" in asks[0]


def test_in_reply_to_what_is_wanted_one_more_noun_phrase_is_an_ask():
    text = ("[10:00] kim: so what does finance actually want\n"
            "[10:01] lee: top of list: which vendors get paid most often?\n"
            "[10:02] lee: also dormant vendors, suppliers w/ hardly any payments in a year\n"
            "[10:03] lee: also they suspect duplicate invoices\n")
    asks = _asks(text)
    assert len(asks) == 2 and asks[1].startswith("also dormant vendors")


def test_a_noun_phrase_nobody_asked_for_is_no_ask():
    text = "[10:00] kim: morning\n[10:02] lee: also dormant vendors, suppliers w/ hardly any payments in a year\n"
    assert _asks(text) == []


@pytest.mark.parametrize("text, asked", [
    ("Run HITS on the supplier graph.", True),
    ("Run PageRank on the payments network.", True),
    ("- Run a k-core decomposition of the co-authorship network", True),
    ("Use Leiden.", True),
    ("Perform community detection on the members.", True),
    ("Try eigenvector centrality on the routers.", True),
    # where or how the work runs is no ask, even when a word of the catalog is in it
    ("Use the Frankfurt cluster for the computation.", False),
    ("Run the nightly job on the cluster.", False),
    ("The pipeline runs every night.", False),
])
def test_running_a_named_method_is_an_ask(text, asked):
    assert bool(_asks(text)) is asked


def test_open_checklist_lines_are_asks_and_ticked_ones_are_done():
    text = ("# Warehouse graph checklist\n[x] Import the shipment records\n[x] Find the depots most goods pass through\n"
            "[ ] Find every loop of returns between three or more depots\n[ ] Group depots into regions by their traffic\n")
    assert _asks(text) == ["Find every loop of returns between three or more depots", "Group depots into regions by their traffic"]


def test_a_table_column_naming_the_ask_wins_over_a_row_label():
    text = ("Below is what the depot managers sent.\n\n| Topic | Their request |\n|---|---|\n| 1 | the depots most central as seen from Leeds |\n"
            "| 2 | depots with the lowest average distance to all the others |\n")
    assert _asks(text) == ["the depots most central as seen from Leeds", "depots with the lowest average distance to all the others"]


@pytest.mark.parametrize("line", ["- Action (MK): find the growers whose loss would split the supply network.",
                                  "- TODO [sam]: list every shop within 3 hops of the main depot."])
def test_a_label_with_its_owner_in_brackets_is_stripped(line):
    assert _asks("# Minutes, 4 May\n" + line + "\n- Next meeting in June.\n") == [line[2:]]


@pytest.mark.parametrize("text", [
    "[14:02] ana: and once a supplier is blacklisted, carry the flag over to the shops that buy from it",
    "A: For starters, which branches are most central as seen from the head office, i.e. who matters to them.",
    "We keep a list of the couriers. Plus which depots are within 2 hops of the Leeds hub.",
])
def test_a_lead_before_the_ask_hides_no_ask(text):
    assert len(_asks(text)) == 1


def test_plain_objective_lines_head_their_key_results_and_targets_are_no_asks():
    text = ("Goal 1: Know our riders better\n- KR1: Find the stations most riders pass through between lines\n"
            "- KR2: Grow weekend ridership 5% (marketing owns this)\nGoal 2: Keep the network safe\n"
            "- KR1: Flag the stops within 2 hops of the closed depot\n- KR2: No rider names in any export\n")
    assert _asks(text) == ["KR1: Find the stations most riders pass through between lines",
                           "KR1: Flag the stops within 2 hops of the closed depot"]


def test_an_faq_question_answered_by_an_ask_or_a_refusal_is_no_ask_of_its_own():
    text = ("# Depot network FAQ\n\n**Q: Can it group the depots?**\nA: Yes - we'd like the depots split into regions that trade mostly among themselves.\n\n"
            "**Q: Will it forecast volumes?**\nA: No, that is out of scope.\n\n"
            "**Q: Which depots matter most as seen from Leeds?**\nA: Nobody knows yet.\n")
    assert _asks(text) == ["A: Yes - we'd like the depots split into regions that trade mostly among themselves.",
                           "Q: Which depots matter most as seen from Leeds?"]


@pytest.mark.parametrize("text, words", [
    ("We never see the rings of shell firms that invoice one another. Need those rings flagged before the audit.", "rings of shell firms"),
    ("Some depots are reached from Leeds within 2 hops. We really need them listed for the drivers.", "within 2 hops"),
])
def test_a_need_for_what_the_sentence_before_describes_joins_it(text, words):
    asks = _asks(text)
    assert len(asks) == 1 and words in asks[0]


def test_a_need_with_its_subject_dropped_is_an_ask():
    assert len(_asks("Context: the co-op sells grain.\n\nNeed the farms ranked by how many buyers they sell to.\n")) == 1


def test_make_sure_under_asks_is_an_ask_though_it_reads_as_a_fact():
    text = "# Asks\n- Split the shops into regions\n- Make sure each region is connected inside, no stray shops\n"
    assert len(_asks(text)) == 2


def test_a_line_labelled_a_requirement_is_one_even_with_no_analysis():
    text = ("TENDER - Depot analytics\nRequirement 1: Bidder must rank depots by how many routes pass through them.\n"
            "Requirement 2: Bidder must supply nightly data loads from the ERP.\nPricing in EUR.\n")
    assert len(_asks(text)) == 2


def test_in_reply_to_what_is_wanted_a_noun_phrase_on_a_condition_is_an_ask():
    text = ("**Ana:** What would your team want from the shipping data?\n**Raj:** Which ports are most central, for a start.\n"
            "**Raj:** If time allows, regions of ports, each one connected inside with no stray ports.\n"
            "**Raj:** If possible, we finish by June.\n")
    asks = _asks(text)
    assert any("regions of ports" in a for a in asks) and not any("June" in a for a in asks)


def test_a_question_for_what_is_wanted_is_no_ask_itself():
    text = ("**Ana:** What would your team want from the shipping data?\n**Raj:** Which ports are most central?\n"
            "**Ana:** Anything else?\n**Raj:** Which ports are within 2 hops of Rotterdam?\n")
    assert _asks(text) == ["Raj: Which ports are most central?", "Raj: Which ports are within 2 hops of Rotterdam?"]


@pytest.mark.parametrize("line", ["Salary figures stay out of it, please.", "Please keep patient names out of the report."])
def test_keeping_something_out_is_a_constraint(line):
    parsed = parse_requirements([{"name": "doc.md", "text": line}])
    assert not parsed.requirements and parsed.constraints == [line]
