"""The algorithm catalog: every algorithm the engines run, with GAE's parameter names and defaults.

The catalog is the single source of truth used to map requirements to algorithms, to choose and
validate parameters (an LLM proposal outside a range is rejected), and to read results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from . import matcher
from .matcher import Candidate, define_words


@dataclass(frozen=True)
class Param:
    type: type
    default: Any
    description: str
    min: float | None = None
    max: float | None = None

    def validate(self, value: Any) -> Any:
        """Return ``value`` coerced to the parameter's type, or raise ValueError."""
        if self.type is bool:
            if not isinstance(value, bool):
                raise ValueError(f"expected a boolean, got {value!r}")
            return value
        if self.type is str:
            if not isinstance(value, str):
                raise ValueError(f"expected a string, got {value!r}")
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"expected a number, got {value!r}")
        if self.type is int and float(value) != int(value):
            raise ValueError(f"expected an integer, got {value!r}")
        value = self.type(value)
        if self.min is not None and value < self.min:
            raise ValueError(f"{value} is below the minimum {self.min}")
        if self.max is not None and value > self.max:
            raise ValueError(f"{value} is above the maximum {self.max}")
        return value


@dataclass(frozen=True)
class Algorithm:
    name: str
    title: str
    # score: a number per vertex; partition: a group per vertex; flags: the vertices (or, for
    # bridges, the edges) whose removal disconnects the graph, with how much each would cut off.
    # Paths and pairs are partitions too: the vertices of a path, cycle or similar pair share its
    # label (the path or pair itself), so they are written and reported as groups with members
    kind: Literal["score", "partition", "flags"]
    # the family decides a report's advice and wording; FAMILIES lists them
    family: str
    result_field: str
    gae_endpoint: str
    description: str
    # phrases a requirement uses to ask for this algorithm, with a weight each (see INTENTS)
    intents: dict[str, float]
    params: dict[str, Param] = field(default_factory=dict)
    # partitions are only meaningful on the core business entities; scores use the whole graph
    core_only: bool = False
    directed: bool = True
    # the AQL search that runs it inside ArangoDB (engines/aql.py), for paths
    aql: str = ""

    @property
    def engines(self) -> tuple[str, ...]:
        """The engines that run it: the local engine always, GAE where it documents an endpoint,
        AQL on ArangoDB where a graph search answers it."""
        return ("local",) + (("gae",) if self.gae_endpoint else ()) + (("aql",) if self.aql else ())

    def defaults(self) -> dict[str, Any]:
        return {k: p.default for k, p in self.params.items()}

    def validate_params(self, params: dict[str, Any]) -> dict[str, Any]:
        """Defaults overlaid with ``params``; unknown names or out-of-range values raise ValueError."""
        unknown = set(params) - set(self.params)
        if unknown:
            raise ValueError(f"unknown parameter(s) for {self.name}: {sorted(unknown)}")
        out = self.defaults()
        for key, value in params.items():
            try:
                out[key] = self.params[key].validate(value)
            except ValueError as exc:
                raise ValueError(f"{self.name}.{key}: {exc}") from None
        return out


FAMILIES = ("centrality", "community", "cohesion", "paths", "similarity", "propagation")
# how a path or cycle is written as its vertices' label in a result: ids joined by an arrow
PATH_ARROW = " → "


NAMED = matcher.NAMED  # an algorithm named outright outweighs any description (a strong phrase of up to 5 words)


def phrases(strong: str = "", medium: str = "", weak: str = "", named: str = "") -> dict[str, float]:
    """An algorithm's intents: ``|``-separated phrases in three strengths (3, 2 and 1), and the
    algorithm's own names (``named``, 4.5): a reader who names the method ("use Leiden") has chosen
    it over whatever the rest of the sentence describes.

    Write the words people use (any word form: "influential" also matches "influence"), a few
    words at most; ``...`` lets up to three words stand between two parts ("between ...
    communities"). A strong phrase decides alone; medium and weak ones need company. See
    :mod:`graph_agents.matcher` for how they are matched.
    """
    out: dict[str, float] = {}
    for text, weight in ((weak, 1.0), (medium, 2.0), (strong, 3.0), (named, NAMED)):
        for phrase in text.split("|"):
            if phrase.strip():
                out[" ".join(phrase.split())] = weight
    return out


def combine(leads: str, things: str) -> str:
    """Every "lead ... thing" phrase, as a ``|``-separated string: ``combine("share | same",
    "device | phone")`` is "share ... device | share ... phone | same ... device | same ... phone"."""
    return " | ".join(f"{a.strip()} ... {b.strip()}" for a in leads.split("|") for b in things.split("|"))


# what identifies a person or a business, for "accounts that share an X" (connected components)
IDENTIFIERS = (
    "device | devices | phone | phones | email | emails | address | addresses | ip | card | cards | identifier"
    " | identifiers | id | ids | cookie | cookies | login | handset | handsets | computer | laptop | workstation | badge"
    " | sim | hardware | fingerprint | fingerprints | wallet | bank | iban | instrument | credential | credentials"
    " | number | numbers | details | reader | scanner | terminal | terminals | router | director | directors"
    " | shareholder | shareholders | beneficiary | beneficiaries | payee | payees | postcode | zip code"
    " | password | passwords | vehicle | vehicles | guarantor | referee | account holder | mailbox"
)
# what a label propagation spreads
MARKS = "flag | flags | label | labels | tag | tags | risk | score | suspicion | status | taint | stigma | classification"

# Word classes: phrases name them as "{name}" and match any of their words (any word form), so
# one phrase covers a pattern rather than one sentence ("=connect ... {apart} ... {group}").
# the parties a broker sits between: "tie the rival camps", "connect the day crowd with the night crowd"
GROUP = define_words("group", "community | group | cluster | clan | crowd | team | camp | circle | faction | tribe"
                     " | segment | silo | department | region | world | scene | audience | side | part | cohort"
                     " | division | unit | bloc | island | fandom | school | party | generation | club | society"
                     " | guild | league | office | country | city | company | business | organisation | organization"
                     " | crew | gang | clique | bubble | pocket | set | bunch | grouping | neighbourhood | neighborhood")
JOIN = define_words("join", "link | connect | join | bridge | tie | span | unite | straddle | couple | knit")
APART = define_words("apart", "separate | different | distinct | unrelated | unconnected | disconnected | rival"
                     " | opposing | otherwise | disparate | isolated | both | two")
# who everyone ends up at (in-links from all the others: PageRank)
EVERYONE = define_words("everyone", "everyone | everybody")
# being passed on by many: "quoted by the most other analysts", "copied by everybody"
AMPLIFY = define_words("amplify", "reshare | repost | retweet | share | amplify | echo | quote | copy | forward"
                       " | repeat | imitate | mimic | cite | reference | boost | recommend | endorse")
# turning to someone: "the hub everyone calls", "the one everybody else consults"
TURN = define_words("turn", "call | visit | consult | contact | message | ask | cite | follow | trust | use | phone | email"
                    " | pass | look | defer | listen | go | talk | speak | write | deal | trade")
# what others seek from someone who counts: "whose endorsement everyone seeks"
BACKING = define_words("backing", "endorsement | approval | backing | blessing | support | favour | favor | advice | attention")
# carrying a thing onwards: "ripple the furthest", "travel the farthest" (with a superlative: who carries most)
SPREAD = define_words("spread", "spread | ripple | travel | reach | carry | echo | resonate | propagate | cascade | go")
# a site going out of service: the condition of "if X went offline, would ..."
OUTAGE = define_words("outage", "failed | fail | fails | closed | close | shut | offline | down | crashed | removed | lost"
                      " | destroyed | flooded | bust | dark | unavailable | outage | stopped | halted | collapsed | lose | left | leave"
                      " | broke | broken | taken offline")
# setting what others do: "steer the conversation", "shape the narrative"
STEER = define_words("steer", "set | shape | steer | dictate | control | drive | lead")
AGENDA = define_words("agenda", "agenda | tone | narrative | conversation | discourse | fashion | taste")
# carrying the others with it: "drag the rest of the menu along"; bringing people in: "lure visitors in"
PULL = define_words("pull", "pull | drag | lift | tow | haul")
DRAW = define_words("draw", "pull | draw | bring | attract | lure | drag")
PEOPLE = define_words("people", "people | shopper | customer | buyer | visitor | user | fan | reader | viewer | traffic"
                      " | crowd | guest | member | subscriber | player | patient")
