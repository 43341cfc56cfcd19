"""What a sentence of a requirements document is: an ask, a constraint, a non-goal, an objective,
a stakeholder, or background.

An ask is recognised by its form, not by its words alone: a question, a user story ("As a ..., I
want ..."), an imperative that asks for knowledge ("Find ...", "Rank ...", "Tell us ..."), a
first-person need ("We need to ...", "Could you ..."), or an item under a heading that lists asks
(Requirements, Questions, Backlog, ...). A sentence that only reports that someone wants something
("Marketing wants to understand the market") is an ask when it names an analysis. Constraints
(deadlines, formats, privacy, where the work runs) and non-goals ("out of scope", "we do not need")
are recorded, never analysed.
"""

from __future__ import annotations

import re

from ... import algorithms, matcher

SECTION_PATTERNS = {  # heading words -> what the items under it are
    "non_goals": r"not planned|out[- ]of[- ]scope|not in scope|non[- ]goals?|exclusions?|excluded|not required|won'?t do|not needed|later phases?",
    "constraints": r"constraints?|limitations?|non[- ]functional|assumptions?|rules|polic(y|ies)|compliance|guardrails?"
                   r"|deliverables?|timeline|logistics|privacy|security requirements|ground rules|conditions",
    "stakeholders": r"stakeholders?|audience|owners?|sponsors?|contacts?|team members|raci|who'?s who",
    "objectives": r"objectives?|goals?|aims?|purpose|vision|mission|outcomes|why|motivation|business drivers?",
    "background": r"background|context|overview|about|introduction|intro|summary|history|notes?|situation|current state|the data|data sources?"
                  r"|discussion|discussed|recap|observations?|findings|status|updates?|minutes",
    "actions": r"action items?|actions|next steps|follow[- ]ups?|to[- ]?dos?",
    "asks": r"requirements?|questions?|asks?|needs?|backlog|use cases?|analys[ie]s|requests?|scope|user stories|stories"
            r"|requested|wish ?list|wishes|what we need|what we want|deliverables|tasks?|problems?|topics?|investigations?|items|epics?",
}
_SECTIONS = {k: re.compile(rf"\b({v})\b", re.I) for k, v in SECTION_PATTERNS.items()}

_ANALYSIS_VERBS = (
    "find|identify|detect|determine|discover|spot|flag|surface|highlight|uncover|locate|pinpoint|reveal|rank|list|show"
    "|tell|give|provide|map|measure|compute|calculate|score|segment|cluster|group|split|divide|partition|break|trace"
    "|track|monitor|check|assess|evaluate|estimate|quantify|analy[sz]e|explore|understand|see|know|learn|work out"
    "|figure out|single out|look for|look into|search|expose|catch|prioriti[sz]e|rate|predict|forecast|recommend"
    "|propagate|spread|push|label|tag|classify|infer|link|connect|resolve|de-?duplicate|match|visuali[sz]e|compare"
    "|examine|investigate|study|get|produce|name|point out|isolate|establish|sort|order|count|discern|recogni[sz]e"
    "|reveal|expose|inventory|pick out|call out|clarify|confirm|verify|establish|help|let us|let's|give us|show us|tell us"
    "|extend|mark|assign|carry|pass|bring|apply|copy|look at|dig into|drill into|transfer|simulate|model|profile|characteri[sz]e|gauge|distinguish|separate|chart"
)
_LEAD = r"(?:(?:please|kindly|also|then|and|but|so|instead|finally|lastly|additionally|separately|first|firstly|second|secondly|third|next|now|ideally),?\s+)*"
_IMPERATIVE = re.compile(rf"^{_LEAD}(?:{_ANALYSIS_VERBS})\b", re.I)
_VERB_WH = re.compile(rf"\b(?:{_ANALYSIS_VERBS})\s+(?:which|who|whom|whether|where|what|how)\b", re.I)
_QUESTION_START = re.compile(
    r"^(?:which|who|whom|whose|what|where|when|how|why|are there|is there|is it|are|is|do|does|did|can|could|will|would|should|has|have)\b",
    re.I,
)
# making an analysis no algorithm answers: "Build a subscriber growth forecast"
_BUILD_ANALYSIS = re.compile(rf"^{_LEAD}(?:build|create|develop|prepare|produce|run|do)\b[^.;]*\b(?:forecast|projection|prediction)", re.I)
# running a method: "Run HITS on the citation graph", "Use Leiden", "Perform community detection"; an ask only
# when it names the method or an analysis ("Use the Frankfurt cluster" is where the work runs)
_RUN_METHOD = re.compile(rf"^{_LEAD}(?:run|use|perform|execute|do|apply|try|compute)\b", re.I)
_METHOD_NOUN = re.compile(r"\b(?:detection|decomposition|centrality|analysis|algorithm|ranking|propagation|partitioning"
                          r"|search|counts?|coefficients?|similarity|components)\b", re.I)


