"""One warehouse build on the corpus whose bad rows are quarantined while the good rows build and
publish, and a brief is archived from it (markup in a campus name comes out escaped)."""

import pytest

from orchestration import warehouse
from orchestration.settings import SNAPSHOT_DIR
from orchestration.sources import registry
from tests.stress.builds import BUILD_FILES, Build, expand, query
from tests.stress.corpus import BUILD, FORMATS, LONG_FIELD, assert_outcome, read_table


def build_rows(source: str) -> tuple[str, list[str], list[dict[str, str]]]:
    """(label, header, rows) of what the good build fed ``source``: for a snapshot table, the bundled
    rows (all good) followed by the additions."""
    fmt = next(f for f in FORMATS if f.source == source)
    header, rows = read_table(BUILD / BUILD_FILES[source])
    rows = [{k: expand(v) for k, v in r.items()} for r in rows]
    if fmt.snapshot:
        bundled_header, bundled = read_table(SNAPSHOT_DIR / fmt.place)
        assert header[:-1] == bundled_header
        rows = bundled + rows
    return fmt.label, header, rows


@pytest.mark.parametrize("source", sorted(BUILD_FILES))
def test_good_build_quarantines_bad_rows(good_build: Build, source: str):
    """In the published warehouse: raw.<source> holds exactly the good rows, raw.quarantine one row per
    problem naming file, row and column."""
    label, header, rows = build_rows(source)
    spec = registry.get_source(source).spec
    result = good_build.results[source]
    assert result.unavailable == "" and not result.landed.stale
    assert_outcome(result.parsed, spec, label, header, rows)
    published = query(good_build.settings.duckdb_path,
                      f"select file, row_number, column_name, value, reason from raw.quarantine "
                      f"where source = '{source}' order by row_number, column_name")
    expected = result.parsed.quarantine.sort_values(["row_number", "column_name"], kind="stable")
    assert published == [tuple(r) for r in expected[
        ["file", "row_number", "column_name", "value", "reason"]].itertuples(index=False)]
    (count,) = query(good_build.settings.duckdb_path, f"select count(*) from raw.{source}")[0]
    assert count == len(result.parsed.frame)


def test_good_build_publishes_the_good_rows_and_the_brief(good_build: Build):
    db = good_build.settings.duckdb_path
    assert not warehouse.scratch_path(db).exists()
    # the first H100 row wins; its sparse duplicate went to quarantine
    assert query(db, "select accelerator_name, bf16_dense_flop_per_s, fp8_dense_flop_per_s, suspected_sparse "
                     "from marts.dim_accelerator where accelerator_id = 'nvidia-h100-sxm'") == [
        ("NVIDIA H100 SXM", 9.894e14, 1.979e15, False)]  # the brand first (seed accelerator_vendor_brands)
    assert query(db, "select count(*) from marts.dim_accelerator where accelerator_id = 'example-npu-q3'") == [(0,)]
    assert query(db, "select usd_per_accelerator_hour from marts.fct_rental_prices "
                     "where price_id = 'aws-p5-48xlarge-od-use1'") == [(6.88,)]
    # the Epoch-only chip and Epoch notable model arrive; the quarantined ones do not
    assert query(db, "select spec_source from marts.dim_accelerator where accelerator_id = 'biren-synthetic-br900'") == [("epoch",)]
    assert query(db, "select count(*) from marts.fct_training_runs where model_name in "
                     "('Synthetic LM 7B', 'Synthetic LM 13B', 'Synthetic FLOP Words', 'Synthetic No Date')") == [(1,)]
    # markup and a 100 kB field are stored verbatim ...
    name, location, notes = query(db, "select c.campus_name, c.location, s.notes from marts.dim_datacenter_campus c "
                                      "join staging.stg_snapshot_datacenter_campuses s using (campus_id) "
                                      "where campus_id = 'synthetic-script-campus'")[0]
    assert name == '<script>alert("flopcast")</script> <b>Campus</b> & Co'
    assert location == "Nowhere, <img src=x onerror=alert(1)>" and notes == LONG_FIELD
    # ... and escaped in the brief (the campus table lists it: largest planned power)
    html = (good_build.brief / "brief.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#34;flopcast&#34;)&lt;/script&gt; &lt;b&gt;Campus&lt;/b&gt; &amp; Co" in html
    assert "<script>alert(" not in html and "<img src=x" not in html
    assert (good_build.brief / "brief.pdf").stat().st_size > 0
