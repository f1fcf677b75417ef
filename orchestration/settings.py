"""Run-state locations and options, read from the ``FLOPCAST_*`` environment variables.

Plain Python (no Dagster import): the CLI, the connectors, the benchmarks and the Dagster
resources all resolve paths here, so one variable means one thing everywhere.
The variables and their defaults are pinned in the project's design card; ``.env.example``
lists them all. Each field of ``Settings`` is read from ``FLOPCAST_<FIELD>`` (``duckdb_path``:
``FLOPCAST_DUCKDB``); an empty variable is unset.
"""

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import (AfterValidator, Field, NonNegativeFloat, NonNegativeInt, ValidationError, field_validator,
                      model_validator)
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT_DIR = PROJECT_ROOT / "data" / "snapshot"
PUBLISHERS_DIR = PROJECT_ROOT / "data" / "publishers"
DBT_PROJECT_DIR = PROJECT_ROOT / "transforms"

SourceMode = Literal["bundled", "mirror", "live"]
SOURCE_MODES: tuple[str, ...] = get_args(SourceMode)

# Relative paths are made absolute against the current directory, because dbt resolves a
# relative DuckDB path against its own working directory, not ours.
AbsolutePath = Annotated[Path, AfterValidator(lambda path: path.expanduser().resolve())]

# How the one-line error puts a bad value, by pydantic error type (a field's description, when
# it has one, says it instead).
PROBLEMS = {
    "float_parsing": "is not a number",
    "int_parsing": "is not a whole number",
    "greater_than_equal": "must not be negative",
}


MIRROR_UNSET = ("FLOPCAST_SOURCE_MODE=mirror needs --mirror DIR or FLOPCAST_MIRROR_DIR (the folder of the "
                "publishers' files); FLOPCAST_MIRROR_DIR is not set")


class Settings(BaseSettings):
    """Read from the process environment; ``load_settings`` turns a bad value into one line."""

    model_config = SettingsConfigDict(env_prefix="FLOPCAST_", frozen=True, extra="ignore", validate_by_name=True)

    home: AbsolutePath = PROJECT_ROOT / "var"
    duckdb_path: AbsolutePath = Field(default_factory=lambda data: data["home"] / "warehouse.duckdb",
                                      validation_alias="FLOPCAST_DUCKDB")
    source_mode: SourceMode = Field("bundled", description=f"is not one of {', '.join(SOURCE_MODES)}")
    mirror_dir: AbsolutePath | None = None
    snapshot_dir: AbsolutePath = SNAPSHOT_DIR
    publishers_dir: AbsolutePath = PUBLISHERS_DIR
    http_timeout_s: NonNegativeFloat = 30.0
    http_retries: NonNegativeInt = 3
    http_backoff_s: NonNegativeFloat = 1.0
    # None: the model's default (models.run.DEFAULT_DRAWS)
    model_draws: int | None = Field(None, ge=100, description="must be a whole number of at least 100")
    # monthly briefs the revisions chart covers, this one included
    revision_months: int = Field(12, ge=1, le=36, description="must be a whole number from 1 to 36")
    # What one publisher file may ask of a run (a bigger or deeper one is refused: that source
    # falls back to its last good file). The real files: largest 2.2 MB (MLPerf v5.1 JSON),
    # deflate ratio at most 37 (the MLPerf JSON; Epoch's CSVs 2-8), JSON depth 2, number cells
    # under 25 characters.
    max_file_bytes: int = Field(64 * 2**20, ge=1, description="must be a whole number of bytes, at least 1")
    max_decompressed_bytes: int = Field(64 * 2**20, ge=1,
                                        description="must be a whole number of bytes, at least 1")
    max_decompression_ratio: float = Field(100.0, ge=1, description="must be a number of at least 1")
    max_json_depth: int = Field(32, ge=2, description="must be a whole number of at least 2")
    max_number_chars: int = Field(100, ge=1, description="must be a whole number of at least 1")

    @model_validator(mode="before")
    @classmethod
    def _blank_is_unset(cls, data):
        return {key: value for key, value in data.items() if not (isinstance(value, str) and not value.strip())}

    @model_validator(mode="after")
    def _mirror_mode_has_a_mirror(self):
        if self.source_mode == "mirror" and self.mirror_dir is None:
            raise ValueError(MIRROR_UNSET)
        return self

    @field_validator("source_mode", mode="before")
    @classmethod
    def _fold_case(cls, value):
        return value.strip().lower() if isinstance(value, str) else value

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


# Each field -> the variable it is read from.
ENV = {name: field.validation_alias or f"{Settings.model_config['env_prefix']}{name.upper()}"
       for name, field in Settings.model_fields.items()}


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Resolve settings from ``environ`` (default: the process environment).

    A bad value is a ``ValueError`` of one line naming the variable and the value.
    """
    try:
        if environ is None:
            return Settings()
        # every field given: the mapping replaces the process environment entirely
        return Settings(**{name: environ.get(variable, "") for name, variable in ENV.items()})
    except ValidationError as exc:
        error = exc.errors()[0]
        if not error["loc"]:  # a check across variables: its message names them
            raise ValueError(error["msg"].removeprefix("Value error, ")) from None
        name = error["loc"][0]
        field = Settings.model_fields.get(name)
        problem = (field and field.description) or PROBLEMS.get(error["type"], error["msg"])
        raise ValueError(f"{ENV.get(name, name)}={error['input']!r} {problem}") from None


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
