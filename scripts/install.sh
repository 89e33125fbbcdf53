#!/usr/bin/env bash
# Installs, upgrades or removes Pulse from a release tarball (made by `npm run package`).
#
#   install.sh pulse-<version>-linux-<arch>.tar.gz|URL [--sha256 HEX] [--port N]
#   install.sh --uninstall [--purge]
#
# Layout: /opt/pulse/releases/<version>-<time>/ with /opt/pulse/current pointing at the running
# one, data in /var/lib/pulse (0700, user pulse), settings in /etc/pulse/pulse.env (written once,
# never overwritten), systemd unit /etc/systemd/system/pulse.service.
# Running it again with a newer tarball upgrades in place: the new release must answer
# /api/health (with its own version) within --health-timeout seconds (default 60), or the
# previous release is put back and started again.
#
# For tests and unusual hosts: --root DIR puts every path above under DIR (and runs Pulse as the
# calling user, since DIR has no user database of its own); --no-systemd starts and stops Pulse
# as a background process (pid in <data dir>/pulse.pid) instead of through systemd.
set -euo pipefail

NODE_MAJOR_MIN=20
NODE_MINOR_MIN=15
PULSE_USER=pulse

root=""
use_systemd=1
health_timeout="${PULSE_HEALTH_TIMEOUT:-60}"
expected_sha=""
port=""
action=install
purge=0
source_arg=""
request_file=""
result_file=""
event_id=""

say() { printf 'pulse-install: %s\n' "$*"; }
die() {
  printf 'pulse-install: error: %s\n' "$*" >&2
  result failed "$*"
  exit 1
}

# For updates started by Pulse (--from-request): the outcome Pulse reads back after its restart.
result() {
  [ -n "$result_file" ] && [ ! -f "$result_file" ] || return 0
  printf 'EVENT_ID=%s\nSTATUS=%s\nVERSION=%s\nFINISHED_AT=%s\nMESSAGE=%s\n' \
    "$event_id" "$1" "${new_version:-}" "$(date +%s)" "$(printf '%s' "$2" | tr '\n' ' ')" >"$result_file"
  chown "$(stat -c %u:%g "$(dirname "$result_file")")" "$result_file" 2>/dev/null || true
}

usage() {
  sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
  case "$1" in
    --root) root="${2:?--root needs a directory}"; shift 2 ;;
    --root=*) root="${1#*=}"; shift ;;
    --no-systemd) use_systemd=0; shift ;;
    --health-timeout) health_timeout="${2:?--health-timeout needs seconds}"; shift 2 ;;
    --health-timeout=*) health_timeout="${1#*=}"; shift ;;
    --sha256) expected_sha="${2:?--sha256 needs a hash}"; shift 2 ;;
    --sha256=*) expected_sha="${1#*=}"; shift ;;
    --port) port="${2:?--port needs a number}"; shift 2 ;;
    --port=*) port="${1#*=}"; shift ;;
    --uninstall) action=uninstall; shift ;;
    --purge) purge=1; shift ;;
    --from-request) request_file="${2:?--from-request needs a file}"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) [ -z "$source_arg" ] || die "only one release tarball may be given"; source_arg="$1"; shift ;;
  esac
done

case "$health_timeout" in '' | *[!0-9]*) die "--health-timeout must be a whole number of seconds" ;; esac
if [ -n "$port" ]; then
  case "$port" in '' | *[!0-9]*) die "--port must be a number" ;; esac
fi

if [ "$(id -u)" -ne 0 ]; then
  die "this must run as root (it creates the pulse user, /opt/pulse and a systemd service): run it with sudo"
fi

