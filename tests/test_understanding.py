"""Requirements as people write them: every style, non-asks, constraints, the matcher, focus,
masking, coverage, and the LLM path's floor."""

import json
import logging

import pytest
from langchain_core.messages import AIMessage
from typer.testing import CliRunner

from graph_agents import AgenticWorkflowRunner, algorithms, matcher
from graph_agents.cli import app
from graph_agents.documents import load_sources
from graph_agents.models import CollectionInfo, EdgeDefinition, GraphSchema, Requirements
from graph_agents.nodes.extract_requirements import NO_ASK_WARNING, parse_requirements
from graph_agents.nodes.generate_use_cases import plan
from graph_agents.policy import read_policy
from graph_agents.runner import export_run
from graph_agents.verticals import load_vertical

from tests.doubles.fake_llm import SchemaFakeChatModel

@pytest.fixture(scope="module")
def bench():
    from bench import understanding  # bench/ is a namespace package at the repository root

    return understanding


def _asks(text: str, name: str = "doc.md") -> list[tuple[str, list[str]]]:
    """(requirement text, algorithms of its use cases) in document order."""
    reqs = parse_requirements([{"name": name, "text": text}])
    use_cases = plan(reqs, GraphSchema(), load_vertical("generic")).use_cases
    return [(r.text, [u.algorithm for u in use_cases if r.id in u.requirement_ids]) for r in reqs.requirements]


def _algos(text: str) -> list[list[str]]:
    return [a for _, a in _asks(text)]


# ------------------------------------------------------------------------------ every style


def test_bullets_of_every_kind_are_asks():
    text = "- Find the most influential customers.\n* Which sellers broker between regions?\n+ Detect rings of accounts sharing cards.\n• Group shoppers into segments."
    assert _algos(text) == [["pagerank"], ["betweenness"], ["wcc"], ["label_propagation"]]


def test_numbered_items_under_objectives_become_requirements():
    text = """# Plan

## Objectives
1. Identify the most important accounts in the payment network.
2) Detect circular money flows between accounts.
a) Spread the fraud flag from known fraudsters to their neighbours.
3. Grow revenue by ten percent.
"""
    reqs = parse_requirements([{"name": "p.md", "text": text}])
    assert [r.text for r in reqs.requirements][:3] == [
        "Identify the most important accounts in the payment network.",
        "Detect circular money flows between accounts.",
        "Spread the fraud flag from known fraudsters to their neighbours.",
    ]
    assert reqs.objectives == ["Grow revenue by ten percent."]  # a goal, not an ask
    assert all(r.objective == "Plan / Objectives" and r.source == "p.md" and r.location.startswith("line ") for r in reqs.requirements)
    assert _algos(text)[:3] == [["pagerank"], ["scc"], ["attribute_propagation"]]


def test_nested_items_take_their_parent_as_context():
    text = "1) Fraud\n   - uncover rings of applicants who reuse the same phone\n   - detect funds that loop back to the sender\n2) Growth\n   - which customers do others trust the most?\n"
    reqs = parse_requirements([{"name": "n.md", "text": text}])
    assert [(r.text, r.objective) for r in reqs.requirements] == [
        ("uncover rings of applicants who reuse the same phone", "Fraud"),
        ("detect funds that loop back to the sender", "Fraud"),
        ("which customers do others trust the most?", "Growth"),
    ]
    assert _algos(text) == [["wcc"], ["scc"], ["pagerank"]]


def test_table_rows_use_the_question_column_and_keep_owner_and_priority():
    text = """| # | Owner | Question | Priority |
|---|-------|----------|----------|
| 1 | Risk | Which merchants are the most central in the card network? | High |
| 2 | AML | Where does money go round in circles? | Low |
"""
    reqs = parse_requirements([{"name": "t.md", "text": text}])
    assert [(r.text, r.owner, r.priority) for r in reqs.requirements] == [
        ("Which merchants are the most central in the card network?", "Risk", "high"),
        ("Where does money go round in circles?", "AML", "low"),
    ]
    assert reqs.requirements[0].location == "table row 1, line 3"
    assert _algos(text) == [["pagerank"], ["scc"]]


def test_user_stories_keep_the_role_as_owner():
    text = ("As a fraud analyst, I want to see accounts connected through shared devices, so that I can act.\n\n"
            "As a marketer I'd like customers grouped into segments so that campaigns fit.")
    reqs = parse_requirements([{"name": "s.md", "text": text}])
    assert [r.owner for r in reqs.requirements] == ["fraud analyst", "marketer"]
    assert _algos(text) == [["wcc"], ["label_propagation"]]


def test_email_sentences_are_split_and_greetings_dates_formats_are_not_asks():
    text = """Subject: graph questions

Hi team,

Hope you had a good weekend. The client would like us to figure out which publishers carry the most weight in the network. Could we also identify devices linked by shared IP addresses? The kickoff is on the 12th and results must be delivered as a PDF by Friday.

Thanks,
Priya
"""
    reqs = parse_requirements([{"name": "mail.txt", "text": text}])
    assert [r.text for r in reqs.requirements] == [
        "The client would like us to figure out which publishers carry the most weight in the network.",
        "Could we also identify devices linked by shared IP addresses?",
    ]
    assert "results must be delivered as a PDF by Friday" in " ".join(reqs.constraints)
    assert _algos(text) == [["pagerank"], ["wcc"]]


def test_questions_in_prose_and_background_statements():
    text = ("The marketplace grew 14% and fraud rings cost us a lot last year. The leadership team wants to understand "
            "the marketplace. Which products really drive purchases? Is there a small set of sellers that links otherwise "
            "separate regions?")
    assert _asks(text) == [
        ("Which products really drive purchases?", ["pagerank"]),
        ("Is there a small set of sellers that links otherwise separate regions?", ["betweenness"]),
    ]