def _runs_a_method(core: str) -> bool:
    if not _RUN_METHOD.match(core):
        return False
    ranked = algorithms.rank(core)
    if not ranked:
        return False
    top = algorithms.get(ranked[0].name)
    names = {top.name.replace("_", " "), top.title.lower()}
    return ranked[0].score >= algorithms.NAMED or bool(names & set(ranked[0].phrases)) or bool(_METHOD_NOUN.search(core))
_USER_STORY = re.compile(r"^as (?:a|an|the|our)\b.{1,120}?,?\s*\bi\s*(?:want|need|would like|'d like|wish|expect|must|should)\b", re.I)


def _either(*alternatives: str) -> re.Pattern[str]:
    """One case-blind pattern matching any of ``alternatives`` as whole words."""
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.I)


_FIRST_PERSON = _either(
    r"(?:we|i|us|you|our team)\s+(?:really\s+|also\s+|urgently\s+|would\s+)?(?:need|want|must|should|shall|have to"
    r"|would like|'d like|wish|are asked|are looking|are keen|are trying|hope|aim|plan|intend|expect|require|would love"
    r"|'d love|are interested|can|could)",
    r"(?:could|can|would|will) (?:you|we|someone|the team)", "please", "help us", "let'?s",
    r"it(?: would|['’]?d) be (?:great|good|useful|helpful|nice|interesting|valuable)", r"the (?:goal|aim|ask|question|task|need|idea) is",
    r"we'?d (?:like|love)", r"i'?d (?:like|love)",
    r"(?:would|'d) be (?:nice|lovely|great|good|useful|helpful|handy|welcome|valuable)(?: to have)?", r"nice to have",
    r"(?:we|i) (?:would|'d) (?:also )?(?:value|appreciate|welcome)",
    # an ask in the passive: "everything within two spans of X should be listed"
    r"(?:should|must|shall|needs? to|to) be (?:listed|identified|flagged|ranked|mapped|grouped|clustered|highlighted|found|surfaced|traced)",
)
_THIRD_PERSON = _either(
    "must", "shall", "should", "needs? to", "wants? to", r"would (?:\w+ )?like", r"'d (?:\w+ )?like", "wish(?:es)? to",
    "(?:is|are) asked to", "ha(?:s|ve) to", "(?:is|are) required to", "expects? to", "hopes? to", "aims? to", "plans? to",
    "intends? to", "(?:is|are) looking to", "(?:is|are) keen to", "(?:is|are) interested in",
    "asks? (?:us|for|to|which|who|whether|if)", "asked (?:us|for|to|which|who|whether|if)", r"asking (?:us |me )?(?:for|to)",
    r"raised (?:that|the (?:point|issue|question))", "would love", "requires?",
    "requested", "wonders?", "wondering", "wondered", r"suggest(?:s|ed)? \w+ing", r"propos(?:es|ed) \w+ing",
    # an indirect question reported: "compliance asked if ...", "the CFO keeps asking whether ..."
    r"(?:ask(?:s|ed|ing)?|wonder(?:s|ed|ing)?|quer(?:y|ies|ied)|want(?:s|ed)? to know|raised the question)(?: \w+)?"
    r" (?:if|whether|which|who|whom|whose|what|where|how)",
    # "Priya raised whether ...", "the COO is curious which ...": an indirect question, whoever holds it
    "whether", r"(?:curious|unsure|unclear|keen to (?:know|learn|see|find out)|interested to (?:know|see|learn))"
    r"(?: about)? (?:if|which|who|whom|whose|what|where|how)",
    # "they want the actual cycles": wanting a thing, not only wanting to do something
    r"want(?:s|ed)? (?:the|a|an|all|any|every|each|some|those|these|us|me|them|more|better)",
)
# an ask phrased as an open question in a statement: "then there's the question of whether ..."
_OPEN_QUESTION = _either(
    r"(?:the|a|one|another|open|big|key|next|other) question (?:of |is |remains |was |being )?(?:whether|if|which|who|whom"
    r"|whose|what|where|how)",
    # "the main thing we keep asking ourselves is who ..."
    r"(?:thing|question|issue|puzzle|unknown)\b[^.?!;]{0,40}\b(?:is|remains) (?:who|which|whom|whose|whether)",
)
# what frames the work rather than asking for an analysis: someone's wish to understand in general
# ("The board wants to understand the market better"), a topic people have been asking about; an
# indirect question naming what to find ("... wants to understand which hosts ...") still asks
_FRAMING = _either(
    r"(?:wants?|wanted|would like|'d like|needs?|is keen|are keen|hopes?|come) to (?:better )?(?:understand|get a (?:sense|feel|picture|view) of)"
    r"(?! (?:which|who|whom|whose|how many|how much)\b)",
    r"(?:ha(?:s|ve) been|keeps?|kept|were|was) asking (?:about|around)",
)
# the writer's own wish to understand something named by a question is an ask ("We would like to understand
# where shipments get stuck"); someone else's ("The leadership team wants to understand whether ...") frames the work
_OWN_QUESTION = re.compile(r"\b(?:we|i)(?:'d| would| really| also)* (?:want|like|need|hope|are keen|am keen) to (?:better )?understand (?:where|whether|if|how|what|why|which|who)\b", re.I)


