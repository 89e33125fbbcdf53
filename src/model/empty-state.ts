/** An empty /api/state document: every collection present, empty ones `[]` (server and UI). */
import type { PulseState } from './state.js';

export function emptyState(): PulseState {
  return {
    nodes: [],
    vms: [],
    containers: [],
    dockerHosts: [],
    storage: [],
    cephClusters: [],
    physicalDisks: [],
    pbs: [],
    pmg: [],
    pveBackups: { backupTasks: [], storageBackups: [], guestSnapshots: [] },
    pbsBackups: [],
    metrics: {},
    performance: {},
    stats: {},
    activeAlerts: [],
    recentlyResolved: [],
    connectionHealth: {},
    lastUpdate: 0,
  };
}
