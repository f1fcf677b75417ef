"""The rows of the real publisher files that are quarantined on purpose, by source: data row ->
column. Epoch's notable-models file writes two numbers, comma-separated, in three
'Training dataset size (gradients)' cells ('2260275840,2290000001', '327978752,192851506176',
'14180000,14180000'): not one number, and not read as one (they once became 22602758402290000001
and the like)."""

import pandas as pd

KNOWN_QUARANTINE: dict[str, dict[int, str]] = {
    "epoch_notable_ai_models": {364: "training_dataset_size", 384: "training_dataset_size",
                                415: "training_dataset_size"},
}


def assert_known_quarantine(source: str, quarantine: pd.DataFrame) -> None:
    """``quarantine`` holds exactly the known rows of ``source`` (none for most sources)."""
    found = dict(zip(quarantine["row_number"], quarantine["column_name"]))
    assert found == KNOWN_QUARANTINE.get(source, {}), quarantine["reason"].head().tolist()
    assert all("a comma" in reason for reason in quarantine["reason"])
