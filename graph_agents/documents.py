"""Requirement documents: Markdown, plain text, PDF and DOCX, read into text.

Only regular files are read (a FIFO would block, a device such as ``/dev/zero`` never ends), and
limits apply while reading, not after: text is read up to ``MAX_TEXT_BYTES``, PDFs and DOCX files
over ``MAX_FILE_BYTES`` are refused, and extraction stops once ``MAX_CHARS`` characters are out.
"""

from __future__ import annotations

import codecs
import io
import os
import stat
import zipfile
from pathlib import Path
from typing import Any

from .errors import InputError

MAX_CHARS = 2_000_000  # beyond this a document is truncated: requirements are pages, not books
MAX_TEXT_BYTES = 4 * MAX_CHARS  # enough bytes for MAX_CHARS characters in any UTF-8 text
MAX_FILE_BYTES = 100 * 1024 * 1024  # a PDF or DOCX larger than this is not a requirements document
MAX_PDF_PAGES = 2_000
MAX_DOCX_XML_BYTES = 256 * 1024 * 1024  # word/document.xml uncompressed: a zip bomb stops here

_BOMS = [  # longest first: the UTF-32 LE mark begins with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
]
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class DocumentError(InputError):
    """A document could not be read; the message is one line for the user."""


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def open_regular(p: Path, what: str = "document", error: type[InputError] = InputError) -> io.BufferedReader:
    """``p`` opened for reading, if it is a regular file (checked on the open file itself: a
    FIFO opened without O_NONBLOCK would block before we could look, /dev/zero never ends)."""
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise error(f"{what} not found: {p}") from None
    except IsADirectoryError:
        raise error(f"{p}: is a directory, not a file") from None
    except OSError as exc:
        raise error(f"{p}: cannot open ({exc.strerror or exc})") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise error(f"{p}: is {_kind(mode)}, not a file (a {what} is read from a regular file)")
    if hasattr(os, "set_blocking"):
        os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def read_document(path: str | Path) -> str:
    p = Path(path)
    with open_regular(p, "document", DocumentError) as fh:
        head = fh.read(8)
        fh.seek(0)
        suffix = p.suffix.lower()
        size = os.fstat(fh.fileno()).st_size
        try:
            if suffix == ".pdf" or head.startswith(b"%PDF-"):
                text = _read_pdf(_bounded(fh, p, size, "PDF"))
            elif suffix == ".docx" or (head.startswith(b"PK\x03\x04") and suffix not in (".md", ".txt")):
                text = _read_docx(_bounded(fh, p, size, "DOCX"), p)
            else:
                text = decode_text(fh.read(MAX_TEXT_BYTES), p)
        except DocumentError:
            raise
        except RecursionError:
            raise DocumentError(f"{p}: cannot read {suffix or 'file'} (nested too deeply)") from None
        except Exception as exc:  # pypdf and the XML parser raise many types for corrupt files
            raise DocumentError(f"{p}: cannot read {suffix or 'file'} ({type(exc).__name__}: {exc})"[:300]) from None
    return text[:MAX_CHARS]


def _bounded(fh: io.BufferedReader, p: Path, size: int, what: str) -> io.BytesIO:
    if size > MAX_FILE_BYTES:
        raise DocumentError(f"{p}: {size / 2**20:.0f} MB is too large for a {what} requirements document "
                            f"(at most {MAX_FILE_BYTES // 2**20} MB)")
    return io.BytesIO(fh.read(MAX_FILE_BYTES + 1))