def _framing(text: str) -> bool:
    return bool(_FRAMING.search(text)) and not _OWN_QUESTION.search(text)


# a goal reported, not an ask: someone wants to do something that is no analysis ("they want to seed the
# new alliance event with look-alikes"): it says why the ask before it matters
_REPORTED_GOAL = re.compile(
    rf"\b(?:wants?|wanted|would like|'d like|plans?|aims?|hopes?|intends?|need|needs) to (?!(?:{_ANALYSIS_VERBS}|be|have)\b)[a-z]+", re.I)
_WH_WORD = _either("which", "who", "whom", "whose", "whether", "where", "how many", "how much")
# a modifier of the ask before it, not an ask of its own: "rank them lowest first", "sort those by size"
_MODIFIER = re.compile(
    r"^(?:and |then |also )?(?:rank|sort|order|list|show)\s+(?:them|these|those|it|the results?|that(?: list)?)"
    r"(?:\s+(?:by [\w -]{1,30}|\w+est first|(?:in )?(?:ascending|descending|reverse)(?: order)?|from \w+ to \w+|top first|first|pls|please))*\s*[.!]?$",
    re.I,
)
# a label, perhaps with its owner in brackets: "Q3:", "REQ-2 -", "Action (LB):", "TODO [sam]:"
_LABEL = re.compile(r"^(?:[A-Z]{1,4}[- ]?\d+(?:\.\d+)*|[A-Z][\w /&-]{0,30}|Q\d+|R\d+|REQ[- ]?\d+|US[- ]?\d+|#\d+|\d+)"
                    r"(?:\s*[(\[][\w .,&/@-]{1,30}[)\]])?\s*[:–—-]\s+(?=\S)")
