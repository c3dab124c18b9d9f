"""Client settings as the CLI reads them: a TOML file, then SMT_* variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapter.cli.config import load_client_settings
from adapter.errors import ConfigurationError
from adapter.settings import AuthProfile


def test_environment_paths_are_relative_to_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    etc, work = tmp_path / "etc", tmp_path / "work"
    etc.mkdir()
    work.mkdir()
    (work / "client.pem").write_text("-")
    (work / "client-key.pem").write_text("-")
    config = etc / "smt.toml"
    config.write_text('[client]\nusername = "REP1"\nendpoint = "production"\n')
    monkeypatch.chdir(work)

    settings = load_client_settings(
        config,
        {"SMT_PASSWORD": "p", "SMT_CERT_FILE": "client.pem", "SMT_KEY_FILE": "client-key.pem"},
    )

    assert settings.certificate is not None
    assert settings.certificate.cert_file == work / "client.pem"
    assert settings.base_url == "https://services.smartmetertexas.net"


def test_file_paths_are_relative_to_the_file_and_the_password_file_is_one_line(
    tmp_path: Path,
) -> None:
    (tmp_path / "secret").write_text("pass word\nignored\n")
    config = tmp_path / "smt.toml"
    config.write_text('[client]\nusername = "REP1"\nsecurity = "token"\npassword_file = "secret"\n')

    settings = load_client_settings(config, {})

    assert settings.password == "pass word" and settings.security is AuthProfile.TOKEN


@pytest.mark.parametrize(
    ("toml", "field"),
    [
        ('[client]\nusername = "A"\ncolour = "blue"\n', "client.colour"),
        ('[client]\nusername = "A"\n[client.retries]\nattempts = 2.5\n', "retries.attempts"),
        ('[client]\nusername = "A"\n[client.timeouts]\nread = "60"\n', "client.timeouts.read"),
        ('[client]\nusername = "A"\nsecurity = "open"\n', "security"),
        ('[client]\nusername = "A"\ncert_file = "missing.pem"\n', "client.cert_file"),
        ("[client\n", "config"),
    ],
)
def test_a_bad_setting_is_named(tmp_path: Path, toml: str, field: str) -> None:
    config = tmp_path / "smt.toml"
    config.write_text(toml)

    with pytest.raises(ConfigurationError) as caught:
        load_client_settings(config, {"SMT_PASSWORD": "p"})

    assert caught.value.field == field


def test_a_missing_password_says_where_to_put_it(tmp_path: Path) -> None:
    config = tmp_path / "smt.toml"
    config.write_text('[client]\nusername = "A"\nsecurity = "token"\n')

    with pytest.raises(ConfigurationError) as caught:
        load_client_settings(config, {})

    assert "SMT_PASSWORD" in str(caught.value)
