"""The brief step (plain Python, no Dagster): the partition's model tables and the marts of
``BRIEF_MARTS`` -> ``reports.render_brief`` -> ``briefs/YYYY-MM/``, archived atomically. The brief
asset and the plain-Python path both call ``build_brief``."""

import functools
from dataclasses import replace
from pathlib import Path

from orchestration import warehouse
from orchestration.faults import checkpoint
from orchestration.partitions import month_end
from orchestration.settings import Settings, code_version
from orchestration.steps.brief_history import previous_metrics, rebuild_previous_metrics, revision_points
from orchestration.steps.model import load_data_sources, load_model_inputs
from orchestration.steps.publish import discard_run, publish_run, reads_from
from reports.archive import write_archive
from reports.brief import RenderedBrief, render_brief
from reports.inputs import BriefInputs

# Every mart the brief reads itself, besides the model tables. The months it rebuilds (what
# changed, the revisions chart) read the model's input marts too (models.inputs.MART_INPUTS): its
# asset declares both as dependencies.
BRIEF_MARTS = ("dim_data_source", "dim_datacenter_campus", "fct_mlperf_llama2_70b_offline_best",
               "fct_market_signals", "fct_installed_base")

# The measured side of the hardware section: the ten fastest chips of the latest MLPerf vintage
# published by the as-of date (the mart picks each chip's result).
MLPERF_SQL = """
    select round, accelerator_id, accelerator_name, model, scenario, throughput_per_accelerator, units, submitter
    from marts.fct_mlperf_llama2_70b_offline_best
    where as_of_date = (select max(as_of_date) from marts.fct_mlperf_llama2_70b_offline_best where as_of_date <= ?)
      and throughput_rank <= 10
    order by throughput_rank
"""


def build_brief(settings: Settings, partition: str, run_id: str | None = None) -> tuple[Path, RenderedBrief]:
    """Render the partition's brief from the model tables of the run's working copy and publish
    it: the brief archived atomically, then what the run staged (``publish.publish_run``: the
    warehouse and the landing pointers). The brief is always its run's publish point; if it fails,
    nothing of the run is published."""
    try:
        rendered = render_partition(reads_from(settings, run_id), partition)
    except BaseException:
        if run_id is not None:
            discard_run(settings)
        raise

    def archive() -> Path:
        return write_archive(settings.briefs_dir, partition, rendered.archive_files(),
                             before_swap=lambda: checkpoint("archive.before_swap"))

    return publish_run(settings, run_id, archive) if run_id is not None else archive(), rendered


def render_partition(settings: Settings, partition: str) -> RenderedBrief:
    """The partition's brief from the model tables and marts of ``settings.duckdb_path``."""
    as_of = month_end(partition)
    with warehouse.connect(settings.duckdb_path, read_only=True) as con:
        tables = {name: con.execute(f"select * exclude (partition) from model.{name} where partition = ?",
                                    [partition]).df()
                  for name in warehouse.model_tables(con)}
        run = tables.get("run")
        if run is None or run.empty:
            raise ValueError(f"no model outputs for partition {partition}: materialise the model first")
        campuses = con.execute(
            "select * from marts.dim_datacenter_campus where coalesce(announced_on, first_operational_on) "
            "<= ? or (announced_on is null and first_operational_on is null)", [as_of]).df()
        mlperf = con.execute(MLPERF_SQL, [as_of]).df()
        market = con.execute("select * from marts.fct_market_signals where disclosed_on <= ? "
                             "order by series, calendar_year, calendar_quarter", [as_of]).df()
        installed_base = con.execute(
            "select * from marts.fct_installed_base where as_of_date = (select max(as_of_date) from "
            "marts.fct_installed_base where as_of_date <= ?)", [as_of]).df()
    main = run[run["main"]].iloc[0]
    methodology = tables.pop("methodology")
    inputs = BriefInputs(
        partition=partition,
        as_of=as_of,
        scenario=str(main["scenario"]),
        seed=int(main["seed"]),
        snapshot_hash=str(main["snapshot_hash"]),
        code_version=code_version(),
        model=tables,
        methodology=str(methodology.loc[methodology["scenario"] == main["scenario"], "text"].iloc[0]),
        data_sources=load_data_sources(settings),
        campuses=campuses,
        mlperf=mlperf,
        market=market,
        installed_base=installed_base,
        previous=previous_metrics(settings, partition),
    )
    model_inputs = functools.cache(lambda: load_model_inputs(settings))  # read once, for both rebuilds
    if inputs.previous is None:
        inputs = replace(inputs, previous=rebuild_previous_metrics(settings, inputs, model_inputs))
    inputs = replace(inputs, revisions=revision_points(settings, inputs, model_inputs))
    return render_brief(inputs)


def brief_is_missing(settings: Settings, partition: str) -> bool:
    return not (settings.briefs_dir / partition / "brief.pdf").exists()
