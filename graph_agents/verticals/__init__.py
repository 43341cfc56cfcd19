"""Industry verticals: the vocabulary that steers every agent toward the business's own words.

Built-in verticals are JSON files next to this module (each a valid :class:`Vertical`, file name =
``name``). A custom vertical is any JSON file with the same fields.

API
---
- ``BUILTIN_DIR``: the folder of the built-in JSON files (an ``importlib.resources`` Traversable,
  a plain ``Path`` for a normal install).
- ``list_verticals()``: the built-ins, sorted by name.
- ``load_vertical(spec)``: a built-in name or alias (case-insensitive), else a path to a JSON file.
- ``detect_vertical(texts, collection_names)``: ``auto`` mode, see below.
- ``save_vertical(v, directory)``: write a custom vertical for reuse.
- ``validate_vertical(v)``: catalog/detector consistency checks used by load and save.

Every failure raises :class:`VerticalError` (a ``ValueError``) with a single-line message.

Detection (``auto``)
--------------------
Each built-in except ``generic`` is scored from its ``keywords``:

- matching is on whole words, case-insensitive, with simple plural stemming ("customers",
  "categories", "boxes" match "customer", "category", "box"); multi-word keywords match as
  consecutive words; collection names are also split on ``_``, ``-`` and camelCase
  ("deviceIds" -> "device ids"), and matched whole ("cellsites" matches "cell site");
- a keyword listed by several verticals ("device", "user") weighs ``1 / (number of verticals
  listing it)``, so shared words don't decide anything on their own;
- text evidence: the weights of the *distinct* keywords found in all texts (repetition does not
  count), saturated as ``TEXT_CAP * s / (s + TEXT_CAP)`` so a long document can never score more
  than ``TEXT_CAP`` points;
- collection evidence: each collection name that matches scores ``COLLECTION_WEIGHT`` times its
  best keyword weight (a collection counts once, however many keywords it matches);
- score = text evidence + collection evidence. The best score wins (ties go to the
  alphabetically first name); below ``MIN_SCORE`` the result is ``generic``. With the defaults,
  one collection named by a vertical-specific word, or three vertical-specific words in the texts,
  are enough.

Detectors
---------
``Vertical.detectors`` are dicts ``{"name", "algorithm", "kind", "description", ...parameters}``
with ``kind`` one of ``DETECTOR_KINDS`` (key = kind, value = the parameter it reads), and optionally
``about``: collection-name fragments (``["product"]``) of the entities its description speaks of; the
detector then runs only on reports about such collections.
"""

from __future__ import annotations

import json
import os
import re
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Iterable

from pydantic import ValidationError

from graph_agents.algorithms import CATALOG
from graph_agents.documents import open_regular
from graph_agents.errors import InputError, one_line
from graph_agents.models import Vertical

__all__ = [
    "ALIASES",
    "BUILTIN_DIR",
    "COLLECTION_WEIGHT",
    "DETECTOR_KINDS",
    "GENERIC",
    "MIN_SCORE",
    "REQUIRED_TERMS",
    "TEXT_CAP",
    "VerticalError",
    "detect_vertical",
    "list_verticals",
    "load_vertical",
    "save_vertical",
    "validate_vertical",
]

BUILTIN_DIR: Traversable = resources.files(__name__)

GENERIC = "generic"

ALIASES: dict[str, str] = {
    "retail": "ecommerce",
    "e_commerce": "ecommerce",
    "ecom": "ecommerce",
    "shop": "ecommerce",
    "shopping": "ecommerce",
    "financial": "fraud",
    "finance": "fraud",
    "financial_crime": "fraud",
    "aml": "fraud",
    "banking": "fraud",
    "fintech": "fraud",
    "ad_tech": "adtech",
    "advertising": "adtech",
    "identity": "adtech",
    "identity_graph": "adtech",
    "martech": "adtech",
    "social_network": "social",
    "social_networks": "social",
    "social_media": "social",
    "logistics": "supply_chain",
    "supplychain": "supply_chain",
    "supply": "supply_chain",
    "it": "telecom",
    "network": "telecom",
    "networks": "telecom",
    "it_network": "telecom",
    "telco": "telecom",
    "telecommunications": "telecom",
    "default": "generic",
}

