/**
 * The node setup script served by GET /api/setup-script (pure: parameters in, bash text out).
 *
 * Run as root on a Proxmox host, it creates a read-only monitoring identity and registers it with
 * Pulse through POST /api/auto-register:
 * - PVE: user pulse-monitor@pam with PVEAuditor on / (plus PVEDatastoreAdmin on /storage when
 *   backup permissions are asked for) and a role for guest-agent data, and a token with
 *   privilege separation off, so the token has exactly the user's rights;
 * - PBS: user pulse-monitor@pbs and a token, both with the Audit role on / (PBS tokens carry their
 *   own ACL entries);
 * - PMG: user pulse-monitor@pmg with the audit role and a random password (PMG has no API tokens).
 * The registration needs the one-time setup code from the Pulse UI: taken from PULSE_SETUP_CODE,
 * from the URL the UI produced when it embedded one, or asked for interactively on the terminal.
 * The host's certificate fingerprint is sent along so Pulse can pin it.
 */

export type SetupNodeType = 'pve' | 'pbs' | 'pmg';

export interface SetupScriptParams {
  type: SetupNodeType;
  /** The node URL as Pulse should reach it; empty = the script works it out from the host's address. */
  host: string;
  /** The Pulse base URL the script posts back to. */
  pulseUrl: string;
  backupPerms: boolean;
  /** A code already embedded by the caller (optional; otherwise asked for). */
  setupCode?: string;
}

/** Single-quotes a value for bash: nothing inside is expanded. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function setupScriptFileName(type: SetupNodeType): string {
  return `pulse-setup-${type}.sh`;
}

const DEFAULT_PORT: Record<SetupNodeType, number> = { pve: 8006, pbs: 8007, pmg: 8006 };

function pveSteps(backupPerms: boolean): string {
  return `
USER_ID='pulse-monitor@pam'
if ! pveum user list --output-format json 2>/dev/null | grep -q '"userid":"pulse-monitor@pam"'; then
  pveum user add "$USER_ID" --comment 'Pulse monitoring (read-only)'
fi
pveum aclmod / -user "$USER_ID" -role PVEAuditor
# Guest-agent data (disk usage, IPs, OS) and the guest's own /proc/meminfo need more privileges:
# PVE 9 splits them into VM.GuestAgent.Audit and VM.GuestAgent.FileRead, PVE 8 has VM.Monitor.
# An existing role (from an earlier run) is updated, so re-running the script grants FileRead.
ROLE_CMD=add
if pveum role list --output-format json 2>/dev/null | grep -q '"roleid":"PulseMonitor"'; then ROLE_CMD=modify; fi
if pveum role "$ROLE_CMD" PulseMonitor -privs 'VM.GuestAgent.Audit,VM.GuestAgent.FileRead' >/dev/null 2>&1 \\
   || pveum role "$ROLE_CMD" PulseMonitor -privs 'VM.Monitor' >/dev/null 2>&1; then
  pveum aclmod / -user "$USER_ID" -role PulseMonitor
fi
${backupPerms ? `pveum aclmod /storage -user "$USER_ID" -role PVEDatastoreAdmin\n` : ''}pveum user token remove "$USER_ID" "$TOKEN_NAME" >/dev/null 2>&1 || true
TOKEN_JSON=$(pveum user token add "$USER_ID" "$TOKEN_NAME" --privsep 0 --output-format json)
TOKEN_VALUE=$(printf '%s' "$TOKEN_JSON" | sed -n 's/.*"value"[[:space:]]*:[[:space:]]*"\\([^"]*\\)".*/\\1/p')
TOKEN_ID="$USER_ID!$TOKEN_NAME"
# pveproxy serves pveproxy-ssl.pem when one is installed (custom or ACME, renewed often: not
# pinned); otherwise the node certificate from the cluster CA, which is long-lived.
CERT_FILE=/etc/pve/local/pve-ssl.pem
PIN_CERT=yes
if [ -e /etc/pve/local/pveproxy-ssl.pem ]; then PIN_CERT=no; fi
`;
}

function pbsSteps(): string {
  return `
USER_ID='pulse-monitor@pbs'
if ! proxmox-backup-manager user list --output-format json 2>/dev/null | grep -q '"userid":"pulse-monitor@pbs"'; then
  proxmox-backup-manager user create "$USER_ID" --comment 'Pulse monitoring (read-only)'
fi
proxmox-backup-manager acl update / Audit --auth-id "$USER_ID"
proxmox-backup-manager user delete-token "$USER_ID" "$TOKEN_NAME" >/dev/null 2>&1 || true
TOKEN_JSON=$(proxmox-backup-manager user generate-token "$USER_ID" "$TOKEN_NAME" --output-format json)
TOKEN_VALUE=$(printf '%s' "$TOKEN_JSON" | sed -n 's/.*"value"[[:space:]]*:[[:space:]]*"\\([^"]*\\)".*/\\1/p')
TOKEN_ID="$USER_ID!$TOKEN_NAME"
# PBS tokens have their own ACL entries: give the token the same read-only role.
proxmox-backup-manager acl update / Audit --auth-id "$TOKEN_ID"
CERT_FILE=/etc/proxmox-backup/proxy.pem
PIN_CERT=if-self-signed
`;
}

function pmgSteps(): string {
  return `
