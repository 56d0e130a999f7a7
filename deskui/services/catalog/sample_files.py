"""Read a sample-data directory: every ``*.yaml`` file, parsed with the line of each field.

PyYAML composes each file into a node tree (every node knows where it starts); we build the
plain data from that tree ourselves so that each mapping key and list item's line is kept,
keyed by its field path. Validation (``deskui.domain.catalog``) reports problems by field
path, and the path is mapped back to a line here: the field's own line, or its parent
mapping's line when the field is missing.

Mapping keys are kept as the text written (``1:`` is the key ``"1"``, ``on:`` is ``"on"``),
so step numbers and weekday names need no quoting.

Hostile files are refused with a problem naming the file and line, never a crash or a hang:
a file over ``MAX_FILE_BYTES``, bytes that are not UTF-8 (the line of the first bad byte),
nesting deeper than ``MAX_DEPTH`` (PyYAML composes recursively), and aliases that expand to
more than ``MAX_VALUES`` values (a "billion laughs" file would otherwise be built in full).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from deskui.domain.catalog.assemble import Assembly, assemble
from deskui.domain.catalog.errors import FieldPath, Problem, SampleDataError
from deskui.domain.catalog.parts import CatalogParts

PATTERNS = ("*.yaml", "*.yml")
# The shipped files are a few kilobytes; a desk with thousands of organisations fits in this.
MAX_FILE_BYTES = 2 * 1024 * 1024
# Deeper than any sample-data field path; far below where PyYAML's recursion gives out.
MAX_DEPTH = 64
# Values built from one file, aliases expanded: far more than any real file holds.
MAX_VALUES = 200_000
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class _TooBigError(Exception):
    """The file is nested too deeply or expands to too many values; ``line`` is where."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