# generic words every built-in translates (Vertical.term falls back to the word itself)
REQUIRED_TERMS = (
    "node", "nodes", "community", "communities", "component", "components",
    "influence", "broker", "cycle", "entity", "entities",
)

# detector kind -> the parameter it reads (implemented by the detectors module, later)
DETECTOR_KINDS: dict[str, str] = {
    "large_component": "min_size: smallest component worth reporting",
    "concentration": "top_share: fraction of top-scored vertices whose share of the total is measured",
    "isolated_groups": "min_size: smallest group worth reporting",
    "dominant_broker": "min_share: share of all betweenness one vertex must hold",
    "cycle": "min_size: smallest strongly connected group worth reporting",
}

# detector parameter -> (lowest, highest, integer only): what reports/detectors.py reads
DETECTOR_PARAMETERS: dict[str, tuple[float, float, bool]] = {
    "min_size": (1, 10**12, True),
    "top_share": (0.0, 1.0, False),
    "min_share": (0.0, 1.0, False),
    "min_isolation": (0.0, 1.0, False),
    "min_ratio": (0.0, 10**6, False),
}
MAX_VERTICAL_BYTES = 256 * 1024  # the built-ins are ~3 KiB; 26 MB made a 325 MB checkpoint database

TEXT_CAP = 10.0
COLLECTION_WEIGHT = 3.0
MIN_SCORE = 2.0


class VerticalError(InputError):
    """A vertical could not be loaded, validated or saved; the message is one line."""

    def __init__(self, message: str) -> None:
        super().__init__(one_line(str(message)))


# --------------------------------------------------------------------------------------- loading


