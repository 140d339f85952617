"""Load a dbt project through dbt-core's programmatic API and turn its manifest into plain data.

dbt-core is imported lazily: it costs over a second to import, and ``--help`` or ``--version`` should
not pay that. Everything downstream of this module works on ``Node`` values, never on dbt objects.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbt_osmosis.core.dbt.messages import one_line
from dbt_osmosis.core.errors import ProjectError
from dbt_osmosis.core.process.gc_tuning import long_lived_heap

__all__ = [
    "DbtProject",
    "Node",
    "ProjectOptions",
    "dbt_args",
    "discover_project_dir",
    "load_project",
    "resolve_options",
    "working_directory",
]

#: Resource types whose YAML this tool maintains.
DOCUMENTED_TYPES = ("model", "seed", "snapshot", "source")


@dataclass(frozen=True)
class ProjectOptions:
    """Where the project is and how dbt should load it; mirrors dbt's own CLI options."""

    project_dir: Path
    profiles_dir: Path | None = None
    target: str | None = None
    threads: int | None = None
    vars: str | None = None
    profile: str | None = None


@dataclass(frozen=True)
class Node:
    """One documented resource (model, seed, snapshot or source table) as plain data."""

    unique_id: str
    resource_type: str
    name: str
    package_name: str
    original_file_path: str
    patch_path: str | None
    source_name: str | None
    depends_on: tuple[str, ...]
    fqn: tuple[str, ...]
    osmosis_template: str | None
    database: str | None
    schema: str | None
    identifier: str
    raw_code: str = ""
    compiled_code: str | None = None
    version: str | None = None
    rendered_description: str = ""
    rendered_columns: Mapping[str, str] = field(default_factory=dict)

    @property
    def yaml_key(self) -> str:
        """The top-level YAML key this node's entry lives under (``models``, ``seeds``, ...)."""
        return {"model": "models", "seed": "seeds", "snapshot": "snapshots", "source": "sources"}[
            self.resource_type
        ]

    @property
    def display_name(self) -> str:
        """A short name for messages: ``source.table`` for sources, ``model.v2`` for a model's version.

        The version is written as dbt selects it (``dbt ls -s orders.v2``).
        """
        if self.source_name:
            return f"{self.source_name}.{self.name}"
        return f"{self.name}.v{self.version}" if self.version is not None else self.name


class DbtProject:
    """A parsed dbt project: its root, name, manifest and documented nodes."""

    def __init__(
        self, options: ProjectOptions, manifest: Any, parse_seconds: float, project_name: str
    ) -> None:
        self.options = options
        self.root = options.project_dir.resolve()
        self.manifest = manifest
        self.parse_seconds = parse_seconds
        # From dbt_project.yml, never from the manifest: a partial-parse file left in target/ by another
        # tool may carry no project name, and every node would then look like a package's.
        self.project_name = project_name
        # The warehouse dialect (duckdb, postgres, snowflake, ...): SQL literal redaction follows its quoting.
        self.adapter_type: str | None = getattr(getattr(manifest, "metadata", None), "adapter_type", None)
        self.nodes: dict[str, Node] = _nodes_from_manifest(manifest, self.project_name)

    def foreign_nodes(self) -> dict[str, int]:
        """Nodes in this project's own folder that dbt attributes to another package, by package name.

        Installed packages live in their own folders and are not counted; a node counted here means
        the manifest and dbt_project.yml disagree about whose node it is.
        """
        counts: dict[str, int] = {}
        for raw in [*self.manifest.nodes.values(), *self.manifest.sources.values()]:
            if str(raw.resource_type) not in DOCUMENTED_TYPES or raw.package_name == self.project_name:
                continue
            if self._file_root(raw) in (None, self.root):
                name = str(raw.package_name or "(no package name)")
                counts[name] = counts.get(name, 0) + 1
        return counts

    def _file_root(self, raw: Any) -> Path | None:
        # The project folder dbt read the node's file from (None when the manifest does not say).
        source_file = self.manifest.files.get(getattr(raw, "file_id", None) or "")
        project_root = getattr(getattr(source_file, "path", None), "project_root", None)
        return Path(project_root).resolve() if project_root else None

    @contextmanager
    def adapter(self) -> Iterator[tuple[Any, Any]]:
        """Yield ``(adapter, runtime_config)`` with an open connection, for warehouse introspection."""
        from dbt.adapters.factory import get_adapter, register_adapter, reset_adapters
        from dbt.config.runtime import RuntimeConfig, load_profile, load_project
        from dbt.context.providers import generate_runtime_macro_context
        from dbt.flags import get_flags
        from dbt.mp_context import get_mp_context

        flags = get_flags()  # type: ignore[no-untyped-call]
        threads = getattr(flags, "THREADS", None)
        with working_directory(self.root):
            try:
                profile = load_profile(str(self.root), flags.VARS, flags.PROFILE, flags.TARGET, threads)
                dbt_project = load_project(str(self.root), False, profile, flags.VARS)
                config = RuntimeConfig.from_parts(dbt_project, profile, flags)
                register_adapter(config, get_mp_context())
                adapter = get_adapter(config)
                adapter.set_macro_resolver(self.manifest)
                adapter.set_macro_context_generator(generate_runtime_macro_context)
            except Exception as exc:  # dbt raises many unrelated types here; all mean "cannot connect"
                raise ProjectError(f"Cannot open a warehouse connection: {_one_line(exc)}") from exc
            try:
                with adapter.connection_named("dbt-osmosis"):
                    yield adapter, config
            except ProjectError:
                raise
            except Exception as exc:  # the connection itself failed to open or to close
                raise ProjectError(f"Cannot open a warehouse connection: {_one_line(exc)}") from exc
            finally:
                reset_adapters()  # type: ignore[no-untyped-call]
                _release_process_wide_handles(adapter)


