/** Resource IDs exactly as wire-contract §1.2–1.8 define them. */

export const nodeId = (instance: string, node: string) => `${instance}-${node}`;

/** `<node>-<vmid>` when the instance is named like the node, else `<instance>-<node>-<vmid>`. */
export const guestId = (instance: string, node: string, vmid: number) =>
  instance === node ? `${node}-${vmid}` : `${instance}-${node}-${vmid}`;

export const storageId = (instance: string, node: string, storage: string) =>
  instance === node ? `${node}-${storage}` : `${instance}-${node}-${storage}`;

export const cephId = (instance: string, fsid: string | undefined) => (fsid ? `${instance}-${fsid}` : instance);

/** `/dev/sda` → `pve1-n1--dev-sda` */
export const diskId = (instance: string, node: string, devPath: string) =>
  `${instance}-${node}-${devPath.replace(/\//g, '-')}`;

export const pbsInstanceId = (name: string) => `pbs-${name}`;
export const pmgInstanceId = (name: string) => `pmg-${name}`;

export const backupTaskId = (instance: string, upid: string) => `${instance}-${upid}`;
export const storageBackupId = (instance: string, volid: string) => `${instance}-${volid}`;
export const snapshotId = (instance: string, node: string, vmid: number, name: string) =>
  `${instance}-${node}-${vmid}-${name}`;
export const pbsBackupId = (
  instance: string,
  datastore: string,
  namespace: string,
  type: string,
  backupId: string,
  time: number,
) => `pbs-${instance}-${datastore}-${namespace}-${type}-${backupId}-${time}`;
