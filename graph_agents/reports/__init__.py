"""Facts, insights and renderers for analysis reports."""

from .build import build_report, compute_facts, entity_ids, report_id
from .grounding import ground_report
from .render import to_markdown, write_report_files

__all__ = ["build_report", "compute_facts", "entity_ids", "ground_report", "report_id", "to_markdown", "write_report_files"]
