"""The dbt project handle (`DbtProject`), lazily parsed.

The manifest is built by the Makefile/CI (`dbt parse`), never at import. Under `dagster dev`
(`flopcast ui`) the project is re-parsed only when the manifest is older than a file of the project,
so edits still show up in the UI on a reload; an unchanged project costs no `dbt parse` (4-7 s of
the UI's start, with dagster-dbt's `dbt --version` check).
"""

from dagster_dbt import DbtProject

from orchestration.settings import DBT_PROJECT_DIR
from orchestration.steps.warehouse_build import manifest_is_stale

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
if manifest_is_stale(dbt_project.manifest_path, DBT_PROJECT_DIR):
    dbt_project.prepare_if_dev()  # a no-op outside `dagster dev`