_PRIORITY_NOTE = re.compile(r"^\s*(?:\(|\[)?\s*(?:(?:high|medium|low|top)\s+priority|priority\s*[:=]?\s*(?:high|medium|low|\d)|p[0-3]|must[- ]have|should[- ]have|could[- ]have|nice[- ]to[- ]have)\s*(?:\)|\])?\s*[:–—-]?\s*", re.I)
_NON_GOAL = _either(
    "out of scope", "not in scope", "non[- ]goals?", r"(?:we|i)\s+(?:do not|don'?t|won'?t|will not)\s+(?:need|want|require|ask|expect|look)",
    "no need (?:to|for)", r"no (?:\w+ ){0,2}(?:needed|required|wanted)", r"not (?:needed|required|necessary|wanted|requested|part of (?:this|the))", "not interested in",
    "not looking (?:for|to|at)", "(?:is|are) excluded", "excluded from", "don'?t bother", "not (?:a|our) (?:priority|focus|goal)",
    "not this (?:time|quarter|phase)", "deferred", "parked", "outside (?:the |our )?scope",
)
_CONSTRAINT = re.compile(
    r"\bnever\b|\bmust not\b|\bmay not\b|\bshould not\b|\bshall not\b|\bcannot\b|\bcan'?t\b|\bonly (?:use|run|on|within|with|inside|read)\b"
    r"|\bdeadline\b|\bdue (?:by|on|in)\b|\bdeliver(?:ed|able)?s?\b|\bby (?:the )?(?:end of|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|january|february|march|april|may|june|july|august|september|october|november|december|q[1-4]|\d)"
    r"|\bas (?:a |an )?(?:pdf|html|slides?|slide deck|deck|dashboard|excel|spreadsheet|csv|word|powerpoint|report|email)\b|\bformat\b"
    r"|\bwithin (?:\w+ ){0,2}(?:minutes?|hours?|days?|weeks?|months?|working days?|business days?)\b|\bbudget\b|\bcosts? (?:must|should|no more)"
    r"|\bcompl(?:y|iance|iant)\b|\bgdpr\b|\bhipaa\b|\bprivacy\b|\bpersonal data\b|\bpii\b|\bconfidential\b|\banonymi[sz]|\bpseudonymi[sz]"
    r"|\bby (?:document |record |their |its |the )?ids?\b|\brefer(?:s|red)? to \w+ (?:only )?by\b|\b(?:stay|stays|remain|remains|kept|keep) (?:inside|within|on|in)\b|\b(?:stays?|kept|keep|leave|left) (?:\w+ ){0,3}out of (?:it|this|scope|the (?:analysis|report|results?|data))\b"
    r"|\bmust run on\b|\bwithout (?:a |any )?cop(?:y|ies|ying)\b|\bread[- ]only\b|\bon[- ]prem|\bin (?:plain )?(?:english|german|french|spanish)\b"
    r"|\bplain (?:business )?language\b|\bready (?:by|within|in)\b|\bleads? for an? investigat|\bautomatic\b|\bmust be (?:explained|documented|reproducible|auditable)\b"
    r"|\bno more than\b|\bat most\b|\bat least\b|\bsla\b|\bretention\b|\bsecurity\b|\baudit(?:able|ability|ed| trail| log)",
    re.I,
)
_GREETING = re.compile(
    r"^(?:hi|hello|hey|dear|thanks|thank you|cheers|best|regards|kind regards|best regards|many thanks|hope (?:you|this|all)|good (?:morning|afternoon))\b"
    r"|^(?:let me know|any questions|happy to|looking forward|see you|talk soon)\b",
    re.I,
)


def section_of(headings: list[str]) -> str:
    """What the nearest telling heading says its content is (``other`` when none tells). When a
    heading holds words of several kinds, its last one is its head noun: "Compliance - Graph
    Questions" lists questions, "Privacy requirements" ... the earlier kind wins a tie."""
    for heading in reversed(headings):
        # "(Compliance Ops, Q1)" says who or when, not what the section holds
        heading = re.sub(r"\([^)]*\)", " ", heading)
        # "Objective 3: Grow audience": a numbered label before the colon says what the section is
        label = re.match(r"^\s*([A-Za-z][\w -]{0,30}?)\s*\d+(?:\.\d+)*\s*:", heading)
        if label and (kinds := [name for name, pattern in _SECTIONS.items() if pattern.search(label.group(1))]):
            return kinds[0]
        ends = {name: max(m.end() for m in found) for name, pattern in _SECTIONS.items()
                if (found := list(pattern.finditer(heading)))}
        if ends:
            return max(ends, key=lambda name: (ends[name], -list(_SECTIONS).index(name)))
    return "other"


def strip_label(text: str) -> str:
    """The ask without its decoration: "(High priority)", "Q3:", "REQ-2 -", "Must have:"."""
    out = text
    for _ in range(3):
        before = out
        out = _PRIORITY_NOTE.sub("", out)
        label = _LABEL.match(out)
        # "Q3: ..." is a label; "Identify mule networks: accounts ..." is the ask itself
        if label and len(label.group(0)) < len(out) - 8 and not _IMPERATIVE.match(label.group(0)):
            out = out[label.end():]
        if out == before:
            break
    return out.strip()


