"""Settings (paths, env ASSORTMENT_*) and Rules (the thresholds of domain.md, from a TOML file)."""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from assortment.errors import ConfigError
from assortment.vocab import LOCATION_KINDS

DEFAULT_DB = Path("data/assortment.duckdb")


def _shipped_text() -> str:
    return resources.files("assortment").joinpath("rules.toml").read_text("utf-8")


_SHIPPED: dict[str, Any] = tomllib.loads(_shipped_text())
"""The shipped ``rules.toml``: the one place the rule defaults are written."""


@dataclass(frozen=True, slots=True)
class KindRules:
    """Thresholds that differ between distributors and stores (domain.md sections 5 and 6.2)."""

    min_styles: int
    min_bestseller_coverage: float
    min_new_coverage: float
    max_broken_size_share: float
    max_slow_stock_share: float
    display_min: int
    replenish_cover_months: float


@dataclass(frozen=True, slots=True)
class Rules:
    """Every threshold of domain.md (the names of section 7).

    The defaults are the values of the shipped ``assortment/rules.toml`` (read once at import):
    ``Rules()`` is the shipped rules, and a new threshold needs a field here and a line there.
    """

    lookback_months: int = _SHIPPED["lookback_months"]
    new_months: int = _SHIPPED["new_months"]
    bestseller_share: float = _SHIPPED["bestseller_share"]
    bestseller_max_styles: int = _SHIPPED["bestseller_max_styles"]
    slow_sell_through: float = _SHIPPED["slow_sell_through"]
    core_size_share: float = _SHIPPED["core_size_share"]
    broken_size_min_core_share: float = _SHIPPED["broken_size_min_core_share"]
    core_colour_share: float = _SHIPPED["core_colour_share"]
    cover_months: int = _SHIPPED["cover_months"]
    count_drop_share: float = float(_SHIPPED["count_drop_share"])
    max_unpacked_mb: float = float(_SHIPPED["max_unpacked_mb"])
    carry_forward_months: int = _SHIPPED["carry_forward_months"]
    clearance_done_share: float = _SHIPPED["clearance_done_share"]
    stuck_min_units: int = _SHIPPED["stuck_min_units"]
    min_store_reach: float = _SHIPPED["min_store_reach"]
    proven_sell_through: float = _SHIPPED["proven_sell_through"]
    distributor: KindRules = field(default_factory=lambda: KindRules(**_SHIPPED["distributor"]))
    store: KindRules = field(default_factory=lambda: KindRules(**_SHIPPED["store"]))

    def for_kind(self, kind: str) -> KindRules:
        """The per-kind thresholds for ``distributor`` or ``store``."""
        return self.distributor if kind == "distributor" else self.store

    def to_dict(self) -> dict[str, object]:
        """Plain dict (nested per kind), as written to the TOML file."""
        return asdict(self)

    @property
    def fingerprint(self) -> str:
        """Short stable hash of the thresholds: every result records which rules produced it."""
        blob = json.dumps(self.to_dict(), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:12]

    @classmethod
    def from_toml(cls, path: Path | None = None) -> Rules:
        """Load rules from ``path`` (default: the shipped ``rules.toml``).

        Missing keys fall back to the defaults; unknown keys or wrong types raise ConfigError.
        """
        if path is None:
            text = _shipped_text()
            name = "rules.toml (shipped defaults)"
        else:
            try:
                text = Path(path).read_text("utf-8")
            except OSError as exc:
                raise ConfigError(f"cannot read rules file {str(path)!r}: {exc.strerror}") from None
            name = str(path)
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"rules file {name!r} is not valid TOML: {exc}") from None
        return cls._from_mapping(raw, name)

    @classmethod
    def from_json(cls, text: str) -> Rules:
        """Rules as recorded with a classification run (``classify_runs.rules_json``)."""
        return cls._from_mapping(json.loads(text), "recorded rules")

    @classmethod
    def _from_mapping(cls, raw: dict[str, object], name: str) -> Rules:
        defaults = cls()
        scalar = {f.name: f for f in fields(cls) if f.name not in LOCATION_KINDS}
        values: dict[str, object] = {}
        for key, value in raw.items():
            if key in LOCATION_KINDS:
                continue
            if key not in scalar:
                raise ConfigError(f"rules file {name!r}: unknown setting {key!r}")
            values[key] = _typed(name, key, value, type(getattr(defaults, key)))
        for kind in LOCATION_KINDS:
            base: KindRules = getattr(defaults, kind)
            section = raw.get(kind, {})
            if not isinstance(section, dict):
                raise ConfigError(f"rules file {name!r}: [{kind}] must be a table")
            kvals = asdict(base)
            for key, value in section.items():
                if key not in kvals:
                    raise ConfigError(f"rules file {name!r}: unknown setting {kind}.{key!r}")
                kvals[key] = _typed(name, f"{kind}.{key}", value, type(kvals[key]))
            values[kind] = KindRules(**kvals)
        rules = cls(**values)  # type: ignore[arg-type]
        rules._check(name)
        return rules

    def _check(self, name: str) -> None:
        for key in (
            "lookback_months",
            "new_months",
            "bestseller_max_styles",
            "cover_months",
        ):
            if getattr(self, key) < 1:
                raise ConfigError(f"rules file {name!r}: {key} must be at least 1")
        for key in ("carry_forward_months", "stuck_min_units"):
            if getattr(self, key) < 0:
                raise ConfigError(f"rules file {name!r}: {key} must not be negative")
        for key in (
            "bestseller_share",
            "slow_sell_through",
            "core_size_share",
            "broken_size_min_core_share",
            "core_colour_share",
            "clearance_done_share",
            "min_store_reach",
            "proven_sell_through",
        ):
            if not 0 <= getattr(self, key) <= 1:
                raise ConfigError(f"rules file {name!r}: {key} must be between 0 and 1")
        if not 0 <= self.count_drop_share <= 1:
            raise ConfigError(f"rules file {name!r}: count_drop_share must be between 0 and 1")
        if not 0 < self.max_unpacked_mb <= 100_000:
            raise ConfigError(
                f"rules file {name!r}: max_unpacked_mb must be more than 0 (megabytes)"
            )
        for kind in LOCATION_KINDS:
            kind_rules: KindRules = getattr(self, kind)
            if kind_rules.display_min < 0:
                raise ConfigError(f"rules file {name!r}: {kind}.display_min must not be negative")
            if kind_rules.replenish_cover_months < 0:
                raise ConfigError(
                    f"rules file {name!r}: {kind}.replenish_cover_months must not be negative"
                )


