#!/usr/bin/env bash
# Installs what the real-VS-Code end-to-end suite (test/e2e) needs, on a fresh Debian machine:
#   - apt: chromium (the browser playwright-core drives), libkrb5-dev (code-server's `kerberos` native
#     module builds against it), ripgrep (its binary replaces the one @vscode/ripgrep downloads from GitHub),
#     curl (test/cluster/oidcSnippets.test.ts runs the keyless workflow's login step, which requests its token with curl).
#   - code-server 4.100.3 (VS Code 1.100.3, runs on Node 20) from npm, into a cache dir outside the repo.
# Idempotent: every step is skipped when already done. Non-interactive (CI runs it as root with no stdin).
#
# Environment:
#   PIPELINE_RBAC_CACHE   cache root (default: ${XDG_CACHE_HOME:-~/.cache}/pipeline-rbac)
#   E2E_FORCE_REINSTALL=1 reinstall code-server even when the marker says it is there
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
# code-server 4.100.3 pins @vscode/ripgrep 1.15.11 (lib/vscode/npm-shrinkwrap.json). Its postinstall
# (lib/download.js) looks for `$TMPDIR/vscode-ripgrep-cache-<pkgversion>/ripgrep-<VERSION>-<target>.tar.gz`
# before downloading, with VERSION = 'v13.0.0-10' (lib/postinstall.js) and target x86_64-unknown-linux-musl
# on linux/x64; the tarball must hold the binary as `rg` at its root.
RIPGREP_NPM_VERSION=1.15.11
RIPGREP_TAG=v13.0.0-10

CACHE_ROOT="${PIPELINE_RBAC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pipeline-rbac}"
PREFIX="$CACHE_ROOT/code-server-$CODE_SERVER_VERSION"
MARKER="$PREFIX/.installed"
LOG="$CACHE_ROOT/install-code-server-$CODE_SERVER_VERSION.log"
APT_PACKAGES=(chromium libkrb5-dev ripgrep curl)

START=$(date +%s)
step() { printf '[install-e2e-deps %3ss] %s\n' "$(( $(date +%s) - START ))" "$*"; }
die() { printf '[install-e2e-deps] ERROR: %s\n' "$*" >&2; exit 1; }

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) RG_TARGET=x86_64-unknown-linux-musl ;;
  Linux-aarch64) RG_TARGET=aarch64-unknown-linux-musl ;;
  *) die "unsupported platform $(uname -s)-$(uname -m) (this script targets Debian on x86_64/arm64)" ;;
esac

# ---------------------------------------------------------------- apt packages
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo -n env DEBIAN_FRONTEND=noninteractive "$@"
  else die "need root (or passwordless sudo) to run: $*"; fi
}

missing_apt=()
for p in "${APT_PACKAGES[@]}"; do
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]; then
    missing_apt+=("$p")
  fi
done

if [ ${#missing_apt[@]} -eq 0 ]; then
  step "apt packages present: ${APT_PACKAGES[*]}"
else
  command -v apt-get >/dev/null || die "apt-get not found; install ${missing_apt[*]} by hand"
  export DEBIAN_FRONTEND=noninteractive
  # `apt-get update` only when the package lists do not know a candidate for every missing package.
  need_update=0
  for p in "${missing_apt[@]}"; do
    cand=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2}')
    if [ -z "$cand" ] || [ "$cand" = "(none)" ]; then need_update=1; fi
  done
  if [ $need_update = 1 ]; then
    step "apt-get update (package lists lack a candidate for: ${missing_apt[*]})"
    as_root apt-get update -q </dev/null
  fi
  step "apt-get install ${missing_apt[*]} (takes a minute or two)"
  if ! as_root apt-get install -y -q --no-install-recommends "${missing_apt[@]}" </dev/null; then
    [ $need_update = 1 ] && die "apt-get install failed"
    step "apt-get install failed with the current lists; updating them and retrying"
    as_root apt-get update -q </dev/null
    as_root apt-get install -y -q --no-install-recommends "${missing_apt[@]}" </dev/null
  fi
fi
[ -x /usr/bin/chromium ] || die "/usr/bin/chromium missing after apt install"
RG_BIN=$(command -v rg || true)
[ -n "$RG_BIN" ] || die "ripgrep (rg) missing after apt install"

# ---------------------------------------------------------------- code-server
CODE_SERVER_BIN="$PREFIX/node_modules/.bin/code-server"
if [ -f "$MARKER" ] && [ -x "$CODE_SERVER_BIN" ] && [ "${E2E_FORCE_REINSTALL:-0}" != 1 ]; then
  step "code-server $CODE_SERVER_VERSION already installed: $CODE_SERVER_BIN"
  exit 0
fi

command -v node >/dev/null || die "node not found"
NODE_VERSION=$(node -v)
case "$NODE_VERSION" in v20.*) ;; *) die "code-server $CODE_SERVER_VERSION needs Node 20 (found $NODE_VERSION)" ;; esac

