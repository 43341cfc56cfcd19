"""One module per agent node, named after the node."""

from .analyze import analyze
from .analyze_schema import analyze_schema
from .extract_requirements import extract_requirements
from .finalize import finalize
from .generate_templates import generate_templates
from .generate_use_cases import generate_use_cases
from .resolve_vertical import resolve_vertical
from .review_use_cases import review_use_cases

__all__ = [
    "analyze",
    "analyze_schema",
    "extract_requirements",
    "finalize",
    "generate_templates",
    "generate_use_cases",
    "resolve_vertical",
    "review_use_cases",
]
