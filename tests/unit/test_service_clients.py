"""Which address a service command talks to, and as which user: clients/services.py and
clients/session.py choose, from a real project file and a real saved login."""

import pytest

from platform_cli.clients.services import make_service_client
from platform_cli.clients.session import Session, resolve_user
from platform_cli.errors import ConfigError, LoginNeededError
from platform_cli.procman.project import load_project

LOGIN = {"token": "t0k", "user_id": "u-7", "email": "a@example.com", "role": "customer", "expires_in": 60}


def _project(tmp_path, procfile: str):
    (tmp_path / "Procfile").write_text(procfile)
    return load_project(tmp_path / "Procfile", 5000, {})


def test_with_a_gateway_every_service_goes_through_it_with_the_login_token(tmp_path):
    project = _project(tmp_path, "gateway: python -m services.gateway --port $PORT\norders: python -m services.orders --port $PORT\n")
    session = Session(tmp_path / "data")
    session.save(LOGIN)
    client = make_service_client(project, session, "orders")
    assert (client.name, client.base_url, client.token, client.via) == ("orders", project.processes["gateway"].url, "t0k", "gateway")


def test_without_a_gateway_the_service_is_called_directly_without_a_token(tmp_path):
    project = _project(tmp_path, "orders: python -m services.orders --port $PORT\n")
    client = make_service_client(project, Session(tmp_path / "data"), "orders")
    assert (client.base_url, client.token, client.via) == (project.processes["orders"].url, None, None)


def test_a_service_missing_from_the_procfile_is_a_config_error(tmp_path):
    project = _project(tmp_path, "orders: python -m services.orders --port $PORT\n")
    with pytest.raises(ConfigError, match="no tts service"):
        make_service_client(project, Session(tmp_path / "data"), "tts")


def test_the_user_is_the_one_given_else_the_logged_in_one(tmp_path):
    session = Session(tmp_path / "data")
    with pytest.raises(LoginNeededError):
        resolve_user(session, None)
    session.save(LOGIN)
    assert resolve_user(session, None) == "u-7"
    assert resolve_user(session, "someone") == "someone"
