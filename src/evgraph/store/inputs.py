"""The input policy: what evgraph agrees to parse from a file (or text) someone else may have written.

Every reader of RDF in evgraph calls this module before a parser sees a byte: a folder is listed by
:func:`folder_files`, a file is read by :func:`read_input`, text already in memory is passed to
:func:`check`, and a parser's output is counted by :class:`Tally` as it is produced.
``tests/security/test_security_parsing.py`` makes every parsing entry point of :mod:`evgraph.store`
prove that it calls :func:`check`.

**Which parser reads what.** Turtle, TriG, N-Triples and N-Quads: Oxigraph (the rdflib backend reads
a folder's Turtle and TriG with rdflib); neither has entities or imports. RDF/XML (``.rdf``, ``.owl``,
``.xml``): Oxigraph, whose XML reader expands the internal entities of a DOCTYPE (a "billion laughs"
file of 10⁹ expansions took it 31 s and 9 GB), so any DOCTYPE or markup declaration is refused here
first; it reads UTF-8 only. TriX is recognised, so its DOCTYPE is refused like RDF/XML's, but not
read. JSON-LD: PyLD in ``evgraph ingest`` (with a document loader that refuses every URL) and
Oxigraph's own JSON-LD parser (which has no loader); a context given by reference (``"@context":
"https://…"`` or ``@import``) is refused here, naming it, and nothing is fetched. pySHACL receives
rdflib graphs built from the store's N-Quads, never a file; it follows ``owl:imports`` only when asked
(``do_owl_imports``), which evgraph never does, and runs no OWL-RL inference (``inference="none"``).

**Limits**, each a whole number set by an environment variable (read on every use):

- ``EVGRAPH_MAX_FILE_BYTES`` (200,000,000): bytes in one file or text, checked from the file's size
  before it is read.
- ``EVGRAPH_MAX_TRIPLES`` (5,000,000): triples (or quads) in one file, counted as it is parsed.
- ``EVGRAPH_MAX_LITERAL_CHARS`` (1,048,576): characters in one literal, checked as it is parsed.
- ``EVGRAPH_MAX_DEPTH`` (100): levels of nesting of a JSON-LD or RDF/XML document: RDF/XML by a scan
  of its tags before parsing (Oxigraph takes minutes over 100,000 levels), JSON-LD once Python has read
  the JSON (its reader stops near 1,000 levels by itself), before PyLD or Oxigraph expands it.
  Turtle's nested ``[ ]`` and ``( )`` are bounded by the triple limit (each level is a triple).

**Folders** (``--data``, ``--shapes``, ``--ontology``) are read for Turtle (``.ttl``) and TriG
(``.trig``). A symbolic link, to a file or a folder, is followed when it leads to somewhere inside the
same folder (each real file is read once, under the first name the walk finds); one that leads
outside it, or to a folder that holds the link (a loop), is refused with a sentence that names the link
and nothing it leads to. Any other file is refused, listing every file that would not be read, except
those ignored by name: hidden files and folders (a leading dot: ``.DS_Store``, ``.git``), Markdown
(``*.md``: ``README.md``) and the ontology folder's JSON-LD context (``context.jsonld``, read by
``evgraph export``).
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from evgraph.errors import ConfigError, DataError


@dataclass(frozen=True)
class Limit:
    """One limit on input: the environment variable that sets it, its default and what it counts."""

    env: str
    default: int
    help: str

    def value(self) -> int:
        """The limit in force: the environment variable's value, else the default."""
        raw = os.environ.get(self.env, "").strip()
        if not raw:
            return self.default
        if not raw.isdigit() or int(raw) < 1:
            raise ConfigError(f"{self.env} must be a whole number above zero ({self.help}), not '{raw}'.")
        return int(raw)


MAX_FILE_BYTES = Limit("EVGRAPH_MAX_FILE_BYTES", 200_000_000, "bytes in one input file")
MAX_TRIPLES = Limit("EVGRAPH_MAX_TRIPLES", 5_000_000, "triples in one input file")
MAX_LITERAL_CHARS = Limit("EVGRAPH_MAX_LITERAL_CHARS", 1_048_576, "characters in one literal")
MAX_DEPTH = Limit("EVGRAPH_MAX_DEPTH", 100, "levels of nesting in a JSON-LD or RDF/XML document")
LIMITS = (MAX_FILE_BYTES, MAX_TRIPLES, MAX_LITERAL_CHARS, MAX_DEPTH)

#: Every RDF format evgraph recognises, by file suffix (TriX is recognised, to be refused, not read).
FORMATS = {".ttl": "turtle", ".trig": "trig", ".nt": "ntriples", ".nq": "nquads", ".rdf": "rdfxml",
           ".owl": "rdfxml", ".xml": "rdfxml", ".jsonld": "jsonld", ".trix": "trix"}
