#!/usr/bin/env python3
"""The driver of bench/soak.sh (standard library only): the writes, sessions, big bodies and slow callers, the fault
schedule, the samples, and the summary at the end. Every request it makes is recorded with its time and outcome, so an
error can be told apart from the fault that explains it."""
import argparse
import hashlib
import http.client
import json
import os
import random
import re
import statistics
import subprocess
import threading
import time
import urllib.parse

GRACE = 15  # seconds after a fault window in which its errors are still its own
MB = 1 << 20


class Soak:
    def __init__(self, a):
        self.a = a
        self.url = urllib.parse.urlparse(a.base)
        self.mgmt = urllib.parse.urlparse(a.mgmt)
        self.started = time.time()
        self.until = self.started + a.duration
        self.lock = threading.Lock()
        self.events = []       # (time, kind, outcome)
        self.windows = []      # (start, end, fault)
        self.samples = []
        self.expected = {}     # connection id -> token it was last acknowledged with, or None once deleted
        self.uncertain = set()  # ids whose last write was not acknowledged: either state is right
        self.writes = {"attempted": 0, "acknowledged": 0}
        self.sessions_linked = 0
        self.next_id = 0

    # ---- HTTP ----
    def conn(self, timeout=30):
        return http.client.HTTPConnection(self.url.hostname, self.url.port, timeout=timeout)

    def record(self, kind, outcome):
        with self.lock:
            self.events.append((time.time(), kind, outcome))

    def call(self, kind, method, path, body=None, headers=None, ok=(200, 201, 204)):
        h = {"Authorization": "Bearer " + self.a.key}
        if body is not None:
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        c = self.conn()
        try:
            c.request(method, path, json.dumps(body) if body is not None else None, h)
            r = c.getresponse()
            data = r.read()
            outcome = "ok" if r.status in ok else "http_%d" % r.status
            self.record(kind, outcome)
            return r.status, data
        except (OSError, http.client.HTTPException) as e:
            self.record(kind, type(e).__name__)
            return None, None
        finally:
            c.close()

    # ---- writes: a link, a replace and a delete every second ----
    def write(self, kind, cid, method, path, body, ok, token):
        """One write: acknowledged, the connection is expected to hold `token` afterwards (None: to be gone); else either."""
        with self.lock:
            self.writes["attempted"] += 1
        status, _ = self.call(kind, method, path, body, ok=ok)
        with self.lock:
            if status in ok:
                self.writes["acknowledged"] += 1
                self.expected[cid] = token
                self.uncertain.discard(cid)
            else:
                self.uncertain.add(cid)

    def link(self, cid, kind):
        token = "hxtp_soak" + os.urandom(12).hex()
        self.write(kind, cid, "POST", "/connections", {
            "provider_config_key": "hex", "connection_id": cid, "connection_config": {"subdomain": "app"},
            "credentials": {"type": "API_KEY", "apiKey": token}, "end_user": {"id": "soak-writer"}}, (200, 201), token)

    def delete(self, cid):
        self.write("delete", cid, "DELETE", "/connections/" + cid, None, (200, 204), None)

    def live(self):
        with self.lock:
            return [cid for cid, token in self.expected.items() if token is not None and cid not in self.uncertain]

    def writer(self):
        for _ in range(50):
            self.link(self.new_id(), "link")
        while self.running():
            tick = time.time()
            self.link(self.new_id(), "link")
            ids = self.live()
            if ids:
                self.link(random.choice(ids), "replace")
            ids = self.live()
            if len(ids) > 40:
                self.delete(random.choice(ids))
            time.sleep(max(0, 1 - (time.time() - tick)))

    def new_id(self):
        with self.lock:
            self.next_id += 1
            return "soak-%06d" % self.next_id

    # ---- connect sessions: opened, the form fetched and submitted, every 10 s ----
    def sessions(self):
        while self.running():
            tick = time.time()
            self.one_session()
            time.sleep(max(0, 10 - (time.time() - tick)))

    def one_session(self):
        status, data = self.call("session_create", "POST", "/connect/sessions",
                                 {"end_user": {"id": "soak-session-user"}}, ok=(201,))
        if status != 201:
            return
        token = json.loads(data)["data"]["token"]
        c = self.conn()
        try:
            c.request("GET", "/connect?session_token=" + urllib.parse.quote(token))
            r = c.getresponse()
            page = r.read().decode()
            cookie = (r.getheader("Set-Cookie") or "").split(";")[0]
            csrf = re.search(r'name="csrf" value="([^"]+)"', page)
            if r.status != 200 or not csrf:
                self.record("session_submit", "form_http_%d" % r.status)
                return
            form = urllib.parse.urlencode({"session_token": token, "csrf": csrf.group(1), "subdomain": "app",
                                           "api_token": "hxtp_soakSession" + os.urandom(12).hex()})
            c.request("POST", "/connect", form, {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
                                                 "Sec-Fetch-Site": "same-origin"})
            r = c.getresponse()
            r.read()
            self.record("session_submit", "ok" if r.status == 200 else "http_%d" % r.status)
            if r.status == 200:
                with self.lock:
                    self.sessions_linked += 1
        except (OSError, http.client.HTTPException) as e:
            self.record("session_submit", type(e).__name__)
        finally:
            c.close()

    # ---- big bodies every minute, and slow callers all the time ----
    def download(self, kind, path, expect, rate=None):
        c = self.conn(timeout=120)
        try:
            c.request("GET", path, headers={"Authorization": "Bearer " + self.a.key, "Connection-Id": "soak-load"})
            r = c.getresponse()
            got = 0
            while True:
                chunk = r.read(10240 if rate else MB)
                if not chunk:
                    break
                got += len(chunk)
                if rate:
                    time.sleep(len(chunk) / rate)
            self.record(kind, "ok" if r.status == 200 and got == expect else "short_%d_of_%d" % (got, expect))
        except (OSError, http.client.HTTPException) as e:
            self.record(kind, type(e).__name__)
        finally:
            c.close()

    def upload(self):
        body = os.urandom(20_000_000)
        digest = hashlib.sha256(body).hexdigest()
        c = self.conn(timeout=120)
        try:
            c.request("POST", "/proxy/v1/upload", body, {"Authorization": "Bearer " + self.a.key,
                                                         "Connection-Id": "soak-load",
                                                         "Content-Type": "application/octet-stream"})
            r = c.getresponse()
            answer = r.read()
            good = r.status == 200 and json.loads(answer).get("sha256") == digest
            self.record("upload_20MB", "ok" if good else "http_%d" % r.status)
        except (OSError, http.client.HTTPException, ValueError) as e:
            self.record("upload_20MB", type(e).__name__)
        finally:
            c.close()

    def bulk(self):
        while self.running():
            tick = time.time()
            self.download("download_64MiB", "/proxy/v1/big", 64 * MB)
            self.upload()
            time.sleep(max(0, 60 - (time.time() - tick)))

    def slow(self):
        while self.running():
            self.download("slow_reader_8MiB", "/proxy/v1/mid", 8 * MB, rate=100_000)

    # ---- faults ----
    def faults(self):
        at = self.started + self.a.cycle / 2
        while True:
            for name, offset in (("vault_killed", 0), ("upstream_resets", self.a.cycle * 0.3),
                                 ("upstream_429s", self.a.cycle * 0.6)):
                start = at + offset
                if start + 90 > self.until:
                    return
                time.sleep(max(0, start - time.time()))
                getattr(self, name)()
            at += self.a.cycle

    def window(self, fault, start):
        with self.lock:
            self.windows.append((start, time.time(), fault))
        print("   fault %-16s %5.0f s .. %5.0f s" % (fault, start - self.started, time.time() - self.started), flush=True)

    def vault_killed(self):
        start = time.time()
        pid = int(open(os.path.join(self.a.work, "bao.pid")).read())
        os.kill(pid, 9)
        time.sleep(20)
        with open(os.path.join(self.a.work, "bao.log"), "a") as log:
            p = subprocess.Popen([self.a.bao, "server", "-config=" + self.a.bao_config], stdout=log, stderr=log)
        open(os.path.join(self.a.work, "bao.pid"), "w").write(str(p.pid))
        bao = urllib.parse.urlparse(self.a.bao_addr)
        for _ in range(300):
            try:
                c = http.client.HTTPConnection(bao.hostname, bao.port, timeout=2)
                c.request("PUT", "/v1/sys/unseal", json.dumps({"key": self.a.bao_unseal}))
                r = c.getresponse()
                answer = r.read()
                if r.status == 200 and not json.loads(answer).get("sealed", True):
                    break
            except OSError:
                pass
            time.sleep(0.2)
        self.window("vault_killed", start)

    def switched(self, name, seconds):
        start = time.time()
        path = os.path.join(self.a.work, name)
        open(path, "w").close()
        time.sleep(seconds)
        os.remove(path)
        self.window(name.replace("fault-", "upstream_"), start)

    def upstream_resets(self):
        self.switched("fault-reset", 60)

    def upstream_429s(self):
        self.switched("fault-429", 20)

    # ---- samples ----
    def metrics(self):
        c = http.client.HTTPConnection(self.mgmt.hostname, self.mgmt.port, timeout=10)
        try:
            c.request("GET", "/q/metrics")
            return c.getresponse().read().decode()
        finally:
            c.close()

    @staticmethod
    def metric(text, name, labels=""):
        total = 0.0
        for line in text.splitlines():
            if line.startswith(name) and (line[len(name)] in " {") and labels in line:
                total += float(line.rsplit(" ", 1)[1])
        return total

    @staticmethod
    def established(port, column):
        """Established TCP connections whose local (column 1) or remote (column 2) port is this one."""
        count = 0
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            with open(table) as t:
                for line in t.readlines()[1:]:
                    fields = line.split()
                    if fields[column].endswith(":%04X" % port) and fields[3] == "01":
                        count += 1
        return count

    def upstream_pool(self):
        return self.established(self.a.upstream_port, 2)

    def sample(self):
        pid = self.a.pid
        rss = int(re.search(r"VmRSS:\s+(\d+)", open("/proc/%d/status" % pid).read()).group(1)) / 1024
        fds = len(os.listdir("/proc/%d/fd" % pid))
        subprocess.run(["jcmd", str(pid), "GC.run"], capture_output=True)
        text = self.metrics()
        heap = self.metric(text, "jvm_memory_used_bytes", 'area="heap"') / MB
        delay = self.metric(text, "hexgate_event_loop_delay_seconds_max") * 1000
        errors = sum(float(v) for k, v in re.findall(r'hexgate_proxy_requests_seconds_count\{([^}]*)\} (\S+)', text)
                     if 'outcome="proxied"' not in k)
        s = {"t": time.time() - self.started, "rss_mb": rss, "heap_mb": heap, "fds": fds, "loop_delay_ms": delay,
             "upstream_pool": self.upstream_pool(), "gateway_errors": errors}
        self.samples.append(s)
        print("   sample %5.0f s  RSS %4.0f MB  heap after GC %4.0f MB  FDs %4d  loop delay max %6.1f ms  upstream pool %3d  "
              "gateway-refused requests %6.0f" % (s["t"], rss, heap, fds, delay, s["upstream_pool"], errors), flush=True)

    def sampler(self):
        while self.running():
            tick = time.time()
            try:
                self.sample()
            except (OSError, http.client.HTTPException) as e:
                print("   sample failed: %s" % e, flush=True)
            time.sleep(max(0, self.a.sample_every - (time.time() - tick)))

    def running(self):
        return time.time() < self.until

    # ---- after ----
    def in_window(self, t, bucket=0):
        """Whether time t, or the bucket of `bucket` seconds starting at t (wrk counts per whole second), meets a window."""
        return any(start <= t + bucket and t <= end + GRACE for start, end, _ in self.windows)

    def nearest(self, t):
        start, end, fault = min(self.windows, key=lambda w: min(abs(t - w[0]), abs(t - w[1])))
        return "%s %.0f..%.0f s" % (fault, start - self.started, end - self.started)

    def verify_store(self):
        bao = urllib.parse.urlparse(self.a.bao_addr)
        found = missing = wrong = 0
        for cid, token in sorted(self.expected.items()):
            if cid in self.uncertain:
                continue
            c = http.client.HTTPConnection(bao.hostname, bao.port, timeout=10)
            c.request("GET", "/v1/secret/data/hexgate/connections/" + cid, headers={"X-Vault-Token": self.a.bao_token})
            r = c.getresponse()
            answer = r.read()
            c.close()
            if token is None:
                ok = r.status == 404
            else:
                ok = r.status == 200 and json.loads(answer)["data"]["data"].get("api_key") == token
            if ok:
                found += 1
            elif r.status == 404:
                missing += 1
            else:
                wrong += 1
        return found, missing, wrong

    @staticmethod
    def slope(points):
        """Least-squares slope (per hour) and the residuals' standard deviation."""
        if len(points) < 3:
            return 0.0, 0.0
        xs = [p[0] / 3600 for p in points]
        ys = [p[1] for p in points]
        mx, my = statistics.fmean(xs), statistics.fmean(ys)
        sxx = sum((x - mx) ** 2 for x in xs)
        b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
        residuals = [y - (my + b * (x - mx)) for x, y in zip(xs, ys)]
        return b, statistics.pstdev(residuals)

    def summary(self):
        print("== after the load: waiting 40 s (the upstream keep-alive is 30 s), then checking what is left open", flush=True)
        time.sleep(40)
        text = self.metrics()
        callers = self.established(self.url.port, 1)
        pool = self.upstream_pool()
        self.sample()
        wrk = None
        for _ in range(60):
            out = open(os.path.join(self.a.work, "wrk.out")).read() if os.path.exists(
                os.path.join(self.a.work, "wrk.out")) else ""
            m = re.search(r"^WRK (.*)$", out, re.M)
            if m:
                wrk = m.group(1).split()
                break
            time.sleep(1)
        wrk_failed = []
        path = os.path.join(self.a.work, "wrk-failed.tsv")
        if os.path.exists(path):
            for line in open(path):
                t, n = line.split()
                wrk_failed.append((int(t), int(n)))
        found, missing, wrong = self.verify_store()
        status, data = self.call("after", "GET", "/connections?endUserId=soak-session-user&limit=1000")
        session_connections = len(json.loads(data)["connections"]) if status == 200 else -1

        print("== summary")
        print("duration %d s, %d fault windows: %s" % (self.a.duration, len(self.windows),
              ", ".join("%s@%.0fs" % (f, s - self.started) for s, _, f in self.windows)))
        if wrk:
            requests, connect, read, write, timeout, status, p50, p99, worst = wrk
            print("proxied load (wrk): %s requests (%.0f/s), non-200 answers %s, socket errors connect %s read %s write %s timeout %s; "
                  "p50 %s ms, p99 %s ms, max %s ms" % (requests, int(requests) / self.a.duration, status, connect, read, write, timeout, p50, p99, worst))
            # wrk's counts are per whole second: the second a window starts in counts as inside it.
            outside = sorted((t, n) for t, n in wrk_failed if not self.in_window(t, bucket=1))
            print("proxied load: non-200 answers outside fault windows: %d%s" % (sum(n for _, n in outside), "".join(
                "\n   at %.0f s: %d (nearest fault: %s)" % (t - self.started, n, self.nearest(t)) for t, n in outside[:20])))
        by = {}
        for t, kind, outcome in self.events:
            key = (kind, outcome, "outside" if outcome != "ok" and not self.in_window(t) else "")
            by[key] = by.get(key, 0) + 1
        print("driver requests by outcome:")
        for (kind, outcome, where), n in sorted(by.items()):
            print("   %-18s %-28s %7d%s" % (kind, outcome, n, "   OUTSIDE any fault window" if where else ""))
        outside_errors = sum(n for (kind, outcome, where), n in by.items() if where)
        outcomes = {}
        for labels, value in re.findall(r'hexgate_proxy_requests_seconds_count\{([^}]*)\} (\S+)', text):
            outcome = re.search(r'outcome="([^"]*)"', labels).group(1)
            status = re.search(r'status="([^"]*)"', labels).group(1)
            outcomes[(outcome, status)] = outcomes.get((outcome, status), 0) + float(value)
        print("gateway's proxy requests by outcome: " + ", ".join(
            "%s/%s %d" % (o, s, n) for (o, s), n in sorted(outcomes.items())))
        print("writes: %d attempted, %d acknowledged; of the %d connections whose last write was acknowledged, %d are in "
              "OpenBao as acknowledged, %d missing, %d with another token; %d left uncertain by unacknowledged writes; "
              "connect sessions: %d submits acknowledged, %d connections of their end user listed afterwards" % (
                  self.writes["attempted"], self.writes["acknowledged"], found + missing + wrong, found, missing, wrong,
                  len(self.uncertain), self.sessions_linked, session_connections))
        tail_from = self.a.duration - min(2400, self.a.duration * 2 / 3)
        tail = [s for s in self.samples if tail_from <= s["t"] <= self.a.duration]
        rss_slope, rss_noise = self.slope([(s["t"], s["rss_mb"]) for s in tail])
        fd_slope, fd_noise = self.slope([(s["t"], s["fds"]) for s in tail])
        heap_slope, heap_noise = self.slope([(s["t"], s["heap_mb"]) for s in tail])
        span = (tail[-1]["t"] - tail[0]["t"]) / 3600 if len(tail) > 1 else 0
        print("slopes over the last %.0f min (%d samples): RSS %+.1f MB/h (drift %+.1f MB over the window, noise %.1f MB), "
              "heap after GC %+.1f MB/h (noise %.1f MB), FDs %+.1f /h (drift %+.1f, noise %.1f)" % (
                  span * 60, len(tail), rss_slope, rss_slope * span, rss_noise, heap_slope, heap_noise, fd_slope,
                  fd_slope * span, fd_noise))
        first, last = self.samples[0], self.samples[-1]
        print("first sample: RSS %.0f MB, heap %.0f MB, FDs %d; last (idle): RSS %.0f MB, heap %.0f MB, FDs %d; worst "
              "event-loop delay %.1f ms" % (first["rss_mb"], first["heap_mb"], first["fds"], last["rss_mb"],
                                            last["heap_mb"], last["fds"], max(s["loop_delay_ms"] for s in self.samples)))
        print("left open 40 s after the load: %d caller connections to the gateway, %d upstream connections" % (callers, pool))
        flat = abs(rss_slope * span) <= max(2 * rss_noise, 0.02 * last["rss_mb"]) and abs(fd_slope * span) <= max(2 * fd_noise, 2)
        clean = outside_errors == 0 and (not wrk or sum(n for t, n in wrk_failed if not self.in_window(t, bucket=1)) == 0)
        kept = missing + wrong == 0 and session_connections >= self.sessions_linked
        print("verdict: RSS and FDs %s; errors outside fault windows: %s; acknowledged writes %s; stuck: %s" % (
            "flat" if flat else "GROWING", "none" if clean else "SOME", "all present" if kept else "LOST",
            "none" if callers == 0 and pool == 0 else "SOME"))


def main():
    p = argparse.ArgumentParser()
    for name in ("base", "mgmt", "key", "work", "bao", "bao-addr", "bao-token", "bao-unseal", "bao-config"):
        p.add_argument("--" + name, required=True)
    for name in ("pid", "duration", "cycle", "sample-every", "upstream-port"):
        p.add_argument("--" + name, type=int, required=True)
    soak = Soak(p.parse_args())
    jobs = [soak.writer, soak.sessions, soak.bulk, soak.slow, soak.slow, soak.sampler, soak.faults]
    threads = [threading.Thread(target=job, daemon=True) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    soak.summary()


if __name__ == "__main__":
    main()
