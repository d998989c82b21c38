"""A small Flask service for benchmarks: GET /health, served by waitress on $PORT."""

import os

from flask import Flask, jsonify
from waitress import serve

app = Flask(__name__)


@app.get("/health")
def health():
    return jsonify(status="ok")


if __name__ == "__main__":
    serve(app, host="127.0.0.1", port=int(os.environ["PORT"]), threads=4, _quiet=True)