# An update Pulse asked for: the request names a tarball Pulse downloaded and verified into
# <data>/updates; where and how Pulse is installed comes from install.conf, not from the request.
if [ -n "$request_file" ]; then
  conf="$(cd "$(dirname "$0")/../../.." && pwd)/install.conf"
  [ -f "$conf" ] || die "no install.conf next to this installer ($conf)"
  root="$(sed -n 's/^INSTALL_ROOT=//p' "$conf")"
  [ "$(sed -n 's/^INSTALL_SYSTEMD=//p' "$conf")" = 1 ] || use_systemd=0
  # The Node the installation runs on (releases from before INSTALL_NODE: the one on PATH).
  installed_node="$(sed -n 's/^INSTALL_NODE=//p' "$conf")"
  [ -z "$installed_node" ] || PULSE_NODE="$installed_node"
  updates_dir="$(sed -n 's/^DATA_DIR=//p' "$conf")/updates"
  case "$(cd "$(dirname "$request_file")" && pwd)" in "$root$updates_dir") ;; *) die "update requests are only read from $updates_dir" ;; esac
  [ -f "$request_file" ] || exit 0 # already handled
  source_arg="$(sed -n 's/^TARBALL=//p' "$request_file")"
  expected_sha="$(sed -n 's/^SHA256=//p' "$request_file")"
  event_id="$(sed -n 's/^EVENT_ID=//p' "$request_file")"
  rm -f "$request_file"
  result_file="$root$updates_dir/result"
  rm -f "$result_file"
  case "$source_arg" in "$root$updates_dir"/*.tar.gz) ;; *) die "the update tarball must be in $updates_dir" ;; esac
  case "$source_arg" in *..*) die "the update tarball path must not contain .." ;; esac
  case "$expected_sha" in *[!0-9a-f]* | '') die "the update request has no valid SHA256" ;; esac
  [ ${#expected_sha} -eq 64 ] || die "the update request has no valid SHA256"
fi

root="${root%/}"
PREFIX_REAL=/opt/pulse
DATA_REAL=/var/lib/pulse
CONFIG_REAL=/etc/pulse
PREFIX="$root$PREFIX_REAL"
DATA="$root$DATA_REAL"
CONFIG="$root$CONFIG_REAL"
UNIT="$root/etc/systemd/system/pulse.service"
PIDFILE="$DATA/pulse.pid"
LOGFILE="$DATA/pulse.log"

# --- Node -----------------------------------------------------------------------------------
need_node() {
  local node="${PULSE_NODE:-}"
  [ -n "$node" ] || node="$(command -v node || true)"
  local how="Install Node.js ${NODE_MAJOR_MIN}.${NODE_MINOR_MIN} or newer first, of the major version this release was built with (its NODE_ABI file): on Debian 13, 'apt-get install nodejs' gives Node 20; Debian 12 and Ubuntu 24.04 ship Node 18, so there use the Node.js LTS packages from nodejs.org or NodeSource"
  if [ -z "$node" ] || [ ! -x "$node" ]; then
    die "Node.js was not found (Pulse needs Node.js ${NODE_MAJOR_MIN}.${NODE_MINOR_MIN} or newer). $how"
  fi
  local v
  v="$("$node" --version 2>/dev/null || true)"
  local major minor
  major="$(printf '%s' "$v" | sed -n 's/^v\([0-9]*\)\.\([0-9]*\).*/\1/p')"
  minor="$(printf '%s' "$v" | sed -n 's/^v\([0-9]*\)\.\([0-9]*\).*/\2/p')"
  if [ -z "$major" ]; then
    die "could not read the Node.js version from '$node --version' (Pulse needs ${NODE_MAJOR_MIN}.${NODE_MINOR_MIN} or newer). $how"
  fi
  if [ "$major" -lt "$NODE_MAJOR_MIN" ] || { [ "$major" -eq "$NODE_MAJOR_MIN" ] && [ "$minor" -lt "$NODE_MINOR_MIN" ]; }; then
    die "Node.js $v is too old: Pulse needs Node.js ${NODE_MAJOR_MIN}.${NODE_MINOR_MIN} or newer. $how"
  fi
  # The service runs this Node (PULSE_NODE in the unit, INSTALL_NODE for updates), not whichever
  # `node` its PATH finds first: as an absolute path, since the service starts elsewhere.
  case "$node" in /*) ;; *) node="$(cd "$(dirname "$node")" && pwd)/$(basename "$node")" ;; esac
  NODE_BIN="$node"
  NODE_VERSION="$v"
}

# The release's native modules (SQLite) load only on the Node major version that built them:
# NODE_ABI holds that Node's module ABI and version. (A release without the file predates it.)
need_same_node_abi() {
  [ -f "$1/NODE_ABI" ] || return 0
  local built_abi built_version host_abi
  read -r built_abi built_version <"$1/NODE_ABI"
  host_abi="$("$NODE_BIN" -p 'process.versions.modules' 2>/dev/null || true)"
  if [ "$host_abi" != "$built_abi" ]; then
    local major="${built_version#v}"
    major="${major%%.*}"
    die "this release was built for Node.js $major ($built_version, module ABI $built_abi) and its native modules load on no other major version; $NODE_BIN is $NODE_VERSION (ABI ${host_abi:-unknown}). Install Node.js $major (PULSE_NODE=/path/to/node picks one), or build the release on this Node with 'npm run package'"
  fi
}

# --- settings the installer needs from pulse.env --------------------------------------------
env_value() {
  # The last uncommented KEY=value in pulse.env, quotes removed.
  [ -f "$CONFIG/pulse.env" ] || return 0
  sed -n "s/^[[:space:]]*$1=[\"']\{0,1\}\([^\"']*\)[\"']\{0,1\}[[:space:]]*\$/\1/p" "$CONFIG/pulse.env" | tail -n 1
}

listen_port() {
  local p
  p="$(env_value FRONTEND_PORT)"
  [ -n "$p" ] || p="$(env_value PORT)"
  printf '%s' "${p:-7655}"
}

# --- running Pulse --------------------------------------------------------------------------
service_start() {
  if [ "$use_systemd" -eq 1 ]; then
    systemctl daemon-reload
    systemctl enable pulse.service >/dev/null 2>&1 || systemctl enable pulse.service
    if [ -f "$(dirname "$UNIT")/pulse-update.path" ]; then
      systemctl enable --now pulse-update.path >/dev/null 2>&1 || true
    fi
    systemctl restart pulse.service
  else
    # Same environment as the unit: defaults first, then pulse.env overrides them.
    (
      set -a
      PULSE_DATA_DIR="$DATA"
      NODE_ENV=production
      PULSE_NODE="$NODE_BIN"
      # shellcheck disable=SC1091 # the operator's settings file
      [ -f "$CONFIG/pulse.env" ] && . "$CONFIG/pulse.env"
      set +a
      cd "$DATA"
      nohup setsid "$PREFIX/current/bin/pulse" >>"$LOGFILE" 2>&1 </dev/null &
      echo $! >"$PIDFILE"
    )
  fi
}

service_stop() {
  if [ "$use_systemd" -eq 1 ]; then
    systemctl stop pulse.service 2>/dev/null || true
    return 0
  fi
  [ -f "$PIDFILE" ] || return 0
  local pid
  pid="$(cat "$PIDFILE")"
  rm -f "$PIDFILE"
  case "$pid" in '' | *[!0-9]*) return 0 ;; esac
  kill "$pid" 2>/dev/null || return 0
  local i=0
  while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
    sleep 0.2
    i=$((i + 1))
  done
  kill -9 "$pid" 2>/dev/null || true
}

http_get() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsS --max-time 3 "$1" 2>/dev/null
  else
    # Node is there for certain; it is the fallback when curl is not.
    "$NODE_BIN" -e 'fetch(process.argv[1],{signal:AbortSignal.timeout(3000)}).then(r=>r.ok?r.text():Promise.reject()).then(t=>process.stdout.write(t),()=>process.exit(1))' "$1" 2>/dev/null
  fi
}

# Waits until /api/health answers and /api/version names the expected version.
wait_healthy() {
  local want="$1" p deadline
  p="$(listen_port)"
  deadline=$(($(date +%s) + health_timeout))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if http_get "http://127.0.0.1:$p/api/health" >/dev/null &&
      http_get "http://127.0.0.1:$p/api/version" | grep -q "\"version\":\"v$want\""; then
      return 0
    fi
    if [ "$use_systemd" -eq 0 ] && [ -f "$PIDFILE" ] && ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
      return 1 # it exited; waiting longer would not help
    fi
    sleep 1
  done
  return 1
}

# --- fetching and checking a release -------------------------------------------------------
fetch() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 2 -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -O "$2" "$1"
  else
    die "neither curl nor wget is installed: download the tarball yourself and give its path"
  fi
}

verify_tarball() {
  local file="$1" want="$2" name="$3" got
  got="$(sha256sum "$file" | cut -d' ' -f1)"
  if [ "$got" != "$want" ]; then
    die "checksum mismatch for $name: expected $want, got $got. The download is damaged or not the published release; nothing was installed"
  fi
}

do_install() {
  [ -n "$source_arg" ] || die "give the release tarball (a path or URL); see --help"
  need_node
  work="$(mktemp -d "${TMPDIR:-/tmp}/pulse-install.XXXXXX")"
  trap 'rm -rf "${work:-}"' EXIT

  local tarball="$work/release.tar.gz"
  case "$source_arg" in
    http://* | https://*)
      say "downloading $source_arg"
      fetch "$source_arg" "$tarball" || die "download of $source_arg failed"
      if [ -z "$expected_sha" ] && fetch "$source_arg.sha256" "$work/release.sha256" 2>/dev/null; then
        expected_sha="$(cut -d' ' -f1 "$work/release.sha256")"
      fi
      ;;
    *)
      [ -f "$source_arg" ] || die "no such file: $source_arg"
      cp "$source_arg" "$tarball"
      if [ -z "$expected_sha" ] && [ -f "$source_arg.sha256" ]; then
        expected_sha="$(cut -d' ' -f1 "$source_arg.sha256")"
      fi
      ;;
  esac
  [ -n "$expected_sha" ] || die "no checksum for this release: put its .sha256 file next to it or pass --sha256 HEX"
  verify_tarball "$tarball" "$expected_sha" "$(basename "${source_arg%%\?*}")"

  mkdir -p "$work/x"
  tar -xzf "$tarball" -C "$work/x" || die "the tarball could not be unpacked"
  local top
  top="$(find "$work/x" -mindepth 1 -maxdepth 1 -type d | head -n 1)"
  [ -n "$top" ] && [ -f "$top/VERSION" ] && [ -f "$top/SHA256SUMS" ] || die "this is not a Pulse release (no VERSION or SHA256SUMS)"
  (cd "$top" && sha256sum --quiet --strict -c SHA256SUMS >"$work/sums.log" 2>&1) ||
    die "files in the release do not match its SHA256SUMS manifest: $(grep -m3 FAILED "$work/sums.log" | tr '\n' ' ')"
  need_same_node_abi "$top"
  local version
  version="$(tr -d '[:space:]' <"$top/VERSION")"
  new_version="$version"
  say "installing Pulse $version"

  # The user and directories.
  local owner=root
  if [ -z "$root" ]; then
    if ! id "$PULSE_USER" >/dev/null 2>&1; then
      useradd --system --home-dir "$DATA_REAL" --no-create-home --shell /usr/sbin/nologin "$PULSE_USER"
      say "created system user $PULSE_USER"
    fi
    owner="$PULSE_USER"
  fi
  mkdir -p "$PREFIX/releases" "$DATA" "$CONFIG"
  chown "$owner:" "$DATA" 2>/dev/null || chown "$owner" "$DATA"
  chmod 0700 "$DATA"

  if [ ! -f "$CONFIG/pulse.env" ]; then
    write_env "$CONFIG/pulse.env"
    say "wrote $CONFIG_REAL/pulse.env"
  fi

  local dest
  dest="$PREFIX/releases/$version-$(date +%Y%m%d%H%M%S)"
  [ ! -e "$dest" ] || dest="$dest-$$"
  mv "$top" "$dest"
  chown -R root:root "$dest" 2>/dev/null || true
  chmod 0755 "$dest"

  # An update requested by Pulse (which runs unprivileged) keeps the units of the release
  # installed by root, so a tarball from Pulse cannot change what systemd runs as root.
  local units="$dest/systemd"
  if [ -n "$request_file" ] && [ -d "$PREFIX/current/systemd" ]; then units="$(readlink -f "$PREFIX/current/systemd")"; fi
  if [ "$use_systemd" -eq 1 ]; then
    mkdir -p "$(dirname "$UNIT")"
    local u
    for u in pulse.service pulse-update.service pulse-update.path; do
      [ -f "$units/$u" ] || continue
      sed -e "s|@PREFIX@|$PREFIX_REAL|g" -e "s|@DATA_DIR@|$DATA_REAL|g" -e "s|@CONFIG_DIR@|$CONFIG_REAL|g" \
        -e "s|@NODE@|$NODE_BIN|g" "$units/$u" >"$(dirname "$UNIT")/$u"
    done
  fi
  mkdir -p "$DATA/updates"
  chown "$owner:" "$DATA/updates" 2>/dev/null || chown "$owner" "$DATA/updates"
  chmod 0700 "$DATA/updates"
  printf 'INSTALL_ROOT=%s\nINSTALL_SYSTEMD=%s\nDATA_DIR=%s\nINSTALL_NODE=%s\n' "$root" "$use_systemd" "$DATA_REAL" "$NODE_BIN" >"$PREFIX/install.conf"

  local previous=""
  if [ -L "$PREFIX/current" ]; then
    previous="$(readlink "$PREFIX/current")"
    say "upgrading from $(tr -d '[:space:]' <"$PREFIX/current/VERSION" 2>/dev/null || echo unknown)"
  fi

  service_stop
  switch_to "$dest"
  service_start
  if wait_healthy "$version"; then
    prune_releases "$dest" "$previous"
    result success "Pulse $version is running"
    say "Pulse $version is running: http://$(hostname -f 2>/dev/null || hostname):$(listen_port)"
    return 0
  fi

  say "Pulse $version did not answer /api/health within ${health_timeout} s"
  service_stop
  if [ -n "$previous" ] && [ -d "$previous" ]; then
    local old
    old="$(tr -d '[:space:]' <"$previous/VERSION")"
    switch_to "$previous"
    service_start
    rm -rf "$dest"
    if wait_healthy "$old"; then
      result rolled_back "Pulse $version did not answer /api/health within ${health_timeout} s; rolled back to $old"
      die "upgrade to $version failed; rolled back to $old, which is running again (log: $(log_hint))"
    fi
    die "upgrade to $version failed and the rolled-back $old did not come up either (log: $(log_hint))"
  fi
  die "Pulse $version did not start (log: $(log_hint)); fix the cause and run the installer again"
}

log_hint() {
  if [ "$use_systemd" -eq 1 ]; then echo "journalctl -u pulse"; else echo "$LOGFILE"; fi
}

# The current link is replaced in one rename, so it never points nowhere.
switch_to() {
  ln -sfn "$1" "$PREFIX/current.new"
  mv -T "$PREFIX/current.new" "$PREFIX/current"
}

# Keeps the running release and the one before it (the rollback target of the next upgrade).
prune_releases() {
  local keep1="$1" keep2="$2" d
  for d in "$PREFIX"/releases/*; do
    [ -d "$d" ] || continue
    [ "$d" = "$keep1" ] || [ "$d" = "$keep2" ] || rm -rf "$d"
  done
}

write_env() {
  umask 077
  cat >"$1" <<EOF
# Pulse settings (docs/CONFIGURATION.md lists them all). The installer writes this file once
# and never overwrites it; restart Pulse after a change: systemctl restart pulse
#
# Port and address to listen on.
$([ -n "$port" ] && echo "FRONTEND_PORT=$port" || echo "#FRONTEND_PORT=7655")
#BIND_ADDRESS=0.0.0.0
#LOG_LEVEL=info
#
# Where Pulse keeps its database and encryption key (back this directory up).
#PULSE_DATA_DIR=$DATA_REAL
#
# The address users reach Pulse at, for links in notifications.
#PULSE_PUBLIC_URL=https://pulse.example.lan
#
# Extra Node.js options, e.g. a heap limit on small machines.
#PULSE_NODE_OPTIONS=--max-old-space-size=512
EOF
  chmod 0600 "$1"
  [ -n "$root" ] || chown "root:$PULSE_USER" "$1" 2>/dev/null || true
  [ -n "$root" ] || chmod 0640 "$1"
}

do_uninstall() {
  if [ "$use_systemd" -eq 1 ]; then
    systemctl disable --now pulse.service pulse-update.path 2>/dev/null || true
    rm -f "$UNIT" "$(dirname "$UNIT")/pulse-update.service" "$(dirname "$UNIT")/pulse-update.path"
    systemctl daemon-reload 2>/dev/null || true
  else
    service_stop
  fi
  rm -rf "$PREFIX"
  say "removed the Pulse program and service"
  if [ "$purge" -eq 1 ]; then
    rm -rf "$DATA" "$CONFIG"
    if [ -z "$root" ] && id "$PULSE_USER" >/dev/null 2>&1; then
      userdel "$PULSE_USER" 2>/dev/null || true
    fi
    say "removed the data ($DATA_REAL) and settings ($CONFIG_REAL)"
  else
    say "kept the data in $DATA_REAL and the settings in $CONFIG_REAL (remove them with --uninstall --purge)"
  fi
}

case "$action" in
  install) do_install ;;
  uninstall) do_uninstall ;;
esac
