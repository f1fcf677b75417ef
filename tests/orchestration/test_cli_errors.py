"""Every `flopcast` failure is one line on stderr, `flopcast: error: ...`, naming the argument,
variable, file or failing check, and nothing else reaches stderr without -v.

The subprocess cases fail before any Dagster run starts; a run's failure summary is checked on
stand-in events (no materialisation)."""

import errno
import logging
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest

from orchestration import cli
from orchestration.partitions import latest_complete_month
from orchestration.settings import PROJECT_ROOT


def flopcast(*args, env_extra=None, home=None):
    env = {**os.environ, **(env_extra or {})}
    if home is not None:
        env["FLOPCAST_HOME"] = str(home)
    return subprocess.run([sys.executable, "-m", "orchestration.cli", *args], env=env, cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=120)


def one_error_line(done) -> str:
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("flopcast: error: "), done.stderr
    assert done.returncode != 0
    return lines[0]


@pytest.mark.parametrize("month, why", [
    ("2099-01", "2099-01 is in the future"),
    ("2023-05", "2023-05 is before the first month 2024-01"),
    ("2024-13", "'2024-13' is not a month in the form YYYY-MM"),
    ("June", "'June' is not a month in the form YYYY-MM"),
])
def test_a_month_outside_the_partitions_is_one_line_naming_the_months_that_exist(month, why, tmp_path):
    line = one_error_line(flopcast("brief", "--month", month, home=tmp_path))
    assert "argument --month" in line and why in line
    assert f"the months are 2024-01 to {latest_complete_month()}, the latest complete one" in line
    assert not (tmp_path / "dagster_home").exists()  # refused before any work


def test_deliver_checks_the_month_the_same_way(tmp_path):
    line = one_error_line(flopcast("deliver", "--month", "2099-01", home=tmp_path))
    assert "2099-01 is in the future" in line


def test_a_usage_error_is_one_line():
    line = one_error_line(flopcast("brief", "--no-such-flag"))
    assert "unrecognized arguments: --no-such-flag" in line


def test_a_bad_environment_variable_is_one_line(tmp_path):
    line = one_error_line(flopcast("prepare", home=tmp_path, env_extra={"FLOPCAST_HTTP_RETRIES": "x"}))
    assert "FLOPCAST_HTTP_RETRIES='x' is not a whole number" in line


