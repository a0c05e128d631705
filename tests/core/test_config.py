"""Settings from the environment: every wrong value is named at start-up; the defaults need nothing."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.config import ConfigError, from_environment, load

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "mysql://x"),
        ("CYBERMASSIF_SMTP_PORT", "abc"),
        ("CYBERMASSIF_SMTP_PORT", "70000"),
        ("CYBERMASSIF_LOGIN_RATE_LIMIT", "ten per hour"),
        ("CYBERMASSIF_LOGIN_RATE_LIMIT_PER_ADDRESS", "lots"),
        ("CYBERMASSIF_SECRET_KEY", "too-short"),
        ("CYBERMASSIF_DEFAULT_LANGUAGE", "de"),
        ("CYBERMASSIF_SESSION_COOKIE_SECURE", "maybe"),
        ("CYBERMASSIF_PASSWORD_RESET_MAX_AGE", "-5"),
        ("CYBERMASSIF_RATELIMIT_STORAGE_URI", "memcached://x"),
        ("CYBERMASSIF_FOO", "bar"),
        ("CYBERMASSIF_SCRIPT_SANDBOX", "maybe"),
        ("CYBERMASSIF_JOB_LEASE_SECONDS", "soon"),
        ("CYBERMASSIF_XBLOCK_WAFFLE_FLAGS", "drag_and_drop_v2.grading ignore decoys"),
        ("CYBERMASSIF_XBLOCK_WAFFLE_FLAGS", "flag;drop"),
    ],
)
def test_a_bad_setting_is_named(name, value):
    with pytest.raises(ConfigError) as error:
        from_environment({name: value})
    assert name in str(error.value)


def test_every_bad_setting_is_named_at_once():
    with pytest.raises(ConfigError) as error:
        from_environment(
            {"CYBERMASSIF_SMTP_PORT": "abc", "CYBERMASSIF_FOO": "1", "DATABASE_URL": "mysql://x"}
        )
    message = str(error.value)
    assert all(name in message for name in ("CYBERMASSIF_SMTP_PORT", "CYBERMASSIF_FOO", "DATABASE_URL"))


def test_good_settings_are_parsed():
    values = from_environment(
        {
            "DATABASE_URL": "postgresql://u:p@db/cm",
            "CYBERMASSIF_SMTP_PORT": "25",
            "CYBERMASSIF_LOGIN_RATE_LIMIT": "5 per 10 minutes",
            "CYBERMASSIF_SESSION_COOKIE_SECURE": "yes",
            "CYBERMASSIF_SECRET_KEY": "k" * 32,
            "CYBERMASSIF_DEFAULT_LANGUAGE": "en",
            "CYBERMASSIF_SCRIPT_SANDBOX": "off",
            "CYBERMASSIF_JOB_LEASE_SECONDS": "90",
            "PATH": "/usr/bin",  # not ours: ignored
        }
    )
    assert values == {
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u:p@db/cm",
        "SMTP_PORT": 25,
        "LOGIN_RATE_LIMIT": "5 per 10 minutes",
        "SESSION_COOKIE_SECURE": True,
        "SECRET_KEY": "k" * 32,
        "BABEL_DEFAULT_LOCALE": "en",
        "SCRIPT_SANDBOX": False,
        "JOB_LEASE_SECONDS": 90,
    }


def test_empty_variables_are_ignored():
    assert from_environment({"CYBERMASSIF_SMTP_PORT": ""}) == {}


def test_load_generates_and_keeps_a_secret_key(tmp_path):
    first = load(tmp_path, None, {})
    second = load(tmp_path, None, {})
    assert len(first["SECRET_KEY"]) >= 32
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text().strip() == first["SECRET_KEY"]
    assert first["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'cybermassif.sqlite3'}"


def test_a_key_from_the_environment_wins_and_no_file_is_written(tmp_path):
    config = load(tmp_path, None, {"CYBERMASSIF_SECRET_KEY": "e" * 40})
    assert config["SECRET_KEY"] == "e" * 40
    assert not (tmp_path / "secret_key").exists()


def test_overrides_come_last(tmp_path):
    config = load(tmp_path, {"SMTP_PORT": 2525}, {"CYBERMASSIF_SMTP_PORT": "25"})
    assert config["SMTP_PORT"] == 2525


def test_load_refuses_a_bad_environment(tmp_path):
    with pytest.raises(ConfigError, match="CYBERMASSIF_SMTP_PORT"):
        load(tmp_path, None, {"CYBERMASSIF_SMTP_PORT": "abc"})


@pytest.mark.slow
def test_the_cli_refuses_to_start_with_a_bad_setting(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CYBERMASSIF_") and k != "DATABASE_URL"}
    env["CYBERMASSIF_SMTP_PORT"] = "abc"
    flask = Path(sys.executable).parent / "flask"
    result = subprocess.run(
        [str(flask), "--app", "wsgi", "routes"],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "CYBERMASSIF_SMTP_PORT" in result.stdout + result.stderr
