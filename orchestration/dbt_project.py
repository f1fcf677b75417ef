"""The dbt project handle (`DbtProject`), lazily parsed.

The manifest is built by the Makefile/CI (`dbt parse`), never at import; under `dagster dev`
`prepare_if_dev()` re-parses so edits show up in the UI.
"""

from dagster_dbt import DbtProject

from orchestration.settings import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()