#: The formats a folder of the layout is read for.
FOLDER_SUFFIXES = (".ttl", ".trig")
_XML_FORMATS = ("rdfxml", "trix")


def format_of(path: Path) -> str:
    """The format of an RDF file, by its suffix; a DataError for a suffix evgraph does not read."""
    if path.suffix.lower() not in FORMATS:
        raise DataError(f"{path}: not a file evgraph reads as RDF; expected one of {', '.join(FORMATS)}.")
    return FORMATS[path.suffix.lower()]


# -- folders ------------------------------------------------------------------------------------


def _ignored(relative: Path, role: str) -> bool:
    return (any(part.startswith(".") for part in relative.parts) or relative.suffix.lower() == ".md"
            or (role == "ontology" and relative.as_posix() == "context.jsonld"))


def folder_files(folder: Path, role: str) -> list[Path]:
    """The Turtle and TriG files of a layout folder, sorted, under the folder policy above.

    Raises :class:`DataError` for a link leading outside the folder (or into a loop), and for files the
    loader would not read, listing them all.
    """
    root = folder.resolve()
    found: dict[Path, Path] = {}  # real file -> the first name it was found under
    unread: list[str] = []
    seen: set[Path] = set()
    pending = [folder]
    while pending:
        directory = pending.pop()
        if directory.resolve() in seen:
            continue
        seen.add(directory.resolve())
        folders = []
        for entry in sorted(directory.iterdir()):
            relative = entry.relative_to(folder)
            if _ignored(relative, role):
                continue
            real = entry.resolve()
            if not real.is_relative_to(root):
                raise DataError(f"{entry}: a symbolic link leading outside the {role} folder {folder}; evgraph reads"
                                " only files inside the folders it is given.",
                                hint="Copy the file into the folder rather than linking to it.")
            if entry.is_dir():
                if entry.is_symlink() and entry.parent.resolve().is_relative_to(real):
                    raise DataError(f"{entry}: a symbolic link to a folder that holds it, so it would be read"
                                    " without end.", hint="Remove the link.")
                folders.append(entry)
            elif entry.is_file() and entry.suffix in FOLDER_SUFFIXES:
                found.setdefault(real, entry)
            else:
                unread.append(relative.as_posix())
        pending.extend(reversed(folders))  # depth first, in sorted order
    if unread:
        shown = ", ".join(sorted(unread)[:10]) + (f" and {len(unread) - 10} more" if len(unread) > 10 else "")
        raise DataError(f"The {role} folder {folder} holds {len(unread)} file(s) evgraph does not read: {shown}.",
                        hint="A folder is read for Turtle (.ttl) and TriG (.trig) only: convert the others (a partner's"
                             " RDF goes in with `evgraph ingest FILE --partner NAME`) or move them out. Hidden files"
                             " and Markdown (.md) are ignored.")
    return sorted(found.values())


# -- files and text -----------------------------------------------------------------------------


def read_input(path: Path, fmt: str | None = None) -> bytes:
    """The bytes of one RDF file, once it has passed :func:`check` (``fmt``: one of :data:`FORMATS`' values,
    else read from the suffix). Its size is checked before a byte is read; only a regular file is read."""
    fmt = fmt or format_of(path)
    limit = MAX_FILE_BYTES.value()
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise DataError(f"{path}: not a regular file, so evgraph does not read it.")
        if info.st_size > limit:
            raise _too_large(str(path), limit)
        with path.open("rb") as stream:
            content = stream.read(limit + 1)  # a file that grew since is still read no further
    except OSError as error:
        raise DataError(f"{path}: could not be read ({error.strerror or error}).") from None
    check(content, fmt, str(path))
    return content


def check(content: bytes, fmt: str, source: str) -> None:
    """Refuse RDF text that breaks the policy, before any parser reads it; ``source`` names it in messages.

    Every format: at most ``EVGRAPH_MAX_FILE_BYTES``. RDF/XML and TriX: UTF-8, no DOCTYPE or other markup
    declaration (so no entity), nesting at most ``EVGRAPH_MAX_DEPTH``. JSON-LD: UTF-8 JSON nested at most
    ``EVGRAPH_MAX_DEPTH``, with every context written inline. Any other format (a partner's CSV): the size.
    """
    limit = MAX_FILE_BYTES.value()
    if len(content) > limit:
        raise _too_large(source, limit)
    if fmt in _XML_FORMATS:
        _check_xml(content, source)
    elif fmt == "jsonld":
        _check_jsonld(content, source)


def _too_large(source: str, limit: int) -> DataError:
    return DataError(f"{source}: larger than {limit:,} bytes, the most evgraph reads from one file"
                     f" (set {MAX_FILE_BYTES.env} to change it).")


def _too_deep(source: str, limit: int) -> DataError:
    return DataError(f"{source}: nested deeper than {limit} levels, the most evgraph reads"
                     f" (set {MAX_DEPTH.env} to change it).")