def _typed(name: str, key: str, value: object, want: type) -> object:
    if want is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, want) or isinstance(value, bool):
        raise ConfigError(f"rules file {name!r}: {key} must be {want.__name__}, got {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class Settings:
    """Where things live. Built from CLI options, then env ``ASSORTMENT_*``, then defaults.

    Attributes:
        db_path: The read-write master database (``ASSORTMENT_DB``).
        rules_path: A rules TOML, or None for the shipped defaults (``ASSORTMENT_RULES``).
    """

    db_path: Path = DEFAULT_DB
    rules_path: Path | None = None

    @property
    def data_dir(self) -> Path:
        """Folder holding the database, its archive of uploaded files and read snapshots."""
        return self.db_path.parent

    @property
    def archive_dir(self) -> Path:
        """Every uploaded file, byte for byte, named by its sha256."""
        return self.data_dir / "archive"

    @property
    def snapshot_dir(self) -> Path:
        """Read-only copies of the database published after each write."""
        return self.data_dir / "snapshots"

    @property
    def rejected_dir(self) -> Path:
        """Rejected and held files, kept a while for a look (bounded: see KeepLimits)."""
        return self.data_dir / "rejected"

    @property
    def lock_path(self) -> Path:
        """The writers' lock file."""
        return self.data_dir / (self.db_path.name + ".lock")

    def rules(self) -> Rules:
        """The rules in force."""
        return Rules.from_toml(self.rules_path)

    @classmethod
    def from_env(cls, *, db: Path | str | None = None, rules: Path | str | None = None) -> Settings:
        """Settings from explicit values, falling back to env vars and defaults."""
        _load_dotenv()
        db_value = db or os.environ.get("ASSORTMENT_DB") or DEFAULT_DB
        rules_value = rules or os.environ.get("ASSORTMENT_RULES") or None
        return cls(
            db_path=Path(db_value).expanduser(),
            rules_path=Path(rules_value).expanduser() if rules_value else None,
        )


@dataclass(frozen=True, slots=True)
class KeepLimits:
    """How much of a folder of files kept for a while may hold: the oldest go first."""

    max_files: int
    max_age_s: float
    max_bytes: int

    @classmethod
    def rejected(cls) -> KeepLimits:
        """Rejected files of the CLI (``rejected/``): ASSORTMENT_REJECTED_MAX_FILES (100),
        ASSORTMENT_REJECTED_MAX_DAYS (30), ASSORTMENT_REJECTED_MAX_MB (200)."""
        return cls(
            max_files=env_int("ASSORTMENT_REJECTED_MAX_FILES", 100),
            max_age_s=env_int("ASSORTMENT_REJECTED_MAX_DAYS", 30) * 86400.0,
            max_bytes=env_int("ASSORTMENT_REJECTED_MAX_MB", 200) * 1024 * 1024,
        )

    @classmethod
    def uploads(cls) -> KeepLimits:
        """Files checked on the upload page, waiting for confirmation (``uploads/``): one
        hour, ASSORTMENT_UPLOADS_MAX_FILES (50), ASSORTMENT_UPLOADS_MAX_MB (500)."""
        return cls(
            max_files=env_int("ASSORTMENT_UPLOADS_MAX_FILES", 50),
            max_age_s=3600.0,
            max_bytes=env_int("ASSORTMENT_UPLOADS_MAX_MB", 500) * 1024 * 1024,
        )


DEFAULT_BATCH_NICE = 10


def batch_nice() -> int:
    """How much lower the monthly batch runs than the dashboard: ``ASSORTMENT_BATCH_NICE``, a
    nice value from 0 (the same priority) to 19 (only idle CPU); default 10."""
    value = env_int("ASSORTMENT_BATCH_NICE", DEFAULT_BATCH_NICE)
    if value > 19:
        raise ConfigError(f"ASSORTMENT_BATCH_NICE must be from 0 to 19, got {value}")
    return value


def env_int(name: str, default: int) -> int:
    """A whole, non-negative number from the environment variable ``name`` (``default`` when
    unset or empty).

    Raises:
        ConfigError: not a whole number, or negative (the variable and value named).
    """
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < 0:
        raise ConfigError(f"{name} must not be negative, got {raw!r}")
    return value


def today() -> date:
    """Today, or ``ASSORTMENT_TODAY`` (YYYY-MM-DD) for reproducible runs and tests.

    Months after today's month are future months that no file may contain.
    """
    fixed = os.environ.get("ASSORTMENT_TODAY")
    if fixed:
        try:
            return date.fromisoformat(fixed)
        except ValueError:
            raise ConfigError(f"ASSORTMENT_TODAY must be YYYY-MM-DD, got {fixed!r}") from None
    return date.today()


def _load_dotenv(path: Path = Path(".env")) -> None:
    """Read ``KEY=VALUE`` lines of a ``.env`` file into os.environ (existing values win)."""
    if not path.is_file():
        return
    for line in path.read_text("utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        os.environ.setdefault(key.strip(), value.strip().strip('"').strip("'"))
