"""Requirement documents: Markdown, plain text, PDF and DOCX, read into text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import InputError

MAX_CHARS = 2_000_000  # beyond this a document is truncated: requirements are pages, not books


class DocumentError(InputError):
    """A document could not be read; the message is one line for the user."""


def read_document(path: str | Path) -> str:
    p = Path(path)
    if not p.is_file():
        raise DocumentError(f"document not found: {p}")
    suffix = p.suffix.lower()
    try:
        if suffix == ".pdf":
            text = _read_pdf(p)
        elif suffix == ".docx":
            text = _read_docx(p)
        else:
            raw = p.read_bytes()
            if b"\x00" in raw[:4096]:
                raise DocumentError(f"{p}: looks binary, expected text, Markdown, PDF or DOCX")
            text = raw.decode("utf-8", errors="replace")
    except DocumentError:
        raise
    except Exception as exc:  # pypdf and python-docx raise many types for corrupt files
        raise DocumentError(f"{p}: cannot read {suffix or 'file'} ({type(exc).__name__}: {exc})"[:300]) from None
    return text[:MAX_CHARS]


def _read_pdf(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def _read_docx(path: Path) -> str:
    from docx import Document

    doc = Document(str(path))
    lines = []
    for para in doc.paragraphs:
        style = (para.style.name or "").lower() if para.style is not None else ""
        if style.startswith("heading"):
            level = style.removeprefix("heading").strip()
            lines.append("#" * (int(level) if level.isdigit() else 1) + " " + para.text)
        elif "list" in style:
            lines.append("- " + para.text)
        else:
            lines.append(para.text)
    return "\n".join(lines)


def load_sources(documents: list[Any] | None, inline: str | None = None) -> list[dict[str, str]]:
    """Documents given as paths, ``{"path": ...}`` or ``{"content": ...}``, plus inline text."""
    sources = []
    for i, doc in enumerate(documents or []):
        if isinstance(doc, dict) and "content" in doc:
            sources.append({"name": str(doc.get("name") or f"inline-{i + 1}"), "text": str(doc["content"])[:MAX_CHARS]})
        elif isinstance(doc, dict) and "path" in doc:
            sources.append({"name": Path(doc["path"]).name, "text": read_document(doc["path"])})
        elif isinstance(doc, (str, Path)):
            sources.append({"name": Path(doc).name, "text": read_document(doc)})
        else:
            raise DocumentError(f"document {i + 1}: expected a path, {{'path': ...}} or {{'content': ...}}")
    if inline and inline.strip():
        sources.append({"name": "requirements", "text": inline[:MAX_CHARS]})
    return sources