# looking like one entity: "vendors that behave most like vendor v9"
LOOK = define_words("look", "look | behave | act | seem | shop | buy | sound")
# marking a label on someone: "tag ...", "mark ... as", "infer ... risk"
MARK = define_words("mark", "flag | label | tag | mark | classify | treat | score | rate | estimate | infer | predict"
                    " | assess | deem | consider | warn | alert | notify")
NEAR = define_words("near", "closest | nearest | close | near | next | adjacent | around | connected | linked | tied"
                    " | attached | related | exposed")
THEM = define_words("them", "them | those | it | these | him | her")
# a state already known of some vertices, from which the others are inferred
ADVERSE = define_words("adverse", "failed | broken | infected | compromised | retracted | churned | defaulted | quit"
                       " | resigned | breached | hacked | banned | suspended | fraudulent | crashed | sick | tripped"
                       " | flagged | blocked | recalled | contaminated | leaked | closed | shut | offline | evicted | sanctioned")
# the ones a vertex is tied to, whose ties among themselves are its clustering: "do their
# co-authors also write with each other", "whose suppliers trade with one another"
PEER = define_words("peer", "neighbour | neighbor | contact | friend | author | collaborator | partner | peer"
                    " | colleague | associate | connection | counterparty | acquaintance | follower | coworker | teammate"
                    " | classmate | coauthor")
# the ones a vertex deals with, counted by degree ("no raid partners"); not its ties or links, nor a kind
# ("with no supplier" is being stranded), which are
# whether it is connected at all (components)
PARTNER = define_words("partner", "partner | contact | friend | counterparty | neighbour | neighbor | follower"
                       " | collaborator | coauthor | teammate | buddy | ally")
# being left with no connection at all: "would the clinics be cut off", "end up stranded"
STRANDED = define_words("stranded", "stranded | unreachable | disconnected | isolated | orphaned | marooned")
# the relationships of a network as people name them: "single cables", "which pipes, if cut, ..."
LINE = define_words("line", "link | route | connection | segment | pipe | line | road | cable | wire | fibre | fiber"
                    " | lane | channel | track | rail | span | corridor | trunk | feeder | edge | relationship | tie | bond | main"
                    " | flight | bridge | tunnel | pipeline")
# the sites of a network, each of which may be the one whose loss cuts others off ("a single airport")
SITE = define_words("site", "airport | station | depot | site | server | router | node | junction | warehouse"
                    " | substation | plant | office | port | terminal | exchange | switch | tower | facility | gateway | hub"
                    " | hospital | clinic | store | shop | school | bank | branch")
# the steps a path is counted in: "how many hops separate", "the fewest transfers from A to B"
HOP = define_words("hop", "hop | step | transfer | stop | leg | handshake | introduction | jump | link | degree | change")
# what a path between two named ones is called: "the shortest money trail", "the quickest chain"
TRAIL = define_words("trail", "path | route | chain | trail | way | sequence | journey | connection | itinerary | link")
# the kinds of vertex an ask names one of: "shoppers like shopper s-12", "servers that behave like server web-01"
KIND = define_words("kind", "account | customer | user | shopper | buyer | supplier | vendor | server | host | store"
                    " | patient | doctor | company | firm | product | node | vertex | member | person | device | station"
                    " | merchant | seller | client | item | sku | entity | employee | subscriber | number")
# receiving what many send: "keep sending to the big receivers" (authorities, HITS)
RECEIVER = define_words("receiver", "receiver | receiving | recipient | destination | sink | collector | target | payee | beneficiary")
SEND = define_words("send", "send | pay | transfer | point | link | refer | forward | route | wire")
# the closed chains simple cycles lists one by one
CLOSED = define_words("closed", "loop | cycle | ring | circuit | carousel | chain | round trip | rotation")
# a connected whole: "sit in one connected lump"
WHOLE = define_words("whole", "blob | piece | mass | web | cluster | lump | component | island | tangle | mesh | network")

_NAME_ATTRIBUTE = Param(str, "name", "vertex attribute holding display names, for entities named in an ask")
_SUPERSTEPS = Param(int, 100, "cap on iterations; every iterative algorithm needs one", 1, 10_000)

