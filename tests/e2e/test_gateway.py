"""The gateway in front of the real services under `platform up`."""

from __future__ import annotations

import http.client
import json

from services.tts.mp3 import frames


def call(port: int, method: str, path: str, body=None, token: str | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    try:
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type"), response.read()
    finally:
        conn.close()


def test_one_address_reaches_every_service(stack):
    project = stack
    port = project.ports["gateway"]
    credentials = {"email": "alice@example.com", "password": "a good password 1"}
    assert call(port, "POST", "/auth/signup", credentials)[0] == 201
    signed_in = json.loads(call(port, "POST", "/auth/signin", credentials)[2])
    me, token = signed_in["user_id"], signed_in["token"]
    assert call(port, "POST", f"/order-ms/{me}/orders", {"coffee_name": "latte", "coffee_price": "4000", "coffee_qty": "1"})[0] == 401
    status, _, body = call(port, "POST", f"/order-ms/{me}/orders", {"coffee_name": "latte", "coffee_price": "4000", "coffee_qty": "1"}, token)
    assert status == 201 and json.loads(body)["total"] == 4000
    assert call(port, "GET", "/order-ms/someone-else/orders", token=token)[0] == 403
    status, _, body = call(port, "POST", "/tts", {"text": "through the gateway", "engine": "espeak"}, token)
    made = json.loads(body)
    status, content_type, audio = call(port, "GET", made["url"], token=token)
    assert status == 200 and content_type == "audio/mpeg" and len(list(frames(audio))) > 10
    status, _, body = call(port, "GET", "/health/all")
    assert {name: s["state"] for name, s in json.loads(body)["services"].items()} == {"orders": "ok", "delivery": "ok", "tts": "ok"}
    project.ok("stop", "tts")
    status, _, body = call(port, "POST", "/tts", {"text": "anyone there?"}, token)
    assert status == 503 and json.loads(body)["error"]["service"] == "tts"


def test_the_cli_signs_up_logs_in_and_goes_through_the_gateway(stack, tmp_path):
    import os
    import stat

    project = stack
    rows = project.status()
    assert {n: rows[n]["via_gateway"] for n in ("orders", "delivery", "tts")} == {"orders": "ok", "delivery": "ok", "tts": "ok"}
    assert project.ok("status").stdout.count("gateway") >= 2  # the column (beside the process state) and its row
    needs_login = project.run("order", "list")
    assert needs_login.returncode == 11 and needs_login.stderr.startswith("error: which user? give --user, or log in")
    signed_up = project.run("signup", "alice@example.com", "--password-stdin", input="alice's password 1\n")
    assert signed_up.returncode == 0 and "logged in as alice@example.com (customer)" in signed_up.stdout, signed_up.stderr
    # A user id to read and type, the original documents' USER0001, shown by whoami and taken by --user.
    assert "user id USER0001" in signed_up.stdout
    assert project.ok("whoami").stdout.strip() == "alice@example.com (customer), user id USER0001"
    assert json.loads(project.ok("order", "list", "--user", "USER0001", "--json").stdout)["orders"] == []
    token_file = project.data / "cli" / "token.json"
    assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600
    # Logs, records, user data and runtime state: no other local user's to read.
    for folder, _, files in os.walk(project.data):
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700, folder
        for name in files:
            path = os.path.join(folder, name)
            if not stat.S_ISSOCK(os.stat(path).st_mode):
                assert stat.S_IMODE(os.stat(path).st_mode) & 0o077 == 0, path
    order = json.loads(project.ok("order", "create", "--coffee", "latte", "--price", "4000", "--json").stdout)
    assert order["user_id"] == json.loads(token_file.read_text())["user_id"]
    said = json.loads(project.ok("tts", "say", "through the gateway", "-o", str(tmp_path / "g.mp3"), "--json").stdout)
    audio = (tmp_path / "g.mp3").read_bytes()
    assert len(audio) == said["bytes"] and len(list(frames(audio))) > 10
    refused = project.run("delivery", "list", "received")
    assert refused.returncode == 9 and "needs the staff role" in refused.stderr
    # A staff account, made on this machine only (the gateway's own add-staff), then used; what the
    # gateway's policy refuses is one error line, and no request is left.
    for email, password, said in (("boss@example.com", "password1234", "error: password is too easy to guess"),
                                  ("not-an-email", "the boss's password 2", "error: email must be an email address")):
        refused = project.run("user", "add", "--staff", email, "--password-stdin", input=f"{password}\n{password}\n")
        assert refused.returncode == 1 and refused.stderr.startswith(said) and refused.stderr.count("error:") == 1, refused.stderr
    assert not list((project.data / "gateway" / "inbox").glob("*.json"))
    added = project.ok("user", "add", "--staff", "Boss@Example.com", "--password-stdin", input="the boss's password 2\n")
    assert "staff account for Boss@Example.com" in added.stdout
    project.ok("login", "boss@example.com", "--password-stdin", input="the boss's password 2\n")
    from tests.helpers import wait_until

    wait_until(lambda: order["order_id"] in [d["order_id"] for d in json.loads(project.ok("delivery", "list", "received", "--json").stdout)["orders"]],
               what="the order in delivery, listed by staff")
    advanced = json.loads(project.ok("delivery", "advance", order["order_id"], "--user", order["user_id"], "--json").stdout)
    assert advanced["status"] == "brewing"
    wrong = project.run("login", "boss@example.com", "--password-stdin", input="not the password 3\n")
    assert wrong.returncode == 11
    project.ok("logout")
    after = project.run("order", "list", "--user", order["user_id"])
    assert after.returncode == 11 and "log in" in after.stderr
    nobody = project.run("whoami")
    assert nobody.returncode == 11 and nobody.stderr.startswith("error: not logged in")
