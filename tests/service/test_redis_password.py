"""A service reaches a password-protected Redis whether the password is inside REDIS_URL (under
platform) or apart in REDIS_PASSWORD (an exported container, where it comes from a secret)."""

import pytest
import redis

from services.common.streams import connect

PASSWORD = "export-generated-password-0123456789"


@pytest.fixture
def locked_redis(own_redis):
    # A raw redis-server of the test's own: CONFIG is not disabled on it, so a password can be set.
    connect(own_redis.url).config_set("requirepass", PASSWORD)
    return own_redis


def test_the_password_comes_from_redis_password_when_the_url_has_none(locked_redis):
    assert connect(locked_redis.url, PASSWORD).ping()
    with pytest.raises(redis.AuthenticationError):
        connect(locked_redis.url).ping()


def test_a_password_in_the_url_wins_over_redis_password(locked_redis):
    with_password = locked_redis.url.replace("redis://", f"redis://:{PASSWORD}@", 1)
    assert connect(with_password, "not-the-password").ping()


def test_a_service_app_reads_redis_password_from_its_environment(locked_redis, monkeypatch, tmp_path):
    from services.tts import create_app

    monkeypatch.setenv("REDIS_URL", locked_redis.url)
    monkeypatch.setenv("REDIS_PASSWORD", PASSWORD)
    app = create_app({"DATA_DIR": str(tmp_path)})
    assert app.extensions["tts.store"].cache.client.ping()  # the client tts itself made


def test_the_healthcheck_command_authenticates_with_the_password_from_a_named_url(locked_redis, monkeypatch, capsys):
    # What an exported systemd unit's ExecStartPost runs: the password stays off its command line.
    from platform_cli.procman.healthcheck import main

    port = str(locked_redis.port)
    monkeypatch.setenv("REDIS_URL", locked_redis.url.replace("redis://", f"redis://:{PASSWORD}@", 1))
    assert main(["redis", port, "--password-from", "REDIS_URL"]) == 0
    assert main(["redis", port]) == 1  # NOAUTH
    monkeypatch.setenv("REDIS_URL", locked_redis.url)
    assert main(["redis", port, "--password-from", "REDIS_URL"]) == 2
    assert "REDIS_URL holds no URL with a password" in capsys.readouterr().err
