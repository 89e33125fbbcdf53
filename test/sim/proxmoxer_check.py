"""Logs in to a (simulated) Proxmox VE with proxmoxer, a client written by others, and lists
what a monitoring tool needs. Run with Debian's /usr/bin/python3 (python3-proxmoxer).

Usage: proxmoxer_check.py <host> <port> <user> <password> <token_id> <token_secret>
Prints one JSON object per login method.
"""
import json
import sys

from proxmoxer import ProxmoxAPI


def inventory(api):
    nodes = api.nodes.get()
    out = {"nodes": sorted(n["node"] for n in nodes), "vms": [], "containers": [], "storage": []}
    for n in nodes:
        if n.get("status") != "online":
            continue
        name = n["node"]
        out["vms"] += [v["vmid"] for v in api.nodes(name).qemu.get()]
        out["containers"] += [c["vmid"] for c in api.nodes(name).lxc.get()]
        out["storage"] += ["%s/%s" % (name, s["storage"]) for s in api.nodes(name).storage.get()]
    out["resources"] = len(api.cluster.resources.get(type="vm"))
    out["version"] = api.version.get()["version"]
    for key in ("vms", "containers", "storage"):
        out[key].sort()
    return out


def main():
    host, port, user, password, token_id, token_secret = sys.argv[1:7]
    by_password = ProxmoxAPI(host, port=int(port), user=user, password=password, verify_ssl=False)
    token_user, token_name = token_id.split("!", 1)
    by_token = ProxmoxAPI(host, port=int(port), user=token_user, token_name=token_name, token_value=token_secret, verify_ssl=False)
    result = {"password": inventory(by_password), "token": inventory(by_token)}
    # A write with the ticket: proxmoxer must send the CSRF token for this to pass.
    upid = by_password.nodes("pve1").qemu(105).status.start.post()
    result["write_upid"] = upid
    print(json.dumps(result))


if __name__ == "__main__":
    main()
