"""The mock's settings from a TOML [mock] table: every bad value is refused with the
setting's full name, the value and the rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from adapter.errors import ConfigurationError
from adapter.mock.config import SecurityProfile, settings_from_mapping


def test_a_full_table_builds_frozen_settings(tmp_path: Path) -> None:
    for name in ("server.pem", "server-key.pem", "ca.pem"):
        (tmp_path / name).write_text("x")
    settings = settings_from_mapping(
        {
            "host": "127.0.0.1",
            "port": 9443,
            "security": "token",
            "seed": 7,
            "today": "2024-03-11",
            "state_file": "state.sqlite",
            "tls": {
                "cert_file": "server.pem",
                "key_file": "server-key.pem",
                "client_ca_file": "ca.pem",
            },
            "token": {"lifetime_seconds": 600},
            "accounts": [
                {"service_id": "REP1", "password": "p", "requester_type": "REP", "esiids": 3}
            ],
            "scenarios": {
                "operations": {"processIntervalEnergyData": "http-503"},
                "delay_seconds": 1,
                "times": 1,
            },
        },
        base_dir=tmp_path,
    )
    assert settings.security is SecurityProfile.TOKEN and settings.port == 9443
    assert settings.state_file == tmp_path / "state.sqlite"
    assert settings.accounts[0].esiid_count == 3
    assert settings.scenarios.operations == {"processIntervalEnergyData": "http-503"}
    assert settings.scenarios.times == 1


@pytest.mark.parametrize(
    ("table", "field"),
    [
        ({"colour": "blue"}, "mock.colour"),
        ({"port": 70000}, "mock.port"),
        ({"port": "8443"}, "mock.port"),
        ({"security": "open"}, "mock.security"),
        ({"today": "yesterday"}, "mock.today"),
        ({"accounts": [{"service_id": "A B", "password": "p"}]}, "mock.accounts[0].service_id"),
        ({"accounts": [{"service_id": "A"}]}, "mock.accounts[0].password"),
        ({"scenarios": {"default": "meteor"}}, "mock.scenarios.default"),
        ({"scenarios": {"times": 0}}, "mock.scenarios.times"),
        ({"token": {"secret": "short"}}, "mock.token.secret"),
        ({"tls": {"cert_file": "missing.pem"}}, "mock.tls.cert_file"),
    ],
)
def test_bad_setting_is_refused_with_its_full_name(
    tmp_path: Path, table: dict[str, Any], field: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        settings_from_mapping(table, base_dir=tmp_path)
    assert caught.value.field == field
    assert field in str(caught.value)


def test_misspelt_key_is_named_but_its_value_never_shown(tmp_path: Path) -> None:
    table = {"accounts": [{"service_id": "A", "password": "p", "pasword": "hunter2"}]}
    with pytest.raises(ConfigurationError) as caught:
        settings_from_mapping(table, base_dir=tmp_path)
    assert caught.value.field == "mock.accounts[0].pasword"
    assert "hunter2" not in str(caught.value)


def test_listed_esiid_that_is_not_17_to_64_digits_is_refused(tmp_path: Path) -> None:
    table = {"accounts": [{"service_id": "A", "password": "p", "esiids": ["abc"]}]}
    with pytest.raises(ConfigurationError) as caught:
        settings_from_mapping(table, base_dir=tmp_path)
    assert caught.value.field == "mock.accounts[0].esiids"
    assert "'abc'" in str(caught.value) or "abc" in str(caught.value)


def test_token_secret_never_appears_in_the_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as caught:
        settings_from_mapping({"token": {"secret": "hunter2"}}, base_dir=tmp_path)
    assert "hunter2" not in str(caught.value)


def test_a_secret_of_the_wrong_type_is_refused_without_showing_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as caught:
        settings_from_mapping({"token": {"secret": ["hunter2"]}}, base_dir=tmp_path)
    assert caught.value.field == "mock.token.secret"
    assert "hunter2" not in str(caught.value)


def test_settings_never_show_passwords_or_the_token_secret() -> None:
    from adapter.mock.config import MockSettings

    shown = repr(MockSettings(token_secret="s" * 40))
    assert "smt-mock-CSPAPIUser1" not in shown and "s" * 40 not in shown