def decode_text(raw: bytes, p: Path) -> str:
    """Text from bytes: a byte-order mark decides (UTF-8, UTF-16, UTF-32); else UTF-16 without a
    mark when every other byte is NUL; else UTF-8, falling back to Windows-1252. A NUL anywhere
    else means binary."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return raw[len(bom):].decode(encoding, errors="replace")
    encoding = _utf16_without_bom(raw)
    if encoding:
        return raw.decode(encoding, errors="replace")
    if b"\x00" in raw:
        raise DocumentError(f"{p}: looks binary, expected text, Markdown, PDF or DOCX")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(raw) - 3:  # cut inside a character by the read limit
            return raw[: exc.start].decode("utf-8")
        return raw.decode("cp1252", errors="replace")


def _utf16_without_bom(raw: bytes) -> str | None:
    sample = raw[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    # ASCII-range text in UTF-16: one of the two byte lanes is (almost) all NUL, the other not
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) <= 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) <= 0.05 * len(odd):
        return "utf-16-be"
    return None


def _read_pdf(data: io.BytesIO) -> str:
    from pypdf import PdfReader

    parts, total = [], 0
    for i, page in enumerate(PdfReader(data).pages):
        if i >= MAX_PDF_PAGES or total > MAX_CHARS:
            break
        text = page.extract_text() or ""
        parts.append(text)
        total += len(text)
    return "\n".join(parts)


def _read_docx(data: io.BytesIO, p: Path) -> str:
    """Paragraphs of ``word/document.xml``, streamed: headings become ``#``, list items ``-``.
    (python-docx resolves every paragraph's style through the styles part, ~2.5 ms a paragraph:
    200k empty paragraphs took minutes; one pass over the XML takes a fraction of a second.)"""
    from lxml import etree

    with zipfile.ZipFile(data) as z:
        try:
            info = z.getinfo("word/document.xml")
        except KeyError:
            raise DocumentError(f"{p}: cannot read .docx (no word/document.xml: not a Word document)") from None
        if info.file_size > MAX_DOCX_XML_BYTES:
            raise DocumentError(f"{p}: its text part is {info.file_size / 2**20:.0f} MB uncompressed; "
                                f"at most {MAX_DOCX_XML_BYTES // 2**20} MB")
        styles = _docx_styles(z, etree)
        lines, total = [], 0
        with z.open(info) as xml:
            parser = etree.iterparse(xml, events=("end",), tag=f"{_W}p", resolve_entities=False, no_network=True)
            for _, para in parser:
                line = _paragraph(para, styles) if len(para) else ""
                para.clear()  # keep memory flat, and nested paragraphs are not read twice
                lines.append(line)
                total += len(line) + 1
                if total > MAX_CHARS:
                    break
    return "\n".join(lines)


def _docx_styles(z: zipfile.ZipFile, etree: Any) -> dict[str, str]:
    """Style id -> lower-case style name ("Heading1" -> "heading 1")."""
    try:
        info = z.getinfo("word/styles.xml")
    except KeyError:
        return {}
    if info.file_size > MAX_DOCX_XML_BYTES:
        return {}
    names = {}
    with z.open(info) as xml:
        for _, style in etree.iterparse(xml, events=("end",), tag=f"{_W}style", resolve_entities=False, no_network=True):
            name = style.find(f"{_W}name")
            sid = style.get(f"{_W}styleId")
            if sid and name is not None:
                names[sid] = (name.get(f"{_W}val") or "").lower()
            style.clear()
    return names


def _paragraph(para: Any, styles: dict[str, str]) -> str:
    text = "".join(
        node.text or "" if node.tag == f"{_W}t" else "\t" if node.tag == f"{_W}tab" else "\n"
        for node in para.iter(f"{_W}t", f"{_W}tab", f"{_W}br")
    )
    props = para.find(f"{_W}pPr")
    style_id = props.find(f"{_W}pStyle") if props is not None else None
    sid = style_id.get(f"{_W}val", "") if style_id is not None else ""
    style = styles.get(sid, sid.lower())
    if style.startswith("heading"):
        level = style.removeprefix("heading").strip()
        return "#" * (min(int(level), 6) if level.isdigit() else 1) + " " + text
    if "list" in style or (props is not None and props.find(f"{_W}numPr") is not None):
        return "- " + text
    return text


def _classify(doc: Any, i: int) -> tuple[str, str]:
    """("content", text) or ("path", path) for one document given in any accepted form."""
    if isinstance(doc, dict) and "content" in doc:
        if not isinstance(doc["content"], str):
            raise DocumentError(f"document {i + 1}: 'content' must be text, not {type(doc['content']).__name__}")
        return "content", doc["content"][:MAX_CHARS]
    if isinstance(doc, dict) and isinstance(doc.get("path"), (str, Path)):
        return "path", str(doc["path"])
    if isinstance(doc, (str, Path)):
        return "path", str(doc)
    raise DocumentError(f"document {i + 1}: expected a path, {{'path': ...}} or {{'content': ...}}, "
                        f"got {type(doc).__name__}")


def load_sources(documents: list[Any] | None, inline: str | None = None) -> list[dict[str, str]]:
    """Documents given as paths, ``{"path": ...}`` or ``{"content": ...}``, plus inline text."""
    sources = []
    for i, doc in enumerate(documents or []):
        kind, value = _classify(doc, i)
        if kind == "content":
            sources.append({"name": str(doc.get("name") or f"inline-{i + 1}")[:200], "text": value})
        else:
            sources.append({"name": Path(value).name, "text": read_document(value)})
    if inline is not None and not isinstance(inline, str):
        raise DocumentError(f"requirements must be text, not {type(inline).__name__}")
    if inline and inline.strip():
        sources.append({"name": "requirements", "text": inline[:MAX_CHARS]})
    return sources


def split_documents(documents: Any) -> tuple[list[str], list[str]]:
    """Paths for the graph's ``documents``, inline contents for its ``requirements`` text; a bad
    document is an :class:`InputError` before anything runs."""
    if documents is None:
        return [], []
    if isinstance(documents, (str, Path)):  # one path, not a sequence of one-letter paths
        documents = [documents]
    if isinstance(documents, dict) or not hasattr(documents, "__iter__"):
        raise DocumentError(f"documents must be a list of paths or {{'content': ...}} dicts, "
                            f"not {type(documents).__name__}")
    paths, contents = [], []
    for i, doc in enumerate(documents):
        kind, value = _classify(doc, i)
        (contents if kind == "content" else paths).append(value)
    return paths, contents