# what stands before the ask itself and says nothing of it: a short condition or courtesy ("if you
# can, carry ...", "once the ring is confirmed, flag ..."), an adverb of framing ("more generally,
# which ..."), a greeting ("Hello, please ..."), a speaker or topic before a question ("city team: which ...")
_LEAD_CLAUSE = re.compile(
    r"^(?:(?:(?:and|also|so|but|plus|then)\s+)?(?:if|when|whenever|once|where|while|as|ideally|if possible)\b[^,]{0,60},"
    r"|(?:\w+\s+){0,2}\w+ly,|(?:first|second|third|next|then|also|finally|lastly|plus|besides|beyond that|on top of that"
    r"|for a start|for starters|to start with|to begin with|first of all|for one thing)\s*,"
    # a conjunction before a question: "Plus which accounts ...", "And who ..."
    r"|(?:plus|and|also|but|so)(?=\s+(?:which|who|whom|whose|where|whether)\b)|(?:hi|hello|hey|dear|good (?:morning|afternoon))\b[^,]{0,30},"
    r"|(?:and\s+|also\s+|so\s+)?[\w&/ -]{1,30}:(?=\s+(?:which|who|whom|whose|what|where|how|whether)\b))\s+(?=\S)",
    re.I,
)
# an action item of minutes: someone to run an errand ("JT to send the lists to LB - due 20 Nov");
# an errand asks for no analysis, unless its verb is one ("JT to list everyone within two hops")
_ERRAND = re.compile(rf"^[A-Za-z][\w.&/-]{{0,20}}(?: [A-Z][\w.-]{{0,20}})? to (?:also )?(?!also\b|(?:{_ANALYSIS_VERBS})\b)[a-z]+\b", re.I)


def ask_form(text: str) -> str:
    """``direct`` (question, user story, imperative, first-person need), ``reported`` (someone
    must / wants to ...), or ``""``."""
    core = matcher.plain_words(strip_label(text))
    for _ in range(3):  # leads come stacked: "Hello, more generally, which ..."
        core = _LEAD_CLAUSE.sub("", core)
    if _GREETING.match(core):
        return ""
    if _USER_STORY.match(core):
        return "direct"
    if core.endswith("?") and len(core.split()) >= 3:
        return "direct"
    if _QUESTION_START.match(core) and len(core.split()) >= 4 and not re.match(r"^(?:when|how|why) (?:we|i|the|this|it)\b", core, re.I):
        return "direct"
    if _IMPERATIVE.match(core) or _BUILD_ANALYSIS.match(core) or _NEED_NO_SUBJECT.match(core) or _NEED_OF_THE_LAST.search(core) or _FIRST_PERSON.search(core) or _VERB_WH.search(core) or _OPEN_QUESTION.search(core):
        return "direct"
    if _THIRD_PERSON.search(core):
        return "reported"
    return ""


# a need with its subject dropped, as in tickets and notes: "Need those groups surfaced", "Also want the loops listed"
_NEED_NO_SUBJECT = re.compile(r"^(?:also |still |really |and )?(?:need|want|would like|'d like)\s+(?!to be\b)\w", re.I)
# ... and a later sentence needing what the first describes, joined to it: "... each other. Need those groups surfaced."
_NEED_OF_THE_LAST = re.compile(r"[.!?;]\s+(?:(?:we|i)\s+)?(?:also\s+|really\s+)?(?:need|want|would like|'d like)\s+(?:those|these|them|they|such)\b", re.I)
# a prohibition: the sentence's own modal is negated ("The vendor shall not remove any personal data")
_PROHIBITION = re.compile(r"^(?:[\w'’-]+\s+){1,4}(?:shall|must|may|should|will)\s+(?:not|never)\b", re.I)


def is_non_goal(text: str) -> bool:
    return bool(_NON_GOAL.search(text))


def is_constraint(text: str) -> bool:
    return bool(_CONSTRAINT.search(text))


def is_prohibition(text: str) -> bool:
    return bool(_PROHIBITION.match(strip_label(text)))


