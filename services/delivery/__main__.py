"""Run the delivery service: `python -m services.delivery` (platform gives it PORT and REDIS_URL)."""

from services.common.runner import serve
from services.delivery import create_app
from services.delivery.events import make_workers

if __name__ == "__main__":
    app = create_app()
    serve(app, make_workers(app))
