"""`flopcast` re-parses the dbt project when its manifest is older than the project's files."""

import os

from orchestration.steps.warehouse_build import manifest_is_stale


def _project(tmp_path):
    project = tmp_path / "transforms"
    (project / "models" / "marts").mkdir(parents=True)
    (project / "models" / "marts" / "dim.sql").write_text("select 1")
    (project / "dbt_project.yml").write_text("name: x")
    manifest = project / "target" / "manifest.json"
    manifest.parent.mkdir()
    manifest.write_text("{}")
    for path in (project / "models" / "marts" / "dim.sql", project / "dbt_project.yml"):
        os.utime(path, (1_000, 1_000))
    os.utime(manifest, (2_000, 2_000))
    return project, manifest


def test_a_manifest_newer_than_every_project_file_is_current(tmp_path):
    project, manifest = _project(tmp_path)
    assert not manifest_is_stale(manifest, project)


def test_an_edited_model_or_a_missing_manifest_is_stale(tmp_path):
    project, manifest = _project(tmp_path)
    os.utime(project / "models" / "marts" / "dim.sql", (3_000, 3_000))
    assert manifest_is_stale(manifest, project)
    os.utime(project / "models" / "marts" / "dim.sql", (1_000, 1_000))
    (project / "dbt_project.yml").touch()
    assert manifest_is_stale(manifest, project)
    manifest.unlink()
    assert manifest_is_stale(manifest, project)


def test_the_prepared_checkout_is_current():
    """`make` prepares before the tests: the real project's manifest is current."""
    assert not manifest_is_stale()


def test_dagster_dev_reparses_the_project_only_when_its_manifest_is_stale(monkeypatch):
    """`flopcast ui` (`dagster dev`): an unchanged project costs no `dbt parse` at the code
    location's load (dagster-dbt's `prepare_if_dev` ran `dbt --version` and `dbt parse` on every
    start: 17 s to the UI's first answer, 7 s without); an edited one is still re-parsed."""
    import importlib

    from dagster_dbt import DbtProject

    import orchestration.dbt_project as module
    from orchestration.steps import warehouse_build

    calls = []
    monkeypatch.setattr(DbtProject, "prepare_if_dev", lambda self: calls.append(self.manifest_path))
    try:
        for stale, expected in ((False, 0), (True, 1)):
            monkeypatch.setattr(warehouse_build, "manifest_is_stale", lambda *args, s=stale: s)
            importlib.reload(module)
            assert len(calls) == expected, stale
        assert calls == [warehouse_build.DBT_MANIFEST]
    finally:
        monkeypatch.undo()
        importlib.reload(module)
