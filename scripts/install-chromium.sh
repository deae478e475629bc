#!/bin/sh
# Installs Debian's `chromium` package. npm test needs it: the eval plot test
# (test/unit/eval/plot-browser.test.ts) renders plots/<file>.html in headless
# chromium and checks the screenshot is not blank; without chromium that test
# skips (and fails under SENSORWATCH_REQUIRE_TOOLS=1, as .ci/run sets).
# Idempotent: does nothing when chromium is on PATH.
set -eu

if command -v chromium >/dev/null 2>&1; then
  echo "chromium already installed"
else
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-chromium.sh: needs root to run apt-get (try: sudo $0)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # Fonts so that the plot's axis labels render as text, not boxes.
  apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core
fi

chromium --version 2>&1 | head -n 1
