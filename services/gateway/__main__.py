"""Run the gateway: `python -m services.gateway` (platform gives it PORT and each <NAME>_URL)."""

import sys

from services.common.runner import serve
from services.gateway import create_app

if __name__ == "__main__":
    try:
        app = create_app()
    except ValueError as exc:  # a setting it cannot start with (a short signing key): one line, no traceback
        sys.exit(f"gateway: {exc}")
    serve(app, [])
