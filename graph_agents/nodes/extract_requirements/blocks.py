"""A requirements document as people write it, cut into blocks: headings, list items (bullets,
numbers, letters, nested), table rows, paragraphs; and paragraphs into sentences.

Markdown and plain text alike: a chat message (a line opening with a time stamp or ``<nick>``) is a
paragraph of its own, its speaker the owner; a short line standing alone ("REQUIREMENTS", "Goals:",
"**Questions**") is a heading as much as ``## Questions``. Each block keeps where it is (line) and
the context around it (the headings above it, the item it is nested under).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_ITEM = re.compile(
    r"^(?P<indent>\s*)(?:[-*+•–—▪◦‣]|\(?\d{1,3}[.)]|\d{1,3}(?:\.\d{1,3})+\.?(?=\s)|\(?[a-zA-Z][.)]|\(?(?:i|ii|iii|iv|v|vi|vii|viii|ix|x)[.)])"
    r"\s+(?:\[(?P<box>[ xX✓✔])\]\s+)?(?P<text>.*)$"
    # a checklist line with no bullet: "[ ] Rank hotels by ...", "[x] Load the bookings"
    r"|^(?P<bare_indent>\s*)\[(?P<bare_box>[ xX✓✔])\]\s+(?P<bare_text>\S.*)$"
)
# a numbered part of a plan, as a line of its own: "Objective 1: ...", "Goal 2 - ...", "Epic 3: ..."
_NUMBERED_SECTION = re.compile(r"^\s*(?:\*\*)?(?:objective|goal|aim|epic|theme|workstream|initiative|outcome)\s*\d+(?:\.\d+)*\s*[:.–—-]\s+\S", re.I)
_RULE = re.compile(r"^\s*([-*_=]\s*){3,}$")
_TABLE_ROW = re.compile(r"^\s*\|(.*)\|?\s*$")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_MARKUP = re.compile(r"(\*\*|__|`|\[(?=[^\]]*\]\()|\]\([^)]*\))")
# a chat message as copied from Slack, Teams or IRC: "[09:12] sam: ...", "9:41 AM - Sam: ...", "<sam> ..."
_CHAT = re.compile(
    r"^\s*(?:[\[(]?\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?[\])]?\s*[-–—]?\s*"
    r"(?:(?P<who>@?[A-Za-z][\w.\-]{0,30}(?: [A-Za-z][\w.\-]{0,30})?)\s*:\s+)?"
    r"|<(?P<nick>[^>\s]{1,30})>\s+)(?P<text>\S.*)$",
    re.I,
)
# "h3. Description": a Jira / Confluence wiki heading
_WIKI_HEADING = re.compile(r"^\s*h([1-6])\.\s+(.*?)\s*$")
# "> ...": a line quoted by an e-mail reply; the quoted message is read like the rest
_QUOTE = re.compile(r"^\s*(?:>\s?)+")
_EMAIL_HEADER = re.compile(r"^\s*(subject|from|to|cc|bcc|date|sent|re|fw|fwd)\s*:", re.I)
# titles, Latin and company abbreviations: their dot ends no sentence ("papers by Prof. Lindqvist, which ...")
_ABBREVIATIONS = (
    "e.g.", "i.e.", "vs.", "viz.", "cf.", "et al.", "approx.", "incl.", "fig.", "no.", "nos.", "vol.", "pp.",
    "mr.", "mrs.", "ms.", "dr.", "prof.", "st.", "mt.", "jr.", "sr.", "rev.", "hon.", "gen.", "col.", "capt.", "lt.", "sgt.",
    "dept.", "u.s.", "u.k.", "u.n.", "e.u.",
)
# these often end a sentence too ("... from Acme Inc. The board ..."): they protect their dot only mid-sentence
_TRAILING_ABBREVIATIONS = ("etc.", "inc.", "ltd.", "co.", "corp.", "plc.", "est.")
_ABBREVIATION = re.compile(
    r"(?<![\w.])(?:" + "|".join(map(re.escape, _ABBREVIATIONS)) + ")"
    r"|(?<![\w.])(?:" + "|".join(map(re.escape, _TRAILING_ABBREVIATIONS)) + r")(?=\s*(?-i:[a-z,;:)]))", re.I)
# an initial ("R. Alvarez", "L. Brandt"): a lone capital letter and a dot end no sentence
_INITIAL = re.compile(r"(?<![\w.])[A-Z]\.(?=\s+[A-Z][a-z])")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[\"'(\[]?[A-Z0-9])|(?<=;)\s+")
_CASUAL_END = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[\"'(\[]?\w)|(?<=;)\s+")  # chats start sentences in lower case
# columns of a table that hold the ask itself, by header
_ASK_COLUMNS = re.compile(r"question|request|requirement|\bask|need|description|story|goal|use case|what|query|problem|objective|item|title|topic", re.I)
_OWNER_COLUMNS = re.compile(r"owner|team|stakeholder|who|requester|requested by|department|by\b", re.I)
_PRIORITY_COLUMNS = re.compile(r"priority|importance|urgency|moscow|rank|severity", re.I)


@dataclass
class Block:
    kind: str  # "item", "para", "row", "message" (a chat line: a paragraph written in lower case)
    text: str
    line: int  # 1-based line where it starts
    headings: list[str] = field(default_factory=list)  # outermost first
    parent: str = ""  # the item this one is nested under
    level: int = 0  # nesting depth of an item
    owner: str = ""  # from a table's owner column
    priority: str = ""  # from a table's priority column
    row: int = 0  # table row number
    done: bool = False  # a ticked checklist item: work already done, no ask

    @property
    def heading(self) -> str:
        return self.headings[-1] if self.headings else ""


def clean(text: str) -> str:
    return re.sub(r"\s+", " ", _MARKUP.sub("", text)).strip()


def _plain_heading(line: str, next_line: str, prev_blank: bool) -> str | None:
    """A line standing alone as a heading in plain text: short, no sentence punctuation, upper
    case or ending with a colon or wholly bold; or followed by ``===`` / ``---``."""
    text = line.strip()
    bare = text.strip("*_ ").strip()
    if not bare or len(bare.split()) > 8 or not prev_blank and not text.endswith(":"):
        return None
    if re.fullmatch(r"[=-]{3,}", next_line.strip() or "x"):
        return clean(bare)
    if bare.endswith(":") and len(bare.split()) <= 6 and not _EMAIL_HEADER.match(bare):
        return clean(bare[:-1])
    if re.search(r"[.?!,;]$", bare):
        return None
    if (text.startswith("**") and text.endswith("**")) or (bare.isupper() and len(bare) > 3):
        return clean(bare)
    if bare[:1].isupper() and len(bare.split()) <= 3 and _ITEM.match(next_line):  # "Objectives" over a list
        return clean(bare)
    return None


def _continues(block: Block, last: str, line: str) -> bool:
    """Whether ``line`` wraps the block above (whose last line is ``last``) rather than starting
    a new one: plain-text lists are often one ask per line, with no bullets or blank lines."""
    if block.kind == "item" and line[:1].isspace():
        return True
    last = last.strip()
    starts_new = line.strip()[:1].isupper() and (last.endswith((".", "?", "!")) or len(last) < 50)
    return not starts_new


def _cells(line: str) -> list[str]:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") else inner
    return [clean(c) for c in re.split(r"(?<!\\)\|", inner)]


# a header naming the ask itself ("What they asked", "Request") wins over one that only labels the row ("Item", "Topic")
_ASKED_COLUMNS = re.compile(r"question|request|requirement|\bask|need|story|use case|query|problem", re.I)


def _ask_column(header: list[str], rows: list[list[str]]) -> int:
    for i, h in enumerate(header):
        if _ASKED_COLUMNS.search(h) and not _OWNER_COLUMNS.fullmatch(h.strip()):
            return i
    for i, h in enumerate(header):
        if _ASK_COLUMNS.search(h) and not _OWNER_COLUMNS.fullmatch(h.strip()):
            return i
    # no telling header: the column with the longest text
    lengths = [sum(len(r[i]) for r in rows if i < len(r)) for i in range(len(header))]
    return max(range(len(header)), key=lambda i: lengths[i]) if header else 0


def _column(header: list[str], pattern: re.Pattern[str], not_col: int) -> int | None:
    return next((i for i, h in enumerate(header) if i != not_col and pattern.search(h)), None)


def _table_blocks(lines: list[tuple[int, str]], headings: list[str]) -> list[Block]:
    rows = [(n, _cells(t)) for n, t in lines if not _TABLE_SEP.match(t)]
    has_header = len(lines) > 1 and _TABLE_SEP.match(lines[1][1]) is not None
    header, body = (rows[0][1], rows[1:]) if has_header else ([""] * len(rows[0][1]), rows)
    ask = _ask_column(header, [r for _, r in body])
    owner = _column(header, _OWNER_COLUMNS, ask)
    priority = _column(header, _PRIORITY_COLUMNS, ask)
    out = []
    for k, (n, cells) in enumerate(body, 1):
        if ask >= len(cells) or not cells[ask]:
            continue
        out.append(Block(
            "row", cells[ask], n, list(headings), row=k,
            owner=cells[owner] if owner is not None and owner < len(cells) else "",
            priority=cells[priority] if priority is not None and priority < len(cells) else "",
        ))
    return out


def blocks(text: str) -> list[Block]:
    """The blocks of a document, in order."""
    lines = [_QUOTE.sub("", line) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    out: list[Block] = []
    headings: dict[int, str] = {}  # level -> heading text
    current: Block | None = None
    items: list[tuple[int, Block]] = []  # open items by indent, for nesting
    table: list[tuple[int, str]] = []

    def heads() -> list[str]:
        return [headings[k] for k in sorted(headings)]

    def flush_table() -> None:
        if table:
            out.extend(_table_blocks(table, heads()))
            table.clear()

    prev_blank = True
    for n, raw in enumerate(lines, 1):
        line = raw.rstrip()
        nxt = lines[n] if n < len(lines) else ""
        if _TABLE_ROW.match(line) and line.strip().startswith("|"):
            table.append((n, line))
            current, prev_blank = None, False
            continue
        flush_table()
        if not line.strip():
            current, prev_blank = None, True
            continue
        if _RULE.match(line):
            current, prev_blank = None, True
            continue
        if m := _MD_HEADING.match(line) or _WIKI_HEADING.match(line):
            level = len(m.group(1)) if m.group(1).startswith("#") else int(m.group(1))
            headings = {k: v for k, v in headings.items() if k < level}
            headings[level] = clean(m.group(2))
            current, items, prev_blank = None, [], False
            continue
        if m := _CHAT.match(line):
            who = m.group("who") or m.group("nick") or ""
            current = Block("message", m.group("text") if who else line.strip(), n, heads(), owner=who)
            items, prev_blank = [], False
            out.append(current)
            continue
        if m := _ITEM.match(line):
            bare = m.group("bare_text") is not None
            indent = len((m.group("bare_indent") if bare else m.group("indent")).expandtabs(4))
            while items and items[-1][0] >= indent:
                items.pop()
            parent = items[-1][1] if items else None
            box = m.group("bare_box") if bare else m.group("box")
            current = Block("item", m.group("bare_text") if bare else m.group("text"), n, heads(),
                            parent=parent.text if parent else "", level=len(items), done=bool(box and box.strip()))
            if parent is not None and parent.parent:
                current.parent = f"{parent.parent} / {parent.text}"
            items.append((indent, current))
            out.append(current)
            prev_blank = False
            continue
        title = _plain_heading(line, nxt, prev_blank)
        if title is None and line.rstrip().endswith(":") and _ITEM.match(nxt):
            title = clean(line.strip()[:-1])  # a lead-in that introduces the list below: its context, no ask
        # "Objective 2: Protect the programme" over its key results heads them, even right after an item
        labelled = _NUMBERED_SECTION.match(line) is not None and _ITEM.match(nxt) is not None
        if labelled:
            title = clean(line.strip())
        if title is not None and (current is None or labelled):
            headings = {k: v for k, v in headings.items() if k < 9}
            headings[9] = title
            items, prev_blank = [], False
            continue
        if re.fullmatch(r"\s*[=-]{3,}\s*", line):
            continue
        if current is not None and _continues(current, lines[n - 2], line):  # a wrapped line continues the block above
            current.text += " " + line.strip()
        else:
            if _EMAIL_HEADER.match(line) and not out:
                prev_blank = False
                continue
            current = Block("para", line.strip(), n, heads())
            items = []
            out.append(current)
        prev_blank = False
    flush_table()
    for b in out:
        b.text = clean(b.text)
        b.parent = clean(b.parent)
    return [b for b in out if b.text]


def sentences(text: str, casual: bool = False) -> list[str]:
    """``text`` cut into sentences; abbreviations such as "e.g." do not end one (a whole word:
    "platforms." is no "ms."), and keep the writer's case. ``casual``: a sentence may start in
    lower case, as in chat messages."""
    protected = _ABBREVIATION.sub(lambda m: m.group(0).replace(".", "\x00"), text)
    protected = _INITIAL.sub(lambda m: m.group(0).replace(".", "\x00"), protected)
    end = _CASUAL_END if casual else _SENTENCE_END
    return [part.strip().replace("\x00", ".") for part in end.split(protected) if part.strip()]