class Tally:
    """Counts the triples of one input as its parser yields them, refusing past the triple or literal limit."""

    def __init__(self, source: str):
        self.source = source
        self.triples = 0
        self.max_triples = MAX_TRIPLES.value()
        self.max_literal = MAX_LITERAL_CHARS.value()

    def add(self, literal: str | None = None) -> None:
        """Count one triple; ``literal`` is its object's lexical form when the object is a literal."""
        self.add_counted(1, 0 if literal is None else len(literal))

    def add_counted(self, triples: int, longest_literal: int) -> None:
        """Count ``triples`` at once, the longest of whose literals has ``longest_literal`` characters (for a
        parser that counted them itself)."""
        self.triples += triples
        if self.triples > self.max_triples:
            raise DataError(f"{self.source}: more than {self.max_triples:,} triples, the most evgraph reads from one"
                            f" file (set {MAX_TRIPLES.env} to change it).")
        if longest_literal > self.max_literal:
            raise DataError(f"{self.source}: a literal of {longest_literal:,} characters, longer than the"
                            f" {self.max_literal:,} evgraph reads (set {MAX_LITERAL_CHARS.env} to change it).")


# -- XML ----------------------------------------------------------------------------------------

#: A DOCTYPE, ENTITY, ELEMENT, ATTLIST or NOTATION declaration: any "<!" but a comment or CDATA section.
_DECLARATION = re.compile(rb"<!(?!--|\[CDATA\[)", re.IGNORECASE)
_START_TAG = re.compile(rb"<[^\s/>!?\"']+(?:[^>\"']|\"[^\"]*\"|'[^']*')*>")


def _check_xml(content: bytes, source: str) -> None:
    if content[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in content[:4]:
        raise DataError(f"{source}: not UTF-8 text; evgraph reads XML in UTF-8 only.")
    declared = _DECLARATION.search(content)
    if declared:
        line = content.count(b"\n", 0, declared.start()) + 1
        raise DataError(f"{source}, line {line}: a DOCTYPE or entity declaration, which evgraph refuses in XML"
                        " (entities can expand without bound or read other files).",
                        hint="Remove the <!DOCTYPE …> block and write every value out in full.")
    limit, depth, at = MAX_DEPTH.value(), 0, 0
    # Tags found with find() rather than one regex, so an unclosed comment is one scan, not one per "<".
    while (at := content.find(b"<", at)) >= 0:
        for opening, closing in ((b"<!--", b"-->"), (b"<![CDATA[", b"]]>"), (b"<?", b"?>"), (b"</", b">")):
            if content.startswith(opening, at):
                depth -= 1 if opening == b"</" else 0
                end = content.find(closing, at + len(opening))
                break
        else:
            tag = _START_TAG.match(content, at)
            if tag is None:
                return  # not well-formed: the parser says where
            end = tag.end() - 1
            if content[end - 1:end] != b"/":
                depth += 1
                if depth > limit:
                    line = content.count(b"\n", 0, at) + 1
                    raise _too_deep(f"{source}, line {line}", limit)
            closing = b">"
        if end < 0:
            return
        at = end + len(closing)


# -- JSON-LD ------------------------------------------------------------------------------------


def _check_jsonld(content: bytes, source: str) -> None:
    limit = MAX_DEPTH.value()
    try:
        document = json.loads(content.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise DataError(f"{source}: not UTF-8 text ({error.reason}).") from None
    except json.JSONDecodeError as error:
        raise DataError(f"{source}, line {error.lineno}: JSON syntax error: {error.msg}.") from None
    except RecursionError:  # Python's JSON reader gives up near 1,000 levels, whatever the limit
        raise _too_deep(source, limit) from None
    deepest, remote = _walk(document)
    if deepest > limit:
        raise _too_deep(source, limit)
    if remote is not None:
        raise DataError(f"{source}: the context {remote} is remote and evgraph never fetches remote documents;"
                        " expected the context written inline.")


def _walk(document) -> tuple[int, str | None]:
    """How deeply a JSON-LD document nests (each object or array a level), and the first context it gives by
    reference (a URL to load: ``"@context": "…"``, in a list, or ``"@import"``) rather than inline, if any."""
    deepest, remote, pending = 0, None, [(document, 1)]
    while pending:
        node, depth = pending.pop()
        deepest = max(deepest, depth)
        if isinstance(node, dict):
            for key in ("@context", "@import"):
                given = node.get(key)
                named = [given] if isinstance(given, str) else [v for v in given if isinstance(v, str)] \
                    if isinstance(given, list) else []
                remote = remote or (named[0] if named else None)
            node = node.values()
        pending.extend((value, depth + 1) for value in reversed(list(node)) if isinstance(value, (dict, list)))
    return deepest, remote
