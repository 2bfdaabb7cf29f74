#!/usr/bin/env python3
"""The client side of bench/scale.sh: links connections and times the list calls, with keep-alive, standard library only.

  scale_client.py link  <base-url> <key> <from> <to>     links c-<from> .. c-<to - 1>, end user u-<i % 100>
  scale_client.py time  <base-url> <key> <path> <runs>   prints "p50 p95" in milliseconds (after 3 unmeasured calls)
  scale_client.py proxy <base-url> <key> <connection id>  one GET /proxy/v1/projects: prints "<status> <ms>"
"""
import http.client
import json
import statistics
import sys
import threading
import time
import urllib.parse

TOKEN = "hxtp_" + "5ca1e0" * 8


def connection(base):
    url = urllib.parse.urlparse(base)
    return http.client.HTTPConnection(url.hostname, url.port, timeout=30)


def link(base, key, start, end, threads=16):
    headers = {"Authorization": "Bearer " + key, "Content-Type": "application/json"}
    failures = []
    next_id = [start]
    lock = threading.Lock()

    def worker():
        conn = connection(base)
        while True:
            with lock:
                i = next_id[0]
                if i >= end:
                    return
                next_id[0] += 1
            body = json.dumps({"provider_config_key": "hex", "connection_id": "c-%07d" % i,
                               "connection_config": {"subdomain": "app"},
                               "credentials": {"type": "API_KEY", "apiKey": TOKEN},
                               "end_user": {"id": "u-%d" % (i % 100)}})
            conn.request("POST", "/connections", body, headers)
            response = conn.getresponse()
            response.read()
            if response.status != 201:
                failures.append(response.status)

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    started = time.monotonic()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.monotonic() - started
    if failures:
        sys.exit("%d links failed, e.g. HTTP %s" % (len(failures), failures[0]))
    print("%d links in %.1f s (%.0f/s)" % (end - start, elapsed, (end - start) / elapsed))


def call(conn, key, path, headers=None):
    started = time.perf_counter()
    conn.request("GET", path, headers={"Authorization": "Bearer " + key, **(headers or {})})
    response = conn.getresponse()
    response.read()
    return response.status, (time.perf_counter() - started) * 1000


def timed(base, key, path, runs):
    conn = connection(base)
    for _ in range(3):
        status, _ = call(conn, key, path)
        if status != 200:
            sys.exit("GET %s answered %d" % (path, status))
    samples = sorted(call(conn, key, path)[1] for _ in range(runs))
    print("%.2f %.2f" % (statistics.median(samples), samples[int(len(samples) * 0.95) - 1]))


if __name__ == "__main__":
    mode, base, key = sys.argv[1:4]
    if mode == "link":
        link(base, key, int(sys.argv[4]), int(sys.argv[5]))
    elif mode == "time":
        timed(base, key, sys.argv[4], int(sys.argv[5]))
    else:
        status, ms = call(connection(base), key, "/proxy/v1/projects",
                          {"Connection-Id": sys.argv[4], "Provider-Config-Key": "hex"})
        if status != 200:
            sys.exit("the proxied request answered %d" % status)
        print("%d %.2f" % (status, ms))
