"""Plain-Python helpers shared by ``models``, ``reports`` and ``orchestration`` (no Dagster)."""
