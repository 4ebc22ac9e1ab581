"""Requests per second against a real server: gunicorn on 127.0.0.1 with 2 workers, and a small
threaded load generator (http.client, one connection per request, as gunicorn's sync workers
close it anyway) holding 8 requests in flight for a fixed time."""

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """`gunicorn bench.wsgi -w 2 -b 127.0.0.1:PORT` with the bench environment, for a `with`."""

    def __init__(self, env, workers=2):
        self.env = env
        self.port = free_port()
        self.workers = workers
        self.process = None

    def __enter__(self):
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [
            str(gunicorn),
            "bench.wsgi:application",
            "-w",
            str(self.workers),
            "-b",
            f"127.0.0.1:{self.port}",
            "--log-level",
            "warning",
        ]
        self.process = subprocess.Popen(command, env=self.env, cwd=os.getcwd())  # noqa: S603 - our own command
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited at start")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def get(port, path, cookie):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def load(port, path, cookie, seconds, connections=8):
    """Requests per second and latency percentiles of `path` with `connections` in flight."""
    # Warm every worker: as many requests at once as there are connections, so that a worker
    # busy with one leaves the next to another (three requests one after the other could all
    # reach one worker, and the other then computed the province's cold dashboard, 13 s, inside
    # the measured seconds: 10.6 req/s on a run whose warm dashboard answers in 25 ms).
    warming = [0] * connections

    def warm(index):
        warming[index] = get(port, path, cookie)

    threads = [threading.Thread(target=warm, args=(index,)) for index in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if any(status != 200 for status in warming):
        raise RuntimeError(f"GET {path} answered {sorted(set(warming))}")
    latencies, failures = [], []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def worker():
        mine, bad = [], 0
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            try:
                status = get(port, path, cookie)
            except OSError:
                status = 0
            mine.append(time.perf_counter() - started)
            bad += status != 200
        with lock:
            latencies.extend(mine)
            failures.append(bad)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)

    def pct(fraction):
        return round(ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000, 1)

    return {
        "requests": len(ordered),
        "failures": sum(failures),
        "seconds": round(elapsed, 2),
        "rps": round(len(ordered) / elapsed, 1),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
    }