def test_one_line_input_and_plain_text_headings():
    assert _algos("Find the most influential customers") == [["pagerank"]]
    text = "BACKGROUND\nWe run 300 depots.\n\nASKS\nPinpoint the depots whose loss would cut the network into pieces.\nRank depots by their overall importance.\n\nOUT OF SCOPE\nRoute optimisation."
    reqs = parse_requirements([{"name": "p.txt", "text": text}])
    assert [r.objective for r in reqs.requirements] == ["ASKS", "ASKS"]
    assert reqs.non_goals == ["Route optimisation."]
    # depots whose loss cuts the network into pieces are cut vertices (articulation points)
    assert _algos(text) == [["articulation_points"], ["pagerank"]]


def test_docx_and_pdf_documents(bench, tmp_path):
    source = ("# Review\n\n## Requests\n- Identify which drugs are most prominent in the adverse event network.\n"
              "1. Detect circular payment chains in which funds return to the bank that sent them.\n\n"
              "## Constraints\n- Refer to patients by their record id, never by name.\n")
    for path in (bench.build_docx(source, tmp_path / "r.docx"), bench.build_pdf(source, tmp_path / "r.pdf")):
        reqs = parse_requirements(load_sources([str(path)]))
        assert [r.text for r in reqs.requirements] == [
            "Identify which drugs are most prominent in the adverse event network.",
            "Detect circular payment chains in which funds return to the bank that sent them.",
        ], path
        assert reqs.constraints == ["Refer to patients by their record id, never by name."], path


def test_one_sentence_with_two_asks_gets_two_use_cases():
    assert _algos("Find the most influential customers and the communities they belong to") == [["pagerank", "label_propagation"]]
    # a purpose clause and a graph's name support the ask; they are not asks of their own
    assert _algos("Find the most influential customers so that each segment gets its own campaign.") == [["pagerank"]]
    assert _algos("Rank products by their centrality in the co-purchase graph.") == [["pagerank"]]


def test_constraints_and_non_goals_are_recorded_and_not_analysed():
    text = """## Scope
We are not interested in community detection this time; instead, find the accounts that broker between the groups.
We do not need a ranking of products.

## Constraints
- Reports refer to customers by document id, never by name.
- Personal data of customers must stay inside the platform.
"""
    reqs = parse_requirements([{"name": "c.md", "text": text}])
    assert reqs.non_goals == ["We are not interested in community detection this time;", "We do not need a ranking of products."]
    assert [r.text for r in reqs.requirements] == ["instead, find the accounts that broker between the groups."]
    assert len(reqs.constraints) == 2
    schema = _demo_like_schema()
    assert read_policy(reqs.constraints, schema) == {
        "masked": ["customers"], "private": ["customers"], "rules": reqs.constraints,
    }


def test_an_ask_the_documents_put_out_of_scope_has_that_outcome():
    text = "- Rank the most important products.\n- Detect rings of accounts sharing devices.\n\n## Out of scope\n- Ranking products by importance."
    reqs = parse_requirements([{"name": "o.md", "text": text}])
    core = plan(reqs, GraphSchema(), load_vertical("generic"))
    use_cases, coverage = core.use_cases, core.coverage()
    assert [u.algorithm for u in use_cases] == ["wcc"]
    assert [(c["requirement_id"], c["outcome"]) for c in coverage] == [("REQ-001", "out_of_scope"), ("REQ-002", "answered")]
    assert "Ranking products by importance" in coverage[0]["reason"]


# ------------------------------------------------------------------------------ the matcher


def test_matcher_ranks_with_scores_and_deciding_phrases():
    ranked = algorithms.rank("Which accounts act as brokers between otherwise separate communities?")
    assert ranked[0].name == "betweenness" and ranked[0].score > 3
    assert "brokers" in ranked[0].phrases and "communities" not in [p for c in ranked for p in c.phrases]
    # word forms: influence / influential / influencers meet one phrase list
    for text in ("the influencers among users", "who has influence", "most influential users"):
        assert algorithms.rank(text)[0].name == "pagerank", text
    # negation: a phrase in the scope of "not" counts for nothing
    [ask] = algorithms.asks("We don't care about communities, only about the bridges.")
    assert ask.name == "betweenness"
    assert algorithms.rank("We don't care about communities, only about the bridges.")[1].negated == ["communities"]
    # stems that only look alike are not the same word
    assert algorithms.asks("We import the authors' data nightly.") == []


def test_adding_an_algorithms_phrases_is_data():
    assert algorithms.phrases(strong="a b | c", weak="d") == {"d": 1.0, "a b": 3.0, "c": 3.0}
    for algo in algorithms.CATALOG.values():
        assert algo.intents and all(w in (1.0, 2.0, 3.0, algorithms.NAMED) for w in algo.intents.values())


def test_entities_resolve_against_the_schema_and_decide_the_subject():
    from graph_agents.selection import mentioned_collections, subject_of

    schema = _demo_like_schema()
    assert mentioned_collections("shoppers who bought gadgets", schema) == ["customers", "purchased"]
    assert subject_of("Find the most influential customers", schema, near="influential") == ["customers"]
    assert subject_of("Which products are the most influential in what customers purchased?", schema, near="influential") == ["products"]


# ------------------------------------------------------------------------------ focus on the demo


def _demo_like_schema() -> GraphSchema:
    return GraphSchema(
        collections=[
            CollectionInfo(name="customers", type="document", count=100),
            CollectionInfo(name="products", type="document", count=50),
            CollectionInfo(name="sellers", type="document", count=10),
            CollectionInfo(name="purchased", type="edge", count=300, role="edge"),
            CollectionInfo(name="referred", type="edge", count=80, role="edge"),
        ],
        edge_definitions=[
            EdgeDefinition(collection="purchased", from_collections=["customers"], to_collections=["products"]),
            EdgeDefinition(collection="referred", from_collections=["customers"], to_collections=["customers"]),
        ],
    )


