"""Staff accounts asked for on this machine: the gateway's add-staff entry point writes what the
gateway reads (services/gateway/staff.py owns the inbox format; the CLI only runs the entry point)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from services.gateway import create_app

PASSWORD = "the boss's password 2"
pytestmark = pytest.mark.service


def add_staff(data_dir: Path, email: str, password: str) -> subprocess.CompletedProcess:
    """What `platform user add --staff` runs: this Python, the data dir in PLATFORM_DATA_DIR."""
    env = {**os.environ, "PLATFORM_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "-m", "services.gateway", "add-staff", email], input=password + "\n",
                          env=env, capture_output=True, text=True, timeout=60)


def sign_in(data_dir: Path, email: str, password: str):
    client = create_app({"DATA_DIR": str(data_dir), "UPSTREAMS": {}}).test_client()
    return client.post("/auth/signin", json={"email": email, "password": password})


def test_add_staff_leaves_a_private_request_the_gateway_applies_at_sign_in(tmp_path):
    done = add_staff(tmp_path, "  Boss@Example.com ", PASSWORD)
    assert (done.returncode, done.stderr) == (0, "")
    inbox = tmp_path / "gateway" / "inbox"
    [request] = list(inbox.iterdir())
    assert stat.S_IMODE(request.stat().st_mode) == 0o600 and stat.S_IMODE(inbox.stat().st_mode) == 0o700
    assert PASSWORD not in request.read_text(), "only the hash is kept"
    answer = sign_in(tmp_path, "boss@example.com", PASSWORD)  # the gateway's own normal form of the email
    assert answer.status_code == 200 and answer.get_json()["role"] == "staff", answer.get_json()
    assert list(inbox.iterdir()) == [], "an applied request is removed"


def test_add_staff_promotes_an_existing_customer_with_the_new_password(tmp_path):
    app = create_app({"DATA_DIR": str(tmp_path), "UPSTREAMS": {}})
    app.extensions["gateway.store"].users.add("carol@example.com", "carol's first password 1")
    assert add_staff(tmp_path, "carol@example.com", PASSWORD).returncode == 0
    client = app.test_client()
    assert client.post("/auth/signin", json={"email": "carol@example.com", "password": "carol's first password 1"}).status_code == 401
    answer = client.post("/auth/signin", json={"email": "carol@example.com", "password": PASSWORD}).get_json()
    assert answer["role"] == "staff" and answer["user_id"] == "USER0001"


@pytest.mark.parametrize(("email", "password", "said"), [
    ("boss@example.com", "short", "password must be at least 10 characters"),
    ("boss@example.com", "password1234", "password is too easy to guess"),
    ("not-an-email", PASSWORD, "email must be an email address"),
    ("boss\u202e@example.com", PASSWORD, "email must be an email address"),
])
def test_add_staff_refuses_what_signup_refuses_in_one_line_and_leaves_nothing(tmp_path, email, password, said):
    done = add_staff(tmp_path, email, password)
    assert done.returncode == 2 and done.stderr.startswith(said) and done.stderr.count("\n") == 1, done.stderr
    assert not (tmp_path / "gateway" / "inbox").exists() or not list((tmp_path / "gateway" / "inbox").iterdir())


def test_add_staff_names_a_data_dir_it_cannot_write(tmp_path):
    (tmp_path / "gateway").write_text("a file where the gateway's folder goes")
    done = add_staff(tmp_path, "boss@example.com", PASSWORD)
    assert done.returncode == 1 and done.stderr.startswith("cannot leave the request: ") and "Traceback" not in done.stderr


def test_a_request_the_gateway_cannot_read_is_set_aside_not_applied(tmp_path):
    inbox = tmp_path / "gateway" / "inbox"
    inbox.mkdir(parents=True)
    for name, text in (("1.json", "not json"), ("2.json", '["a list"]'), ("3.json", '{"email": "x@example.com", "password": 7}')):
        (inbox / name).write_text(text)
    assert sign_in(tmp_path, "x@example.com", PASSWORD).status_code == 401
    assert sorted(p.name for p in inbox.iterdir()) == ["1.rejected", "2.rejected", "3.rejected"]