def _release_process_wide_handles(adapter: Any) -> None:
    # dbt-duckdb keeps its database open in a class attribute for the life of the process, keyed by
    # the profile's credentials. A library caller's next run (another project whose profile has the
    # same relative path) would reuse this run's file, and the file would stay locked after the run.
    release = getattr(type(getattr(adapter, "connections", None)), "close_all_connections", None)
    if callable(release):
        release()


def load_project(options: ProjectOptions) -> DbtProject:
    """Parse the project with ``dbt parse`` through ``dbtRunner``; raise ``ProjectError`` on bad input."""
    resolved = resolve_options(options)
    root = resolved.project_dir

    from dbt.cli.main import dbtRunner

    # The run works on the manifest in memory; writing target/manifest.json (several MB at a few hundred
    # nodes) was a fifth of a warm parse. Partial parsing still saves its state for the next run.
    args = ["parse", *dbt_args(resolved), "--no-write-json"]

    started = time.perf_counter()
    with working_directory(root), long_lived_heap():
        result = dbtRunner().invoke(args)
    elapsed = time.perf_counter() - started
    if not result.success or result.result is None:
        reason = _one_line(result.exception) if result.exception else "dbt parse failed"
        if "two schema.yml entries" in reason or "found two patches" in reason:
            reason += (
                " (one entry is in two files, as a yaml organize or refactor killed while writing can "
                "leave it: run `dbt-osmosis yaml organize --recover`, or delete one of the two entries)"
            )
        raise ProjectError(f"dbt could not load the project in {root}: {reason}")
    return DbtProject(resolved, result.result, elapsed, _project_name(root))


def resolve_options(options: ProjectOptions) -> ProjectOptions:
    """The options with absolute folders and the profiles folder found; ``ProjectError`` if missing."""
    root = options.project_dir.resolve()
    if not (root / "dbt_project.yml").is_file():
        raise ProjectError(
            f"No dbt_project.yml in {root}. Run from your dbt project or pass --project-dir pointing at it."
        )
    profiles_dir = (options.profiles_dir or _default_profiles_dir(root)).resolve()
    if not (profiles_dir / "profiles.yml").is_file():
        raise ProjectError(
            f"No profiles.yml in {profiles_dir}. Pass --profiles-dir pointing at the folder that holds it."
        )
    if options.vars:
        _check_vars(options.vars)
    return ProjectOptions(root, profiles_dir, options.target, options.threads, options.vars, options.profile)


def dbt_args(options: ProjectOptions) -> list[str]:
    """The dbt command-line flags every dbt call of a run shares (after the sub-command's name).

    Every invocation passes the same profile, target, vars and threads, so that dbt's global flags,
    which the adapter reads later, stay those of the run.
    """
    args = [
        "--project-dir",
        str(options.project_dir),
        "--quiet",
        "--log-level",
        "none",
        "--no-send-anonymous-usage-stats",
        "--no-version-check",
    ]
    if options.profiles_dir is not None:
        args += ["--profiles-dir", str(options.profiles_dir)]
    if options.target:
        args += ["--target", options.target]
    if options.threads:
        args += ["--threads", str(options.threads)]
    if options.vars:
        args += ["--vars", options.vars]
    if options.profile:
        args += ["--profile", options.profile]
    return args


def _project_name(root: Path) -> str:
    # dbt's own reading of dbt_project.yml (the `name:` key, as dbt uses it for package names).
    from dbt.config.project import PartialProject

    try:
        name = PartialProject.from_project_root(str(root), verify_version=False).project_name
    except Exception as exc:  # dbt raises its own error types for an unreadable dbt_project.yml
        raise ProjectError(
            f"Cannot read the project name from {root / 'dbt_project.yml'}: {_one_line(exc)}"
        ) from exc
    if not isinstance(name, str) or not name.strip():
        raise ProjectError(
            f"{root / 'dbt_project.yml'} has no `name:`; dbt needs one to tell your nodes apart."
        )
    return name.strip()


