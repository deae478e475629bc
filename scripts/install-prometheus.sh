#!/bin/sh
# Installs the Debian `prometheus` package, which carries both the `prometheus`
# server and `promtool`. npm test needs them: promtool checks and unit-tests the
# rules (test/unit/deploy/promtool.test.ts) and the real-Prometheus integration
# test (test/integration/deploy/prometheus.test.ts) runs the server on loopback.
# Without them those tests skip (and fail under SENSORWATCH_REQUIRE_TOOLS=1).
# Idempotent: does nothing when both binaries are already on PATH. The package's
# own systemd service is irrelevant (tests run the binary themselves) and, in a
# container without an init system, never starts.
set -eu

if command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; then
  echo "prometheus already installed"
else
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-prometheus.sh: needs root to run apt-get (try: sudo $0)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # policy-rc.d answers 101 ("action forbidden") so the package's post-install
  # does not try to start a service; removed again whatever happens.
  policy=/usr/sbin/policy-rc.d
  created_policy=no
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    created_policy=yes
  fi
  trap 'if [ "$created_policy" = yes ]; then rm -f "$policy"; fi' EXIT
  apt-get install -y -q --no-install-recommends prometheus
fi

prometheus --version 2>&1 | head -n 1
promtool --version 2>&1 | head -n 1
