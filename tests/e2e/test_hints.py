"""Through the gateway, a down process is named in the error and the hint: the service behind
the gateway (exit 10, as README's exit codes say), or the gateway itself."""

from __future__ import annotations


def test_a_stopped_service_or_gateway_is_exit_10_with_a_hint_naming_it(stack):
    project = stack
    project.ok("signup", "hinted@example.com", "--password-stdin", input="a good password 1\n")
    project.ok("order", "list")

    project.ok("stop", "orders")
    behind = project.run("order", "list")
    assert behind.returncode == 10, behind.stderr
    assert behind.stderr.splitlines() == [
        "error: orders does not answer (the gateway says: orders is not reachable)",
        "hint: is it running? see `platform status orders`; start it with `platform start orders`",
    ]
    project.ok("start", "orders")
    project.ok("order", "list")

    project.ok("stop", "gateway")
    gateway = project.run("order", "list")
    assert gateway.returncode == 10, gateway.stderr
    url = f"http://127.0.0.1:{project.ports['gateway']}"
    assert gateway.stderr.splitlines() == [
        f"error: gateway does not answer at {url} (connection refused); it passes on the calls for orders",
        "hint: is it running? see `platform status gateway`; start it with `platform start gateway`",
    ]
    project.ok("start", "gateway")  # the hint's command does what it says
    project.ok("order", "list")