def _parse(text: str, source: str) -> Vertical:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise VerticalError(
            f"invalid JSON in {source} at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise VerticalError(f"{source}: JSON nested too deeply to be a vertical") from None
    if not isinstance(data, dict):
        raise VerticalError(f"{source}: expected a JSON object, got {type(data).__name__}")
    try:
        vertical = Vertical.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        field = ".".join(str(p) for p in first.get("loc", ())) or "(root)"
        more = f" (and {len(errors) - 1} more error(s))" if len(errors) > 1 else ""
        raise VerticalError(
            f"{source} is not a valid vertical: field '{field}': {first.get('msg', 'invalid')}{more}"
        ) from None
    validate_vertical(vertical, source)
    return vertical


def _check_detector_parameters(det: dict[str, Any], where: str, i: int) -> None:
    for param, (low, high, integer) in DETECTOR_PARAMETERS.items():
        if param not in det:
            continue
        value = det[param]
        kind = "an integer" if integer else "a number"
        if isinstance(value, bool) or not isinstance(value, int if integer else (int, float)) or value != value:
            raise VerticalError(f"{where}field 'detectors.{i}.{param}' must be {kind}, not {value!r}"[:300])
        if not low <= value <= high:
            raise VerticalError(f"{where}field 'detectors.{i}.{param}' must be between {low} and {high}, not {value!r}")
    if not isinstance(det.get("description", ""), str):
        raise VerticalError(f"{where}field 'detectors.{i}.description' must be a string")
    about = det.get("about", [])
    if not isinstance(about, list) or not all(isinstance(a, str) and a.strip() for a in about):
        raise VerticalError(f"{where}field 'detectors.{i}.about' must be a list of collection-name fragments, "
                            f"not {about!r}"[:300])


def validate_vertical(v: Vertical, source: str | None = None) -> Vertical:
    """Check what pydantic can't: a name, catalog algorithm names, detector shape and parameters,
    and a size that fits a vocabulary (the vertical travels with every analysis, so with every
    checkpoint). Returns ``v``."""
    where = f"{source}: " if source else ""
    known = ", ".join(sorted(CATALOG))
    if not v.name.strip():
        raise VerticalError(f"{where}field 'name' must not be empty")
    size = len(json.dumps(v.model_dump(), default=str))
    if size > MAX_VERTICAL_BYTES:
        raise VerticalError(f"{where}the vertical is {size / 1024:.0f} KiB; a vertical is a vocabulary "
                            f"of at most {MAX_VERTICAL_BYTES // 1024} KiB")
    for algo in v.algorithm_purposes:
        if algo not in CATALOG:
            raise VerticalError(
                f"{where}field 'algorithm_purposes': unknown algorithm {algo!r}; known: {known}"
            )
    for algo in v.discovery:
        if algo not in CATALOG:
            raise VerticalError(f"{where}field 'discovery': unknown algorithm {algo!r}; known: {known}")
    for i, det in enumerate(v.detectors):
        if not isinstance(det.get("name"), str) or not det["name"].strip():
            raise VerticalError(f"{where}field 'detectors.{i}.name' must be a non-empty string")
        if det.get("algorithm") not in CATALOG:
            raise VerticalError(
                f"{where}field 'detectors.{i}.algorithm': unknown algorithm "
                f"{det.get('algorithm')!r}; known: {known}"
            )
        if det.get("kind") not in DETECTOR_KINDS:
            raise VerticalError(
                f"{where}field 'detectors.{i}.kind': unknown kind {det.get('kind')!r}; "
                f"known: {', '.join(DETECTOR_KINDS)}"
            )
        _check_detector_parameters(det, where, i)
    from graph_agents.reports.advice import check_advice  # the reports read what is checked here

    problem = check_advice(v.advice, where, set(CATALOG))
    if problem:
        raise VerticalError(problem)
    return v


def _builtin_files() -> dict[str, Traversable]:
    return {
        entry.name[: -len(".json")]: entry
        for entry in BUILTIN_DIR.iterdir()
        if entry.name.endswith(".json") and entry.is_file()
    }


def _load_builtin(name: str, entry: Traversable) -> Vertical:
    return _parse(entry.read_text(encoding="utf-8"), f"built-in vertical {name!r}")


def list_verticals() -> list[Vertical]:
    """Every built-in vertical, sorted by name."""
    files = _builtin_files()
    return sorted((_load_builtin(n, e) for n, e in files.items()), key=lambda v: v.name)


def _normalize_name(spec: str) -> str:
    return re.sub(r"[\s\-]+", "_", spec.strip().lower())


def _resolve_name(spec: str, builtins: Iterable[str]) -> str | None:
    names = set(builtins)
    key = _normalize_name(spec)
    for candidate in (key, key.replace("_", "")):
        if candidate in names:
            return candidate
        if candidate in ALIASES:
            return ALIASES[candidate]
    return None


def load_vertical(spec: str) -> Vertical:
    """A built-in by name or alias (case-insensitive), else a custom vertical from a JSON file.

    Built-in names win over a same-named file in the working directory; ``spec`` is read as a
    path when it ends in ``.json``, contains a path separator, or names an existing file.
    """
    if not isinstance(spec, (str, os.PathLike)):
        raise VerticalError(f"vertical spec must be a name or a path, got {type(spec).__name__}")
    text = os.fspath(spec).strip()
    if not text:
        raise VerticalError("empty vertical spec: give a built-in name or a path to a JSON file")
    files = _builtin_files()
    name = _resolve_name(text, files)
    if name is not None and name in files:
        return _load_builtin(name, files[name])

    path = Path(text).expanduser()
    looks_like_path = (
        text.lower().endswith(".json") or "/" in text or os.sep in text or path.is_file()
    )
    if not looks_like_path:
        hint = " ('auto' is resolved by detect_vertical)" if text.lower() == "auto" else ""
        raise VerticalError(
            f"unknown vertical {text!r}{hint}; known: {', '.join(sorted(files))} "
            "(or an alias such as retail, aml, logistics; or a path to a .json file)"
        )
    try:
        with open_regular(path, "vertical file", VerticalError) as fh:
            raw = fh.read(MAX_VERTICAL_BYTES + 1)
        if len(raw) > MAX_VERTICAL_BYTES:
            raise VerticalError(f"{path}: larger than {MAX_VERTICAL_BYTES // 1024} KiB; a vertical is a vocabulary, not data")
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise VerticalError(f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise VerticalError(f"cannot read vertical file {path}: {exc.strerror or exc}") from None
    return _parse(content, str(path))


# -------------------------------------------------------------------------------------- saving


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9_-]+", "_", name.strip().lower()).strip("_-")
    return slug or "vertical"


def save_vertical(v: Vertical, directory: Path) -> Path:
    """Write ``v`` as ``<directory>/<slug>.json`` and return the path.

    The slug keeps ``[a-z0-9_-]`` of ``v.name`` (anything else becomes ``_``), so no path
    separator or ``..`` can escape ``directory``; the file stores the slug as its ``name`` so the
    name is always safe to reuse. The vertical is validated first; the write is atomic.
    """
    if not isinstance(v, Vertical):
        raise VerticalError(f"save_vertical expects a Vertical, got {type(v).__name__}")
    slug = _slug(v.name)
    out = v.model_copy(update={"name": slug})
    validate_vertical(out)
    directory = Path(directory).expanduser()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{slug}.json"
        tmp = directory / f".{slug}.json.tmp"
        tmp.write_text(json.dumps(out.dump(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise VerticalError(f"cannot save vertical to {directory}: {exc.strerror or exc}") from None
    return path


# ----------------------------------------------------------------------------------- detection

_WORD = re.compile(r"[a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def _forms(word: str) -> frozenset[str]:
    """The word and its singular candidates: customers->customer, categories->category, boxes->box."""
    forms = {word}
    if len(word) >= 3 and word.endswith("s") and not word.endswith("ss"):
        forms.add(word[:-1])
        if len(word) >= 4 and word.endswith("es"):
            forms.add(word[:-2])
        if len(word) >= 5 and word.endswith("ies"):
            forms.add(word[:-3] + "y")
    return frozenset(forms)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


class _Matcher:
    """Finds which keywords (whole words, plural-insensitive, multi-word in sequence) a text holds."""

    def __init__(self, keywords: Iterable[str]) -> None:
        self.keywords: dict[str, list[frozenset[str]]] = {}
        for kw in keywords:
            words = _words(kw)
            if words:
                self.keywords[" ".join(words)] = [_forms(w) for w in words]

    def found(self, words: list[str]) -> set[str]:
        if not words:
            return set()
        index: dict[str, set[int]] = {}
        for i, w in enumerate(words):
            for f in _forms(w):
                index.setdefault(f, set()).add(i)
        hits = set()
        for key, seq in self.keywords.items():
            # positions where the keyword's words matched so far end
            ends = set().union(*(index.get(f, ()) for f in seq[0]))
            for forms in seq[1:]:
                if not ends:
                    break
                nxt = set().union(*(index.get(f, ()) for f in forms))
                ends = {e + 1 for e in ends if e + 1 in nxt}
            if ends:
                hits.add(key)
        return hits

    def found_in_name(self, name: str) -> set[str]:
        words = _words(_CAMEL.sub(" ", name))
        hits = self.found(words)
        joined = "".join(words)
        if joined:
            whole = _forms(joined)
            hits |= {k for k in self.keywords if whole & _forms(k.replace(" ", ""))}
        return hits


def _saturate(s: float) -> float:
    return TEXT_CAP * s / (s + TEXT_CAP) if s > 0 else 0.0


def detect_vertical(
    texts: list[str], collection_names: list[str]
) -> tuple[Vertical, dict[str, float]]:
    """Pick the built-in vertical that best fits requirement texts and collection names.

    Returns the chosen vertical and the score of every built-in except ``generic`` (rounded to
    3 decimals). Falls back to ``generic`` when the best score is below ``MIN_SCORE``; see the
    module docstring for the scoring. Deterministic.
    """
    verticals = {v.name: v for v in list_verticals()}
    candidates = [v for name, v in sorted(verticals.items()) if name != GENERIC]
    matchers = {v.name: _Matcher(v.keywords) for v in candidates}

    df: dict[str, int] = {}
    for m in matchers.values():
        for key in m.keywords:
            df[key] = df.get(key, 0) + 1

    text_words = [_words(t) for t in texts if isinstance(t, str) and t.strip()]
    names = [n for n in collection_names if isinstance(n, str) and n.strip()]

    scores: dict[str, float] = {}
    for v in candidates:
        m = matchers[v.name]
        found: set[str] = set()
        for words in text_words:
            found |= m.found(words)
        text_score = _saturate(sum(1.0 / df[k] for k in found))
        coll_score = 0.0
        for n in names:
            hits = m.found_in_name(n)
            if hits:
                coll_score += COLLECTION_WEIGHT * max(1.0 / df[k] for k in hits)
        scores[v.name] = round(text_score + coll_score, 3)

    best = min(scores, key=lambda n: (-scores[n], n)) if scores else None
    if best is None or scores[best] < MIN_SCORE:
        fallback = verticals.get(GENERIC) or load_vertical(GENERIC)
        return fallback, scores
    return verticals[best], scores
