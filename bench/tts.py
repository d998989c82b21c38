"""TTS benchmark: espeak synthesis + MP3 encoding, and the tts service's latency and throughput.

1. In-process: espeak-ng synthesis + lameenc encoding of 100 and 1,000 characters (median of 10);
   and cold synthesis throughput with the engine serialised under a lock in one process (what the
   service does) beside a pool of worker processes, one engine each, on the same 40 texts.
2. HTTP, the tts service under `platform up` (redis too, free ports; Google unreachable, so
   auto -> espeak): cache-hit latency p50/p99 (1 client), requests per second with 8 concurrent
   clients, cold (all different texts) and cached (the same texts again); with espeak in the
   service process and in 2 worker processes (TTS_ESPEAK_WORKERS), twice each, interleaved.

    .venv/bin/python bench/tts.py
"""

from __future__ import annotations

import http.client
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.load import LoadError  # noqa: E402
from services.tts.engines import Espeak  # noqa: E402
from tests.helpers import free_port  # noqa: E402

SENTENCE = "The quick brown fox jumps over the lazy dog while the coffee brews. "
_worker_engine = None


def text_of(length: int, salt: str = "") -> str:
    return (salt + SENTENCE * (length // len(SENTENCE) + 1))[:length]


def _in_worker(text: str) -> int:
    global _worker_engine
    _worker_engine = _worker_engine or Espeak()
    return len(_worker_engine.speak(text, "en", False).audio)


def in_process() -> list[str]:
    engine = Espeak()
    engine.speak("warm up", "en", False)
    lines = []
    for length in (100, 1000):
        times = []
        for i in range(10):
            start = time.perf_counter()
            engine.speak(text_of(length, str(i)), "en", False)
            times.append(time.perf_counter() - start)
        lines.append(f"espeak synthesis + MP3 encoding, {length:,} characters: median {statistics.median(times) * 1000:.1f} ms")
    texts = [text_of(300, f"text {i}. ") for i in range(40)]
    start = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:  # 8 request threads, one engine behind a lock
        list(pool.map(lambda t: engine.speak(t, "en", False), texts))
    locked = len(texts) / (time.perf_counter() - start)
    with ProcessPoolExecutor(os.cpu_count() or 2) as pool:
        list(pool.map(_in_worker, ["warm up"] * (os.cpu_count() or 2)))
        start = time.perf_counter()
        list(pool.map(_in_worker, texts))
        pooled = len(texts) / (time.perf_counter() - start)
    lines.append(f"cold syntheses/s, 300 characters each: one engine under a lock {locked:.1f}/s, "
                 f"{os.cpu_count()} worker processes {pooled:.1f}/s (ratio {pooled / locked:.2f})")
    return lines


def post(port: int, body: dict) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", "/tts", body=json.dumps(body), headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        data = json.loads(response.read())
        if response.status != 201:
            raise LoadError(f"POST /tts answered HTTP {response.status}: {data}; this run gives no figure")
        return data
    finally:
        conn.close()


def rate(port: int, bodies: list[dict], clients: int = 8) -> float:
    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(lambda b: post(port, b), bodies))
    return len(bodies) / (time.perf_counter() - start)


def over_http(tmp: Path, workers: int, round_: int) -> list[str]:
    root = tmp / f"project-{workers}-{round_}"
    root.mkdir()
    ports = {"redis": free_port(), "tts": free_port()}
    (root / "Procfile").write_text("redis: python -m services.redis\ntts: python -m services.tts\n")
    (root / "platform.toml").write_text(f'[redis]\nprobe = "redis"\nport = {ports["redis"]}\n'
                                        f'[tts]\nprobe = "http:/health"\nport = {ports["tts"]}\ndepends_on = ["redis"]\n')
    (root / ".env").write_text(f"GTTS_TIMEOUT=1\nTTS_ESPEAK_WORKERS={workers}\n")
    platform = [str(Path(sys.executable).parent / "platform")]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLATFORM_")}
    subprocess.run(platform + ["up"], cwd=root, env=env, check=True, stdout=subprocess.DEVNULL)
    try:
        port = ports["tts"]
        post(port, {"text": "hit me", "engine": "espeak"})
        hits = []
        for _ in range(300):
            start = time.perf_counter()
            if not post(port, {"text": "hit me", "engine": "espeak"})["cached"]:
                raise LoadError("a repeated text was not served from the cache; this run gives no figure")
            hits.append(time.perf_counter() - start)
        hits.sort()
        bodies = [{"text": text_of(200, f"request {i}. "), "engine": "espeak"} for i in range(80)]
        cold = rate(port, bodies)
        cached = rate(port, bodies)
        how = f"espeak in {workers} worker processes" if workers else "espeak in the service process, under a lock"
        return [
            f"[{how}] cache hit over HTTP (300 requests, 1 client): p50 {statistics.median(hits) * 1000:.2f} ms,"
            f" p99 {hits[296] * 1000:.2f} ms",
            f"[{how}] requests/s with 8 concurrent clients, 200 characters each: cold {cold:.1f}/s, cached {cached:.1f}/s",
        ]
    finally:
        subprocess.run(platform + ["down"], cwd=root, env=env, stdout=subprocess.DEVNULL)


def main() -> None:
    lines = in_process()
    with tempfile.TemporaryDirectory(prefix="platform-ttsbench-") as tmp:
        for round_, workers in enumerate((0, 2, 0, 2)):  # interleaved, twice: machines here are noisy
            lines += over_http(Path(tmp), workers, round_)
    print("\n".join(lines))
    print(f"command: {' '.join(shlex.quote(a) for a in [sys.executable, *sys.argv])}")


if __name__ == "__main__":
    main()
