"""The pinned bucket names (MODEL.md) and the side of the training/inference split each is on.

Every output is reported per bucket, so any published definition can be rebuilt from them.
``synthetic_data`` (generation and RL rollouts done for training) is on the training side unless
the scenario switch ``synthetic_data_side`` moves it (:func:`bucket_sides`).
"""

TRAINING_SHAPED = ("pretraining", "posttraining", "experiments")
"""The labs' training runs and research (R&D training compute): they run at the training MFU."""
TRAINING_BUCKETS = (*TRAINING_SHAPED, "synthetic_data")
SERVING_BUCKETS = ("serving_chat", "serving_reasoning", "serving_agents")
"""External serving: chat, reasoning and agent calls, sized for the peak hour."""
INFERENCE_BUCKETS = ("internal_inference", *SERVING_BUCKETS)
BUCKETS = TRAINING_BUCKETS + INFERENCE_BUCKETS

# How a reader sees each bucket (tables, charts, takeaways); totals and other rows print as words.
BUCKET_LABELS = {
    "pretraining": "pre-training", "posttraining": "post-training", "experiments": "experiments",
    "synthetic_data": "synthetic data", "internal_inference": "internal inference",
    "serving_chat": "serving: chat", "serving_reasoning": "serving: reasoning", "serving_agents": "serving: agents",
}


def bucket_label(name: str) -> str:
    """A bucket (or a total row such as ``training_total``) as the brief prints it."""
    return BUCKET_LABELS.get(name, name.replace("_", " "))


def bucket_sides(synthetic_data_side: str) -> dict[str, str]:
    """Bucket -> ``training`` or ``inference``, with ``synthetic_data`` on the scenario's side."""
    sides = {b: "training" for b in TRAINING_BUCKETS} | {b: "inference" for b in INFERENCE_BUCKETS}
    sides["synthetic_data"] = synthetic_data_side
    return sides
