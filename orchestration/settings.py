"""Run-state locations and options, read from the ``FLOPCAST_*`` environment variables.

Plain Python (no Dagster import): the CLI, the connectors, the benchmarks and the Dagster
resources all resolve paths here, so one variable means one thing everywhere.
The variables and their defaults are pinned in the project's design card; ``.env.example``
lists them all.
"""

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT_DIR = PROJECT_ROOT / "data" / "snapshot"
PUBLISHERS_DIR = PROJECT_ROOT / "data" / "publishers"
DBT_PROJECT_DIR = PROJECT_ROOT / "transforms"

SOURCE_MODES = ("bundled", "mirror", "live")


@dataclass(frozen=True)
class Settings:
    home: Path
    duckdb_path: Path
    source_mode: str
    mirror_dir: Path | None
    snapshot_dir: Path = SNAPSHOT_DIR
    publishers_dir: Path = PUBLISHERS_DIR
    http_timeout_s: float = 30.0
    http_retries: int = 3
    http_backoff_s: float = 1.0
    model_draws: int | None = None  # None: the model's default (models.run.DEFAULT_DRAWS)
    revision_months: int = 12  # monthly briefs the revisions chart covers, this one included

    @property
    def landing_dir(self) -> Path:
        return self.home / "landing"

    @property
    def briefs_dir(self) -> Path:
        return self.home / "briefs"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster_home"

    @property
    def outbox_dir(self) -> Path:
        return self.home / "outbox"

    @property
    def lock_path(self) -> Path:
        return self.home / "run.lock"


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Resolve settings from ``environ`` (default: the process environment).

    Relative paths are made absolute against the current directory, because dbt resolves a
    relative DuckDB path against its own working directory, not ours.
    """
    env = os.environ if environ is None else environ
    home = Path(env.get("FLOPCAST_HOME") or PROJECT_ROOT / "var").expanduser().resolve()
    duckdb_path = Path(env.get("FLOPCAST_DUCKDB") or home / "warehouse.duckdb").expanduser().resolve()
    mode = (env.get("FLOPCAST_SOURCE_MODE") or "bundled").strip().lower()
    if mode not in SOURCE_MODES:
        raise ValueError(
            f"FLOPCAST_SOURCE_MODE={mode!r} is not one of {', '.join(SOURCE_MODES)}"
        )
    mirror = env.get("FLOPCAST_MIRROR_DIR")
    snapshot = env.get("FLOPCAST_SNAPSHOT_DIR")
    publishers = env.get("FLOPCAST_PUBLISHERS_DIR")
    return Settings(
        home=home,
        duckdb_path=duckdb_path,
        source_mode=mode,
        mirror_dir=Path(mirror).expanduser().resolve() if mirror else None,
        snapshot_dir=Path(snapshot).expanduser().resolve() if snapshot else SNAPSHOT_DIR,
        publishers_dir=Path(publishers).expanduser().resolve() if publishers else PUBLISHERS_DIR,
        http_timeout_s=_number(env, "FLOPCAST_HTTP_TIMEOUT_S", 30.0),
        http_retries=int(_number(env, "FLOPCAST_HTTP_RETRIES", 3)),
        http_backoff_s=_number(env, "FLOPCAST_HTTP_BACKOFF_S", 1.0),
        model_draws=_draws(env),
        revision_months=_revision_months(env),
    )


def _revision_months(env) -> int:
    text = (env.get("FLOPCAST_REVISION_MONTHS") or "").strip()
    if not text:
        return 12
    if not text.isdigit() or not 1 <= int(text) <= 36:
        raise ValueError(f"FLOPCAST_REVISION_MONTHS={text!r} must be a whole number from 1 to 36")
    return int(text)


def _draws(env) -> int | None:
    text = (env.get("FLOPCAST_MODEL_DRAWS") or "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) < 100:
        raise ValueError(f"FLOPCAST_MODEL_DRAWS={text!r} must be a whole number of at least 100")
    return int(text)


def _number(env, name: str, default: float) -> float:
    text = (env.get(name) or "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name}={text!r} is not a number") from None
    if value < 0:
        raise ValueError(f"{name}={text!r} must not be negative")
    return value


def code_version() -> str:
    """Package version plus the git commit when run from a checkout (e.g. '0.1.0+3f2a1b9')."""
    import subprocess
    from importlib.metadata import PackageNotFoundError, version

    try:
        base = version("flopcast")
    except PackageNotFoundError:
        base = "0+unknown"
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True,
            text=True, timeout=5, check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return base
    return f"{base}+{commit}" if commit else base
