#!/usr/bin/env bash
# Installs the Pulse Docker agent on a Docker host (no Node needed there) as a systemd service.
# Pulse serves this script at /install-docker-agent.sh and the agent at /download/pulse-docker-agent.
#
#   curl -fsSL http://PULSE:7655/install-docker-agent.sh | sudo bash -s -- --url http://PULSE:7655 --token TOKEN
#   ... | sudo bash -s -- --uninstall
#
# Options: --url URL --token TOKEN [--interval 30s] [--hostname NAME] [--agent-id ID] [--insecure]
#          [--docker-host unix:///run/podman/podman.sock] [--uninstall]
# For tests: --root DIR installs under DIR; --no-systemd skips systemctl.
set -euo pipefail

url="${PULSE_URL:-}"
token="${PULSE_TOKEN:-}"
interval=""
hostname_opt=""
agent_id=""
insecure=0
docker_host=""
root=""
use_systemd=1
action=install

SERVICE=pulse-docker-agent

say() { printf 'pulse-docker-agent install: %s\n' "$*"; }
die() {
  printf 'pulse-docker-agent install: error: %s\n' "$*" >&2
  exit 1
}

while [ $# -gt 0 ]; do
  case "$1" in
    --url) url="${2:?--url needs a value}"; shift 2 ;;
    --token) token="${2:?--token needs a value}"; shift 2 ;;
    --interval) interval="${2:?--interval needs a value}"; shift 2 ;;
    --hostname) hostname_opt="${2:?--hostname needs a value}"; shift 2 ;;
    --agent-id) agent_id="${2:?--agent-id needs a value}"; shift 2 ;;
    --docker-host) docker_host="${2:?--docker-host needs a value}"; shift 2 ;;
    --insecure) insecure=1; shift ;;
    --root) root="${2:?--root needs a directory}"; shift 2 ;;
    --no-systemd) use_systemd=0; shift ;;
    --uninstall) action=uninstall; shift ;;
    -h | --help) sed -n '2,11p' "$0" 2>/dev/null | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1" ;;
  esac
done

[ "$(id -u)" -eq 0 ] || die "run this as root (it installs a systemd service): pipe it to 'sudo bash -s -- …'"

root="${root%/}"
BIN="$root/usr/local/bin/pulse-docker-agent"
ENV_FILE="$root/etc/pulse/docker-agent.env"
UNIT="$root/etc/systemd/system/$SERVICE.service"

if [ "$action" = uninstall ]; then
  if [ "$use_systemd" -eq 1 ]; then
    systemctl disable --now "$SERVICE" 2>/dev/null || true
  fi
  rm -f "$UNIT" "$BIN" "$ENV_FILE"
  [ "$use_systemd" -eq 0 ] || systemctl daemon-reload 2>/dev/null || true
  say "removed the agent, its settings and its service"
  exit 0
fi

[ -n "$url" ] || die "--url is required (the address of your Pulse, e.g. http://pulse.lan:7655)"
[ -n "$token" ] || die "--token is required (an API token made in Pulse)"
url="${url%/}"

case "$(uname -m)" in
  x86_64 | amd64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  armv7l | armhf) arch=armv7 ;;
  *) die "unsupported machine type $(uname -m)" ;;
esac

tls=()
[ "$insecure" -eq 0 ] || tls=(-k)
mkdir -p "$(dirname "$BIN")" "$(dirname "$ENV_FILE")"
say "downloading the agent for linux-$arch from $url"
tmp="$BIN.download"
if command -v curl >/dev/null 2>&1; then
  curl -fsSL "${tls[@]}" -o "$tmp" "$url/download/pulse-docker-agent?arch=$arch" ||
    die "download failed: $url/download/pulse-docker-agent?arch=$arch (does this Pulse ship an agent for $arch?)"
else
  wget_tls=()
  [ "$insecure" -eq 0 ] || wget_tls=(--no-check-certificate)
  wget -q "${wget_tls[@]}" -O "$tmp" "$url/download/pulse-docker-agent?arch=$arch" ||
    die "download failed: $url/download/pulse-docker-agent?arch=$arch"
fi
chmod 0755 "$tmp"
"$tmp" --version >/dev/null 2>&1 || die "the downloaded agent does not run on this machine"
mv "$tmp" "$BIN"

# The token is a secret: it lives in a root-only file, not on the command line or in the unit.
umask 077
{
  echo "PULSE_URL=$url"
  echo "PULSE_TOKEN=$token"
  [ -z "$interval" ] || echo "PULSE_INTERVAL=$interval"
  [ -z "$hostname_opt" ] || echo "PULSE_HOSTNAME=$hostname_opt"
  [ -z "$agent_id" ] || echo "PULSE_AGENT_ID=$agent_id"
  [ "$insecure" -eq 0 ] || echo "PULSE_INSECURE_SKIP_VERIFY=true"
  [ -z "$docker_host" ] || echo "DOCKER_HOST=$docker_host"
} >"$ENV_FILE"
chmod 0600 "$ENV_FILE"
umask 022

mkdir -p "$(dirname "$UNIT")"
cat >"$UNIT" <<EOF
[Unit]
Description=Pulse Docker agent (reports this host's containers to Pulse)
After=network-online.target docker.service
Wants=network-online.target

[Service]
EnvironmentFile=/etc/pulse/docker-agent.env
# Lets the agent disable this service when Pulse tells it to stop (host removed in Pulse).
Environment=PULSE_AGENT_SERVICE=$SERVICE
ExecStart=/usr/local/bin/pulse-docker-agent
Restart=on-failure
RestartSec=10
NoNewPrivileges=true
ProtectSystem=strict
ProtectHome=true
PrivateTmp=true

[Install]
WantedBy=multi-user.target
EOF

if [ "$use_systemd" -eq 1 ]; then
  systemctl daemon-reload
  systemctl enable "$SERVICE" >/dev/null 2>&1 || systemctl enable "$SERVICE"
  systemctl restart "$SERVICE"
  say "installed and started $SERVICE; follow it with: journalctl -u $SERVICE -f"
else
  say "installed $BIN and $UNIT (systemd not used)"
fi
