"""Gateway benchmark: order create and order detail through the gateway vs straight to orders.

redis, orders, delivery, tts and the gateway under `platform up` on free ports. Same run, same
requests: 16 concurrent clients, interleaved rounds of direct and gateway. Requests per second
and p50/p99 latency (the gateway checks the JWT on every request).

    .venv/bin/python bench/gateway.py [--requests 800] [--rounds 2]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.load import run_concurrently  # noqa: E402
from tests.helpers import free_port  # noqa: E402

CLIENTS = 16


class Client:
    """One keep-alive connection per thread, as a real client would hold."""

    def __init__(self, port: int, token: str | None):
        self.local = threading.local()
        self.port, self.headers = port, {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}

    def call(self, method: str, path: str, body=None) -> tuple[int, bytes]:
        conn = getattr(self.local, "conn", None) or http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        self.local.conn = conn
        try:
            conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=self.headers)
            response = conn.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException):
            self.local.conn = None
            raise


def load(client: Client, method: str, path_of, body, count: int) -> tuple[float, list[float]]:
    return run_concurrently(lambda i: client.call(method, path_of(i), body)[0], count, CLIENTS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=800)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    names = ("redis", "orders", "delivery", "tts", "gateway")
    ports = {n: free_port() for n in names}
    with tempfile.TemporaryDirectory(prefix="platform-gwbench-") as tmp:
        root = Path(tmp)
        (root / "Procfile").write_text("".join(f"{n}: python -m services.{n}\n" for n in names))
        (root / "platform.toml").write_text(
            f'[redis]\nprobe = "redis"\nport = {ports["redis"]}\n'
            + "".join(f'[{n}]\nprobe = "http:/health"\nport = {ports[n]}\ndepends_on = ["redis"]\n' for n in ("orders", "delivery", "tts"))
            + f'[gateway]\nprobe = "http:/health"\nport = {ports["gateway"]}\ndepends_on = ["orders", "delivery", "tts"]\n'
        )
        platform = [str(Path(sys.executable).parent / "platform")]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PLATFORM_")}
        subprocess.run(platform + ["up"], cwd=root, env=env, check=True, stdout=subprocess.DEVNULL)
        try:
            anon = Client(ports["gateway"], None)
            creds = {"email": "bench@example.com", "password": "bench password 1"}
            anon.call("POST", "/auth/signup", creds)
            signed = json.loads(anon.call("POST", "/auth/signin", creds)[1])
            user, token = signed["user_id"], signed["token"]
            direct, gateway = Client(ports["orders"], None), Client(ports["gateway"], token)
            body = {"coffee_name": "latte", "coffee_price": "4000", "coffee_qty": "1"}
            order_id = json.loads(direct.call("POST", f"/order-ms/{user}/orders", body)[1])["order_id"]
            results = {(kind, way): ([], []) for kind in ("create", "detail") for way in ("direct", "gateway")}
            for _ in range(args.rounds):
                for way, client in (("direct", direct), ("gateway", gateway)):
                    rate, lat = load(client, "POST", lambda i: f"/order-ms/{user}/orders", body, args.requests)
                    results[("create", way)][0].append(rate)
                    results[("create", way)][1].extend(lat)
                    rate, lat = load(client, "GET", lambda i: f"/order-ms/{user}/orders/{order_id}", None, args.requests)
                    results[("detail", way)][0].append(rate)
                    results[("detail", way)][1].extend(lat)
        finally:
            subprocess.run(platform + ["down"], cwd=root, env=env, stdout=subprocess.DEVNULL)
    print("| request | way | requests/s (16 clients) | p50 | p99 |")
    print("|---|---|---|---|---|")
    summary = {}
    for (kind, way), (rates, lat) in results.items():
        lat.sort()
        rate, p50, p99 = statistics.median(rates), statistics.median(lat) * 1000, lat[int(len(lat) * 0.99) - 1] * 1000
        summary[(kind, way)] = (rate, p50)
        print(f"| {kind} | {way} | {rate:.0f} | {p50:.2f} ms | {p99:.2f} ms |")
    for kind in ("create", "detail"):
        (dr, dp), (gr, gp) = summary[(kind, "direct")], summary[(kind, "gateway")]
        print(f"{kind}: the gateway keeps {100 * gr / dr:.0f}% of the direct throughput and adds {gp - dp:.2f} ms at p50")
    print(f"command: {' '.join(shlex.quote(a) for a in [sys.executable, *sys.argv])}")


if __name__ == "__main__":
    main()
