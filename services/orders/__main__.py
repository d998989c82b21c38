"""Run the orders service: `python -m services.orders` (platform gives it PORT and REDIS_URL)."""

from services.common.runner import serve
from services.orders import create_app
from services.orders.events import make_workers

if __name__ == "__main__":
    app = create_app()
    serve(app, make_workers(app))
