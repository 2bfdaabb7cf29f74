# Sourced by the bench scripts: what they share.

# need <command> <Debian package>: installs the package when the command is missing (apt-get, so root).
need() {
  command -v "$1" >/dev/null || { echo "installing $2"; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; }; }
}

# wrk_report <file>: writes a wrk script whose done() prints "RESULT <req/s> <p50 ms> <p99 ms> <errors> <requests>".
wrk_report() {
  cat >"$1" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.1f %.3f %.3f %d %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.status + summary.errors.connect
    + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.requests))
end
LUA
}

# nginx_head <name>: the start of an nginx.conf for one worker whose pid and error log are $WORK/<name>.*, up to and
# including "http {" and its keep-alive settings; the caller writes the servers and the closing brace.
nginx_head() {
  printf '%s\n' "worker_processes 1;" "pid $WORK/$1.pid;" "error_log $WORK/$1-error.log warn;" \
    "events { worker_connections 4096; }" "http {" "  access_log off;" "  keepalive_requests 1000000;"
}