@dataclass(frozen=True)
class YamlDocument:
    """One parsed file: its data and the 1-based line of every field path in it."""

    file: str
    data: Any
    lines: dict[FieldPath, int] = field(default_factory=dict)

    def line_of(self, path: FieldPath) -> int | None:
        """The line of ``path``, else of its nearest ancestor that exists."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None


class _Builder:
    """Plain data from a composed node tree, recording lines and duplicate keys."""

    def __init__(self, loader: yaml.SafeLoader, file: str) -> None:
        self.loader = loader
        self.file = file
        self.lines: dict[FieldPath, int] = {}
        self.problems: list[Problem] = []
        self._open: set[int] = set()
        self._values = 0

    def build(self, node: yaml.Node, path: FieldPath) -> Any:
        self.lines.setdefault(path, node.start_mark.line + 1)
        self._values += 1
        if self._values > MAX_VALUES:
            raise _TooBigError(
                node.start_mark.line + 1,
                f"more than {MAX_VALUES} values (aliases expanding over and over?)",
            )
        if len(path) > MAX_DEPTH:
            raise _TooBigError(node.start_mark.line + 1, f"nested deeper than {MAX_DEPTH} levels")
        if id(node) in self._open:
            self.problems.append(
                Problem(self.file, node.start_mark.line + 1, path, "an alias refers to itself")
            )
            return None
        if isinstance(node, yaml.MappingNode):
            self._open.add(id(node))
            try:
                return self._mapping(node, path)
            finally:
                self._open.discard(id(node))
        if isinstance(node, yaml.SequenceNode):
            self._open.add(id(node))
            try:
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
            finally:
                self._open.discard(id(node))
        value = self.loader.construct_object(node, deep=True)
        if isinstance(value, str) and _UNSTORABLE.search(value):
            # "\0" and "\ud800" are valid YAML escapes, but no database stores them.
            reason = "holds a NUL character or a lone surrogate, which cannot be stored"
            self.problems.append(Problem(self.file, node.start_mark.line + 1, path, reason))
            return None
        return value

    def _mapping(self, node: yaml.MappingNode, path: FieldPath) -> dict[str, Any]:
        # Resolve "<<: *anchor" merge keys the way SafeLoader does.
        self.loader.flatten_mapping(node)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(Problem(self.file, line, path, "a key must be plain text"))
                continue
            key = str(key_node.value)
            child = (*path, key)
            if key in result:
                reason = f"key given twice (first on line {self.lines[child]})"
                self.problems.append(Problem(self.file, line, child, reason))
                continue
            self.lines[child] = line
            result[key] = self.build(value_node, child)
        return result


def read_yaml(path: Path, display: str) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse one file; on a syntax error, ``None`` and the parser's problem with its line."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            reason = f"the file is {size} bytes; sample-data files are at most {MAX_FILE_BYTES}"
            return None, [Problem(display, 1, (), reason)]
        data = path.read_bytes()
    except OSError as exc:
        return None, [Problem(display, None, (), f"cannot read: {exc.strerror or exc}")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        reason = f"not UTF-8 text: byte {data[exc.start]:#04x} cannot be decoded"
        return None, [Problem(display, line, (), reason)]
    deepest = _deepest_nesting(text)
    if deepest is not None:
        return None, [Problem(display, deepest, (), f"nested deeper than {MAX_DEPTH} levels")]
    try:
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as exc:
        # A control character (ESC, NUL, …) anywhere in the file: the reader refuses it upfront.
        line = text.count("\n", 0, exc.position) + 1
        reason = f"not valid YAML: character {exc.character:#06x} is not allowed in YAML text"
        return None, [Problem(display, line, (), reason)]
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(display, None), []
        builder = _Builder(loader, display)
        data = builder.build(node, ())
        return YamlDocument(display, data, builder.lines), builder.problems
    except _TooBigError as exc:
        return None, [Problem(display, exc.line, (), exc.reason)]
    except RecursionError:
        # A safety net behind _deepest_nesting: where the reader had got to.
        line = loader.line + 1
        return None, [Problem(display, line, (), "nested too deeply to read")]
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_problem(display, exc)]
    except yaml.YAMLError as exc:
        return None, [Problem(display, None, (), f"not valid YAML: {exc}")]
    finally:
        loader.dispose()


def _deepest_nesting(text: str) -> int | None:
    """The line where flow brackets or indentation first nest deeper than ``MAX_DEPTH``
    (PyYAML composes recursively, so this is checked before it runs), else ``None``."""
    depth = 0
    for number, line in enumerate(text.splitlines(), start=1):
        indent = len(line) - len(line.lstrip(" -"))
        # Block nesting: every level is at least one column of indentation or "- ".
        if indent > MAX_DEPTH * 2 + 2 and line.strip():
            return number
        quote = ""
        for at, char in enumerate(line):
            # Brackets inside quotes or a comment are text, not nesting.
            if quote:
                quote = "" if char == quote else quote
                continue
            if char in "'\"":
                quote = char
            elif char == "#" and (at == 0 or line[at - 1].isspace()):
                break
            elif char in "[{":
                depth += 1
                if depth > MAX_DEPTH:
                    return number
            elif char in "]}":
                depth = max(depth - 1, 0)
    return None


def _syntax_problem(display: str, exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    problem = exc.problem or "syntax error"
    context = exc.context or ""
    # The parser notices a problem where it stops making sense; say where the construct it
    # was reading began, which is often where the mistake is.
    if context and exc.context_mark is not None and exc.context_mark.line + 1 != line:
        context += f" that starts on line {exc.context_mark.line + 1}"
    reason = f"{problem} ({context})" if context else problem
    return Problem(display, line, (), f"not valid YAML: {reason}")


def sample_files(directory: Path) -> list[Path]:
    """The sample-data files of ``directory``, in name order."""
    found = {p for pattern in PATTERNS for p in directory.glob(pattern) if p.is_file()}
    return sorted(found)


def read_directory(directory: Path) -> tuple[list[YamlDocument], list[Problem], bool]:
    """Every file's document, every reading problem, and whether some file was unreadable."""
    documents: list[YamlDocument] = []
    problems: list[Problem] = []
    unreadable = False
    for path in sample_files(directory):
        document, found = read_yaml(path, str(directory / path.name))
        problems.extend(found)
        if document is None:
            unreadable = True
        else:
            documents.append(document)
    return documents, problems, unreadable


def load_parts(directory: Path) -> CatalogParts:
    """The validated contents of ``directory``; ``SampleDataError`` lists every problem."""
    if not directory.is_dir():
        raise SampleDataError([Problem(str(directory), None, (), "not a directory")])
    documents, problems, unreadable = read_directory(directory)
    if not documents and not problems:
        raise SampleDataError([Problem(str(directory), None, (), "no *.yaml files")])
    assembly = assemble([(d.file, d.data) for d in documents], some_unreadable=unreadable)
    problems.extend(_locate(assembly, documents, str(directory)))
    if problems:
        raise SampleDataError(problems)
    return assembly.parts


def _locate(assembly: Assembly, documents: Sequence[YamlDocument], directory: str) -> list[Problem]:
    by_file = {d.file: d for d in documents}
    # A section no file defines is put on the file named after it when there is one (emptied,
    # or holding something else): that is where a person would add it.
    by_stem = {Path(d.file).stem: d for d in documents}
    located: list[Problem] = []
    for item in assembly.findings:
        document = by_file.get(item.source) if item.source is not None else None
        path = item.finding.path
        if document is None and item.source is None and path and str(path[0]) in by_stem:
            named = by_stem[str(path[0])]
            located.append(Problem(named.file, 1, path, item.finding.reason))
            continue
        if document is None:
            located.append(Problem(directory, None, path, item.finding.reason))
            continue
        line = document.line_of(item.finding.path)
        located.append(Problem(document.file, line, item.finding.path, item.finding.reason))
    return located
