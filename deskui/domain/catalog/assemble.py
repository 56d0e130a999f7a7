"""Turn parsed sample-data documents into validated catalog parts, collecting every problem.

Input is plain data (what a YAML or JSON reader produced) per source; output is the parts
that validated and the findings, each tagged with the source it belongs to. Reading files
and finding line numbers is the caller's job.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from deskui.domain.catalog.errors import Finding
from deskui.domain.catalog.parts import CatalogParts
from deskui.domain.catalog.references import check_references
from deskui.domain.catalog.sections import SECTIONS
from deskui.domain.catalog.validation import validate_entry


@dataclass(frozen=True, slots=True)
class SourcedFinding:
    """A finding and the source (file name) it is in; ``None`` for the directory as a whole."""

    source: str | None
    finding: Finding


@dataclass
class Assembly:
    parts: CatalogParts = field(default_factory=CatalogParts)
    findings: list[SourcedFinding] = field(default_factory=list)
    # Which source holds each section, for placing cross-reference findings.
    section_sources: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.findings


def assemble(documents: Sequence[tuple[str, Any]], *, some_unreadable: bool = False) -> Assembly:
    """Validate each section of each ``(source, data)`` document, then cross-references.

    ``some_unreadable``: a source could not be parsed at all, so sections not found may be
    in it; references into them are not judged.
    """
    result = Assembly()
    for source, data in documents:
        _document(result, source, data)
    if some_unreadable:
        result.parts.unverifiable |= set(SECTIONS) - set(result.section_sources)
    for finding in check_references(result.parts):
        section = finding.path[0] if finding.path else None
        where = result.section_sources.get(section) if isinstance(section, str) else None
        result.findings.append(SourcedFinding(where, finding))
    return result


def _document(result: Assembly, source: str, data: Any) -> None:
    def report(finding: Finding) -> None:
        result.findings.append(SourcedFinding(source, finding))

    if data is None:
        return  # an empty (or all-comment) file holds nothing
    if not isinstance(data, Mapping):
        report(Finding((), "a sample-data file must be a mapping of sections (like 'teams:')"))
        return
    for key, value in data.items():
        section = SECTIONS.get(key)
        if section is None:
            known = ", ".join(SECTIONS)
            report(Finding((key,), f"unknown section {key!r} (known: {known})"))
            continue
        if key in result.section_sources:
            first = result.section_sources[key]
            report(Finding((key,), f"section {key!r} is already in {first}; keep one of them"))
            # Which copy is meant is unclear, so references into it are not judged.
            result.parts.unverifiable.add(key)
            continue
        result.section_sources[key] = source
        result.parts.seen.add(key)
        if not section.many:
            spec, findings = validate_entry(section.model, value, (key,))
            for finding in findings:
                report(finding)
            if spec is not None:
                result.parts.add(key, 0, spec)
            continue
        if value is None:
            continue
        if not isinstance(value, list):
            report(Finding((key,), f"{key} must be a list of entries (each starting with '- ')"))
            continue
        for index, item in enumerate(value):
            spec, findings = validate_entry(section.model, item, (key, index))
            for finding in findings:
                report(finding)
            if spec is not None:
                result.parts.add(key, index, spec)
            elif section.name_field and isinstance(item, Mapping):
                name = item.get(section.name_field)
                if isinstance(name, str):
                    result.parts.invalid_names.setdefault(key, set()).add(name)
