"""direct.py - requests sent straight to an SSM backend, bypassing the provider: the
backend's own ceiling next to what the provider achieves (bench.py rows 5 and 7)."""

import http.client
import threading
import time


def post_all(port, op, bodies, parallelism, check=None):
    """POST every body (JSON bytes) as SSM operation `op` to 127.0.0.1:`port`, from
    `parallelism` keep-alive connections (unsigned: the emulator runs without
    --check-sigv4). check(i, data) -> bool marks an answer wrong besides a non-200
    status. Returns wall seconds; raises if any answer was wrong."""
    lock = threading.Lock()
    idx = {"i": 0}
    errors = []

    def worker():
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                i = idx["i"]
                idx["i"] += 1
            if i >= len(bodies):
                break
            c.request("POST", "/", body=bodies[i], headers={
                "X-Amz-Target": "AmazonSSM." + op,
                "Content-Type": "application/x-amz-json-1.1"})
            r = c.getresponse()
            data = r.read()
            if r.status != 200 or (check and not check(i, data)):
                errors.append((r.status, data[:200]))
        c.close()

    threads = [threading.Thread(target=worker) for _ in range(parallelism)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    if errors:
        raise RuntimeError("direct %s calls failed: %r" % (op, errors[:3]))
    return wall
