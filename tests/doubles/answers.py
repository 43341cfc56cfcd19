"""Schema-aware answers for the LLM test doubles (the fake chat model and the HTTP server).

``plan_answer(schema_name, prompt)`` reads the data blocks of a prompt built by
``graph_agents.llm.render_data`` and builds a plausible answer from that data, the way a
sensible model would; ``hallucinate=True`` builds one that names collections, algorithms,
parameters or numbers that do not exist, so the agents' validation has something to reject.
"""

from __future__ import annotations

import json
import re
from typing import Any

from graph_agents import algorithms

_BLOCK = re.compile(r"<(\w+)>\n(.*?)\n</\1>", re.S)
_DOC = re.compile(r'<document name=("(?:[^"\\]|\\.)*") trust="untrusted">\n(.*?)\n</document>', re.S)
_ITEM = re.compile(r"^\s*(?:[-*]|\d{1,3}[.)])\s+(.*)$")
_MODAL = re.compile(r"\b(must|shall|should|needs? to|could|want)\b", re.I)
_SCHEMA_IN_SYSTEM = re.compile(r"for `(\w+)`")


def blocks(prompt: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, body in _BLOCK.findall(prompt):
        try:
            out[name] = json.loads(body)
        except ValueError:
            out[name] = body
    return out


def documents(prompt: str) -> list[dict[str, str]]:
    return [{"name": json.loads(n), "text": t.replace("<\\/", "</")} for n, t in _DOC.findall(prompt)]


def schema_from_system(system: str) -> str | None:
    m = _SCHEMA_IN_SYSTEM.search(system)
    return m.group(1) if m else None


def _priority(text: str) -> str:
    low = text.lower()
    return "high" if "high" in low or "must" in low else "low" if "low" in low or "nice to have" in low else "medium"


def _vertical(data: dict[str, Any], hallucinate: bool) -> dict[str, Any]:
    if hallucinate:
        return {"vertical": "astrology", "reason": "the stars say so"}
    scores = data.get("keyword_scores") or {}
    best = max(scores, key=scores.get) if scores else None
    if best and scores[best] > 0:
        return {"vertical": best, "reason": f"the documents and collections speak of {best}"}
    saved = [v["name"] for v in data.get("verticals", []) if v.get("saved")]
    if saved:
        return {"vertical": saved[0], "reason": "an earlier run defined this domain"}
    words = ["patient", "clinic", "referral"]
    return {
        "vertical": "new", "reason": "no listed vertical fits",
        "new_vertical": {
            "name": "healthcare", "display_name": "Healthcare", "description": "Patients, clinics and referrals.",
            "keywords": words + list(data.get("collections", []))[:5],
            "terms": {"node": "patient", "nodes": "patients", "community": "care network",
                      "communities": "care networks", "component": "cluster", "components": "clusters",
                      "influence": "influence", "broker": "coordinator", "cycle": "referral loop",
                      "entity": "patient", "entities": "patients"},
            "core_hints": ["patient"], "algorithm_purposes": {"pagerank": "most referred clinicians"},
            "discovery": ["pagerank", "wcc"],
        },
    }


def _schema(data: dict[str, Any], hallucinate: bool) -> dict[str, Any]:
    graph = data["graph"]
    docs = [c for c in graph["collections"] if c["type"] == "document"]
    core = [c["name"] for c in docs if c["role"] == "core"]
    out = {
        "domain": f"{data.get('vertical', {}).get('display_name', 'business')} network",
        "key_entities": core,
        "relationships": [{"edge_collection": d["collection"],
                           "meaning": f"links {', '.join(d['from_collections'])} to {', '.join(d['to_collections'])}"}
                          for d in graph["edge_definitions"]],
        "roles": [{"collection": c["name"], "role": c["role"], "reason": "by size"} for c in docs],
        "suggested_analyses": ["pagerank", "wcc"],
    }
    if hallucinate:
        out["key_entities"].append("ghost_accounts")
        out["suggested_analyses"].append("quantum_walk")
    return out


def _requirements(prompt: str, hallucinate: bool) -> dict[str, Any]:
    reqs, objectives, stakeholders, constraints = [], [], [], []
    for doc in documents(prompt):
        section = ""
        for line in doc["text"].splitlines():
            if line.lstrip().startswith("#"):
                section = line.strip("# ").lower()
                continue
            m = _ITEM.match(line)
            text = (m.group(1) if m else line).strip()
            if not text:
                continue
            if "objective" in section and m:
                objectives.append(text)
            elif "stakeholder" in section and m:
                stakeholders.append(text)
            elif "constraint" in section and m:
                constraints.append(text)
            elif (m and "requirement" in section) or _MODAL.search(text) or text.endswith("?"):
                reqs.append({"id": f"REQ-{len(reqs) + 1:03d}", "text": text, "priority": _priority(text),
                             "kind": "must" if "must" in text.lower() else "should", "source": doc["name"]})
    if hallucinate:
        reqs.append({"id": "REQ-999", "text": "Quantify blockchain synergy across lunar warehouses", "priority": "high"})
    return {"objectives": objectives, "requirements": reqs, "stakeholders": stakeholders, "constraints": constraints}


def _use_cases(data: dict[str, Any], hallucinate: bool) -> dict[str, Any]:
    names = [c["name"] for c in data["graph"]["collections"]]
    out = []
    for req in data.get("requirements", []):
        matches = algorithms.match(req["text"])
        if not matches:
            continue
        low = req["text"].lower()
        focus = [n for n in names if n.lower().rstrip("s") in low or n.lower().replace("_", " ") in low]
        out.append({"title": req["text"][:80], "description": req["text"], "algorithm": matches[0][0],
                    "rationale": "the requirement's words call for it", "priority": req.get("priority", "medium"),
                    "requirement_ids": [req["id"]], "focus": focus})
    if not out:  # discovery: follow the baseline
        out = [{k: u[k] for k in ("title", "description", "algorithm", "rationale", "priority", "requirement_ids", "focus")}
               for u in data.get("baseline_use_cases", [])]
    if hallucinate and out:
        out.append({**out[0], "title": "Quantum walk of everything", "algorithm": "quantum_walk"})
        out.append({**out[0], "title": "Ghosts", "focus": ["ghost_accounts"]})
        out.append({**out[0], "title": "Unknown requirement", "requirement_ids": ["REQ-999"]})
    return {"use_cases": out}


def _templates(data: dict[str, Any], hallucinate: bool) -> dict[str, Any]:
    out = []
    for t in data.get("templates", []):
        params = []
        if t["algorithm"] == "pagerank":
            params.append({"name": "damping_factor", "value": 0.85, "reason": "standard damping for purchase graphs"})
        if "maximum_supersteps" in t["catalog_parameters"]:
            params.append({"name": "maximum_supersteps", "value": 80, "reason": "converges well before 80 on this size"})
        if hallucinate:
            params.append({"name": "damping_factor" if t["algorithm"] == "pagerank" else "turbo", "value": 1.7,
                           "reason": "more is better"})
        out.append({"template_id": t["template_id"], "parameters": params})
    return {"templates": out}


def _insights(data: dict[str, Any], hallucinate: bool) -> dict[str, Any]:
    facts = data.get("facts", {})
    if facts.get("kind") == "score" and facts.get("count"):
        text = f"{facts['count']} vertices were scored; the top 10% hold {facts['top10pct_share'] * 100:.1f}% of the total."
        evidence = ["count", "top10pct_share"]
    elif facts.get("count"):
        text = f"{facts['count']} groups cover {facts['vertices']} vertices; the largest has {facts['largest_size']} members."
        evidence = ["count", "vertices", "largest_size"]
    else:
        return {"insights": [], "recommendations": []}
    insights = [{"title": "Scale of the result", "description": text, "confidence": 0.8, "evidence": evidence}]
    recs = [{"title": "Review the leading entities", "description": "Start with the entities named first.",
             "priority": "medium", "effort": "low", "impact": "Focus", "insight": 1}]
    if hallucinate:
        insights.append({"title": "Revenue impact", "description": "This drives 12345.6 dollars of revenue.",
                         "confidence": 0.9, "evidence": ["revenue"]})
        recs.append({"title": "Act on revenue", "description": "Chase the revenue.", "insight": 2})
    return {"insights": insights, "recommendations": recs}


def plan_answer(schema_name: str, prompt: str, hallucinate: bool = False) -> dict[str, Any]:
    data = blocks(prompt)
    if schema_name == "VerticalChoice":
        return _vertical(data, hallucinate)
    if schema_name == "SchemaAnalysis":
        return _schema(data, hallucinate)
    if schema_name == "RequirementsExtraction":
        return _requirements(prompt, hallucinate)
    if schema_name == "UseCasePlan":
        return _use_cases(data, hallucinate)
    if schema_name == "TemplatePlan":
        return _templates(data, hallucinate)
    if schema_name == "ReportInsights":
        return _insights(data, hallucinate)
    raise ValueError(f"no answer for {schema_name}")


AGENT_OF = {
    "VerticalChoice": "resolve_vertical", "SchemaAnalysis": "analyze_schema",
    "RequirementsExtraction": "extract_requirements", "UseCasePlan": "generate_use_cases",
    "TemplatePlan": "generate_templates", "ReportInsights": "analyze",
}
