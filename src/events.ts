/**
 * Discrete events between services (as opposed to the continuous state in StateStore).
 * Producers emit; the WebSocket hub and others subscribe. Add an event by adding a key here.
 */
import { EventEmitter } from 'node:events';
import type { DiscoveryUpdate, NodeAutoRegistered, UpdateStatus } from './model/operations.js';
import type { FullAlert } from './model/state.js';

export interface PulseEventMap {
  /** A new notified alert, a re-notification or an escalation (WS `alert`). */
  alert: [FullAlert];
  /** An alert resolved or was cleared (WS `alertResolved`). */
  alertResolved: [{ alertId: string }];
  /** A configured node was deleted (WS `node_deleted`). */
  nodeDeleted: [{ nodeType: string }];
  /** System settings saved with a theme (WS `settingsUpdate`). */
  settingsUpdate: [{ theme?: string }];
  /** A node registered itself through its setup script, or a test message (WS `node_auto_registered`). */
  nodeAutoRegistered: [NodeAutoRegistered];
  /** The update checker's status changed (WS `update:progress`). */
  updateProgress: [UpdateStatus];
  /** Discovery has new results (WS `discovery_update`). */
  discoveryUpdate: [DiscoveryUpdate];
}

export class PulseEvents extends EventEmitter<PulseEventMap> {
  constructor() {
    super();
    this.setMaxListeners(50);
  }
}