USER_ID='pulse-monitor@pmg'
PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)
pmgsh delete /access/users/pulse-monitor@pmg >/dev/null 2>&1 || true
pmgsh create /access/users --userid "$USER_ID" --role audit --password "$PASSWORD" --comment 'Pulse monitoring (read-only)' >/dev/null
CERT_FILE=/etc/pmg/pmg-api.pem
PIN_CERT=if-self-signed
`;
}

export function renderSetupScript(p: SetupScriptParams): string {
  const steps = p.type === 'pve' ? pveSteps(p.backupPerms) : p.type === 'pbs' ? pbsSteps() : pmgSteps();
  const credentialKeys = p.type === 'pmg' ? '"username":"%s","password":"%s"' : '"tokenId":"%s","tokenValue":"%s"';
  const credentialVars = p.type === 'pmg' ? '"$USER_ID" "$PASSWORD"' : '"$TOKEN_ID" "$TOKEN_VALUE"';
  return `#!/usr/bin/env bash
# Pulse setup script for ${p.type.toUpperCase()}: creates a read-only monitoring account on this host
# and registers it with Pulse. Run it as root on the Proxmox host.
set -euo pipefail

PULSE_URL=${shellQuote(p.pulseUrl)}
NODE_TYPE=${shellQuote(p.type)}
NODE_HOST=${shellQuote(p.host)}
EMBEDDED_CODE=${shellQuote(p.setupCode ?? '')}

if [ "$(id -u)" != "0" ]; then
  echo "Please run this script as root on the ${p.type.toUpperCase()} host." >&2
  exit 1
fi

SERVER_NAME=$(hostname -s 2>/dev/null || hostname)
if [ -z "$NODE_HOST" ]; then
  NODE_IP=$(hostname -I 2>/dev/null | awk '{print $1}')
  NODE_HOST="https://\${NODE_IP:-$SERVER_NAME}:${DEFAULT_PORT[p.type]}"
fi
# Token names allow letters, digits, '-', '_' and '.'; one per Pulse server.
PULSE_HOSTNAME=$(printf '%s' "$PULSE_URL" | sed -e 's#^[a-z]*://##' -e 's#[:/].*$##' | tr -c 'A-Za-z0-9\\n' '-')
TOKEN_NAME="pulse-\${PULSE_HOSTNAME}"
${steps}
# The certificate fingerprint lets Pulse pin this host. CA-signed certificates (ACME) are
# renewed every few weeks, and a pin would then stop monitoring: those are not pinned.
FINGERPRINT=''
if [ "$PIN_CERT" != "no" ] && [ -r "$CERT_FILE" ] && command -v openssl >/dev/null 2>&1; then
  SUBJECT=$(openssl x509 -in "$CERT_FILE" -noout -subject 2>/dev/null | sed 's/^subject=//')
  ISSUER=$(openssl x509 -in "$CERT_FILE" -noout -issuer 2>/dev/null | sed 's/^issuer=//')
  if [ "$PIN_CERT" = "yes" ] || [ "$SUBJECT" = "$ISSUER" ]; then
    FINGERPRINT=$(openssl x509 -in "$CERT_FILE" -noout -fingerprint -sha256 2>/dev/null | sed 's/^.*=//')
  fi
fi

SETUP_CODE="\${PULSE_SETUP_CODE:-$EMBEDDED_CODE}"
# /dev/tty exists without a controlling terminal too (cron, CI): ask only when it can be opened.
if [ -z "$SETUP_CODE" ] && (: </dev/tty) 2>/dev/null; then
  printf 'Enter the 6-character setup code shown in Pulse: ' > /dev/tty
  read -r SETUP_CODE < /dev/tty
fi
if [ -z "$SETUP_CODE" ]; then
  echo "No setup code given: the account was created but not registered." >&2
  echo "Add this host in Pulse by hand, or run again with PULSE_SETUP_CODE=XXXXXX." >&2
  exit 1
fi

# Values are plain tokens (no quotes or backslashes), so printf builds valid JSON.
BODY_FORMAT='{"type":"%s","host":"%s","serverName":"%s","setupCode":"%s","fingerprint":"%s",${credentialKeys}}'
BODY=$(printf "$BODY_FORMAT" "$NODE_TYPE" "$NODE_HOST" "$SERVER_NAME" "$SETUP_CODE" "$FINGERPRINT" ${credentialVars})

echo "Registering $NODE_HOST with Pulse at $PULSE_URL ..."
if RESPONSE=$(curl -sS -k --fail-with-body -X POST -H 'Content-Type: application/json' --data "$BODY" "$PULSE_URL/api/auto-register"); then
  echo "Registered: $RESPONSE"
else
  echo "Registration failed: $RESPONSE" >&2
  exit 1
fi
`;
}
