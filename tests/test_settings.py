"""Client settings refuse what cannot work, naming the field, before any call."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapter.errors import ConfigurationError
from adapter.settings import ENDPOINTS, AuthProfile, ClientSettings, RetryPolicy, resolve_base_url


@pytest.mark.parametrize("name", ["uat", "production", "UAT"])
def test_the_guides_endpoints_are_built_in(name: str) -> None:
    assert resolve_base_url(name) == ENDPOINTS[name.lower()]


@pytest.mark.parametrize("value", ["https://a..b", "ftp://host", "https://host:port/", "uta"])
def test_a_base_url_that_cannot_be_reached_is_refused(value: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        resolve_base_url(value, field_name="endpoint")
    assert caught.value.field == "endpoint" and caught.value.value == value


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"attempts": 2.5}, "retries.attempts"),
        ({"attempts": 0}, "retries.attempts"),
        ({"base_delay": -1}, "retries.base_delay"),
        ({"max_delay": "8"}, "retries.max_delay"),
    ],
)
def test_retry_policies_are_whole_and_bounded(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        RetryPolicy(**changes)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_token_settings_check_the_token_url_and_hide_the_password() -> None:
    settings = ClientSettings(
        base_url="uat", username="REP1", password="s3cret", security=AuthProfile.TOKEN
    )
    assert settings.token_endpoint == f"{ENDPOINTS['uat']}/v2/token/"
    assert "s3cret" not in repr(settings)
    with pytest.raises(ConfigurationError) as caught:
        ClientSettings(
            base_url="uat",
            username="REP1",
            password="s3cret",
            security=AuthProfile.TOKEN,
            token_url=5,  # type: ignore[arg-type]
        )
    assert caught.value.field == "token_url"


def test_the_certificate_era_needs_a_certificate_and_an_existing_ca(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as caught:
        ClientSettings(base_url="uat", username="REP1", password="p")
    assert caught.value.field == "certificate"
    with pytest.raises(ConfigurationError) as caught:
        ClientSettings(
            base_url="uat",
            username="REP1",
            password="p",
            security=AuthProfile.TOKEN,
            ca_file=tmp_path / "missing.pem",
        )
    assert caught.value.field == "ca_file"