async def test_influential_customers_are_customers_on_the_referrals(demo_dir, tmp_path):
    runner = AgenticWorkflowRunner(data_dir=demo_dir / "data", workspace=tmp_path / "ws")
    result = await runner.run_async(requirements="Find the most influential customers")
    [template] = result.templates
    assert (template.vertex_collections, template.edge_collections, template.subject) == (["customers"], ["referred"], ["customers"])
    assert "referred" in template.collection_reason and "customers" in template.collection_reason
    [report] = result.reports
    assert report.top_results and all(r["id"].startswith("customers/") for r in report.top_results)
    assert len({r["score"] for r in report.top_results}) > 1  # a real ranking, not ties


def test_a_degenerate_projection_is_said_plainly():
    from graph_agents.selection import focus_collections

    schema = GraphSchema(
        collections=[CollectionInfo(name="customers", type="document"), CollectionInfo(name="products", type="document"),
                     CollectionInfo(name="purchased", type="edge", role="edge")],
        edge_definitions=[EdgeDefinition(collection="purchased", from_collections=["customers"], to_collections=["products"])],
    )
    vertices, edges, why = focus_collections(algorithms.get("pagerank"), schema, ["customers"], ["customers"])
    assert (vertices, edges) == (["customers", "products"], ["purchased"])
    assert "no ranking of customers exists" in why


# ------------------------------------------------------------------------------ masking


async def test_refer_by_id_masks_names_in_every_output(demo_dir, tmp_path):
    runner = AgenticWorkflowRunner(data_dir=demo_dir / "data", workspace=tmp_path / "ws")
    docs = [str(demo_dir / "requirements.md")]
    result = await runner.run_async(docs)
    out = tmp_path / "out"
    export_run(result, out)
    runner.export_trace(out / "trace")
    customers = [json.loads(line) for line in (demo_dir / "data" / "customers.jsonl").read_text().splitlines()[:2000]]
    names = {c["name"] for c in customers if c.get("name")}
    files = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.suffix == ".svg" or p.suffix == ".html" for p in files)
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        leaked = [n for n in names if n in text]
        assert not leaked, (path, leaked[:3])
    run = json.loads((out / "run.json").read_text())
    assert "Reports refer to customers by document id, never by name." in run["constraints"]
    index = (out / "reports" / "index.html").read_text()
    assert "never by name" in index and "Coverage" in index
    # names of collections no constraint masks still show: products are named
    pagerank = next(r for r in result.reports if r.algorithm == "pagerank")
    assert any(r.get("name") for r in pagerank.top_results)


class RecordingModel(SchemaFakeChatModel):
    prompts: list[str] = []

    def _answer(self, messages, kwargs):
        self.prompts.append(str(messages[-1].content))
        return super()._answer(messages, kwargs)


async def test_personal_data_stays_out_of_llm_prompts(demo_dir, tmp_path):
    llm = RecordingModel()
    llm.prompts = []
    runner = AgenticWorkflowRunner(data_dir=demo_dir / "data", workspace=tmp_path / "ws", llm=llm)
    result = await runner.run_async([str(demo_dir / "requirements.md")])
    assert result.mode == "llm" and llm.prompts
    customers = [json.loads(line) for line in (demo_dir / "data" / "customers.jsonl").read_text().splitlines()]
    names = {c["name"] for c in customers if c.get("name")}
    emails = {c["email"] for c in customers if c.get("email")}
    for prompt in llm.prompts:
        assert not [n for n in names | emails if n in prompt]
    # nor their attribute names: analyze_schema, which runs beside extraction, reads the
    # constraints from the same documents before its prompt is built ("signup_date" is customers' only)
    schema_prompts = [p for p in llm.prompts if '"edge_definitions"' in p]
    assert schema_prompts and not [p for p in llm.prompts if "signup_date" in p]


# ------------------------------------------------------------------------------ coverage


SIX = """## Questions
1. Find the most influential customers.
2. Detect rings of customers sharing devices.
3. Find circular money transfers between sellers.
4. Which customers broker between separate referral circles?
5. Segment customers into communities by what they purchased.
6. Spread a fraud flag from known fraudsters to the customers they referred.
"""


async def test_a_requirement_over_max_executions_is_accounted_for(demo_dir, tmp_path):
    runner = AgenticWorkflowRunner(data_dir=demo_dir / "data", workspace=tmp_path / "ws")
    result = await runner.run_async(requirements=SIX, max_executions=5)
    assert len(result.requirements) == 6 and len(result.templates) == 5
    outcomes = [c["outcome"] for c in result.coverage]
    assert outcomes.count("answered") == 5 and outcomes.count("over_max_executions") == 1
    [capped] = [c for c in result.coverage if c["outcome"] == "over_max_executions"]
    assert capped["use_case_ids"] and not capped["template_ids"] and "max_executions" in capped["reason"]
    out = tmp_path / "out"
    run = json.loads(export_run(result, out).read_text())
    assert run["coverage"]["summary"] == {"answered": 5, "over_max_executions": 1}
    assert "over max executions" in (out / "reports" / "index.html").read_text()
    # the graph's own output state (Studio, SDK) carries it too
    assert [c["outcome"] for c in result.values["coverage"]] == outcomes


