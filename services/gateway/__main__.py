"""Run the gateway: `python -m services.gateway` (platform gives it PORT and each <NAME>_URL).

`python -m services.gateway add-staff EMAIL` (the password on stdin's first line, PLATFORM_DATA_DIR
as the gateway's) asks for a staff account on this machine (staff.py): what `platform user add
--staff` runs. It exits 0 when the request is left, 2 when the email or password is refused,
1 when the data dir cannot take it; the reason is one line on stderr.
"""

import argparse
import os
import sys
from pathlib import Path

GATEWAY_THREADS = 16


def add_staff(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.gateway add-staff",
                                     description="Ask the gateway for a staff account (the password on stdin).")
    parser.add_argument("email")
    email = parser.parse_args(argv).email
    from services.common.errors import ApiError
    from services.gateway.staff import request_staff

    password = sys.stdin.readline().rstrip("\r\n")
    try:
        request_staff(Path(os.environ.get("PLATFORM_DATA_DIR", "data")), email, password)
    except ApiError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"cannot leave the request: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["add-staff"]:
        sys.exit(add_staff(sys.argv[2:]))
    from services.common.runner import serve
    from services.gateway import create_app

    try:
        app = create_app()
    except ValueError as exc:  # a setting it cannot start with (a short signing key): one line, no traceback
        sys.exit(f"gateway: {exc}")
    # A proxy's thread spends most of a request waiting on its upstream, so the gateway needs as
    # many threads as requests it forwards at once: with the services' 8 it held every service's
    # queue short of work (bench/gateway.py, issue 19: order detail at 16 clients, 63 % of the
    # direct throughput with 8 threads, 82 % with 16, 79 % with 32; CPU per request unchanged).
    serve(app, [], threads=GATEWAY_THREADS)
