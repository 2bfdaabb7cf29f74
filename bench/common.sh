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