def test_a_home_under_a_file_is_one_line_naming_the_path(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    line = one_error_line(flopcast("brief", "--month", "2025-06", home=blocker / "home"))
    # the first thing written under the home: DAGSTER_HOME (the session's is elsewhere) or the run lock
    assert f"cannot access {blocker / 'home'}" in line
    assert "a part of the path is a file, not a folder" in line


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through a 0o555 folder")
def test_a_read_only_home_is_one_line_naming_the_path(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    home.chmod(0o555)
    try:
        line = one_error_line(flopcast("brief", "--month", "2025-06", home=home))
    finally:
        home.chmod(0o755)
    assert f"cannot access {home / 'dagster_home'}: permission denied" in line


@pytest.mark.parametrize("code, says", [(errno.EROFS, "read-only file system"),
                                        (errno.ENOSPC, "no space left on the device (disk full)")])
def test_a_read_only_or_full_disk_is_one_line_naming_the_path(code, says, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FLOPCAST_HOME", str(tmp_path))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    target = tmp_path / "dagster_home"

    def refuse(self, *args, **kwargs):
        raise OSError(code, os.strerror(code), str(self))

    with mock.patch.object(Path, "mkdir", refuse):
        assert cli.main(["prepare"]) == 1
    assert capsys.readouterr().err == f"flopcast: error: cannot write {target}: {says}\n"


def test_a_scenario_that_is_not_utf8_is_one_line_naming_the_file(tmp_path):
    scenario = tmp_path / "latin1.yaml"
    scenario.write_bytes("name: caf\xe9\n".encode("latin-1"))
    line = one_error_line(flopcast("brief", "--month", "2025-06", "--scenario", str(scenario), home=tmp_path))
    assert str(scenario) in line and "UTF-8" in line
    assert not (tmp_path / "dagster_home").exists()  # refused before any work


def test_without_verbose_the_run_prints_nothing_on_stderr(capsys):
    with cli.quiet_run(verbose=False):
        print("dbt's echo")
        print("a stray line", file=sys.stderr)
    assert capsys.readouterr() == ("", "")
    with cli.quiet_run(verbose=True):
        print("shown with -v", file=sys.stderr)
    assert capsys.readouterr().err == "shown with -v\n"


def test_without_verbose_dagsters_console_log_drops_error_records(capsys):
    from dagster._utils.log import create_console_logger

    level = cli.console_logging(False)["loggers"]["console"]["config"]["log_level"]
    logger = create_console_logger("flopcast_test_console", level)
    logger.error("STEP_FAILURE - Execution of step failed.\nTraceback (most recent call last): ...")
    assert capsys.readouterr().err == ""
    assert logging.getLevelName(cli.console_logging(True)["loggers"]["console"]["config"]["log_level"]) == 10


def _event(step, event_type="STEP_FAILURE", error=None, check=None):
    return SimpleNamespace(step_key=step, event_type_value=event_type, is_failure=error is not None,
                           event_specific_data=check if check is not None else SimpleNamespace(error=error))


def test_a_run_blocked_by_a_dbt_test_names_the_test_and_its_rows():
    error = SimpleNamespace(cls_name="DagsterDbtCliRuntimeError", cause=None, message=(
        "dagster_dbt.errors.DagsterDbtCliRuntimeError: The dbt CLI process with command\n\n`dbt build`\n\n"
        "failed with exit code `1`.\n\nErrors parsed from dbt logs:\n\nGot 1 result, configured to fail if != 0"))
    check = SimpleNamespace(
        passed=False, severity=SimpleNamespace(value="ERROR"), asset_key=SimpleNamespace(path=["marts", "dim_accelerator"]),
        check_name="value_between_dim_accelerator_release_date",
        metadata={"unique_id": SimpleNamespace(value="test.flopcast.value_between_dim_accelerator_release_date.d7"),
                  "dagster_dbt/failed_row_count": SimpleNamespace(value=1)})
    warned = SimpleNamespace(**{**vars(check), "severity": SimpleNamespace(value="WARN"), "check_name": "w"})
    result = SimpleNamespace(all_events=[
        _event("warehouse_dbt_assets", "ASSET_CHECK_EVALUATION", check=warned),
        _event("warehouse_dbt_assets", "ASSET_CHECK_EVALUATION", check=check),
        _event("warehouse_dbt_assets", error=error),
    ])
    summary = cli.run_failure_summary(result)
    assert summary.startswith("warehouse_dbt_assets: dbt test value_between_dim_accelerator_release_date")
    assert "failed: 1 row (model dim_accelerator" in summary
    assert "configured to fail" not in summary and "\n" not in summary


def test_a_step_failing_on_a_full_disk_names_the_path():
    error = SimpleNamespace(cls_name="OSError", cause=None,
                            message="OSError: [Errno 28] No space left on device: '/srv/flopcast/briefs/2025-06'\n")
    wrapper = SimpleNamespace(cls_name="DagsterExecutionStepExecutionError", cause=error, message="Error in op")
    summary = cli.run_failure_summary(SimpleNamespace(all_events=[_event("monthly_brief", error=wrapper)]))
    assert summary == ("monthly_brief: cannot write /srv/flopcast/briefs/2025-06: "
                       "no space left on the device (disk full)")


def test_the_month_default_and_range_agree_on_a_fixed_day():
    from orchestration.partitions import available_partition

    today = date(2025, 7, 3)
    assert available_partition("2025-06", today) == "2025-06"
    with pytest.raises(ValueError, match="2025-07 is the current month, not complete yet; the months are 2024-01 "
                                         "to 2025-06, the latest complete one"):
        available_partition("2025-07", today)
    with pytest.raises(ValueError, match="2025-08 is in the future"):
        available_partition("2025-08", today)


def test_an_interrupted_step_says_so_in_words():
    error = SimpleNamespace(cls_name="DagsterExecutionInterruptedError", cause=None,
                            message="dagster._core.errors.DagsterExecutionInterruptedError\n")
    summary = cli.run_failure_summary(SimpleNamespace(all_events=[_event("raw__epoch_gpu_clusters", error=error)]))
    assert summary == "raw__epoch_gpu_clusters: stopped by an interrupt (SIGINT/SIGTERM)"