def test_cli_summary_names_what_was_not_analysed(demo_dir, tmp_path):
    doc = tmp_path / "six.md"
    doc.write_text(SIX)
    res = CliRunner().invoke(app, ["run", "--data", str(demo_dir / "data"), "--requirements", str(doc),
                                   "--max-executions", "5", "--workspace", str(tmp_path / "ws"), "--output", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    assert "coverage: 5 of 6 requirement(s) answered" in res.output
    assert "not analysed (over max executions)" in res.output


async def test_dropped_in_review_and_no_algorithm_outcomes(demo_dir, tmp_path):
    runner = AgenticWorkflowRunner(data_dir=demo_dir / "data", workspace=tmp_path / "ws")
    text = "- Find the most influential customers.\n- Detect rings of customers sharing devices.\n- Please forecast next quarter's revenue."
    paused = await runner.run_async(requirements=text, review_use_cases=True)
    assert paused.status == "awaiting_review"
    wcc = next(u["id"] for u in paused.review["use_cases"] if u["algorithm"] == "wcc")
    result = await runner.resume_async(paused.thread_id, {"drop": [wcc]})
    assert [c["outcome"] for c in result.coverage] == ["answered", "dropped_in_review", "no_algorithm"]


async def test_a_document_with_no_ask_warns_before_discovery(demo_dir, tmp_path, caplog):
    runner = AgenticWorkflowRunner(data_dir=demo_dir / "data", workspace=tmp_path / "ws")
    notes = "# Meeting notes\n\nThe team reviewed the data model. Next meeting on 10 March.\n\n- Contact: data@example.com"
    with caplog.at_level(logging.WARNING, logger="graph_agents"):
        result = await runner.run_async(requirements=notes)
    assert result.requirements == [] and result.warnings == [NO_ASK_WARNING]
    assert any(NO_ASK_WARNING in r.getMessage() for r in caplog.records)
    assert result.use_cases and all(u.title.startswith("Discovery") for u in result.use_cases)
    run = json.loads(export_run(result, tmp_path / "out").read_text())
    assert run["warnings"] == [NO_ASK_WARNING]


def test_cli_warns_on_stderr_for_a_document_without_asks(demo_dir, tmp_path):
    doc = tmp_path / "notes.md"
    doc.write_text("# About\n\nThis workspace holds the marketplace graph. It refreshes daily.\n")
    res = CliRunner().invoke(app, ["run", "--data", str(demo_dir / "data"), "--requirements", str(doc), "--json",
                                                   "--workspace", str(tmp_path / "ws"), "--output", str(tmp_path / "o")])
    assert res.exit_code == 0, res.stderr
    assert NO_ASK_WARNING in res.stderr
    assert json.loads(res.stdout)["warnings"] == [NO_ASK_WARNING]


# ------------------------------------------------------------------------------ the LLM path


class DroppingModel(SchemaFakeChatModel):
    """Proposes one requirement of two, and one that is in no document."""

    def _answer(self, messages, kwargs):
        tools = kwargs.get("tools") or []
        if tools and tools[0]["function"]["name"] == "RequirementsExtraction":
            answer = {"requirements": [
                {"text": "Find the most influential customers.", "priority": "high"},
                {"text": "Quantify blockchain synergy across lunar warehouses", "priority": "high"},
            ], "constraints": ["Deliver by Friday"]}
            call = {"name": "RequirementsExtraction", "args": answer, "id": "call_x", "type": "tool_call"}
            return "extract_requirements", AIMessage(content="", tool_calls=[call],
                                                     usage_metadata={"input_tokens": 1, "output_tokens": 1, "total_tokens": 2})
        return super()._answer(messages, kwargs)


async def test_the_deterministic_extraction_is_the_floor(demo_dir, tmp_path):
    runner = AgenticWorkflowRunner(data_dir=demo_dir / "data", workspace=tmp_path / "ws", llm=DroppingModel())
    text = "- Find the most influential customers.\n- Detect rings of customers sharing devices.\n\nDeliver by Friday."
    result = await runner.run_async(requirements=text)
    assert [(r.id, r.text) for r in result.requirements] == [
        ("REQ-001", "Find the most influential customers."), ("REQ-002", "Detect rings of customers sharing devices."),
    ]
    assert result.requirements[0].priority == "high"  # the model's reading kept where it passed
    assert any("not found in the documents" in r["reason"] for r in result.llm_rejections)
    assert {c["outcome"] for c in result.coverage} == {"answered"}


# ------------------------------------------------------------------------------ the bench


def test_bench_on_the_dev_corpus_meets_the_target(bench):
    out = bench.run("dev")
    assert out["documents"] >= 30 and out["asks"] >= 90
    assert out["top1_accuracy"] >= 0.95 and out["phantoms"] == 0, bench.run("dev", True)["misses"]
    assert out["no_ask_warned"] == out["no_ask_documents"] >= 1
    assert len(out["per_style"]) >= 8


def test_requirements_model_round_trips():
    reqs = parse_requirements([{"name": "x", "text": SIX}])
    assert Requirements.model_validate(reqs.dump()) == reqs


async def test_the_graphs_output_state_carries_coverage(demo_dir, tmp_path):
    """What Studio and the SDK see: the README's own input, answered about customers."""
    from langgraph.checkpoint.memory import InMemorySaver

    from graph_agents.context import Context
    from graph_agents.engines import LocalEngine
    from graph_agents.graph import builder
    from graph_agents.stores import LocalGraphStore

    store = LocalGraphStore.from_directory(demo_dir / "data", results_dir=tmp_path)
    app = builder.compile(checkpointer=InMemorySaver())
    out = await app.ainvoke({"requirements": "Find the most influential customers"},
                            {"configurable": {"thread_id": "s"}}, context=Context(store=store, engine=LocalEngine()))
    assert out["coverage_summary"] == {"answered": 1} and out["warnings"] == []
    [answer] = out["answers"]
    assert answer["requirement"] == "Find the most influential customers" and answer["status"] == "answered"
    values = (await app.aget_state({"configurable": {"thread_id": "s"}})).values  # the whole state stays in the thread
    assert [c["outcome"] for c in values["coverage"]] == ["answered"]
    [report] = values["reports"].values()
    assert all(r["id"].startswith("customers/") for r in report["top_results"])


# ------------------------------------------------------------------------------ winner choice
# sentences written for these rules, none from the corpus; the toy catalogs show the rules hold
# for any catalog, not for the six names


def test_words_several_intents_claim_go_to_the_intent_the_rest_of_the_ask_supports():
    toy = {"alpha": {"pivot": 2.0, "orbit": 3.0}, "beta": {"pivot": 3.0, "ledger": 3.0}}
    assert [c.name for c in matcher.asks("check the pivot near the ledger", toy)] == ["beta"]
    assert [c.name for c in matcher.asks("check the pivot in orbit", toy)] == ["alpha"]
    assert [c.name for c in matcher.asks("check the pivot", toy)] == ["beta"]  # no support: the heavier phrase
    # "ring" is a cycle or a connected group; never both analyses from one ask
    assert [c.name for c in algorithms.asks("Expose any ring in which payments loop back to the sender.")] == ["scc"]
    assert [c.name for c in algorithms.asks("Expose any ring of accounts sharing one laptop.")] == ["wcc"]
    assert [c.name for c in algorithms.asks("Detect the ring where funds come back to the payer and flag it.")] == ["scc"]


def test_a_relative_clause_describes_its_antecedent_once_the_main_clause_decides():
    toy = {"alpha": {"sprinkle": 3.0}, "beta": {"lean on": 3.0}}
    ranked = matcher.rank("sprinkle salt over the dishes that lean on it", toy)
    assert [(c.name, c.score) for c in ranked] == [("alpha", 3.0), ("beta", 1.65)]
    assert [c.name for c in matcher.asks("sprinkle salt over the dishes that lean on it", toy)] == ["alpha"]
    # with nothing deciding in the main clause, the relative clause is the ask
    assert [c.name for c in matcher.asks("dishes that lean on it", toy)] == ["beta"]
    assert [c.name for c in algorithms.asks("Spread the suspicion score to the merchants that rely on them.")] == [
        "attribute_propagation"]
    # the antecedent itself ("clusters of shops") is qualified by its clause, not outvoted
    assert [c.name for c in algorithms.asks("Find clusters of shops that share a payment terminal.")] == ["wcc"]
    # a generic main verb ("rank") decides nothing over the clause that says what is asked
    assert [c.name for c in algorithms.asks("Rank the depots that every parcel passes through.")] == ["betweenness"]
    # "know which ..." opens the ask, not a relative clause
    assert [t.relative for t in matcher.tokenize("we need to know which vendors matter")] == [0] * 7


def test_an_exact_word_form_tells_the_active_verb_from_the_state():
    toy = {"bridge": {"=link ... with": 2.0}, "group": {"linked": 2.0}}
    assert [c.name for c in matcher.asks("members who link the chess club with the drama society", toy)] == ["bridge"]
    assert [c.name for c in matcher.asks("members linked with each other", toy)] == ["group"]
    assert [c.name for c in algorithms.asks("Which members link the chess club with the drama society?")] == ["betweenness"]
    assert [c.name for c in algorithms.asks("List members linked with each other.")] == ["wcc"]


def test_two_asks_in_one_sentence_survive_the_rules():
    assert [c.name for c in algorithms.asks("Find the influencers and the factions they belong to.")] == [
        "pagerank", "label_propagation"]


def test_one_scan_reads_candidates_and_asks_alike():
    text = "Spread the suspicion score to the merchants that rely on them, and find who brokers between regions."
    reading = algorithms.read(text)
    assert [(c.name, c.score) for c in reading.ranked] == [(c.name, c.score) for c in algorithms.rank(text)]
    assert [c.name for c in reading.asks] == [c.name for c in algorithms.asks(text)] == [
        "attribute_propagation", "betweenness"]


def test_a_verb_and_its_particle_take_the_object_between_them():
    toy = {"hand": {"pass on": 3.0}}
    assert matcher.compile_phrase("pass on") == ("pass", matcher.OBJECT_GAP, "on")
    assert [c.phrases for c in matcher.rank("pass the warning on to the tenants", toy)] == [["pass the warning on"]]
    assert matcher.rank("pass the review to Ana on Friday please", toy) == []  # beyond the object's few words
    assert [c.name for c in algorithms.asks("Carry the audit finding over to the vendors nearby.")] == [
        "attribute_propagation"]


def test_chat_messages_are_asks_of_their_own_with_their_speaker():
    text = """[08:58] nadia: morning all
[09:01] nadia: could u work out which couriers everything has to go thru? also, can we find depots that form rings where parcels come back?
9:04 AM - Tom Baker: and the route clusters pls
<kev> thx, no rush
"""
    reqs = parse_requirements([{"name": "chat.txt", "text": text}])
    assert [(r.text, r.owner) for r in reqs.requirements] == [
        ("could u work out which couriers everything has to go thru?", "nadia"),
        ("also, can we find depots that form rings where parcels come back?", "nadia"),
        ("and the route clusters pls", "Tom Baker"),
    ]
    assert _algos(text) == [["betweenness"], ["scc"], ["label_propagation"]]


def test_a_leading_condition_does_not_hide_the_imperative():
    for text in ("If you have time, rank the branches by influence.", "When possible, spread the risk flag to partners."):
        reqs = parse_requirements([{"name": "l.md", "text": text}])
        assert [r.text for r in reqs.requirements] == [text], text


# ------------------------------------------------------------------------------ classes of phrasing
# each rule with sentences written for it, none from the corpus: a pattern, not a copied line


def test_a_word_class_in_a_phrase_matches_any_of_its_words():
    fruit = matcher.define_words("toy_fruit", "apple | pear | plum")
    try:
        toy = {"orchard": {f"pick ... {fruit}": 3.0}}
        assert fruit == "{toy_fruit}"
        assert [c.phrases for c in matcher.rank("pick the ripest pears", toy)] == [["pick the ripest pears"]]
        assert [c.phrases for c in matcher.rank("plums we pick", {"orchard": {f"{fruit} ... pick": 3.0}})] == [
            ["plums we pick"]]
        assert matcher.rank("pick the ripest lemons", toy) == []
    finally:
        matcher.WORD_CLASSES.pop(fruit)


def test_joining_groups_that_are_apart_is_brokerage_not_community():
    for text in ("Which volunteers tie the rival camps together?",
                 "Who connects the night shift crowd with the day shift crowd?",
                 "Which members span both factions?",
                 "Which gateways link everybody else to the core?"):
        assert [c.name for c in algorithms.asks(text)] == ["betweenness"], text
    # the groups alone are still a community ask
    assert [c.name for c in algorithms.asks("Which factions do the members form?")] == ["label_propagation"]


def test_linked_to_each_other_and_cut_off_from_the_rest_is_components():
    assert matcher.tokenize("interlinked")[0].stem == matcher.stem("linked")
    assert [t.text for t in matcher.tokenize("one another")] == ["each", "other"]
    for text in ("Find sets of kiosks that are interlinked with one another but not with the rest of the fleet.",
                 "Which printers sit in one connected lump?",
                 "Which sets of kiosks are linked only among themselves?",
                 "Find laptops that share admin creds."):  # texting shorthand for credentials
        assert [c.name for c in algorithms.asks(text)] == ["wcc"], text


def test_a_chain_that_returns_to_its_start_is_a_cycle():
    assert [t.stem for t in matcher.tokenize("p bills q bills r bills p")][-1] == matcher.LOOP
    assert [t.stem for t in matcher.tokenize("P -> Q -> R -> P")][-1] == matcher.LOOP
    assert matcher.LOOP not in [t.stem for t in matcher.tokenize("from p to q to r, then s")]
    for text in ("Do shipments ever go P -> Q -> R -> P?",
                 "Is stock moved from site 3 to site 5 to site 8 and back to site 3?",
                 "Which drones keep circling the same depots?",
                 "Which wallets pass coins to one another and back?"):
        assert [c.name for c in algorithms.asks(text)] == ["scc"], text
    assert [c.name for c in algorithms.asks("Which customers sit in tight social circles?")] == ["label_propagation"]


def test_marking_the_neighbours_of_known_cases_is_propagation():
    for text in ("Tag the suppliers nearest to them as exposed too.",
                 "Infer a default risk for each borrower from the borrowers around them who already defaulted.",
                 "Mark the posts that quote banned posts, and the posts that quote those, as suspect.",
                 "Score the hosts adjacent to the infected ones as exposed.",
                 "When a bank defaults, which lenders get hit as the losses ripple out?",
                 "Rate each tenant by how close they are to them, starting from the evicted ones.",
                 "Mark the lanes next to the blocked ones as slow too."):
        assert [c.name for c in algorithms.asks(text)] == ["attribute_propagation"], text
    # near to everyone is still closeness
    assert [c.name for c in algorithms.asks("Which depots are nearest to everyone?")] == ["closeness"]


def test_being_amplified_by_most_others_or_steering_them_is_influence():
    for text in ("Which analysts get quoted by the most other analysts?",
                 "Which editors steer the narrative for the whole newsroom?",
                 "Which dishes drag the rest of the menu along?",
                 "Which stores lure visitors into the centre?",
                 "Which numbers does everybody end up dialling?",
                 "Which traders do other traders imitate the most?",
                 "Which players do most other players team up with?",
                 "Who are the ringleaders of the forum?",
                 "Which vendors does everybody else want to work with?"):
        assert [c.name for c in algorithms.asks(text)] == ["pagerank"], text
    # where everybody ends up passing through is brokerage
    assert [c.name for c in algorithms.asks("Which junctions does everybody's freight end up rolling through?")] == [
        "betweenness"]
    assert algorithms.asks("Could you bring the rest of the slides along to the meeting?") == []


def test_looking_most_like_one_entity_is_similar_to():
    assert [c.name for c in algorithms.asks("Which vendors behave most like vendor v9?")] == ["similar_to"]
    assert algorithms.asks("We would like the report to look just like last quarter's.") == []


def test_a_relative_clause_without_a_noun_is_the_ask():
    assert all(t.relative == 0 for t in matcher.tokenize("the ones whose parcels pass through them"))
    toy = {"alpha": {"keystone": 3.0}, "beta": {"pass through": 3.0}}
    text = "the keystones of the chain, those whose parcels pass through them"
    assert [c.name for c in matcher.asks(text, toy)] == ["beta"]
    # with a noun to describe, the clause still only describes it
    assert [c.name for c in matcher.asks("the keystones of the chain, depots whose parcels pass through them", toy)] == [
        "alpha"]


def test_asked_if_opens_the_question_and_so_of_degree_is_no_purpose():
    assert not any(t.subordinate for t in matcher.tokenize("legal asked if any kiosks are isolated"))
    assert any(t.subordinate for t in matcher.tokenize("rank the kiosks if they are isolated"))
    assert not any(t.purpose for t in matcher.tokenize("which depots are so central that a strike would hurt"))
    assert any(t.purpose for t in matcher.tokenize("rank the depots so we can plan"))
    text = "Determine which vendors are so important to the chain that losing one would hurt."
    assert [c.name for c in algorithms.asks(text)] == ["pagerank"]


def test_a_phrase_that_holds_its_own_negation_is_not_negated():
    toy = {"apart": {"but not ... the rest": 3.0}}
    [c] = matcher.rank("tied to each other but not to the rest", toy)
    assert c.score == 3.9 and c.negated == []
    [c] = matcher.rank("we do not need a ranking", {"rank": {"ranking": 3.0}})
    assert c.score == 0 and c.negated == ["ranking"]


def test_reported_indirect_questions_and_open_questions_are_asks():
    text = """[11:20] rui: compliance asked if any vendors are cut off from the rest of the supply web

Finance keeps wondering whether our stores fall into natural clusters. Then there is the question of which depots matter most.
The auditors also want the list of cycles with their members. The committee asked us how the quarter went.
"""
    assert _asks(text) == [
        ("compliance asked if any vendors are cut off from the rest of the supply web", ["wcc"]),
        ("Finance keeps wondering whether our stores fall into natural clusters.", ["label_propagation"]),
        ("Then there is the question of which depots matter most.", ["pagerank"]),
        ("The auditors also want the list of cycles with their members.", ["simple_cycles"]),
    ]


def test_the_role_of_a_user_story_is_who_asks_not_what():
    assert [t.role for t in matcher.tokenize("As a cluster lead, I want hubs")] == [False, False, True, True] + [False] * 4
    text = "As a segment owner, I want the staff who bring the different guilds together."
    assert [c.name for c in algorithms.asks(text)] == ["betweenness"]
    assert [c.name for c in algorithms.asks("As a rule, group the stores into segments.")] == ["label_propagation"]


def test_words_that_only_stem_like_an_algorithm_are_not_its_name():
    assert matcher.stem("close") != matcher._stem_of("closeness") and matcher.stem("hit") != matcher._stem_of("hits")
    assert algorithms.rank("Which suppliers get hit first?")[0].name != "hits"
    assert [c.name for c in algorithms.asks("Rank the depots by closeness.")] == ["closeness"]
    assert [c.name for c in algorithms.asks("Score the pages with HITS.")] == ["hits"]
    # "routed" (through a broker) is that word form only: "routes" are no brokerage
    assert "betweenness" not in [c.name for c in algorithms.rank("List the bus routes.")]


def test_an_indirect_question_is_an_ask_whoever_holds_it():
    text = ("Priya raised whether any kiosks are isolated from the rest of the estate. The COO is curious which "
            "depots matter most. It'd be useful to know if the riders fall into natural clusters. "
            "Nobody has asked whether the office moves in May.")
    assert _asks(text) == [
        ("Priya raised whether any kiosks are isolated from the rest of the estate.", ["wcc"]),
        ("The COO is curious which depots matter most.", ["pagerank"]),
        ("It'd be useful to know if the riders fall into natural clusters.", ["label_propagation"]),
    ]


def test_a_quantifier_may_stand_inside_a_catalog_phrase():
    assert [c.name for c in algorithms.asks("Whose friends all know each other?")] == ["clustering_coefficient"]
    assert [c.name for c in algorithms.asks("Which clerks are linked to the most important judges?")] == ["eigenvector"]


def test_a_gap_tries_every_word_its_target_may_be():
    toy = {"join": {"connect ... team and": 3.0}}
    # the first "team" is not followed by "and": the gap goes on to the "team" that makes the phrase whole
    [c] = matcher.rank("connect the team leads team and the board", toy)
    assert c.phrases == ["connect the team leads team and"]
    assert matcher.rank("connect the team leads team or the board", toy) == []
    assert [c.name for c in algorithms.asks("Which depots connect the north team and the south team?")] == ["betweenness"]


def test_what_a_discussion_list_reports_is_no_ask_but_its_questions_are():
    text = """## Discussion
- Kim: trucks sometimes loop between the same two yards.
- Which yards do trucks keep looping between?
"""
    assert _asks(text) == [("Which yards do trucks keep looping between?", ["scc"])]


def _texts(text: str, name: str = "doc.md") -> list[str]:
    return [r.text for r in parse_requirements([{"name": name, "text": text}]).requirements]


def test_the_message_quoted_by_an_email_reply_is_read_line_by_line():
    text = """Thanks, see my earlier mail.

> Hi Ana,
>
> What we need:
> - which depots carry the most weight in the whole network
> - the couriers shared by two depots
"""
    assert _asks(text, "mail.txt")[0] == ("which depots carry the most weight in the whole network", ["pagerank"])


def test_an_initial_ends_no_sentence():
    assert _texts("Show how broker K. Lindqvist is connected to the Oslo desk.") == [
        "Show how broker K. Lindqvist is connected to the Oslo desk."]


def test_a_wiki_heading_opens_a_section():
    text = "h3. Out of scope\n* Forecast of ticket sales by stand\n"
    reqs = parse_requirements([{"name": "ticket.md", "text": text}])
    assert reqs.requirements == [] and reqs.non_goals == ["Forecast of ticket sales by stand"]


def test_a_greeting_framing_adverb_or_topic_before_the_ask_is_not_the_ask():
    assert _algos("Hello, please we need know which shops are most important in whole network. Thanks") == [["pagerank"]]
    assert _texts("- More broadly, which single depots would split the network if we lost them.") == [
        "More broadly, which single depots would split the network if we lost them."]
    assert _texts("and night crew: which yards act as the go-between for the two ports") != []
    assert _texts("- Once an order is confirmed as fraudulent by the review team, flag the buyers sharing its card") != []


def test_a_reported_suggestion_is_an_ask_and_an_errand_is_not():
    text = """## Discussion
- AB suggested separating the tightly knit core of regular hauliers from the occasional ones.

## Action items
1. CD to send the chokepoint list to AB - due 3 Dec
2. EF to also list every depot within two hops of depot D-7 - due 3 Dec
"""
    assert _texts(text) == [
        "AB suggested separating the tightly knit core of regular hauliers from the occasional ones.",
        "EF to also list every depot within two hops of depot D-7 - due 3 Dec",
    ]


@pytest.mark.parametrize("text, algorithm", [
    ("Which depots have the most direct routes?", "degree"),
    ("which couriers serve the most distinct shops directly", "degree"),
    ("Which traders are connected to other well-connected traders?", "eigenvector"),
    ("Which sites are hubs pointing at many big sites, and which are the authorities everyone points at?", "hits"),
    ("Every such loop, with the wallets in it, please", "simple_cycles"),
    ("Find the customers that are basically the same person, look-alike pairs", "node_similarity"),
    ("Product pages that are copies of each other", "node_similarity"),
    ("Seen from the two depots we flagged, which other depots matter most?", "personalized_pagerank"),
    ("For a set of seed shops chosen by the board, rank the others by relevance to those seeds.", "personalized_pagerank"),
    ("List every stop within two transfers of the central station.", "k_hop"),
    ("What are all the equally short routes between the two ports?", "all_shortest_paths"),
])
def test_the_newer_algorithms_are_told_apart_by_what_they_describe(text, algorithm):
    assert [c.name for c in algorithms.asks(text)][:1] == [algorithm]


def test_single_relationships_are_bridges_and_single_sites_articulation_points():
    assert [c.name for c in algorithms.asks("Which single links, if severed, would split the network in two?")] == ["bridges"]
    assert [c.name for c in algorithms.asks("Which pipe segments, if they burst, would leave a district dry?")] == ["bridges"]
    assert [c.name for c in algorithms.asks("Which single depots would split the network if we lost them?")] == [
        "articulation_points"]


def test_an_algorithm_named_outright_beats_what_the_sentence_describes():
    assert [c.name for c in algorithms.asks("Reproducible communities of shops, use Leiden please")] == ["leiden"]
    assert [c.name for c in algorithms.asks("Reproducible communities of shops")] == ["louvain"]


def test_a_mark_pushed_out_in_the_passive_is_propagation():
    assert [c.name for c in algorithms.asks("we would like the risk pushed out to the accounts that share a phone with them")
            ][:1] == ["attribute_propagation"]


def test_the_last_kind_a_heading_names_is_what_it_holds():
    text = "# Payments Compliance - Open Questions\n\n| # | Question |\n|---|---|\n| 1 | Card volume forecast per region |\n"
    assert _texts(text) == ["Card volume forecast per region"]


def test_a_prohibition_is_a_constraint_and_decimal_clauses_are_items():
    text = """## 2. Scope of services

2.1 The contractor shall forecast parcel volumes for 2029.

## 3. Requirements on the contractor

3.1 The contractor shall not copy any customer data out of the authority's estate.
3.2 Ticket pricing is outside the scope of this tender.
"""
    reqs = parse_requirements([{"name": "rfp.md", "text": text}])
    assert [r.text for r in reqs.requirements] == ["The contractor shall forecast parcel volumes for 2029."]
    assert reqs.constraints == ["The contractor shall not copy any customer data out of the authority's estate."]
    assert reqs.non_goals == ["Ticket pricing is outside the scope of this tender."]


def test_a_lead_in_to_a_list_and_the_group_that_asks_are_no_asks():
    text = """Following our call on Monday, here is what the finance group would like from the graph:
- which suppliers are most influential
"""
    assert _asks(text) == [("which suppliers are most influential", ["pagerank"])]
    assert algorithms.asks("The marketing group would like a summary of the graph") == []
    assert [c.name for c in algorithms.asks("Split the customers into natural groups")] == ["label_propagation"]


def test_a_parenthetical_aside_supports_the_ask_but_does_not_lead_it():
    # the gloss names shared identifiers (components) and influence; the ask is look-alikes
    assert [c.name for c in algorithms.asks(
        "which customers look like near-duplicates of each other (same phone, same address, the influencers too)")] == [
        "node_similarity"]
    assert [c.name for c in algorithms.asks("(Same phone, same address) which customers share them?")][:1] == ["wcc"]


def test_a_reason_put_before_the_ask_ends_at_its_comma():
    text = "Since the floods left the grid in several disconnected pieces, which substations can still reach the rest fastest?"
    assert [c.name for c in algorithms.asks(text)] == ["harmonic"]
    assert [c.name for c in algorithms.asks("Is everything still connected after the closures?")] == ["wcc"]
    assert [c.name for c in algorithms.asks("Do the pupils fall into natural cohorts?")] == ["label_propagation"]


def test_a_question_that_points_back_joins_the_sentence_it_points_to():
    text = "Some brokers seem to be the go-between for buyer groups that otherwise never meet. Who are they, and how much goes through them?"
    assert _asks(text) == [(text, ["betweenness"])]


def test_a_further_sentence_of_an_item_asking_the_same_joins_it():
    text = "- For each such cycle, which suppliers are in it? We need the actual cycles for the audit.\n"
    assert _asks(text) == [(
        "For each such cycle, which suppliers are in it? We need the actual cycles for the audit.", ["simple_cycles"])]


def test_a_superlative_inside_a_phrasal_verb_is_having_not_passing():
    assert [c.name for c in algorithms.asks("Which dealers carry the most influence over the market as a whole?")] == [
        "pagerank"]
    assert [c.name for c in algorithms.asks("Carry the fraud flag over to their direct contacts")] == ["attribute_propagation"]


def test_marking_those_that_share_something_with_known_cases_is_propagation():
    text = "Once a driver is confirmed as a fraudster, flag the drivers using the same depot as likely fraudsters too"
    assert [c.name for c in algorithms.asks(text)] == ["attribute_propagation"]