def discover_project_dir(given: Path | None, start: Path) -> Path:
    """The project folder as dbt finds it: the one given, else the nearest with dbt_project.yml.

    ``given`` is ``--project-dir`` or ``DBT_PROJECT_DIR`` (the CLI reads both); without it the search
    starts at ``start`` (the current folder) and walks up to the file system root.
    """
    if given is not None:
        return given
    for folder in (start, *start.parents):
        if (folder / "dbt_project.yml").is_file():
            return folder
    raise ProjectError(
        f"No dbt_project.yml in {start} or any folder above it. Run from inside your dbt project, "
        "pass --project-dir, or set DBT_PROJECT_DIR."
    )


@contextmanager
def working_directory(path: Path) -> Iterator[None]:
    """Run dbt from the project folder, as dbt users do: relative paths in profiles resolve from it."""
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def _default_profiles_dir(root: Path) -> Path:
    env = os.environ.get("DBT_PROFILES_DIR")
    if env:
        return Path(env)
    if (root / "profiles.yml").is_file():
        return root
    return Path.home() / ".dbt"


def _one_line(exc: object) -> str:
    return one_line(exc)


def _check_vars(text: str) -> None:
    """Refuse ``--vars`` that dbt would refuse, before dbt prints its own log line about it."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        value = YAML(typ="safe", pure=True).load(text)
    except YAMLError as exc:
        problem = getattr(exc, "problem", None) or one_line(exc)
        raise ProjectError(
            f"--vars is not valid YAML ({problem}): {text!r}. "
            "Give a mapping, for example --vars '{start_date: 2024-01-01}'."
        ) from None
    if not isinstance(value, dict):
        raise ProjectError(
            f"--vars must be a YAML mapping, got {text!r}. "
            "Give a mapping, for example --vars '{start_date: 2024-01-01}'."
        )


def _nodes_from_manifest(manifest: Any, project_name: str) -> dict[str, Node]:
    nodes: dict[str, Node] = {}
    for unique_id, raw in manifest.nodes.items():
        resource_type = str(raw.resource_type)
        if resource_type not in DOCUMENTED_TYPES or raw.package_name != project_name:
            continue
        version = getattr(raw, "version", None)
        nodes[unique_id] = Node(
            unique_id=unique_id,
            resource_type=resource_type,
            name=raw.name,
            package_name=raw.package_name,
            original_file_path=raw.original_file_path,
            patch_path=_strip_project_prefix(getattr(raw, "patch_path", None)),
            source_name=None,
            depends_on=tuple(getattr(raw.depends_on, "nodes", ()) or ()),
            fqn=tuple(raw.fqn),
            osmosis_template=_osmosis_template(raw),
            database=raw.database,
            schema=raw.schema,
            identifier=getattr(raw, "alias", None) or raw.name,
            raw_code=getattr(raw, "raw_code", "") or "",
            compiled_code=getattr(raw, "compiled_code", None),
            version=None if version is None else str(version),
            rendered_description=raw.description or "",
            rendered_columns={name: col.description or "" for name, col in raw.columns.items()},
        )
    for unique_id, raw in manifest.sources.items():
        if raw.package_name != project_name:
            continue
        nodes[unique_id] = Node(
            unique_id=unique_id,
            resource_type="source",
            name=raw.name,
            package_name=raw.package_name,
            original_file_path=raw.original_file_path,
            patch_path=raw.original_file_path,
            source_name=raw.source_name,
            depends_on=(),
            fqn=tuple(raw.fqn),
            osmosis_template=_osmosis_template(raw),
            database=raw.database,
            schema=raw.schema,
            identifier=raw.identifier or raw.name,
            rendered_description=raw.description or "",
            rendered_columns={name: col.description or "" for name, col in raw.columns.items()},
        )
    return nodes


def _strip_project_prefix(patch_path: str | None) -> str | None:
    # dbt records YAML locations as "<project>://<relative path>".
    if not patch_path:
        return None
    return patch_path.split("://", 1)[1] if "://" in patch_path else patch_path


def _osmosis_template(raw: Any) -> str | None:
    config = raw.config
    for candidate in (
        config.get("dbt-osmosis") if hasattr(config, "get") else None,
        (getattr(config, "meta", None) or {}).get("dbt-osmosis"),
        (getattr(raw, "meta", None) or {}).get("dbt-osmosis"),
    ):
        if isinstance(candidate, str) and candidate.strip():
            return candidate.strip()
    return None
