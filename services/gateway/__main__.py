"""Run the gateway: `python -m services.gateway` (platform gives it PORT and each <NAME>_URL)."""

from services.common.runner import serve
from services.gateway import create_app

if __name__ == "__main__":
    serve(create_app(), [])
