"""Settings: defaults, validation that names the key, placeholder secrets refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from m3.config import SETTINGS, config_load, secret_key_create
from m3.errors import ConfigError


def test_defaults_put_everything_in_the_data_dir(tmp_path: Path) -> None:
    config = config_load({"M3_DATA_DIR": str(tmp_path), "M3_DEBUG": "1"})
    assert config.database_url == f"sqlite:///{tmp_path}/m3.sqlite3"
    assert config.facts_url == f"duckdb:///{tmp_path}/facts.duckdb"
    assert config.debug is True


@pytest.mark.parametrize(
    ("key", "value", "named"),
    [
        ("M3_DATABASE_URL", "mysql://x", "M3_DATABASE_URL"),
        ("M3_FACTS_URL", "sqlite:///x", "M3_FACTS_URL"),
        ("M3_DEBUG", "maybe", "M3_DEBUG"),
        ("M3_FACTS_LOCK_TIMEOUT", "-1", "M3_FACTS_LOCK_TIMEOUT"),
        ("M3_TIME_ZONE", "Mars/Olympus", "M3_TIME_ZONE"),
        ("M3_DATABSE_URL", "sqlite:///x", "M3_DATABSE_URL"),
    ],
)
def test_a_bad_setting_is_named_in_the_error(
    tmp_path: Path, key: str, value: str, named: str
) -> None:
    with pytest.raises(ConfigError, match=named):
        config_load({"M3_DATA_DIR": str(tmp_path), "M3_DEBUG": "1", key: value})


def test_outside_development_a_secret_key_is_required(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="m3 init"):
        config_load({"M3_DATA_DIR": str(tmp_path)})


def test_a_placeholder_secret_key_is_refused_outside_development(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="placeholder"):
        config_load({"M3_DATA_DIR": str(tmp_path), "M3_SECRET_KEY": "change-me"})
    assert config_load({"M3_DATA_DIR": str(tmp_path), "M3_SECRET_KEY": "change-me",
                        "M3_DEBUG": "1"}).secret_key == "change-me"


def test_init_creates_a_key_file_that_later_runs_use(tmp_path: Path) -> None:
    path = secret_key_create(tmp_path)
    key = path.read_text()
    assert len(key) >= 50 and oct(path.stat().st_mode)[-3:] == "600"
    assert config_load({"M3_DATA_DIR": str(tmp_path)}).secret_key == key
    assert secret_key_create(tmp_path).read_text() == key


def test_every_setting_is_documented() -> None:
    docs = (Path(__file__).parent.parent / "docs" / "settings.md").read_text(encoding="utf-8")
    missing = [s.key for s in SETTINGS if f"`{s.key}`" not in docs]
    assert not missing, f"document these settings in docs/settings.md: {missing}"
