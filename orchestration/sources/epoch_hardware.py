"""Epoch AI, Machine Learning Hardware (https://epoch.ai/data/ml_hardware.zip, member ml_hardware.csv).

One row per accelerator, in Epoch's units (FLOP/s, bytes, byte/s, W, USD). The schema drifts
between releases: the Nov-2025 file names memory 'Memory size per board (Byte)' (later
'Memory (bytes)'), has no 'Notes' column and orders the columns differently; columns are mapped by
name. Epoch's derived columns (energy efficiency, price-performance) hold 'inf' and are left out:
they are recomputed downstream. Headline figures are as published (dense/sparse is dbt's job).
"""

from orchestration.sources.fetch import SourceDescriptor
from orchestration.sources.tabular import Column, TableSpec

EPOCH_LICENCE = "CC BY 4.0"
EPOCH_ATTRIBUTION = "Data: Epoch AI, CC BY 4.0, epoch.ai/data"

DESCRIPTOR = SourceDescriptor(
    name="epoch_ml_hardware",
    title="Epoch AI, Machine Learning Hardware",
    url="https://epoch.ai/data/ml_hardware.zip",
    zip_member="ml_hardware.csv",
    licence=EPOCH_LICENCE,
    attribution=EPOCH_ATTRIBUTION,
    ext="csv",
    mirror_patterns=("epoch/ml_hardware.csv", "epoch/ml_hardware.zip", "epoch/ml_hardware*.csv"),
)


def _opt(name: str, kind: str = "number", *aliases: str) -> Column:
    return Column(name, kind, required=False, aliases=aliases)


SPEC = TableSpec(
    source=DESCRIPTOR.name,
    key=("hardware_name",),
    columns=(
        Column("hardware_name", "text", nullable=False, aliases=("Hardware name",)),
        Column("manufacturer", "text", aliases=("Manufacturer",)),
        _opt("hardware_type", "text", "Type"),
        Column("release_date", "date", aliases=("Release date",)),
        _opt("release_price_usd", "number", "Release price (USD)"),
        Column("tensor_fp16_bf16_flop_per_s", "number",
               aliases=("Tensor-FP16/BF16 performance (FLOP/s)",)),
        _opt("fp8_flop_per_s", "number", "FP8 performance (FLOP/s)"),
        _opt("fp4_flop_per_s", "number", "FP4 performance (FLOP/s)"),
        _opt("fp64_flop_per_s", "number", "FP64 (double precision) performance (FLOP/s)"),
        _opt("fp32_flop_per_s", "number", "FP32 (single precision) performance (FLOP/s)"),
        _opt("tf32_flop_per_s", "number", "TF32 (TensorFloat-32) performance (FLOP/s)"),
        _opt("fp16_flop_per_s", "number", "FP16 (half precision) performance (FLOP/s)"),
        _opt("int16_op_per_s", "number", "INT16 performance (OP/s)"),
        _opt("int8_op_per_s", "number", "INT8 performance (OP/s)"),
        _opt("int4_op_per_s", "number", "INT4 performance (OP/s)"),
        Column("memory_bytes", "number",
               aliases=("Memory (bytes)", "Memory size per board (Byte)", "Memory size per board (bytes)")),
        Column("memory_bandwidth_bytes_per_s", "number", aliases=("Memory bandwidth (byte/s)",)),
        _opt("intranode_bandwidth_bytes_per_s", "number", "Intranode bandwidth (byte/s)"),
        _opt("internode_bandwidth_bits_per_s", "number", "Internode bandwidth (bit/s)"),
        Column("tdp_w", "number", aliases=("TDP (W)",)),
        _opt("foundry", "text", "Foundry"),
        _opt("process_size_nm", "number", "Process size (nm)"),
        _opt("die_size_mm2", "number", "Die Size (mm^2)"),
        _opt("transistors_millions", "number", "Transistors (millions)"),
        _opt("base_clock_mhz", "number", "Base clock (MHz)"),
        _opt("boost_clock_mhz", "number", "Boost clock (MHz)"),
        _opt("memory_clock_mhz", "number", "Memory clock (MHz)"),
        _opt("memory_bus_bits", "number", "Memory bus (bit)"),
        _opt("tensor_cores", "number", "Tensor cores"),
        _opt("max_performance_op_per_s", "number", "Max performance"),
        _opt("ml_op_per_s", "number", "ML OP/s"),
        _opt("total_processing_performance_bit_op_per_s", "number",
             "Total processing performance (bit-OP/s)"),
        _opt("ml_models", "text", "ML models"),
        _opt("datasheet_url", "text", "Link to datasheet"),
        _opt("price_source_url", "text", "Source for the price"),
        _opt("notes", "text", "Notes"),
        _opt("last_modified", "date", "Last modified"),
    ),
)
