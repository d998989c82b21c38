"""Gateway benchmark: order create and order detail through the gateway vs straight to orders,
with nginx as a reverse proxy on the same upstream beside them.

redis, orders, delivery, tts and the gateway under `platform up` on free ports; nginx (Debian's
`nginx`: `apt-get install -y nginx`; the column is skipped with a message when it is missing)
runs as this user from a temp config: no daemon, its pid and logs in a temp dir, `access_log
off`, one worker (the gateway is one process too), listening on 127.0.0.1 and passing to orders
over keep-alive upstream connections. It only forwards: no token check, no Host check, no
access log, which the gateway does on every request; it shows what a proxy costs at the least.

Same run, same requests: 16 concurrent clients with keep-alive connections, rounds interleaved
(direct, gateway, nginx, then again), requests per second and p50/p99 latency. A way's ratio to
direct is taken within each round and given as the median (min–max) over the rounds. Added p50
is given twice: under the 16 clients' load (mostly queueing) and for one client alone (what a
proxy adds to a request when nothing waits).

CPU per request, from /proc (user + system time over the 16-client runs): the proxy's own
(gateway, or nginx's master and worker) and all the parts' (orders, the proxy, supervisord, which
reads every log line, and this load generator). On a machine shared with other work the
throughput ratio swings with whatever else runs; the ratio of the parts' CPU per request (direct's
over the way's) is what the throughput ratio comes to when the CPUs are the limit, and it holds
still from run to run.

    .venv/bin/python bench/gateway.py [--requests 800] [--rounds 5] [--lone 300]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.load import run_concurrently  # noqa: E402
from tests.helpers import free_port, port_is_listening  # noqa: E402

CLIENTS = 16
KINDS = ("create", "detail")
NGINX_HINT = "nginx is not installed: `apt-get install -y nginx` (Debian) to add its column"
NGINX_CONF = """\
{user}worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    upstream orders {{
        server 127.0.0.1:{upstream};
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://orders;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
        }}
    }}
}}
"""


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


def load(client: Client, method: str, path_of, body, count: int, clients: int = CLIENTS) -> tuple[float, list[float]]:
    return run_concurrently(lambda i: client.call(method, path_of(i), body)[0], count, clients)


def cpu_seconds(pid: int, children: bool = False) -> float:
    """User + system CPU time of a process (and of its running children: nginx's worker)."""
    def own(p: int) -> float:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    kids = []
    for task in Path(f"/proc/{pid}/task").glob("*/children") if children else ():
        with contextlib.suppress(OSError):
            kids += [int(c) for c in task.read_text().split()]
    return own(pid) + sum(own(c) for c in kids)


@contextlib.contextmanager
def nginx_proxy(upstream: int):
    """nginx in front of 127.0.0.1:upstream, on a free port it yields; None when nginx is missing."""
    binary = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)
    if binary is None:
        yield None
        return
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="platform-gwbench-nginx-") as tmp:
        # Run as root (a container), nginx's workers would switch to `nobody`, who cannot write the temp dir.
        user = "user root;\n" if os.geteuid() == 0 else ""
        conf = Path(tmp) / "nginx.conf"
        conf.write_text(NGINX_CONF.format(user=user, tmp=tmp, upstream=upstream, port=port))
        proc = subprocess.Popen([binary, "-p", tmp, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 10
            while not port_is_listening(port):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not start: {proc.stderr.read().decode(errors='replace').strip()}")
                time.sleep(0.02)
            yield port, proc.pid
        finally:
            proc.send_signal(signal.SIGQUIT)  # graceful: finish what is in flight, then exit
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def spread(values: list[float], fmt: str = "{:.0f}") -> str:
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def percentile(lat: list[float], q: float) -> float:
    lat = sorted(lat)
    return lat[max(0, int(len(lat) * q) - 1)] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=800, help="requests per way, kind and round (16 clients)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--lone", type=int, default=300, help="requests per way and kind from one client alone")
    args = parser.parse_args()
    names = ("redis", "orders", "delivery", "tts", "gateway")
    ports = {n: free_port() for n in names}
    with tempfile.TemporaryDirectory(prefix="platform-gwbench-") as tmp, contextlib.ExitStack() as stack:
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
        stack.callback(subprocess.run, platform + ["down"], cwd=root, env=env, stdout=subprocess.DEVNULL)
        nginx = stack.enter_context(nginx_proxy(ports["orders"]))
        listed = json.loads(subprocess.run(platform + ["status", "--json"], cwd=root, env=env, capture_output=True, text=True, check=True).stdout)
        pids = {row["name"]: row["pid"] for row in listed}
        pids["supervisord"] = int(Path(f"/proc/{pids['gateway']}/stat").read_text().rsplit(")", 1)[1].split()[1])
        pids["load generator"] = os.getpid()
        if nginx is not None:
            pids["nginx"] = nginx[1]
        proxy_of = {"direct": None, "gateway": "gateway", "nginx": "nginx"}
        parts = ("orders", "supervisord", "load generator")
        anon = Client(ports["gateway"], None)
        creds = {"email": "bench@example.com", "password": "bench password 1"}
        anon.call("POST", "/auth/signup", creds)
        signed = json.loads(anon.call("POST", "/auth/signin", creds)[1])
        user, token = signed["user_id"], signed["token"]
        ways = {"direct": Client(ports["orders"], None), "gateway": Client(ports["gateway"], token)}
        if nginx is not None:
            ways["nginx"] = Client(nginx[0], None)
        body = {"coffee_name": "latte", "coffee_price": "4000", "coffee_qty": "1"}
        order_id = json.loads(ways["direct"].call("POST", f"/order-ms/{user}/orders", body)[1])["order_id"]
        requests = {"create": ("POST", f"/order-ms/{user}/orders", body), "detail": ("GET", f"/order-ms/{user}/orders/{order_id}", None)}
        rates = {(k, w): [] for k in KINDS for w in ways}
        lat = {(k, w): [] for k in KINDS for w in ways}
        lone = {(k, w): [] for k in KINDS for w in ways}
        cpu = {(k, w): {"proxy": 0.0, "all": 0.0, "count": 0} for k in KINDS for w in ways}
        for _way, client in ways.items():  # warm every connection pool and code path once
            for method, path, payload in requests.values():
                load(client, method, lambda i, p=path: p, payload, 4 * CLIENTS)
        for _ in range(args.rounds):
            for kind, (method, path, payload) in requests.items():
                for way, client in ways.items():
                    watched = [*parts, *([proxy_of[way]] if proxy_of[way] else [])]
                    before = {n: cpu_seconds(pids[n], n == "nginx") for n in watched}
                    rate, took = load(client, method, lambda i, p=path: p, payload, args.requests)
                    spent = {n: cpu_seconds(pids[n], n == "nginx") - before[n] for n in watched}
                    used = cpu[(kind, way)]
                    used["proxy"] += spent.get(proxy_of[way], 0.0) if proxy_of[way] else 0.0
                    used["all"] += sum(spent.values())
                    used["count"] += args.requests
                    rates[(kind, way)].append(rate)
                    lat[(kind, way)].extend(took)
                    lone[(kind, way)].extend(load(client, method, lambda i, p=path: p, payload, args.lone // args.rounds or 1, 1)[1])
    print("| request | way | requests/s (16 clients) | of direct | p50 | p99 | added p50 | one client alone: p50 | added "
          "| proxy CPU/request | all parts' CPU/request | CPU-bound: of direct |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for kind in KINDS:
        for way in ways:
            ratios = [100 * r / d for r, d in zip(rates[(kind, way)], rates[(kind, "direct")], strict=True)]
            p50, p99, alone = percentile(lat[(kind, way)], 0.5), percentile(lat[(kind, way)], 0.99), percentile(lone[(kind, way)], 0.5)
            base, base_alone = percentile(lat[(kind, "direct")], 0.5), percentile(lone[(kind, "direct")], 0.5)
            added = "" if way == "direct" else f"{p50 - base:+.2f} ms"
            added_alone = "" if way == "direct" else f"{alone - base_alone:+.2f} ms"
            used, direct_used = cpu[(kind, way)], cpu[(kind, "direct")]
            per, direct_per = 1000 * used["all"] / used["count"], 1000 * direct_used["all"] / direct_used["count"]
            proxy = "" if way == "direct" else f"{1000 * used['proxy'] / used['count']:.2f} ms"
            bound = "" if way == "direct" else f"{100 * direct_per / per:.0f} %"
            print(f"| {kind} | {way} | {spread(rates[(kind, way)])} | {'' if way == 'direct' else spread(ratios) + ' %'} "
                  f"| {p50:.2f} ms | {p99:.2f} ms | {added} | {alone:.2f} ms | {added_alone} | {proxy} | {per:.2f} ms | {bound} |")
    if nginx is None:
        print(NGINX_HINT)
    print(f"rounds: {args.rounds}, interleaved; {args.requests} requests per way, kind and round from {CLIENTS} clients; "
          f"{args.lone} from one client alone")
    print(f"command: {' '.join(shlex.quote(a) for a in [sys.executable, *sys.argv])}")


if __name__ == "__main__":
    main()
