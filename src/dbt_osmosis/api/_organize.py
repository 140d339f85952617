"""``organize()``: put every entry in the file its path template says."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import yaml as pyyaml

from dbt_osmosis.core.dbt.project import DbtProject, ProjectOptions, load_project
from dbt_osmosis.core.dbt.selection import select_nodes
from dbt_osmosis.core.errors import UsageError
from dbt_osmosis.core.organize import (
    OrganizePlan,
    organize_project,
    placed_nodes,
    write_organized,
)
from dbt_osmosis.core.organize.journal import finish_journal, journaled
from dbt_osmosis.core.process.runlock import project_lock
from dbt_osmosis.core.schema.store import SchemaStore
from dbt_osmosis.exit_codes import ExitCode

if TYPE_CHECKING:
    pass
from dbt_osmosis.api.types import (
    CancelToken,
    Confirm,
    NoProgress,
    OrganizeResult,
    OrganizeRun,
    Progress,
)

# --- organize --------------------------------------------------------------------------------------


def organize(
    run: OrganizeRun,
    *,
    progress: Progress | None = None,
    confirm: Confirm | None = None,
    cancel: CancelToken | None = None,
) -> OrganizeResult:
    """Put every selected entry in the file its dbt-osmosis path template says, and write the files.

    ``confirm`` is asked once, after planning, when the run would move something and may write; a
    ``False`` keeps every entry where it is. A run killed while writing left a journal: it is finished
    first (``run.recover`` does only that). ``cancel`` stops the run before it writes, or lets the
    writes of the move groups finish and then stops.
    """
    where = run.project.resolve()
    token = cancel or CancelToken()
    if not (where.project_dir / "dbt_project.yml").is_file():
        return _organize(run, where, progress or NoProgress(), confirm, token)  # loading says so; no lock
    with project_lock(where.project_dir):
        recovered = finish_journal(where.project_dir)
        if run.recover:
            return OrganizeResult(recovered=recovered)
        result = _organize(run, where, progress or NoProgress(), confirm, token)
        result.recovered = recovered
        return result


def _organize(
    run: OrganizeRun, where: ProjectOptions, progress: Progress, confirm: Confirm | None, cancel: CancelToken
) -> OrganizeResult:
    project = load_project(where)
    result = _plan_organize(project, run, progress, confirm)
    plan = result.plan
    if plan is None:  # pragma: no cover - _plan_organize always sets it
        raise RuntimeError("organize planned nothing")
    done = ExitCode.INCOMPLETE if plan.blocked or plan.left else ExitCode.OK
    if run.check:
        result.exit_code = ExitCode.CHANGES if result.changed_files else done
        return result
    if run.dry_run:
        result.exit_code = done
        return result
    if cancel.cancelled:
        result.interrupted, result.exit_code = True, ExitCode.INTERRUPTED
        return result
    reported = set(plan.blocked)
    with cancel.handled_by(lambda: None), journaled(project.root, plan, plan.store.files()):
        result.files_written = write_organized(plan)
    result.write_failures = {path: why for path, why in plan.blocked.items() if path not in reported}
    result.exit_code = ExitCode.INCOMPLETE if plan.blocked or plan.left else ExitCode.OK
    return result


def _plan_organize(
    project: DbtProject, run: OrganizeRun, progress: Progress, confirm: Confirm | None
) -> OrganizeResult:
    plan = organize_project(
        project,
        select_nodes(project, run.selection),
        introspect=not run.disable_introspection,
        output_to_lower=run.output_to_lower,
        skip_add_data_types=run.skip_add_data_types,
        vars_override=_vars(run.project.vars),
    )
    result = OrganizeResult(
        moves=list(plan.moves),
        emptied=plan.emptied(),
        warnings=list(plan.warnings),
        left=list(plan.left),
        check=run.check,
        dry_run=run.dry_run,
    )
    progress.organized(result)
    asks = confirm is not None and not (run.check or run.dry_run) and bool(plan.changed_paths())
    if asks and confirm is not None and not confirm(result):
        plan = OrganizePlan(SchemaStore(project.root))
        result.declined = True
    else:
        placed_nodes(project, plan)
    result.plan = plan
    result.blocked = dict(plan.blocked)
    result.changed_files = plan.changed_paths()
    return result


def _vars(text: str | None) -> dict[str, Any] | None:
    if not text:
        return None
    try:
        parsed = pyyaml.safe_load(text)
    except pyyaml.YAMLError as exc:
        raise UsageError(f"--vars is not valid YAML: {' '.join(str(exc).split())}") from exc
    return parsed if isinstance(parsed, dict) else None