CATALOG: dict[str, Algorithm] = {
    a.name: a
    for a in [
        Algorithm(
            name="pagerank",
            title="PageRank",
            kind="score",
            family="centrality",
            result_field="rank",
            gae_endpoint="pagerank",
            description="Importance of each vertex from the importance of those linking to it.",
            intents=phrases(
                # endorsed by those who are themselves endorsed: importance from the importance of who links in
                named="pagerank | page rank | endorsed by other highly endorsed | endorsed by other ... endorsed"
                " | recommended by other ... recommended | trusted by other ... trusted | vouched for by other",
                strong="influential | influence | influencer | opinion leader | thought leader | pagerank | page rank"
                " | most important | importance | most central | central to | so central | =centrality | =centralities | trust ... most | authority | authorities | authoritative | most pull | prominent | prominence"
                " | sway | clout | most cited | most referenced | most trusted | most popular | key player"
                " | heavy hitter | power user | who matters most | matter most | most weight | most powerful"
                " | most significant | carry weight | rank ... by importance | rank ... by influence | vip"
                " | which ... drive | who ... drive | what ... drive | which ... matter | who ... matter"
                " | relied upon | relied on | most relied | depend on them | depends on them | everything depends on"
                " | word of mouth | advocate | advocates | ambassador | ambassadors | persuade | persuasive"
                " | go to for | goes to for | turn to for | go to person | convert ... friends | most followed"
                " | hinge on | hinges on | set the trend | sets the trend | trend setter | trendsetter | trendsetters"
                " | centre of | center of | most valued | most valuable | bring in the most | picked up by"
                " | widest reach | largest reach | most reach | tastemaker | tastemakers | kingmaker | kingmakers"
                " | opinion former | opinion maker | key opinion | most respected | most admired | looked up to"
                " | most listened | listen to most | follow their lead | most recommended | most endorsed | most mentioned"
                " | most linked | most referred | most impactful | most dominant | most visible | leading voice | leading voices"
                " | biggest say | most say | linchpin | keystone | cornerstone | anchor | anchors | crowd puller"
                " | drive ... sales | drive ... purchases | drive ... traffic | drive ... demand | drive ... engagement"
                " | drives the most | bellwether | bellwethers | most essential | most vital | best connected"
                " | well connected | highest ranked | wield | wields | pull others | pulls others | lead others | leads others | big fish | major player"
                " | kingpin | kingpins | ringleader | ringleaders | mastermind | masterminds | bigwig | bigwigs | top dog"
                " | heavyweight | heavyweights | movers and shakers | mover and shaker | power players | power player"
                " | big players | heavy lifters | top voices | rainmaker | rainmakers"
                f" | {EVERYONE} ... end up | {AMPLIFY} by the most | {AMPLIFY} by most | {AMPLIFY} ... by {EVERYONE}"
                f" | by the most other | other ... {AMPLIFY} ... most | others {AMPLIFY} ... most | {STEER} the {AGENDA}"
                f" | {PULL} ... the rest | {PULL} ... everything else | {EVERYONE} {TURN} | {EVERYONE} else {TURN}"
                " | top of the ... chain | sits at the top | sit at the top | from many well | referrals from many"
                f" | rest of the ... {TURN} to | {SPREAD} the furthest | {SPREAD} furthest | {SPREAD} the farthest"
                f" | {SPREAD} the widest | {SPREAD} the most widely | {SPREAD} the most"
                " | power centre | power centres | power center | power centers | centre of power | center of power"
                f" | seat of power | {BACKING} {EVERYONE} | {BACKING} ... {EVERYONE} seeks | {BACKING} ... {EVERYONE} wants"
                f" | {DRAW} ... {PEOPLE} in | {DRAW} ... {PEOPLE} into | most other ... follow"
                # being chosen by those that are chosen most themselves; the ones the others answer to
                " | that themselves get the most | who themselves get the most | themselves ... the most"
                " | others answer to | answer to | report up to | leaning on | lean on | leans on | widely depended on"
                " | revolve around | revolves around | revolving around",
                medium="important | ranking | rank | popular | popularity | reputation | most connected"
                # not "trend" or "valued" alone: "a trend forecast", "we would value a projection" ask nothing
                " | hub | leader | leading | heart of | core of | weight | standing | significance | star | key"
                " | driver | drivers | depend on | depends on | reach | critical | highly valued | dominant"
                " | respected | magnet | magnets | stature | pivotal | most other | most others"
                f" | {EVERYONE} else",
                # "the central bank", "our central office": a name, unless more says importance
                weak="top | drive | matter | stand out | biggest | who ... most | which ... most | central",
            ),
            params={
                "damping_factor": Param(float, 0.85, "probability of following a link", 0.5, 0.99),
                "maximum_supersteps": _SUPERSTEPS,
            },
        ),
        Algorithm(
            name="betweenness",
            title="Betweenness centrality",
            kind="score",
            family="centrality",
            result_field="centrality",
            gae_endpoint="betweennesscentrality",
            description="How often a vertex lies on shortest paths between others: brokers and bottlenecks.",
            intents=phrases(
                named="betweenness | betweenness centrality"
                " | paths run through | paths go through | paths pass through | routes run through | routes go through | routes pass through | number of shortest | most shortest",
                strong="broker | bridge | bridging | bottleneck | chokepoint | choke point | gatekeeper"
                " | connectors between | connector between | key connectors | key connector"
                " | intermediary | middleman | middlemen | go between | single point of failure | betweenness"
                " | conduit | relay | pass through | passes through | flow through | flows through | funnel through"
                " | sit between | sits between | lie between | stand between | otherwise separate"
                " | otherwise disconnected | connect ... separate | link ... separate | join ... separate"
                " | between ... communities | between ... groups | between ... clusters | between ... segments"
                " | between ... circles | between ... teams | between ... departments | between ... regions"
                " | between ... networks | between ... silos | between ... parts | between ... sides"
                " | across ... communities | across ... groups | across ... silos | connect ... communities"
                " | control ... flow | transit"
                # what a failure does to the paths between others, not to who stays reachable
                " | cut the most paths | most paths between | most of the paths | unable to ... between"
                # lying on the shortest paths of others, not one path asked for ("show me the shortest path")
                " | sitting on | sits on ... paths | sit on ... paths | on ... paths between | paths between other"
                " | paths between others | share of the ... paths | lots of the paths | many of the paths"
                " | on ... shortest paths | most shortest paths | many shortest paths | shortest paths ... through"
                " | have to ... through | has to ... through | pivot through | pivot via | hop through"
                " | connecting traffic | connecting flights | connecting passengers | transfer traffic | transit traffic"
                " | through traffic | critical junction | junction | link between | links between | connection between"
                " | only link | only connection | only path | only route | in the middle of | otherwise unrelated"
                " | otherwise unconnected | otherwise isolated | through which | routed through"
                " | route through | gateway | gateways | choke | hold ... together | holds ... together | glue"
                " | pinch point | pinch points | squeeze point | weak link | weakest link | single hub | single point"
                " | get stuck | gets stuck | held up at | traffic jam | bridges | bridged | span ... divide"
                " | spans ... divide | straddle | straddles | liaison | liaisons | super connector | super connectors"
                " | point of failure | points of failure | failure points | crossroads | interchange | cross pollinate"
                " | cross pollination | on the path between | boundary spanner | boundary spanners | broker between | in between | has to go through"
                " | have to go through | every ... go through | every ... goes through | every ... pass through"
                # joining groups that are apart is brokerage, not community detection
                f" | {JOIN} ... {APART} ... {GROUP} | {JOIN} ... {GROUP} and ... {GROUP} | {JOIN} ... {GROUP} with ... {GROUP}"
                f" | {JOIN} ... {GROUP} to ... {GROUP} | between ... {GROUP} and ... {GROUP} | end up ... through"
                f" | bring ... {APART} ... {GROUP} | bring ... {GROUP} together | pull ... {APART} ... {GROUP}"
                f" | {JOIN} ... {APART} ... {GROUP} together | bring ... {APART} ... {GROUP} together"
                f" | {JOIN} {EVERYONE} else | {JOIN} {EVERYONE} ... to | {JOIN} the {GROUP} together | {JOIN} ... {GROUP} together"
                # where everyone ends up passing through, not where everyone ends up
                f" | {EVERYONE} ... end up ... through",
                medium="between | critical link | =routed | between ... and | stuck"
                # a failure alone is shared with articulation points: its consequence decides there
                " | whose loss | whose removal | whose failure | if removed | would split | would fragment | would break"
                " | cut off | would isolate | if ... fail | if ... failed | if ... closed | if ... removed | if ... went down"
                " | if ... goes down | if ... go down"
                # the active verb joining two parties ("link the X with the Y"), not "linked"/"connected"
                " | =link ... with | =links ... with | =connect ... with | =connects ... with | =link ... and"
                " | =links ... and | =connect ... and | =connects ... and | =bridge ... and | =join ... with"
                " | congestion | congested | overloaded | choked",
                weak="connect | flow | link | go through | goes through | brokerage",
            ),
            params={
                "k": Param(int, 0, "sampled source vertices (0 = exact)", 0, 100_000),
                "normalized": Param(bool, True, "divide by the number of vertex pairs"),
            },
            directed=False,
        ),
        Algorithm(
            name="label_propagation",
            title="Label propagation communities",
            kind="partition",
            family="community",
            result_field="community",
            gae_endpoint="labelpropagation",
            description="Communities of densely connected vertices.",
            intents=phrases(
                named="label propagation | label propagation algorithm",
                strong="community | communities | segment | segmentation | cluster | clustering | cohort | tribe"
                " | interest group | affinity group | peer group | natural groups | natural {group}"
                " | audience | audiences | buy together | bought together | purchased together | co purchase"
                " | co purchased | frequently together | densely connected | tightly knit | close knit"
                " | circles of | similar behaviour | similar behavior | behave alike | persona | personas"
                " | micro segment | group ... into | fall into ... {group} | falls into ... {group} | groups of similar | split ... into groups"
                " | break ... into groups | divide ... into groups | partition ... into | cliques | clique"
                " | among themselves | mostly ... each other | mostly with each other | rarely with anyone"
                " | rarely ... outside | clan | clans | faction | factions | echo chamber | echo chambers | filter bubble"
                " | subculture | subcultures | subgroup | subgroups | sub group | sub groups | sub community"
                " | voting bloc | blocs | friend groups | social circles | flock together | hang out together"
                " | tightly connected | tightly linked | densely linked | closely linked | form naturally | naturally form"
                " | interact mostly | mostly interact | mainly ... each other | largely ... each other"
                " | primarily ... each other | archetypes | niches | market segments"
                f" | fall into ... {GROUP} | falls into ... {GROUP} | fall apart into ... {GROUP} | research fronts",
                medium="group | grouping | groups | circle | circles | affinity | alike | similar | neighbourhood"
                " | neighborhood | together | same kind | same kinds | same mix | clustered | grouped | niche"
                " | bubble | bubbles | camp | camps | gang | gangs | squad | squads | organically"
                " | splits into | splitting into | divides into"
                # look-alikes are pairs (similarity) unless a group noun says "look-alike segments"
                " | look alike | lookalike",
                weak="each other | mix",
            ),
            params={
                "start_label_attribute": Param(str, "_key", "attribute that seeds each label"),
                "synchronous": Param(bool, False, "update all labels at once per superstep"),
                "random_tiebreak": Param(bool, False, "break ties between labels at random"),
                "maximum_supersteps": _SUPERSTEPS,
            },
            core_only=True,
            directed=False,
        ),
        Algorithm(
            name="wcc",
            title="Weakly connected components",
            kind="partition",
            family="community",
            result_field="component",
            gae_endpoint="wcc",
            description="Groups of vertices linked by any path, ignoring direction.",
            intents=phrases(
                named="weakly connected components | weakly connected component | weak components | wcc",
                strong="connected component | connected components | ring | rings | linked accounts"
                " | no path to | no path between | no route to"
                " | everything ... still connected | everything is connected | all still connected | still one piece"
                " | all ... still connected | every ... still connected | whole ... still connected | all ... still linked"
                " | every ... still linked | still all connected | still all linked | still in one piece"
                " | linked to each other | tied together | same person | same individual | same entity | same owner"
                " | same user | same household | same company | controlled by the same | owned by the same"
                " | belong to the same | belongs to the same | used together | reuse | reused | island | islands"
                " | disconnected | in one piece | any path | connected at all | household | households"
                " | identity resolution | entity resolution | duplicate accounts | sock puppet"
                " | multiple accounts | syndicate | linked identities | fragments | fragmented | directly or indirectly"
                " | directly or through | not connected | not linked | no link | no connection | cut off from"
                " | connected groups | connected group | connected clusters | connected sets | linked groups"
                " | linked clusters | isolated groups | isolated clusters | isolated communities | disjoint | web of"
                " | webs of | behind the same | run by the same | operated by the same | managed by the same"
                " | only connected to each other | separate networks | form separate | never exchange"
                " | connected to each other | connected with each other | linked with each other | linked together"
                " | connected together | chained together | joined up | to nobody else | to no one else"
                " | stranded | orphan | orphans | orphaned | no ties to | no links to | unconnected"
                # "no connection at all": the negator is part of the ask, so the longer phrase must win over "connected at all"
                " | no connection at all | no connections at all | no link at all | no links at all | no ties at all"
                " | no tie at all | no contact at all | no relationship at all | no link whatsoever | no connection whatsoever"
                " | main body | nothing between them | no link between them | clusters of linked | groups of linked"
                " | nothing to do with the rest | nothing to do with anyone else | no contact with the rest"
                " | not reachable | unreachable | cannot reach | can not reach | any link | link at all | at all connected"
                # connected to each other, cut off from the rest
                f" | each other but not | but not ... the rest | one connected | single connected | into one {WHOLE}"
                f" | connected {WHOLE}"
                " | connected ... among themselves | linked ... among themselves | tied ... among themselves"
                " | "
                + combine("share | shared | sharing | same | common | reuse | tied to | linked by | linked through"
                          " | connected through | connected by", IDENTIFIERS),
                medium="component | components | rest of the network | from the rest | isolated | reachable | =linked"
                " | collusion | colluding | collude | colludes | one fraudster | one person | fraud ring | network of accounts | any chain | tied to"
                " | duplicates | share ... account | same ... account | shared account | from everything else | from everyone else",
                weak="connected | identity | resolution | share | shared | sharing",
            ),
            core_only=True,
            directed=False,
        ),
        Algorithm(
            name="scc",
            title="Strongly connected components",
            kind="partition",
            family="community",
            result_field="component",
            gae_endpoint="scc",
            description="Groups where every vertex reaches every other along edge direction: cycles.",
            intents=phrases(
                named="strongly connected components | strongly connected component | strong components | scc",
                strong="cycle | cycles | cyclic | circular | round in circles | in circles | go round | goes round"
                " | round trip | round tripping | loop | loops | closed loop | carousel | wash trade | wash trading"
                " | kiting | bounce back | back and forth | back to the sender | back to where"
                " | comes back | come back | end up back | ends up back"
                # back to where it came from: its own origin, not just somewhere
                + "".join(f" | {lead} {end}" for lead in ("back to", "back at", "return to", "returns to", "returned to")
                          for end in ("the account", "the same", "its origin", "its source", "the original", "the first",
                                      "the origin", "the sender", "the source"))
                + " | mutually reachable | strongly connected | circular dependency | feedback loop | reciprocal"
                " | round robin | in a circle | in a loop | circle back | round and round | back to themselves"
                " | back to itself | where they started | where it started | full circle | circulate | circulates"
                " | circulating | circulation | closed set | back into | out of and back | closed circuit | closed circuits"
                " | merry go round | boomerang | ping pong | revolving door | circular flow | circular flows"
                " | come full circle | in both directions | both ways round | each other in a cycle | each other in a loop"
                " | each other in a circle | round to each other | round to one another | each other ... receive it back"
                " | each other ... and back | to each other ... back"
                " | receive it back | receives it back | get it back | gets it back | get the money back"
                " | round them forever | go round them | goes round them | round forever | reached from each of the others"
                " | each ... reached from each | reach each of the others | reaches each of the others"
                " | recirculate | recirculated | recycled funds | cycled | cycle through | cycle back | loop back"
                " | loops back | looped | looping | close the loop | closes the loop | flow back | flows back"
                # mutual reachability, said of a group
                # (of a group: "the substation that can reach every other one fastest" is closeness)
                " | every ... can reach every other | each ... can reach every other | can reach each other"
                " | reached from every other | reachable from every other | reach each other | reach one another"
                " | reachable from each other | reachable from one another | all reachable from"
                " | every ... can ... to every other | every other one through"
                " | reached from each other | get to every other"
                " | bounced between | back again | self dealing | round and round among | circulate ... among themselves"
                " | circulates ... among themselves | move ... among themselves | flow ... among themselves"
                " | cycle ... among themselves | round among themselves"
                # a chain back to its start ("a pays b pays c pays a"); circling as motion, not circles of people
                f" | {matcher.LOOP} | =circling | =circled | circling back | to ... and back | and back again",
                # "ring" is also a connected group (wcc); the other words of the ask decide which
                medium="ring | rings | mutual | launder | laundering | go around | goes around | went around | travel around | travels around"
                # going round the same few places, never leaving them
                " | keep ... round | keeps ... round | never leave | never leaves | never leaving | without ever leaving"
                " | never get out | never escape",
                # "send the report back to the team", "return to the start page": going back alone is no loop
                weak="wash | return | returns | back | back to the | back at the | returns to | return to",
            ),
            core_only=True,
        ),
        Algorithm(
            name="attribute_propagation",
            title="Attribute propagation",
            kind="partition",
            family="propagation",
            result_field="labels",
            gae_endpoint="attributepropagation",
            description="Spreads a known label (e.g. a fraud flag) to the vertices around it.",
            intents=phrases(
                named="attribute propagation",
                strong="propagate | propagation | spread | spreads | spreading | contagion | contagious"
                # a label inferred from the ones each vertex deals with: "infer which are bots from who they follow"
                f" | {MARK} ... from who they | {MARK} ... from whom they | {MARK} ... by who they | from who they {TURN}"
                " | probably ... from who they | likely ... from who they | work out ... from who they"
                f" | from the ones they {TURN} | from those they {TURN} | from whoever they {TURN}"
                " | guilt by association | taint | tainted | exposure to | exposed to | inherit | inherits | infect"
                " | contaminate | contamination | ripple | push ... flag | push ... label | push ... risk"
                " | pass ... flag | pass ... label | carry over ... label | infer ... label | infer ... labels"
                " | unlabelled | unlabeled | close to known | near known | associated with known"
                " | connected to known | linked to known | proximity to | known fraudster | known fraudsters"
                " | known bad | label ... neighbours | label ... neighbors | flag ... neighbours | flag ... neighbors"
                " | spill over | spillover | downstream impact | knock on | already tagged | already labelled"
                " | exposed through | exposed via | carry over | carries over | rub off | rubs off"
                " | already labeled | already flagged | get the tag | get the label | also be flagged | also be labelled"
                " | already confirmed | already known | we already know | already identified | already caught"
                " | already blacklisted | already sanctioned | starting from known | starting from the known"
                " | start from known | seeded with | from the known | based on known | based on confirmed"
                " | labelled examples | labeled examples"
                " | handful of known | few known | whose contacts | whose friends | whose neighbours | whose neighbors"
                " | whose peers | their contacts already | their friends already | by association | company they keep"
                " | second hand | secondhand | indirect exposure | indirectly exposed | at risk through | at risk via"
                " | at risk because | trickle down | trickles down | fill in ... labels | missing labels"
                " | extrapolate | flow down | flows down | neighbours of known | neighbors of known | near flagged"
                " | next to flagged | because their friends | because their contacts"
                " | friends already | contacts already | peers already | neighbours already | neighbors already | around known | around flagged | connected to flagged | linked to flagged"
                # marking the neighbours of the vertices already marked ("tag those nearest to them too")
                f" | {MARK} ... {NEAR} to {THEM} | {MARK} ... {NEAR} {THEM} | {MARK} ... from ... {NEAR} {THEM}"
                f" | {MARK} ... {NEAR} to the {ADVERSE} | {MARK} ... {NEAR} {ADVERSE} | {MARK} ... {NEAR} to the ... ones"
                # marking those that share something with the known cases ("flag the sellers using the same warehouse")
                f" | {MARK} the {PEER} of | {MARK} the {PEER} | {MARK} their {PEER} | as high risk | as at risk | one step further | a step further | as elevated risk"
                f" | {MARK} ... using the same | {MARK} ... sharing the same | {MARK} ... that share the same"
                # a value read off the neighbours: "estimate each user's leaning from the leanings of those they follow"
                f" | from the ... of the ... they {TURN} | from the ... of their {PEER} | from the ... of those they"
                f" | from their {PEER} | from ... {PEER} they {TURN} | based on the ... of their {PEER}"
                " | ripple out | ripples out | ripple outward | ripples outward | ripple through | ripples through"
                " | "
                + combine("push | pass | spread | carry | extend | transfer | propagate | inherit | infer", MARKS)
                # the passive: "the suspicion pushed out to those who share ..."
                + " | " + combine(MARKS, "pushed out to | pushed to | passed on to | spread to | carried over to | extended to"),
                medium="cascade | downstream | seed | seeds | pass on | diffuse | diffusion | affected by | exposed | blast radius"
                " | blacklisted | sanctioned | watchlist | watch list | based on ... contacts | based on ... neighbours"
                " | based on ... neighbors | based on ... friends | based on ... peers | close contacts"
                " | label every | label each | tag every | tag each | mark every | mark each | classify every"
                " | classify each | likely to be | ground truth | confirmed cases | known cases | known ... cases"
                " | confirmed ... cases | around them | those around | their neighbours | their neighbors"
                # the neighbours of known cases, and theirs in turn ("..., and the posts that quote those")
                f" | {NEAR} to {THEM} | {NEAR} ... to {THEM} | {NEAR} {THEM} | {NEAR} to the {ADVERSE} | {NEAR} to the ... ones"
                f" | {NEAR} {ADVERSE} | already {ADVERSE} | and ... that ... those | and ... who ... those"
                " | and ... which ... those | and ... that ... them | and ... who ... them"
                # hit in turn by a cascade
                " | be hit | get hit | gets hit | are hit | hit next",
                weak="label | labels | flag | tag | known | confirmed | upstream",
            ),
            params={
                "start_label_attribute": Param(str, "label", "attribute holding the seed labels"),
                "synchronous": Param(bool, False, "update all labels at once per superstep"),
                "backwards": Param(bool, False, "propagate against edge direction"),
                "maximum_supersteps": _SUPERSTEPS,
            },
        ),
        # ----------------------------------------------------------- centrality (local engine)
        Algorithm(
            name="degree",
            title="Degree centrality",
            kind="score",
            family="centrality",
            result_field="degree",
            gae_endpoint="",
            description="How many relationships each vertex has: the plainest measure of activity.",
            intents=phrases(
                named="degree centrality | node degree | node degrees",
                strong="degree centrality | degree | number of connections | number of links | number of contacts"
                " | number of relationships | number of neighbours | number of neighbors | how many connections"
                " | how many links | how many contacts | how many relationships | how many counterparties"
                " | most contacts | most relationships | most counterparties | most neighbours | most neighbors"
                " | most direct connections | most direct links | most direct contacts | most direct routes"
                " | most direct flights | most direct ... connections | most direct ... links | most ... directly"
                " | directly connected to the most | number of direct | most direct | largest number of {peer}"
                " | highest number of {peer} | most {peer} | how many {peer} | address book | contact list | contact book"
                # how few: "players with basically no raid partners", "the ones with the fewest contacts"
                f" | no {PARTNER} | basically no {PARTNER} | zero {PARTNER} | fewest {PARTNER} | least {PARTNER} | only one {PARTNER}"
                f" | greatest number of {PARTNER} | greatest number of {KIND} | largest number of {KIND} | most {KIND} directly"
                " | greatest number of ... directly | number of ... directly | how many direct"
                f" | {TURN} the most other | {TURN} the largest number | {TURN} the highest number | {TURN} the most {PEOPLE}"
                f" | rolodex | phone book | direct {PEER} | more than ... {PEER} | at least ... {PEER} | how many other | by how many | number of other | number of different",
                medium="contacts | counterparties | busiest | most active",
            ),
            params={
                "mode": Param(str, "all", "which edges count: all, in (received) or out (sent)"),
            },
        ),
        Algorithm(
            name="personalized_pagerank",
            title="Personalized PageRank",
            kind="score",
            family="centrality",
            result_field="rank",
            gae_endpoint="",
            description="PageRank whose random walks restart at chosen seed vertices: importance as seen from them.",
            intents=phrases(
                # a point of view is what makes it personal: it decides like the name
                named="seen from | importance relative to | important relative to | relative to {kind} | personalized pagerank | personalised pagerank | point of view | point of reference | as seen from"
                " | from the perspective of | from her perspective | from his perspective | from their perspective",
                strong="personalized page rank | personalised page rank"
                " | ppr | random walk with restart | random walks with restart | most relevant to | relevance to"
                " | important ... from the perspective | from the perspective of"
                " | from the point of view of | as seen from | relative to ... seed | relative to ... seeds"
                " | around ... seed | around ... seeds | from ... seed | from ... seeds | closest in influence to"
                " | most influenced by | influence ... from ... seed | seen from the | seen from our | by relevance to | set of seed | set of seeds | seed set"
                " | relevance to ... seeds | seed ... rank | seeds ... rank"

                " | most to her | most to him | most to them | weighted by proximity | proximity to ... seed"
                " | important for ... starting at | important for ... starting from | most important to {kind}",
                medium="relevant to | perspective | seed vertices | seed accounts | seed customers | relative to",
            ),
            params={
                "seeds": Param(str, "", "comma-separated entities the walks restart at: vertex ids, keys or display names"),
                "seed_attribute": Param(str, "", "vertex attribute whose truthy values mark the seeds"),
                "damping_factor": Param(float, 0.85, "probability of following a link", 0.5, 0.99),
                "maximum_supersteps": _SUPERSTEPS,
                "name_attribute": _NAME_ATTRIBUTE,
            },
        ),
        Algorithm(
            name="eigenvector",
            title="Eigenvector centrality",
            kind="score",
            family="centrality",
            result_field="centrality",
            gae_endpoint="",
            description="Importance from being linked to other important vertices (undirected).",
            intents=phrases(
                # links to (or reaching) others that are themselves important, without the direction of a
                # citation or an endorsement ("cited by other influential papers" stays PageRank)
                named="eigenvector centrality | eigenvector | links from other important | links from other influential"
                " | links to other important | links to other influential | connections to other important"
                " | connections to other influential | reach the most other influential | reach the most other important"
                " | reach other influential | reach other important",
                strong="eigenvector | eigenvector centrality | connected to well connected | linked to well connected"
                " | connected to the most connected | connected to ... influential | connected to ... important"
                " | linked to ... influential | linked to ... important | ties to ... influential | ties to ... important"
                " | know the right people | knows the right people | friends in high places | well connected friends"
                " | connected to other important | connected to other influential | in the best company"
                " | connected to other well connected | linked to other well connected | connected to ... well connected"
                " | linked to ... well connected | tied to ... well connected"
                " | themselves ... best connected | themselves ... well connected | themselves ... most connected"
                " | how well connected its {peer} | how well connected their {peer} | {peer} are well connected"
                " | {peer} ... most connected | deal with ... who have the most | trade with ... who have the most",
            ),
            params={"maximum_iterations": Param(int, 1000, "cap on ARPACK iterations", 1, 100_000)},
            directed=False,
        ),
        Algorithm(
            name="hits",
            title="HITS hubs and authorities",
            kind="score",
            family="centrality",
            result_field="authority",
            gae_endpoint="",
            description="Authorities are pointed at by good hubs; hubs point at good authorities (two scores).",
            intents=phrases(
                # the ones good senders send to are authorities, and the senders are hubs
                named="hubs and authorities | hub and authority | hits algorithm | hub and authority scores"
                # (after "that/do": "it is good to send to" asks nothing)
                f" | that good ... {SEND} to | do good ... {SEND} to | do the good ... {SEND} to | ones good ... {SEND} to"
                f" | that good ... {SEND} ... to | do good ... {SEND} ... to | do the good ... {SEND} ... to"
                " | good referrers themselves | good senders themselves",
                strong="good referrers | good senders | good recommenders | hits | hubs and authorities | hub and authority | hubs authorities | hub score | hub scores"
                " | authority score | authority scores | hub ... authority | good hubs | best hubs | curator | curators"
                " | point to the best | points to the best | link to the best | links to the best | best sources"
                " | are hubs | are the authorities | authorities everyone | pointing to the authoritative"
                " | point to the authoritative | points to the authoritative | pointing to ... authorities"
                " | point to ... authorities | link to ... authoritative | linking to ... authoritative | pointing to the best"
                # sending to the ones that many send to, or being sent to by good senders
                f" | {SEND} to the big {RECEIVER} | {SEND} to the biggest {RECEIVER} | {SEND} to the main {RECEIVER}"
                f" | {SEND} to the top {RECEIVER} | {SEND} to the best {RECEIVER} | {SEND} ... to the big {RECEIVER}"
                f" | big {RECEIVER} | biggest {RECEIVER} | {RECEIVER} of ... from the busiest | busiest senders | best senders"
                " | directories of authoritative | directory of authoritative | cited by the good | cited by good"
                " | pointed to by the good | pointed to by good | linked to by the good | by the good hubs | by good hubs"
                " | =HITS",
                medium="hubs | directory | directories | aggregator | aggregators",
            ),
            params={
                "hubs": Param(bool, False, "report hub scores instead of authority scores"),
                "maximum_iterations": Param(int, 1000, "cap on ARPACK iterations", 1, 100_000),
            },
        ),
        Algorithm(
            name="closeness",
            title="Closeness centrality",
            kind="score",
            family="centrality",
            result_field="closeness",
            gae_endpoint="",
            description="How near a vertex is to all others it can reach (inverse mean hop distance, undirected).",
            intents=phrases(
                named="closeness centrality | closeness"
                # reaching all the others in the fewest steps on average decides; an average alone does not
                # beat harmonic's "counting the unreachable as nothing"
                " | fewest ... on average | lowest average distance | shortest average distance",
                strong="closeness | closeness centrality | closest to everyone | close to everyone | closest to all"
                " | how close ... to all | how close ... to every | close ... on average | how close , on average | close , on average"
                " | average distance to | average distance from"
                " | close to all | nearest to everyone | nearest to all | fewest hops | fewest steps | shortest average distance"
                " | lowest average distance | average distance | reach everyone | reach everybody | reach all the others"
                " | reach the rest | fastest to reach | quickest to reach | reach ... quickly | reach ... fastest"
                " | best placed to reach | centrally located | centrally placed | most accessible | close ... to all"
                " | fastest on average | quickest on average | quickly on average | reach every other | on average to every | on average to all | close ... on average | closest on average | how close ... to every"
                " | close ... to every | close ... to everyone | near ... to all"
                # where to site something that should be near everything
                " | where should we put | where to put | where should we place | where to place | where to locate"
                " | where should we locate | best location for | best place for | best spot for",
                medium="closest | nearest | proximity | =accessible | quickly reach"
                # an average to all the others needs company: "counting the unreachable as nothing" is harmonic
                " | on average ... to all | on average , to all | on average to all | on average to every",
            ),
            params={
                "normalized": Param(bool, True, "scale by the size of the reachable part (Wasserman-Faust)"),
                "k": Param(int, 0, "sampled BFS sources for an estimate (0 = exact, O(n m))", 0, 100_000),
            },
            directed=False,
        ),
        Algorithm(
            name="harmonic",
            title="Harmonic centrality",
            kind="score",
            family="centrality",
            result_field="harmonic",
            gae_endpoint="",
            description="Sum of inverse hop distances to every other vertex: closeness that copes with disconnected parts.",
            intents=phrases(
                # how it treats the unreachable is the method itself: it decides like its name
                named="harmonic centrality | harmonic | as zero | contributing nothing | contribute nothing | contributes nothing | count for nothing"
                " | robust to ... unreachable | robust to unreachable | even if ... unreachable | tolerates unreachable"
                " | counts for nothing | even though ... disconnected | although ... disconnected | even if ... disconnected"
                " | even though ... unreachable | even though ... not connected"
                # "counting the ones it can't reach as nothing": the negation is the unreachable, not the ask
                " | not reach ... as | can not reach count | unreachable ... as",
                strong="harmonic centrality | harmonic closeness | closeness ... disconnected"
                " | close to most | near most | closest to most | nearest to most | reach most ... quickly | across disconnected parts"
                " | not connected ... most others | most others ... not connected | disconnected ... most others"
                " | even across disconnected | across ... disconnected parts | despite ... disconnected parts"
                # fastest reach where the network is in pieces: closeness would be undefined there
                " | disconnected pieces ... reach | reach the rest fastest | reach ... rest ... fastest | reach ... most ... fastest",
            ),
            params={
                "normalized": Param(bool, True, "divide by n - 1"),
                "k": Param(int, 0, "sampled BFS sources for an estimate (0 = exact, O(n m))", 0, 100_000),
            },
            directed=False,
        ),
        # ------------------------------------------------------------ community (local engine)
        Algorithm(
            name="louvain",
            title="Louvain communities",
            kind="partition",
            family="community",
            result_field="community",
            gae_endpoint="",
            description="Communities that maximise modularity, merged level by level (undirected).",
            intents=phrases(
                named="louvain | modularity based | optimises modularity | optimizes modularity | maximise modularity"
                " | maximize modularity | same answer every run | same way every run | same result every run"
                " | same every run | stable between runs | stable across runs | same grouping every run"
                # groups asked for with results that repeat: "split them into tribes, with stable results"
                " | " + " | ".join(f"{GROUP} {gap} {result}" for gap in ("...", ", with", ", with a")
                                   for result in ("reproducible result", "reproducible results", "stable result",
                                                  "stable results", "repeatable results", "consistent results")),
                strong="modularity | stable communities | stable segments | stable clusters"
                " | reproducible communities | reproducible segments | reproducible clusters | consistent communities"
                " | hierarchical communities | communities at several levels | communities at several scales"
                " | nested communities | communities within communities | modular structure | modules",
            ),
            params={"resolution": Param(float, 1.0, "higher finds more, smaller communities", 0.01, 100.0)},
            core_only=True,
            directed=False,
        ),
        Algorithm(
            name="leiden",
            title="Leiden communities",
            kind="partition",
            family="community",
            result_field="community",
            gae_endpoint="",
            description="Modularity communities refined so that every community is internally connected (undirected).",
            intents=phrases(
                named="leiden | guaranteed to be internally connected | guaranteed internally connected | internally connected"
                " | two separate pieces | two unrelated halves | not ... two separate | glued together",
                strong="well connected communities | internally connected communities | guaranteed connected"
                " | connected communities | communities ... internally connected | refined communities"
                " | highest quality communities | best quality communities",
            ),
            params={
                "resolution": Param(float, 1.0, "higher finds more, smaller communities", 0.01, 100.0),
                "iterations": Param(int, 10, "refinement passes (negative: until stable)", -1, 1000),
            },
            core_only=True,
            directed=False,
        ),
        # ------------------------------------------------------------- cohesion and structure
        Algorithm(
            name="k_core",
            title="k-core (core number)",
            kind="score",
            family="cohesion",
            result_field="core",
            gae_endpoint="",
            description="The largest k such that a vertex is in a subgraph where all have at least k neighbours.",
            intents=phrases(
                named="k core | kcore | k cores | core number | core numbers | k core decomposition | coreness",
                strong="k core | kcore | k cores | core number | core numbers | coreness | core periphery"
                " | dense core | densest core | inner core | innermost core | tightly knit core | cohesive core"
                " | core group | core members | hard core | nucleus | periphery | peripheral | on the fringe"
                " | on the fringes | most embedded | deeply embedded | most entrenched | inner circle | inner circles"
                " | orbit around | orbits around | orbiting",
                medium="embedded | entrenched | fringe | cohesive | cohesion",
            ),
        ),
        Algorithm(
            name="triangle_count",
            title="Triangle count",
            kind="score",
            family="cohesion",
            result_field="triangles",
            gae_endpoint="",
            description="How many triangles (three mutually linked vertices) each vertex is part of (undirected).",
            intents=phrases(
                named="triangle count | triangle counting | triangle counts",
                strong="triangle | triangles | triangle count | triangle counting | triads | closed triads | closed triangles"
                " | trios | closed trios | in threes | threesomes"
                " | mutual friends | mutual contacts | friends of friends who | common friends | common contacts"
                " | three way | three way relationships",
                medium="mutual connections | shared friends",
            ),
            directed=False,
        ),
        Algorithm(
            name="clustering_coefficient",
            title="Local clustering coefficient",
            kind="score",
            family="cohesion",
            result_field="clustering",
            gae_endpoint="",
            description="Share of a vertex's neighbour pairs that are linked themselves (undirected).",
            intents=phrases(
                named="clustering coefficient | clustering coefficients | local clustering coefficient",
                strong="clustering coefficient | local clustering | transitivity | cliquishness | cliquish"
                " | neighbours ... know each other | neighbors ... know each other | contacts ... know each other"
                " | friends ... know each other | whose contacts are connected | whose friends are connected"
                " | whose neighbours are connected | whose neighbors are connected | how clustered"
                f" | {PEER} also ... each other | their {PEER} ... each other | whose {PEER} ... each other"
                f" | {PEER} ... also connected | {PEER} ... also linked | {PEER} ... know one another | cliquey | cliquiness"
                # the ones someone deals with also dealing with each other
                " | also ... with each other | also ... to each other | also know each other | how tightly knit | how close knit | how closely knit"
                " | how tight knit | {peer} are connected to each other | {peer} ... connected to one another"
                " | fraction of ... {peer} ... each other | share of ... {peer} ... each other | how clustered",
                medium="clustered neighbourhood | clustered neighborhood | embeddedness",
            ),
            directed=False,
        ),
        Algorithm(
            name="articulation_points",
            title="Articulation points",
            kind="flags",
            family="cohesion",
            result_field="cut_off",
            gae_endpoint="",
            description="Vertices whose removal disconnects the graph (cut vertices), with how many vertices each cuts off.",
            intents=phrases(
                named="articulation point | articulation points | cut vertex | cut vertices"
                " | break ... apart if removed | break ... apart if taken out | would break ... apart",
                strong="articulation point | articulation points | cut vertex | cut vertices | cut node | cut nodes"
                " | separating vertex | separating vertices | single point of failure ... disconnect"
                " | single point of failure ... split | single point of failure ... break apart"
                " | whose removal would disconnect | whose removal disconnects | whose removal would split"
                " | whose loss would disconnect | whose loss would split | whose failure would disconnect"
                " | whose failure would split | removal would disconnect | removal disconnects | loss would split"
                " | loss would disconnect | would disconnect the network | would disconnect the graph"
                " | disconnect the network | split the network | split the grid | break the network apart"
                " | breaks the network apart | without which ... disconnected"
                # a site taken out, and what becomes of the others: "if X went offline, would some Y be cut off"
                f" | would ... be cut off | would ... get cut off | be cut off | get cut off | get ... cut off | be {STRANDED}"
                # what would become of them (not "ended up orphaned": a state to check, components)
                f" | cut off entirely | cut off completely | become {STRANDED}"
                " | no longer ... reachable | could no longer reach | can no longer reach | lose ... only connection"
                " | lose their only link | lose connectivity | lose ... connectivity | loses connectivity | lost connectivity"
                " | lose all connection | lose ... connection entirely | lose contact entirely"
                " | end up with no | left with no | be left with no | leave ... with no | leaves ... with no | whose loss leaves"
                " | single points whose | single point whose | whose loss would leave | whose loss leaves ... with no | no ... path at all | no path at all | no route at all"
                f" | leave ... cut off | leaves ... cut off | would leave ... {STRANDED} | leave ... {STRANDED}"
                " | would disconnect | cut ... into pieces | cut ... into separate | would strand | strand ... from"
                f" | single {SITE} | one {SITE} whose | only {SITE} ... between | knock ... offline | knocks ... offline"
                " | knock out whole | take ... offline",
                # the condition is betweenness' words too ("if ... closed"): the consequence decides
                medium=f"if ... {OUTAGE} | whose {OUTAGE} | if ... goes dark | if ... went dark | if ... go dark | if ... went offline | if ... goes offline | if ... go offline | if ... fail"
                " | if ... failed | if ... closed | if ... went down | if ... goes down | if ... go down | if ... removed",
            ),
            directed=False,
        ),
        Algorithm(
            name="bridges",
            title="Bridges (cut edges)",
            kind="flags",
            family="cohesion",
            result_field="bridges",
            gae_endpoint="",
            description="Relationships whose removal disconnects the graph, with how many vertices each cuts off.",
            intents=phrases(
                strong="cut edge | cut edges | bridge edge | bridge edges | bridging edge | bridging edges"
                " | bridging link | bridging links | critical link | critical links | critical connection"
                " | critical connections | critical relationship | critical relationships | critical edge | critical edges"
                " | link whose removal | links whose removal | edge whose removal | edges whose removal"
                " | connection whose removal | connections whose removal | relationship whose removal"
                " | relationships whose removal | single link ... disconnect | only link ... disconnect"
                " | links ... would disconnect | connections ... would disconnect | edges ... would disconnect"
                f" | isthmus | isthmuses | single {LINE} | only {LINE} ... disconnect | {LINE} ... the only {LINE}"
                f" | {LINE} are the only | {LINE} is the only | {LINE} ... only way | individual ... {LINE}"
                f" | {LINE} whose loss would | {LINE} whose removal would | {LINE} whose failure would"
                f" | {LINE} whose loss | {LINE} whose removal | {LINE} whose failure | pipe segments | pipe segment | "
                + combine("links | link | connections | connection | edges | edge | relationships | relationship | ties"
                          " | tie | routes | route", "would disconnect the | disconnect the | would split the"),
                # what befalls a relationship rather than a site: a route is cancelled, a pipe bursts
                medium=f"if cut | if severed | were cut | was cut | is cut | {LINE} ... if cut | {LINE} ... if severed",
                # the relationship is what fails, and the consequence follows: the head noun sets link against site
                named="cut edge | cut edges | bridge edge | bridge edges | " + " | ".join(
                    f"{LINE} {lead} {effect}"
                    for lead in ("if ... would", ", if ... , would", "whose removal would", "whose loss would",
                                 "whose failure would", ") whose removal would", ") whose loss would")
                    for effect in ("disconnect", "leave", "cut", "split", "strand", "isolate")),
                weak="cancelled | canceled | burst | bursts | severed | cut through",
            ),
            directed=False,
        ),
        Algorithm(
            name="shortest_path",
            title="Shortest path",
            kind="partition",
            family="paths",
            result_field="path",
            gae_endpoint="",
            aql="SHORTEST_PATH",
            description="The shortest chain of relationships between two named entities, with every vertex on it.",
            intents=phrases(
                named="with the fewest intermediaries | fewest intermediaries | fewest go betweens | fewest middlemen",
                strong="shortest path | shortest route | shortest chain | how is ... connected to | how are ... connected"
                " | how ... is linked to | how ... are linked to | how far is ... from | how far are ... from | how many steps | in how many steps"
                " | how is ... linked to | how are ... linked | how ... linked to | quickest ... chain | quickest ... sequence"
                " | quickest way | fastest way | shortest way | quickest route | fastest route | quickest path"
                " | intro from | introduction from | chain of introductions | warm intro"
                " | shortest ... path | shortest ... route | shortest ... chain | chain of ... linking | chain ... linking"
                " | chain ... connecting | chain of ... from | path linking | route linking | path connecting"
                " | six degrees | degrees from | degrees away from | degrees apart | how many hops between"
                " | how many steps between | how many steps from | how many hops from | steps apart | hops apart"
                " | how ... connected to | path between | route between | chain between | connection between"
                " | degrees of separation | degree of separation | link between | fewest hops between | fewest steps between"
                # counting the steps between two named ones, or the shortest of what joins them
                f" | how many {HOP} separate | {HOP} separate | fewest {HOP} needed | fewest {HOP} from | least {HOP} from"
                f" | minimum number of {HOP} | smallest number of {HOP} | fewest number of {HOP} | number of {HOP} from"
                f" | number of {HOP} between | shortest {TRAIL} | shortest ... {TRAIL} | quickest {TRAIL} | fastest {TRAIL} | most direct {TRAIL}",
                medium="connected to | path from | route from | between ... and",
            ),
            params={
                "source": Param(str, "", "the entity the path starts at: a vertex id, key or display name"),
                "target": Param(str, "", "the entity the path ends at: a vertex id, key or display name"),
                "directed": Param(bool, False, "follow relationships only in their direction"),
                "name_attribute": _NAME_ATTRIBUTE,
            },
        ),
        Algorithm(
            name="all_shortest_paths",
            title="All shortest paths",
            kind="partition",
            family="paths",
            result_field="paths",
            gae_endpoint="",
            aql="ALL_SHORTEST_PATHS",
            description="Every shortest chain of relationships between two named entities (up to a bound), each with its vertices.",
            intents=phrases(
                # more than one of the shortest is what sets it apart from a shortest path: it decides like a name
                named=f"all ... shortest | every ... shortest | each ... shortest | different shortest | several ... shortest"
                f" | all ... minimum {HOP} | every ... minimum {HOP} | all the equally | every equally"
                " | all ... minimum hop | every ... minimum hop | all ... tied shortest | equally short",
                strong="all shortest paths | all the shortest paths | every shortest path | all shortest routes"
                " | every shortest route | all the ways ... connected | every way ... connected | alternative routes between"
                " | alternative paths between | all paths between | all routes between | equally short"
                " | all ... shortest | every ... shortest | all the equally",
            ),
            params={
                "source": Param(str, "", "the entity the paths start at: a vertex id, key or display name"),
                "target": Param(str, "", "the entity the paths end at: a vertex id, key or display name"),
                "directed": Param(bool, False, "follow relationships only in their direction"),
                "max_paths": Param(int, 100, "most paths reported", 1, 100_000),
                "name_attribute": _NAME_ATTRIBUTE,
            },
        ),
        Algorithm(
            name="k_hop",
            title="k-hop neighbourhood",
            kind="partition",
            family="paths",
            result_field="hops",
            gae_endpoint="",
            aql="a breadth-first traversal",
            description="Every vertex within k hops of the seed entities, grouped by its distance from them.",
            intents=phrases(
                named="k hop | k hops | k hop neighbourhood | k hop neighborhood",
                strong="within two hops | within 2 hops | within three hops | within 3 hops | within one hop"
                " | within ... hops of | within ... transfers of | within ... steps of | within ... stops of | k-hop | k hop | n-hop | two hops | 2 hops | three hops | 3 hops"
                " | hops of | hops from | hops away | neighbourhood of | neighborhood of | ego network | ego networks"
                " | one step removed | two steps removed | friends of friends | second-degree | second degree connections"
                # next to the known cases: who is around them, not a mark spread to them
                f" | within ... legs of | within ... spans of | within ... calls of | within ... {LINE} of | legs away"
                " | calls away | steps away | transfers away | links away | up to ... away | up to ... hops"
                f" | within ... {HOP} | in at most ... {HOP} | at most ... {HOP} | or two ... away | or three ... away"
                f" | near the {ADVERSE} | close to the {ADVERSE} | next to the {ADVERSE} | around the {ADVERSE}"
                f" | adjacent to the {ADVERSE} | neighbours of the {ADVERSE} | neighbors of the {ADVERSE}",
                medium="neighbourhood | neighborhood | nearby | in the vicinity of | exposure around",
            ),
            params={
                "seeds": Param(str, "", "comma-separated entities to start from: vertex ids, keys or display names"),
                "seed_attribute": Param(str, "", "vertex attribute whose truthy values mark more seeds"),
                "k": Param(int, 2, "how many hops to go out", 1, 10),
                "directed": Param(bool, False, "follow relationships only in their direction"),
                "name_attribute": _NAME_ATTRIBUTE,
            },
        ),
        Algorithm(
            name="simple_cycles",
            title="Simple cycles",
            kind="partition",
            family="paths",
            result_field="cycles",
            gae_endpoint="",
            description="Closed chains along relationship direction (money that comes back), each cycle with its members.",
            intents=phrases(
                # loops, round trips and carousels in general are SCC's (which groups reach each other);
                # these phrases ask for the cycles themselves
                strong="simple cycle | simple cycles | actual cycles | cycles ... members | each cycle | every cycle"
                " | list ... cycles | enumerate ... cycles | cycles ... with their | individual cycles | cycle members"
                " | circular payment flows as | circular flows as | each loop | every loop | each ... loop | each ... cycle"
                " | every ... loop | every ... cycle | actual loops | loops ... listed | loop listed | list ... loops | individual loops"
                # the members of each one: "list the members of each circular trading ring"
                f" | every closed {CLOSED} | exact {CLOSED} | in each one",
                # not "each other in a loop": that is who reaches whom (SCC)
                # a small loop, or one spelled out hop by hop ("a to b to c and back to a"), is a cycle to list
                named=f"little {CLOSED} | small {CLOSED} | short {CLOSED} | a to b to c | to b to c and back"
                " | simple cycles | simple cycle | cycle enumeration | each {CLOSED} | every {CLOSED} | members of each | in each {CLOSED} | each circular {CLOSED}"
                f" | each individual {CLOSED} | each closed {CLOSED} | each separate {CLOSED} | each distinct {CLOSED}"
                # the loops, then who is in each of them: "are there loops, and which packages are in each one"
                + "".join(f" | {{closed}} {comma}and which ... in each" for comma in ("", ", ")),
                medium="cycle | cycles",
            ),
            params={
                "min_length": Param(int, 2, "fewest vertices in a cycle", 2, 20),
                "max_length": Param(int, 6, "most vertices in a cycle: bounds the search", 2, 20),
                "max_cycles": Param(int, 1000, "most cycles reported, shortest first", 1, 1_000_000),
            },
            core_only=True,
        ),
        Algorithm(
            name="node_similarity",
            title="Node similarity",
            kind="partition",
            family="similarity",
            result_field="similar",
            gae_endpoint="",
            description="Pairs of vertices with the most neighbours in common (Jaccard): look-alikes and likely duplicates.",
            intents=phrases(
                named="node similarity | jaccard similarity | jaccard"
                " | share the most ... with each other | share the most ... with one another | most similar ... they share | most similar ... share",
                strong="node similarity | duplicate accounts | duplicate account | duplicate customers | duplicate records"
                " | paired up | pair up | most similar"
                " | look-alike customers | look alike customers | lookalike customers | look-alike accounts"
                " | look alike accounts | lookalike accounts"
                " | duplicates | look-alike | look-alikes | lookalike | lookalikes | look alike | similar customers"
                " | similar accounts | similar users | similar products | similar pairs | most similar pairs"
                " | jaccard | same neighbours | same neighbors | neighbours in common | neighbors in common"
                " | overlap ... connections | shared connections | near-duplicate | near duplicates"
                " | copies of each other | duplicates of each other | look alike pairs | lookalike pairs"
                " | similar pairs of | pairs ... look like | basically the same | the same person"
                " | similar to each other | alike to each other | most similar to each other"
                " | almost identical | nearly identical | virtually identical | identical ... lists | identical sets"
                " | same set of | same sets of | exactly the same | almost the same | nearly the same | largely the same"
                f" | share most of their | share most | most of their {PEER} | {PEER} in common | most {PEER} in common",
                medium="similar | similarity | alike | resemble | resemblance",
            ),
            params={
                "top_k": Param(int, 10, "most similar others kept per vertex", 1, 100),
                "top_n": Param(int, 1000, "best pairs reported overall (0: all)", 0, 1_000_000),
                "similarity_cutoff": Param(float, 0.1, "lowest Jaccard similarity kept", 0.0, 1.0),
                "degree_cutoff": Param(int, 1, "fewest neighbours a vertex needs to be compared", 1, 1_000_000),
            },
            directed=False,
        ),
        Algorithm(
            name="similar_to",
            title="Similar to an entity",
            kind="score",
            family="similarity",
            result_field="similarity",
            gae_endpoint="",
            description="How alike each vertex is to one named entity (Jaccard similarity of their neighbours).",
            intents=phrases(
                strong="similar to | most similar to | closest to ... similar | alike to | resemble | resembles"
                " | lookalikes of | look-alikes of | similar set of ... to | similar ... to"
                # not "look just like": "the report should look just like last quarter's" asks for a layout
                f" | {LOOK} ... most like | {LOOK} the most like | {LOOK} a lot like | most like"
                " | most closely resemble | most closely resembles"
                # like one of a kind, named next: "shoppers like shopper s-12", "looks like user u42"
                f" | {LOOK} like {KIND} | {LOOK} like the {KIND} | {KIND} like {KIND} | {KIND} like the {KIND}"
                f" | else {LOOK} like | {LOOK} similar to | {KIND} most like",
            ),
            params={
                "target": Param(str, "", "the entity to compare with: a vertex id, key or display name"),
                "name_attribute": _NAME_ATTRIBUTE,
            },
            directed=False,
        ),
    ]
}


def get(name: str) -> Algorithm:
    try:
        return CATALOG[name]
    except KeyError:
        raise ValueError(f"unknown algorithm {name!r}; known: {sorted(CATALOG)}") from None


_INTENTS = {a.name: a.intents for a in CATALOG.values()}


def intents() -> dict[str, dict[str, float]]:
    # one object for the catalog's life: the matcher indexes its words once (spelling slips)
    return _INTENTS


def rank(text: str, negation: bool = True) -> list[Candidate]:
    """Every algorithm ``text`` may ask for, best first, with its score and the deciding phrases."""
    return matcher.rank(text, intents(), negation)


def read(text: str) -> matcher.Reading:
    """Every candidate of ``text`` and its separate asks, from one scan of the phrases."""
    return matcher.read(text, intents())


def asks(text: str) -> list[Candidate]:
    """The algorithms ``text`` asks for: one per separate ask; none when no phrase decides."""
    return matcher.asks(text, intents())


def match(text: str) -> list[tuple[str, float]]:
    """(algorithm, score) for every algorithm ``text`` may ask for, best first."""
    return [(c.name, c.score) for c in rank(text) if c.score > 0]
