#!/usr/bin/env python3
"""Abusive clients for scripts/soak.sh: run against a wijkatlas server for DURATION
seconds and print one JSON line of what happened.

  python3 scripts/abusive_clients.py http://127.0.0.1:8080 60

- slowloris: SLOW connections that send half a request head and a header line now and
  then; each is reopened once the server closes it (the closes are counted);
- readers that never read: ask for every wijk and leave the answer unread;
- heavy: CPU-heavy filters, suggestions and CSV exports, HEAVY at a time (answers 200
  or 503 + Retry-After; anything else is counted as wrong);
- oversized: a 40 KB URL of repeated properties for every wijk as a page (each property
  once, or 400 over the response cap; never a page over 64 MB);
- /health is timed all along; the figures are its median and worst latency.

Only the standard library; loopback servers only (the caller checks).
"""

import json
import socket
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

if sys.argv[1] == "--judge":
    # Reads the JSON line from standard input and prints what went wrong, if anything.
    a = json.loads(sys.stdin.read() or "{}")
    limit = float(sys.argv[2])
    bad = []
    if not a:
        bad.append("the abusive clients reported nothing")
    else:
        if a["heavy_other"]:
            bad.append(f"{a['heavy_other']} heavy answers neither 200 nor 503")
        if a["oversized_other"]:
            bad.append(f"{a['oversized_other']} oversized pages neither bounded nor refused")
        if not a["slowloris_closed_by_server"]:
            bad.append("no slowloris connection was closed")
        if (a["health_max_ms"] or 1e9) > limit:
            bad.append(f"/health took up to {a['health_max_ms']} ms")
    print("; ".join(bad))
    sys.exit(0)

base = sys.argv[1].rstrip("/")
duration = float(sys.argv[2]) if len(sys.argv) > 2 else 60.0
SLOW = 100
HEAVY = 3
host, port = urllib.parse.urlsplit(base).hostname, urllib.parse.urlsplit(base).port
stop_at = time.time() + duration
lock = threading.Lock()
counts = {
    "slowloris_closed_by_server": 0,
    "unread_answers_closed_by_server": 0,
    "heavy_200": 0,
    "heavy_503": 0,
    "heavy_other": 0,
    "oversized_refused": 0,
    "oversized_answered": 0,
    "oversized_largest_bytes": 0,
    "oversized_other": 0,
}
health_ms = []


def count(key, n=1):
    with lock:
        counts[key] += n


def running():
    return time.time() < stop_at


def slowloris():
    conns = []
    while running():
        while len(conns) < SLOW and running():
            try:
                s = socket.create_connection((host, port), timeout=5)
                s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
                s.setblocking(False)
                conns.append(s)
            except OSError:
                time.sleep(0.2)
                break
        time.sleep(1)
        alive = []
        for s in conns:
            try:
                s.send(b"X-Slow: 1\r\n")
                try:
                    if s.recv(4096) == b"":
                        raise ConnectionError("closed")
                except BlockingIOError:
                    pass
                alive.append(s)
            except OSError:
                count("slowloris_closed_by_server")
                s.close()
        conns = alive
    for s in conns:
        s.close()


def never_reads():
    while running():
        try:
            s = socket.create_connection((host, port), timeout=5)
            s.sendall(b"GET /collections/wijken/items?limit=10000 HTTP/1.1\r\nHost: x\r\n\r\n")
            # Read nothing for a while, then see whether the server gave up on us.
            time.sleep(min(30, max(0, stop_at - time.time())))
            s.settimeout(2)
            try:
                while s.recv(1 << 16):
                    pass
                count("unread_answers_closed_by_server")
            except OSError:
                count("unread_answers_closed_by_server")
            s.close()
        except OSError:
            time.sleep(0.5)


def get(path, timeout=60):
    try:
        with urllib.request.urlopen(base + path, timeout=timeout) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        e.read()
        return e.code
    except OSError:
        return 0


def heavy_paths():
    terms = " OR ".join(f"naam LIKE '%q%z%{i}'" for i in range(500))
    return [
        "/collections/wijken/items?limit=1&filter=" + urllib.parse.quote(terms),
        "/collections/wijken/items?limit=10000&f=CSV",
        "/collections/wijken/items?limit=10000&f=%63sv",
        "/api/suggest?categorie=huisarts&n=20",
        "/collections/wijken/items?filter=naam%20LIKE%20%27" + "_" * 60000 + "%27",
    ]


def heavy():
    paths = heavy_paths()
    i = 0
    while running():
        status = get(paths[i % len(paths)])
        i += 1
        if status == 200:
            count("heavy_200")
        elif status == 503:
            count("heavy_503")
            time.sleep(1)
        else:
            count("heavy_other")


def oversized():
    """A 40 KB URL naming four properties over and over: the server names each once
    (a page of a few MB) or refuses a page over its cap (400); never hundreds of MB."""
    props = ("naam,inwoners,code,gemeentecode," * 1200)[:40000]
    path = "/collections/wijken/items?limit=10000&f=html&properties=" + props
    while running():
        try:
            with urllib.request.urlopen(base + path, timeout=60) as r:
                size = len(r.read())
                count("oversized_answered")
                with lock:
                    counts["oversized_largest_bytes"] = max(counts["oversized_largest_bytes"], size)
                if size > 64 << 20:
                    count("oversized_other")
        except urllib.error.HTTPError as e:
            e.read()
            count("oversized_refused" if e.code == 400 else "oversized_other")
        except OSError:
            count("oversized_other")
        time.sleep(2)


def health():
    while running():
        t = time.time()
        status = get("/health", timeout=30)
        ms = (time.time() - t) * 1000
        with lock:
            health_ms.append(ms if status == 200 else 30000.0)
        time.sleep(0.2)


threads = [threading.Thread(target=f) for f in [slowloris, never_reads, oversized, health]]
threads += [threading.Thread(target=heavy) for _ in range(HEAVY)]
for t in threads:
    t.start()
for t in threads:
    t.join()
health_ms.sort()
counts["health_samples"] = len(health_ms)
counts["health_median_ms"] = round(health_ms[len(health_ms) // 2], 1) if health_ms else None
counts["health_max_ms"] = round(health_ms[-1], 1) if health_ms else None
print(json.dumps(counts))
