"""``analyze docs``: how much of the selected models' documentation is written, by whom, and what is missing.

Pure reads: the YAML of each selected model (as the files hold it now) and the marks synthesis left in
its meta. Nothing is written.

What counts, as in dbt-osmosis 1.5.0's ``analyze docs``: the models of the selection (seeds, snapshots
and sources are not counted), and for each the columns its YAML lists, which are the columns dbt's
manifest knows. Warehouse columns the YAML does not list yet are not counted: ``yaml document`` adds
them, and a coverage figure that needs a warehouse connection could not run in a plain CI job. A text
counts as documented when it is not a placeholder and is at least the minimum length (a ``doc()``
reference is measured as dbt renders it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from dbt_osmosis.core.dbt.project import DbtProject, Node
from dbt_osmosis.core.document.inheritance import is_placeholder
from dbt_osmosis.core.schema.aliases import containers, shared_containers
from dbt_osmosis.core.schema.entries import column_key
from dbt_osmosis.core.schema.items import column_items
from dbt_osmosis.core.schema.store import SchemaStore
from dbt_osmosis.core.schema.versions import entry_of
from dbt_osmosis.core.schema.yamlio import SchemaFile
from dbt_osmosis.core.synthesis.provenance import marks_of
from dbt_osmosis.exit_codes import ExitCode

__all__ = ["Coverage", "DocsGap", "DocsReport", "DocsThresholds", "ModelCoverage", "judge", "measure_docs"]


@dataclass(frozen=True)
class DocsThresholds:
    """What counts as documented (1.5.0's defaults) and which models are looked at."""

    min_model_length: int = 10
    min_column_length: int = 5
    #: Only models whose name contains this text (1.5.0's ``--model-filter``).
    model_filter: str | None = None


@dataclass
class Coverage:
    """Documented texts out of all, for models and for columns, and who wrote them."""

    models: int = 0
    models_documented: int = 0
    columns: int = 0
    columns_documented: int = 0
    #: Documented texts that still carry a model's mark (written by an LLM, not yet accepted).
    model_written: int = 0
    #: Of those, the ones no person has accepted or edited yet.
    unreviewed: int = 0
    #: Marked texts a person rewrote under the mark.
    edited: int = 0

    @property
    def model_coverage(self) -> float:
        """Percent of models with a description (100 when there are none)."""
        return _percent(self.models_documented, self.models)

    @property
    def column_coverage(self) -> float:
        """Percent of columns with a description (100 when there are none)."""
        return _percent(self.columns_documented, self.columns)

    def add(self, other: Coverage) -> None:
        """Add ``other``'s counts to these."""
        for name in ("models", "models_documented", "columns", "columns_documented"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.model_written += other.model_written
        self.unreviewed += other.unreviewed
        self.edited += other.edited

    def as_dict(self) -> dict[str, Any]:
        """The counts and percentages, for JSON."""
        return {
            "models": self.models,
            "models_documented": self.models_documented,
            "model_coverage": round(self.model_coverage, 2),
            "columns": self.columns,
            "columns_documented": self.columns_documented,
            "column_coverage": round(self.column_coverage, 2),
            "model_written": self.model_written,
            "unreviewed": self.unreviewed,
            "edited": self.edited,
        }


@dataclass(frozen=True)
class DocsGap:
    """One missing or too short description: ``column`` is empty for the model's own."""

    model: str
    column: str
    reason: str
    path: str


@dataclass
class ModelCoverage:
    """One model's figures."""

    name: str
    folder: str
    path: str
    coverage: Coverage = field(default_factory=Coverage)


@dataclass
class DocsReport:
    """Coverage per model, per folder and in total, the gaps, and the models left unread."""

    models: list[ModelCoverage] = field(default_factory=list)
    gaps: list[DocsGap] = field(default_factory=list)
    #: Models whose YAML entry is shared through an anchor: ``yaml document`` never edits them.
    anchored: list[str] = field(default_factory=list)
    #: Why the report does not pass (under the threshold, gaps, anchored entries); empty when it does.
    failed: list[str] = field(default_factory=list)
    exit_code: ExitCode = ExitCode.OK

    @property
    def total(self) -> Coverage:
        """The figures of every model together."""
        total = Coverage()
        for model in self.models:
            total.add(model.coverage)
        return total

    @property
    def folders(self) -> dict[str, Coverage]:
        """The figures per folder of the models' SQL files, sorted by folder."""
        found: dict[str, Coverage] = {}
        for model in self.models:
            found.setdefault(model.folder, Coverage()).add(model.coverage)
        return dict(sorted(found.items()))

    def as_dict(self) -> dict[str, Any]:
        """The whole report, for ``--format json``."""
        return {
            "total": self.total.as_dict(),
            "folders": {folder: figures.as_dict() for folder, figures in self.folders.items()},
            "models": [
                {"name": m.name, "folder": m.folder, "path": m.path, **m.coverage.as_dict()}
                for m in self.models
            ],
            "gaps": [
                {"model": g.model, "column": g.column, "reason": g.reason, "path": g.path} for g in self.gaps
            ],
            "anchored": list(self.anchored),
            "failed": list(self.failed),
            "exit_code": int(self.exit_code),
        }


def judge(report: DocsReport, min_column_coverage: float, fail_on_gaps: bool) -> DocsReport:
    """Set the report's verdict: 1 under the column threshold or on gaps, 3 for anchored entries, else 0."""
    total = report.total
    if total.column_coverage < min_column_coverage:
        report.failed.append(
            f"column coverage {total.column_coverage:.1f}% is under the minimum of {min_column_coverage:g}%"
        )
    if fail_on_gaps and report.gaps:
        report.failed.append(f"{len(report.gaps)} documentation gap(s) (--allow-gaps to pass with gaps)")
    if report.failed:
        report.exit_code = ExitCode.CHANGES
    elif report.anchored:
        # Their coverage is read, but no command can fill or fix them: a gate must not call that done.
        report.failed.append(
            f"{len(report.anchored)} model(s) documented in an entry shared through a YAML anchor, "
            "which yaml document leaves alone"
        )
        report.exit_code = ExitCode.INCOMPLETE
    return report


def measure_docs(project: DbtProject, nodes: Sequence[Node], thresholds: DocsThresholds) -> DocsReport:
    """The documentation figures of the selected models (other resource types are not counted)."""
    store = SchemaStore(project.root)
    report = DocsReport()
    wanted = (thresholds.model_filter or "").lower()
    models = [node for node in nodes if node.resource_type == "model" and wanted in node.name.lower()]
    # By folder, then name: the order a reader scans a table or diffs two JSON reports in.
    models.sort(key=lambda node: (str(PurePosixPath(node.original_file_path).parent), node.display_name))
    for node in models:
        schema_file = store.get(node.patch_path) if node.patch_path else None
        entry = entry_of(schema_file, node) if schema_file is not None else None
        path = schema_file.display_path if schema_file is not None else ""
        model = ModelCoverage(node.display_name, str(PurePosixPath(node.original_file_path).parent), path)
        report.models.append(model)
        if schema_file is not None and entry is not None and _shared(schema_file, entry):
            report.anchored.append(node.display_name)
        _measure(node, entry, thresholds, model, report.gaps)
    return report


def _measure(
    node: Node,
    entry: Mapping[str, Any] | None,
    limits: DocsThresholds,
    model: ModelCoverage,
    gaps: list[DocsGap],
) -> None:
    figures = model.coverage
    figures.models = 1
    entry = entry or {}
    problem = _problem(entry.get("description"), node.rendered_description, limits.min_model_length)
    if problem is None:
        figures.models_documented = 1
    else:
        gaps.append(DocsGap(model.name, "", f"model description {problem}", model.path))
    for item in column_items(entry):
        if item.get("name") is None:
            continue
        name = str(item["name"])
        figures.columns += 1
        rendered = node.rendered_columns.get(name, node.rendered_columns.get(column_key(name), ""))
        problem = _problem(item.get("description"), rendered, limits.min_column_length)
        if problem is None:
            figures.columns_documented += 1
        else:
            gaps.append(DocsGap(model.name, name, f"column description {problem}", model.path))
    for mark in marks_of(entry):
        if mark.rejected:
            continue
        figures.model_written += 1
        if mark.edited:
            figures.edited += 1
        else:
            figures.unreviewed += 1


def _problem(written: object, rendered: str, minimum: int) -> str | None:
    if is_placeholder(written):
        return "missing"
    text = str(written)
    if "{{" in text or "{%" in text:
        text = rendered or text
    length = len(" ".join(text.split()))
    if length < minimum:
        return f"too short ({length} < {minimum} characters)"
    return None


def _shared(schema_file: SchemaFile, entry: Any) -> bool:
    shared = shared_containers(schema_file.data)
    return bool(shared) and any(id(value) in shared for value in containers(entry))


def _percent(part: int, whole: int) -> float:
    return 100.0 if whole == 0 else 100.0 * part / whole