def is_greeting(text: str) -> bool:
    return bool(_GREETING.match(strip_label(text)))


# an analysis no graph algorithm answers ("a keyword trend forecast", "a sentiment score per city"): still an
# ask, which then maps to no algorithm
_NULL_ANALYSIS = _either(r"forecasts?", r"forecasting", r"projections?", r"predictions?", r"predictive", r"sentiment(?: scores?| analysis)?",
                         r"trend analysis", r"what-if")
_STATES = re.compile(r"\b(?:is|are|was|were|has|have|had|handles?|covers?|runs?|meets?|holds?|contains?|includes?|comprises?)\b", re.I)
# a description of the data: "... records, from which a graph may be constructed in which each person is linked to ..."
_DATA_DESCRIPTION = re.compile(
    r"\bfrom which (?:a |the )?(?:graph|network)s? (?:may|can|could|will|would|is|are) (?:be )?(?:built|constructed|derived|drawn|made|formed|created)"
    r"|\b(?:graph|network) (?:in|of) which (?:each|every|all)\b", re.I)


_ENSURE = re.compile(rf"^{_LEAD}(?:make sure|ensure|check that|confirm that|verify that|guarantee)\b", re.I)


def _decides(text: str) -> bool:
    """More than one strong word decides in ``text``: a phrase of several words, or several phrases."""
    ranked = algorithms.rank(text)
    return bool(ranked) and ranked[0].score > algorithms.phrases(strong="x")["x"]


def classify(text: str, section: str, in_list: bool) -> str:
    """``ask``, ``constraint``, ``non_goal``, ``objective``, ``stakeholder`` or ``background``.

    ``in_list``: the sentence is (the first sentence of) a list item or table row.
    """
    if section == "non_goals" or is_non_goal(text):
        return "non_goal"
    if section == "actions" and _ERRAND.match(strip_label(text)):
        return "background"
    if is_prohibition(text):  # what may not be done is a constraint, whatever it names
        return "constraint"
    core = strip_label(text)
    if _MODIFIER.match(core):  # it shapes the ask before it, which holds the analysis
        return "background"
    form = ask_form(text)
    if form != "direct" and _DATA_DESCRIPTION.search(core):
        return "background"
    if _framing(core) and ask_form(_FRAMING.sub(" ", core)) != "direct":
        return "background"
    if (form == "reported" and _REPORTED_GOAL.search(core) and not ask_form(_REPORTED_GOAL.sub(" ", core))
            and not _WH_WORD.search(core)):  # "needs to decide which depots ..." still asks which
        return "background"
    intent = bool(algorithms.asks(core)) or bool(_NULL_ANALYSIS.search(core) and not _STATES.search(core))
    if not form and intent and _runs_a_method(core):
        form = "direct"
    if section == "stakeholders" and in_list and not (form == "direct" and intent):
        return "stakeholder"
    if is_constraint(text) and not (intent and form):
        return "constraint"
    if section == "constraints" and not (intent and form == "direct"):
        return "constraint"
    if form == "direct":
        if not intent and (section in ("background", "objectives") or is_greeting(text)):
            return "objective" if section == "objectives" and in_list else "background"
        return "ask"
    # a list item stating a fact ("The hub in Rotterdam handles 40% ...", "The bridge contract was
    # renewed") is an ask only when more than one word decides: a lone word ("hub", "bridge") needs the form of an ask
    if intent and not form and _STATES.search(strip_label(text)) and not _decides(strip_label(text)):
        intent = False
    if intent and (form == "reported" or (in_list and section not in ("background", "objectives"))):
        return "ask"
    if in_list and section == "asks" and not intent:
        # a listed ask without a catalog algorithm is still an ask (answered "no algorithm"), unless it
        # only states a fact ("The board meets on Tuesdays.") or a metric's target ("Open rate from 31% to 35%")
        if len(text.split()) < 3:  # "Logistics", "Health": a heading written as an item
            return "background"
        # "Make sure every community is connected" asks that a fact hold, it states none
        if _ENSURE.match(core):
            return "ask"
        return "ask" if not re.search(r"\b(?:is|are|was|were|has|have|had|meets?|happens?|runs?)\b|\d\s*%", text, re.I) else "background"
    if section == "objectives" and in_list:
        return "objective"
    return "background"