# Native modules (argon2, node-pty, kerberos, @parcel/watcher, ...) build with node-gyp, which downloads
# Node's headers from nodejs.org unless npm_config_nodedir names a dir holding them. Point it at the
# running Node's own install prefix when its headers match the running version (Debian/NodeSource
# packages ship them in /usr/include/node); a mismatching nodedir would build against the wrong ABI.
node_headers_version() {
  local h="$1/include/node/node_version.h"
  [ -f "$h" ] || return 1
  awk '/define NODE_(MAJOR|MINOR|PATCH)_VERSION/ {v = v (v ? "." : "") $3} END {print "v" v}' "$h"
}
if [ -n "${npm_config_nodedir:-}" ]; then
  NODEDIR="$npm_config_nodedir"
else
  NODEDIR=$(npm config get nodedir 2>/dev/null || true)
  case "$NODEDIR" in ''|undefined|null) NODEDIR=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")") ;; esac
fi
if [ "$(node_headers_version "$NODEDIR" || true)" = "$NODE_VERSION" ]; then
  export npm_config_nodedir="$NODEDIR"
  step "node-gyp will use the local Node headers in $NODEDIR/include/node ($NODE_VERSION)"
else
  unset npm_config_nodedir
  step "WARNING: no Node $NODE_VERSION headers in '$NODEDIR'; node-gyp will try to download them"
fi

step "installing code-server $CODE_SERVER_VERSION into $PREFIX (log: $LOG)"
rm -rf "$PREFIX"
mkdir -p "$PREFIX" "$CACHE_ROOT"
: >"$LOG"

# Private TMPDIR, so we know where @vscode/ripgrep's postinstall looks for its download cache.
INSTALL_TMP="$PREFIX/.tmp"
RG_CACHE="$INSTALL_TMP/vscode-ripgrep-cache-$RIPGREP_NPM_VERSION"
mkdir -p "$RG_CACHE/stage"
cp "$(readlink -f "$RG_BIN")" "$RG_CACHE/stage/rg"
tar -C "$RG_CACHE/stage" -czf "$RG_CACHE/ripgrep-$RIPGREP_TAG-$RG_TARGET.tar.gz" rg
rm -rf "$RG_CACHE/stage"
step "seeded the ripgrep download cache with $RG_BIN ($RG_CACHE/ripgrep-$RIPGREP_TAG-$RG_TARGET.tar.gz)"

# npm prints nothing for minutes while native modules compile; show a heartbeat with the log's last line.
# It runs in its own session (process group) so that an interrupt stops the whole build.
setsid env TMPDIR="$INSTALL_TMP" npm_config_yes=true npm_config_unsafe_perm=true \
  npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false \
  npm install --prefix "$PREFIX" --foreground-scripts "code-server@$CODE_SERVER_VERSION" </dev/null >>"$LOG" 2>&1 &
NPM_PID=$!
trap 'kill -- -"$NPM_PID" 2>/dev/null || true; exit 130' INT TERM
while kill -0 "$NPM_PID" 2>/dev/null; do
  for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
    sleep 1
    kill -0 "$NPM_PID" 2>/dev/null || break
  done
  kill -0 "$NPM_PID" 2>/dev/null || break
  last=$(tail -c 2000 "$LOG" | tr '\r' '\n' | grep -v '^[[:space:]]*$' | tail -n 1 | cut -c1-110 || true)
  step "  npm install running... ${last}"
done
if ! wait "$NPM_PID"; then
  tail -n 60 "$LOG" >&2
  die "npm install code-server@$CODE_SERVER_VERSION failed (full log: $LOG)"
fi
trap - INT TERM

# The ripgrep we seeded must be the one the pinned @vscode/ripgrep consumed.
RG_PKG="$PREFIX/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep"
installed_rg_version=$(node -p "require('$RG_PKG/package.json').version" 2>/dev/null || echo missing)
[ "$installed_rg_version" = "$RIPGREP_NPM_VERSION" ] ||
  die "code-server installed @vscode/ripgrep $installed_rg_version, this script seeds $RIPGREP_NPM_VERSION: update RIPGREP_NPM_VERSION/RIPGREP_TAG"
[ -x "$RG_PKG/bin/rg" ] || die "ripgrep binary missing at $RG_PKG/bin/rg (see $LOG)"
# Install scripts ran and native modules built (npm may be configured to skip scripts).
PTY_NODE="$PREFIX/node_modules/code-server/lib/vscode/node_modules/node-pty/build/Release/pty.node"
[ -f "$PTY_NODE" ] || die "native module node-pty was not built ($PTY_NODE missing; see $LOG)"
[ -x "$CODE_SERVER_BIN" ] || die "code-server binary missing at $CODE_SERVER_BIN (see $LOG)"

# code-server writes a default config (with a password) and logs under XDG dirs on any run: keep them in
# the throwaway dir rather than the user's ~/.config and ~/.local/share.
reported=$(XDG_CONFIG_HOME="$INSTALL_TMP" XDG_DATA_HOME="$INSTALL_TMP" "$CODE_SERVER_BIN" --version 2>/dev/null |
  grep -E "^$CODE_SERVER_VERSION " | head -n 1 || true)
[ -n "$reported" ] || die "code-server --version did not report $CODE_SERVER_VERSION (see $LOG)"
rm -rf "$INSTALL_TMP"
echo "$CODE_SERVER_VERSION" >"$MARKER"
step "code-server $reported installed: $CODE_SERVER_BIN"
