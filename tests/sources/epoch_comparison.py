"""The bundled snapshot against Epoch AI's published datasets: which snapshot row is the same thing
as which Epoch row, the pairs left out of the count (with the reason), and how a pair is compared
and reported. The tests are ``test_snapshot_vs_epoch`` (chips) and ``test_snapshot_vs_epoch_models``
(training compute).

The Epoch files are the vendored copies in ``data/publishers`` (byte-for-byte, with a manifest).
Data: Epoch AI, CC BY 4.0, epoch.ai/data.

Every comparison is printed as a table (``pytest -s`` shows it) and every mismatch is listed in the
assertion message. A mismatch is not automatically our error: each one found when these tests were
written was checked against a primary source (vendor datasheet / documentation, paper, developer
log) and either fixed in ``data/snapshot/*.csv`` or, when the two numbers measure different things
(a different SKU, clock, power rating or FLOP accounting), excluded below with the reason. The
tolerances (in the test modules) are fixed by what the numbers mean, not tuned to make the tests
pass.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

# --- accelerators ----------------------------------------------------------------------------

# Our accelerator_id -> Epoch ML Hardware `Hardware name`, for every chip both cover.
# Not mapped (Epoch has no row for the same SKU, Dec-2025 file): nvidia-l40s (Epoch has only the
# L40, a different card), amd-mi100, amd-mi210, huawei-ascend-950pr (Epoch lists the 950DT, a
# different SKU), cerebras-wse-2/-3, tenstorrent-wormhole-n150, sambanova-sn40l, graphcore-gc200,
# graphcore-bow-ipu.
# Notes on pairs that compare cleanly but are not identical definitions:
# - Epoch's `Tensor-FP16/BF16 performance` is dense (H100 SXM: 989.4e12, i.e. the 1,979 sparse
#   headline / 2; asserted by test_epoch_tensor_column_is_dense), so it compares directly with
#   our dense column.
# - For chips without BF16 (V100, Ascend 910C) our FP16 tensor rate is compared instead.
# - GB200/GB300 are per Blackwell GPU on both sides; B300 memory is 288 GB per GPU (ours,
#   physical) vs 270 GB (Epoch, HGX usable) - 6.7%, inside the memory tolerance.
# - TPU v5p / v7, Inferentia2, Trainium1/2: ours GiB (2^30), Epoch GB (1e9) - inside 8%.
ACCELERATOR_MAP: dict[str, str] = {
    "nvidia-p100-sxm2": "NVIDIA Tesla P100 SXM2",
    "nvidia-v100-sxm2": "NVIDIA Tesla V100 SXM2",
    "nvidia-t4": "NVIDIA Tesla T4",
    "nvidia-a100-sxm-40gb": "NVIDIA A100 SXM4 40 GB",
    "nvidia-a100-sxm-80gb": "NVIDIA A100 SXM4 80 GB",
    "nvidia-a100-pcie-40gb": "NVIDIA A100 PCIe",
    "nvidia-gh200": "NVIDIA GH200",
    "nvidia-a10": "NVIDIA A10 PCIe",
    "nvidia-l4": "NVIDIA L4",
    "nvidia-h100-sxm": "NVIDIA H100 SXM5 80GB",
    "nvidia-h100-pcie": "NVIDIA H100 PCIe",
    "nvidia-h100-nvl": "NVIDIA H100 NVL",
    "nvidia-h200-sxm": "NVIDIA H200 SXM",
    "nvidia-h20": "NVIDIA HGX H20",
    "nvidia-b200": "NVIDIA B200",
    "nvidia-gb200": "NVIDIA GB200",
    "nvidia-b300": "NVIDIA B300 (Blackwell Ultra)",
    "nvidia-gb300": "NVIDIA GB300 (Blackwell Ultra)",
    "amd-mi250x": "AMD Radeon Instinct MI250X",
    "amd-mi300x": "AMD Instinct MI300X",
    "amd-mi325x": "AMD Instinct MI325X",
    "amd-mi355x": "AMD Instinct MI355X",
    "google-tpu-v2": "Google TPU v2",
    "google-tpu-v3": "Google TPU v3",
    "google-tpu-v4": "Google TPU v4",
    "google-tpu-v5e": "Google TPU v5e",
    "google-tpu-v5p": "Google TPU v5p",
    "google-tpu-v6e": "Google TPU v6e Trillium",
    "google-tpu-v7": "Google TPU v7 Ironwood",
    "aws-inferentia2": "AWS Inferentia2",
    "aws-trainium1": "Amazon Trainium1",
    "aws-trainium2": "Amazon Trainium2",
    "aws-trainium3": "Amazon Trainium3",
    "intel-gaudi2": "Intel Habana Gaudi2",
    "intel-gaudi3": "Intel Habana Gaudi3",
    "huawei-ascend-910": "Huawei Ascend 910",
    "huawei-ascend-910c": "Huawei Ascend 910C",
    "groq-lpu-v1": "GroqChip LPU v1",
    "meta-mtia-v2": "Meta MTIA v2",
    "microsoft-maia-100": "Maia 100 (M100)",
}

# (accelerator_id, metric) pairs left out of the count because the two figures are different
# quantities; each was checked against the vendor's own material.
ACCELERATOR_EXCLUSIONS: dict[tuple[str, str], str] = {
    ("intel-gaudi3", "tensor16"):
        "clock: Intel's spec (white paper, Hot Chips 2024) is 1,835 TFLOPS BF16 at 1,750 MHz and "
        "ours stores it; Epoch stores ~1,678 for shipped parts at ~1,600 MHz (DOMAIN pitfall 4)",
    ("amd-mi250x", "tdp_w"):
        "power rating: AMD lists 500 W TBP and 560 W peak; ours stores the peak (AMD's convention "
        "for MI300X 750 W / MI355X 1,400 W 'peak TBP'), Epoch the 500 W",
    ("microsoft-maia-100", "tdp_w"):
        "power rating: Microsoft (Hot Chips 2024) gives a 700 W design TDP, provisioned at 500 W "
        "in Azure; ours stores the TDP, Epoch the provisioned figure",
    ("nvidia-a100-pcie-40gb", "memory_bandwidth_bytes_per_s"):
        "SKU: Epoch's 'A100 PCIe' row pairs 40 GB with the 80 GB PCIe card's 1,935 GB/s; NVIDIA's "
        "A100 datasheet gives 1,555 GB/s for the 40 GB PCIe card (ours)",
    ("nvidia-a100-pcie-40gb", "tdp_w"):
        "SKU: Epoch's 'A100 PCIe' row carries the 80 GB PCIe card's 300 W; the 40 GB PCIe card is "
        "250 W per NVIDIA's datasheet (ours)",
    ("aws-trainium1", "memory_bandwidth_bytes_per_s"):
        "per instance vs per chip: Epoch's 9.8e12 B/s is an instance aggregate (~12 x 820 GB/s); "
        "AWS's Trainium architecture page gives 820 GB/s per chip (ours)",
}

# --- training runs ---------------------------------------------------------------------------

# Our model_id -> Epoch `Model`, for the models where both give training compute. Epoch's Notable
# AI Models file is the reference; models Epoch does not rate "notable" are looked up in its
# Large-Scale AI Models file (LARGE_SCALE_MODEL_MAP).
# Mapped but not compared, because Epoch's Nov-2025 notable file leaves training compute blank
# (its benchmark-imputed estimates survive only in the notes): gpt-4o, claude-3-opus,
# gemini-1.5-pro.
# Not in either Epoch file (so not mapped): pythia-12b, gemma-3-27b, glm-4.5, glm-5,
# deepseek-v4-pro, deepseek-v4-flash.
NOTABLE_MODEL_MAP: dict[str, str] = {
    "alexnet": "AlexNet",
    "transformer-big": "Transformer",  # Epoch's row is the 213M-parameter big model
    "bert-large": "BERT-Large",
    "roberta-large": "RoBERTa Large",
    "openai-five": "OpenAI Five",
    "gpt-3-175b": "GPT-3 175B (davinci)",
    "yuan-1.0": "Yuan 1.0",
    "mt-nlg-530b": "Megatron-Turing NLG 530B",
    "gopher-280b": "Gopher (280B)",
    "glam": "GLaM",
    "lamda-137b": "LaMDA",
    "chinchilla-70b": "Chinchilla",
    "palm-540b": "PaLM (540B)",
    "gpt-neox-20b": "GPT-NeoX-20B",
    "opt-175b": "OPT-175B",
    "bloom-176b": "BLOOM-176B",
    "glm-130b": "GLM-130B",
    "galactica-120b": "Galactica",
    "llama-65b": "LLaMA-65B",
    "gpt-4": "GPT-4",
    "bloomberggpt": "BloombergGPT",
    "palm-2": "PaLM 2",
    "starcoder-15b": "StarCoder",
    "llama-2-70b": "Llama 2-70B",
    "falcon-180b": "Falcon-180B",
    "yi-34b": "Yi-34B",
    "inflection-2": "Inflection-2",
    "gemini-1.0-ultra": "Gemini 1.0 Ultra",
    "gemini-1.5-pro": "Gemini 1.5 Pro",
    "claude-3-opus": "Claude 3 Opus",
    "dbrx": "DBRX",
    "llama-3-70b": "Llama 3-70B",
    "gpt-4o": "GPT-4o",
    "nemotron-4-340b": "Nemotron-4 340B",
    "qwen2-72b": "Qwen2-72B",
    "claude-3.5-sonnet": "Claude 3.5 Sonnet",
    "esm3-98b": "ESM3 (98B)",
    "llama-3.1-405b": "Llama 3.1-405B",
    "qwen2.5-72b": "Qwen2.5-72B",
    "hunyuan-large": "Hunyuan-Large",
    "deepseek-v3": "DeepSeek-V3",
    "gpt-4.5": "GPT-4.5",
    "llama-4-scout": "Llama 4 Scout",
    "llama-4-maverick": "Llama 4 Maverick",
    "qwen3-235b-a22b": "Qwen3-235B-A22B",
    "kimi-k2": "Kimi K2",
    "gpt-oss-120b": "gpt-oss-120b",
}

LARGE_SCALE_MODEL_MAP: dict[str, str] = {
    "baichuan-2-13b": "Baichuan2-13B",
    "qwen-14b": "Qwen-14B",
    "deepseek-llm-67b": "DeepSeek LLM 67B",
    "olmo-7b": "OLMo-7B",
    "gemma-7b": "Gemma 7B",
    "phi-3-medium": "phi-3-medium 14B",
    "snowflake-arctic": "Arctic",
    "llama-3-8b": "Llama 3-8B",
    "deepseek-v2": "DeepSeek-V2 (MoE-236B)",
    "gemma-2-27b": "Gemma 2 27B",
    "olmo-2-13b": "OLMo 2 Furious 13B",  # the OLMo 2 paper is titled "2 OLMo 2 Furious"
    "phi-4": "Phi-4",
    "evo-2-40b": "Evo 2 40B",
}

# Pairs left out of the count because the two figures count different things.
MODEL_EXCLUSIONS: dict[str, str] = {
    "transformer-big":
        "FLOP accounting: the paper's Table 2 figure (2.3e19, ours, developer-reported) is time x "
        "GPUs x assumed sustained FP32 capacity with no utilisation discount; Epoch applies 33% "
        "utilisation to the same 8 P100 x 3.5 days (7.4e18)",
    "gpt-oss-120b":
        "peak assumption: both start from the model card's 2.1M H100-hours at 30%; ours uses the "
        "dense BF16 peak (989 TFLOP/s, 2.2e24), Epoch the 1,979 TFLOP/s FP8-dense/BF16-sparse "
        "peak plus 10% for post-training (4.9e24)",
}


# --- comparing a pair ------------------------------------------------------------------------

@dataclass
class Comparison:
    key: str
    epoch_name: str
    metric: str
    ours: float
    epoch: float
    ok: bool
    excluded: str = ""

    @property
    def status(self) -> str:
        return "excluded" if self.excluded else ("ok" if self.ok else "MISMATCH")

    def line(self, ratio: bool = False) -> str:
        diff = (f"x{max(self.ours, self.epoch) / min(self.ours, self.epoch):.2f}" if ratio
                else f"{self.ours / self.epoch - 1:+.1%}")
        return (f"{self.status:9s} {self.key:26s} {self.metric:30s} ours={self.ours:<11.4g} "
                f"epoch={self.epoch:<11.4g} {diff:>8s}  [{self.epoch_name}]"
                + (f"  -- {self.excluded}" if self.excluded else ""))


def number_or_none(value) -> float | None:
    if value is None or value is pd.NA:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def report(title: str, comparisons: list[Comparison], ratio: bool = False) -> list[str]:
    print(f"\n=== {title}: {len(comparisons)} value pairs "
          f"({sum(c.status == 'ok' for c in comparisons)} ok, "
          f"{sum(c.status == 'MISMATCH' for c in comparisons)} mismatch, "
          f"{sum(c.status == 'excluded' for c in comparisons)} excluded) ===")
    for comparison in comparisons:
        print(comparison.line(ratio))
    return [c.line(ratio) for c in comparisons if c.status == "MISMATCH"]
