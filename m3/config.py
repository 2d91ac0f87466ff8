"""M3's settings: every `M3_*` environment variable, its default, its help line and its check.

Settings come from the environment, then from a `.env` file in the working directory (the
environment wins). `config_load` validates all of them at once and raises `ConfigError` naming the
key and the fix; nothing is read at import time.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from m3.errors import ConfigError

SECRET_KEY_FILE = "secret_key"
PLACEHOLDER_SECRETS = frozenset(
    {"change-me", "changeme", "secret", "dev", "development", "insecure", "please-change"}
)
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})


@dataclass(frozen=True)
class Setting:
    """One `M3_*` setting: its key, default (as text, `{data_dir}` expanded) and help line."""

    key: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("M3_DATA_DIR", "./m3-data", "Folder for the SQLite app DB, the DuckDB facts file, "
            "the secret key, logs and import reports."),
    Setting("M3_DATABASE_URL", "sqlite:///{data_dir}/m3.sqlite3",
            "App database (org, initiatives, touchpoints, users). sqlite:///PATH or "
            "postgresql://USER:PASSWORD@HOST:PORT/NAME."),
    Setting("M3_FACTS_URL", "duckdb:///{data_dir}/facts.duckdb",
            "Facts store (CRM activities and opportunities). duckdb:///PATH, "
            "postgresql://USER:PASSWORD@HOST:PORT/NAME or pyspark://local (read in place)."),
    Setting("M3_SECRET_KEY", "", "Django secret key (50+ random characters). When unset, M3 "
            "uses DATA_DIR/secret_key, which `m3 init` creates. Required when M3_DEBUG is off "
            "and no key file exists; placeholder values are refused outside development."),
    Setting("M3_DEBUG", "false", "Development mode: detailed error pages, placeholder secret "
            "keys allowed. Never on for a server others use."),
    Setting("M3_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]",
            "Comma-separated host names the web server answers to."),
    Setting("M3_FACTS_LOCK_TIMEOUT", "30", "Seconds to wait for the DuckDB facts file while "
            "another process (an import, the server) holds it."),
    Setting("M3_TIME_ZONE", "UTC", "Time zone of 'today' (current and last full week) and of "
            "dates shown; fact times are bucketed by the date the CRM export wrote."),
    Setting("M3_LOG_FILE", "{data_dir}/m3.log", "File where tracebacks of failed commands go."),
    Setting("M3_METRICS_FILE", "", "YAML file of your own metrics, added to the built-in "
            "catalogue (see docs/metrics.md). Empty: the built-in catalogue only."),
)
SETTING_KEYS = frozenset(s.key for s in SETTINGS)


@dataclass(frozen=True)
class Config:
    """The validated settings of one M3 process."""

    data_dir: Path
    database_url: str
    facts_url: str
    secret_key: str
    debug: bool
    allowed_hosts: tuple[str, ...]
    facts_lock_timeout: float
    time_zone: str
    log_file: Path
    metrics_file: Path | None


def _env_with_dotenv(environ: Mapping[str, str]) -> dict[str, str]:
    from dotenv import dotenv_values

    merged: dict[str, str] = {}
    dotenv_path = Path.cwd() / ".env"
    if dotenv_path.is_file():
        merged.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
    merged.update(environ)
    return merged


def _parse_bool(key: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ConfigError(f"{key}={raw!r} is not a yes/no value: set it to true or false.")


def _parse_positive_float(key: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{key}={raw!r} is not a number: set it to seconds, e.g. 30.") from None
    if value <= 0:
        raise ConfigError(f"{key}={raw!r} must be greater than 0.")
    return value


def _check_database_url(key: str, url: str) -> str:
    schemes = ("sqlite://", "postgres://", "postgresql://")
    if not url.startswith(schemes):
        raise ConfigError(
            f"{key}={url!r} is not a database URL M3 supports: use sqlite:///PATH or "
            "postgresql://USER:PASSWORD@HOST:PORT/NAME."
        )
    return url


def _check_facts_url(key: str, url: str) -> str:
    schemes = ("duckdb://", "postgres://", "postgresql://", "pyspark://")
    if not url.startswith(schemes):
        raise ConfigError(
            f"{key}={url!r} is not a facts store M3 supports: use duckdb:///PATH, "
            "postgresql://USER:PASSWORD@HOST:PORT/NAME or pyspark://local."
        )
    return url


def _check_time_zone(key: str, name: str) -> str:
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{key}={name!r} is not a time zone: use a name like Europe/Paris.") \
            from None
    return name


def _metrics_file(raw: str) -> Path | None:
    if not raw.strip():
        return None
    path = Path(raw).expanduser()
    if not path.is_file():
        raise ConfigError(f"M3_METRICS_FILE={raw!r} does not exist: give the path of your "
                          "metrics YAML, or leave it empty.")
    return path


def _secret_key(env: Mapping[str, str], data_dir: Path, debug: bool) -> str:
    key = env.get("M3_SECRET_KEY", "").strip()
    if not key:
        key_file = data_dir / SECRET_KEY_FILE
        if key_file.is_file():
            key = key_file.read_text(encoding="utf-8").strip()
        elif debug:
            return "m3-development-only-" + "x" * 40
        else:
            raise ConfigError(
                f"M3_SECRET_KEY is not set and {key_file} does not exist: run `m3 init` to "
                "create a key for local use, or set M3_SECRET_KEY to 50+ random characters."
            )
    placeholder = key.lower() in PLACEHOLDER_SECRETS or key.startswith("django-insecure")
    if (placeholder or len(key) < 32) and not debug:
        raise ConfigError(
            "M3_SECRET_KEY looks like a placeholder (or is shorter than 32 characters): set it "
            "to 50+ random characters, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    return key


def config_load(environ: Mapping[str, str] | None = None) -> Config:
    """Read and validate every `M3_*` setting; raise `ConfigError` naming the first bad key."""
    env = _env_with_dotenv(os.environ if environ is None else environ)
    unknown = sorted(k for k in env if k.startswith("M3_") and k not in SETTING_KEYS
                     and not k.startswith("M3_TEST_"))
    if unknown:
        known = ", ".join(sorted(SETTING_KEYS))
        raise ConfigError(f"Unknown setting {unknown[0]}: check its spelling (known: {known}).")

    def raw(key: str, data_dir: Path | None = None) -> str:
        default = next(s.default for s in SETTINGS if s.key == key)
        if data_dir is not None:
            default = default.replace("{data_dir}", str(data_dir))
        return env.get(key, default)

    data_dir = Path(raw("M3_DATA_DIR")).expanduser().resolve()
    debug = _parse_bool("M3_DEBUG", raw("M3_DEBUG"))
    hosts = tuple(h.strip() for h in raw("M3_ALLOWED_HOSTS").split(",") if h.strip())
    if not hosts:
        raise ConfigError("M3_ALLOWED_HOSTS is empty: list at least one host, e.g. localhost.")
    return Config(
        data_dir=data_dir,
        database_url=_check_database_url("M3_DATABASE_URL", raw("M3_DATABASE_URL", data_dir)),
        facts_url=_check_facts_url("M3_FACTS_URL", raw("M3_FACTS_URL", data_dir)),
        secret_key=_secret_key(env, data_dir, debug),
        debug=debug,
        allowed_hosts=hosts,
        facts_lock_timeout=_parse_positive_float(
            "M3_FACTS_LOCK_TIMEOUT", raw("M3_FACTS_LOCK_TIMEOUT")
        ),
        time_zone=_check_time_zone("M3_TIME_ZONE", raw("M3_TIME_ZONE")),
        log_file=Path(raw("M3_LOG_FILE", data_dir)),
        metrics_file=_metrics_file(raw("M3_METRICS_FILE")),
    )


def secret_key_create(data_dir: Path) -> Path:
    """Create DATA_DIR/secret_key with a random key unless it exists; return its path."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / SECRET_KEY_FILE
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path


