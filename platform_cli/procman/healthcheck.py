"""A probe as a command, for engines that check health by running one.

compose's `healthcheck` and systemd's `ExecStartPost=` run a program and read its exit status;
this module gives them the very probes `platform` uses (`health.check`), so a process is judged
healthy by the same rule on a laptop and in an export:

    python -m platform_cli.procman.healthcheck PROBE PORT [--wait SECONDS] [--password-from VAR] [--any-answer]

--password-from names the variable holding a Redis URL with the password (a systemd unit's
REDIS_URL, from its 0600 EnvironmentFile): the password never appears on a command line.
--any-answer: an http probe passes on any answer below 500, as the probe platform infers for a
command naming $PORT does (health.ProbeSpec.inferred); without it, 2xx or 3xx.

Exit 0 when the probe passes (at once, or within --wait seconds), else 1 with the reason on stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from urllib.parse import unquote, urlsplit

from platform_cli.procman.health import check, parse_probe


def wait_healthy(probe_text: str, port: int, wait: float, clock=time.monotonic, pause=time.sleep, password: str | None = None,
                 any_answer: bool = False) -> str | None:
    """None once the probe passes; the last failure's reason when `wait` seconds ran out.
    password: a redis probe's AUTH; any_answer: an inferred http probe (any answer below 500)."""
    probe = parse_probe(probe_text)._replace(inferred=any_answer)
    deadline = clock() + wait
    while True:
        result = check(probe, port, password=password)
        if result.ok is not False:  # None: a process without a probe is healthy while it runs
            return None
        if clock() >= deadline:
            return result.detail
        pause(min(0.2, max(0.0, deadline - clock())))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m platform_cli.procman.healthcheck", description=__doc__.splitlines()[0])
    parser.add_argument("probe", help="http[:/path] | tcp | redis | none")
    parser.add_argument("port", type=int)
    parser.add_argument("--wait", type=float, default=0.0, help="seconds to keep trying (default: one try)")
    parser.add_argument("--any-answer", action="store_true", help="http: any answer below 500 passes (default: 2xx or 3xx)")
    parser.add_argument("--password-from", metavar="VAR", help="a variable holding a redis://:password@... URL (redis probe)")
    args = parser.parse_args(argv)
    password = None
    if args.password_from:
        password = unquote(urlsplit(os.environ.get(args.password_from, "")).password or "") or None
        if password is None:
            print(f"error: {args.password_from} holds no URL with a password", file=sys.stderr)
            return 2
    try:
        reason = wait_healthy(args.probe, args.port, args.wait, password=password, any_answer=args.any_answer)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if reason is not None:
        print(f"unhealthy: {args.probe} on port {args.port}: {reason}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
