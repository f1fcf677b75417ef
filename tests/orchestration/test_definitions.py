"""Load the one Definitions and check the asset graph: one lineage from ingest to brief."""

from pathlib import Path

import networkx as nx
import pytest
from dagster import AssetKey

GROUPS = {"sources", "warehouse", "model", "brief", "delivery"}


@pytest.fixture(scope="module")
def defs():
    from orchestration.definitions import defs

    return defs


@pytest.fixture(scope="module")
def asset_graph(defs):
    return defs.resolve_asset_graph()


def test_definitions_load_with_the_job_and_resources(defs):
    assert defs.resolve_job_def("brief_job") is not None
    assert {"dbt", "warehouse"} <= set(defs.resources)


def test_one_connected_lineage_from_ingest_to_brief(asset_graph):
    keys = set(asset_graph.get_all_asset_keys())
    raw = AssetKey(["raw", "snapshot_accelerators"])
    chain = [raw, AssetKey(["staging", "stg_snapshot_accelerators"]), AssetKey(["marts", "dim_accelerator"]),
             AssetKey(["model", "hardware_fit"]), AssetKey(["brief", "monthly_brief"])]
    assert set(chain) <= keys
    graph = nx.DiGraph()
    for key in keys:
        for parent in asset_graph.get(key).parent_keys:
            graph.add_edge(parent, key)
    for upstream, downstream in zip(chain, chain[1:], strict=False):
        assert nx.has_path(graph, upstream, downstream), f"{upstream} -> {downstream}"
    assert nx.is_weakly_connected(graph.subgraph(keys))
    # The dbt source and the Python ingest asset are the same node, not two.
    assert not any(k.path[-1] == "snapshot_accelerators" and k != raw for k in keys)


def test_groups_and_key_prefixes(asset_graph):
    groups = {}
    for key in asset_graph.get_all_asset_keys():
        node = asset_graph.get(key)
        if node.is_materializable:
            groups.setdefault(node.group_name, set()).add(key.path[0])
    assert set(groups) == GROUPS
    assert groups["sources"] == {"raw"}
    assert groups["warehouse"] <= {"staging", "intermediate", "marts"}
    assert groups["model"] == {"model"} and groups["brief"] == {"brief"}
    assert groups["delivery"] == {"delivery"}


def test_dbt_tests_are_asset_checks(asset_graph):
    checks = {(c.asset_key, c.name) for c in asset_graph.asset_check_keys}
    dim = AssetKey(["marts", "dim_accelerator"])
    names = {name for key, name in checks if key == dim}
    assert "unique_dim_accelerator_accelerator_id" in names
    assert any(n.startswith("value_between_dim_accelerator_bf16_dense_flop_per_s") for n in names)
    assert any(n.startswith("not_less_than_column_dim_accelerator_fp8") for n in names)


def test_brief_is_monthly_partitioned_from_2024_01(asset_graph):
    node = asset_graph.get(AssetKey(["brief", "monthly_brief"]))
    keys = node.partitions_def.get_partition_keys()
    assert keys[0] == "2024-01"
    assert all(len(k) == 7 for k in keys)


def test_every_registry_source_is_a_dbt_source_feeding_dim_data_source(asset_graph):
    from orchestration.sources.registry import SOURCES

    dim = asset_graph.get(AssetKey(["marts", "dim_data_source"]))
    assert {AssetKey(["raw", name]) for name in SOURCES} == set(dim.parent_keys)


def test_live_sources_have_a_freshness_check_and_snapshots_do_not(asset_graph):
    checks = {(c.asset_key.path[-1], c.name) for c in asset_graph.asset_check_keys}
    assert ("epoch_ml_hardware", "fresh") in checks
    assert ("snapshot_accelerators", "fresh") not in checks
    assert ("snapshot_accelerators", "row_count_floor") in checks


def test_freshness_rule():
    from datetime import UTC, datetime

    from orchestration.assets.ingest import freshness
    from orchestration.sources.landing import LandedFile

    def landed(fetched_at, stale=False):
        return LandedFile(source="s", path=Path("x"), sha256="0", url="u",
                          licence="l", mode="live", fetched_at=fetched_at, stale=stale)

    now = datetime(2026, 11, 26, tzinfo=UTC)
    assert freshness(landed("2026-11-20T00:00:00Z"), now)[0] is True
    assert freshness(landed("2026-11-01T00:00:00Z"), now)[0] is False
    assert freshness(landed("2026-11-25T00:00:00Z", stale=True), now)[0] is False
    assert freshness(None, now)[0] is True
