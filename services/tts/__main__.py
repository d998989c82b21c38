"""Run the tts service: `python -m services.tts` (platform gives it PORT and REDIS_URL)."""

from services.common.runner import serve
from services.tts import create_app

if __name__ == "__main__":
    serve(create_app(), [])
