/**
 * Discrete events between services (as opposed to the continuous state in StateStore).
 * Producers emit; the WebSocket hub and others subscribe. Add an event by adding a key here.
 */
import { EventEmitter } from 'node:events';
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
}

export class PulseEvents extends EventEmitter<PulseEventMap> {
  constructor() {
    super();
    this.setMaxListeners(50);
  }
}
