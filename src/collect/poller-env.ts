/** What every poller (PVE, PBS, PMG) receives from Monitoring. */
import type { Clock } from '../clock.js';
import type { Logger } from '../logging.js';
import type { ApiCallCounter } from '../proxmox/client.js';
import type { ClusterInfo } from '../settings/node-config.js';
import type { TemperatureSource } from './temperature.js';

export interface PollerEnv {
  clock: Clock;
  logger: Logger;
  /** Per-request timeout (ms). */
  timeoutMs(): number;
  /** The instance's polling interval (ms): cadences of slower data are multiples of it. */
  intervalMs(): number;
  /** Cluster detection found something new: persist it. */
  onCluster(uid: number, cluster: ClusterInfo): void;
  /** Tally of API calls for the state's performance figures. */
  counter?: ApiCallCounter;
  /** Node temperatures (SSH `sensors -j`, cached and refreshed in the background). */
  temperature?: TemperatureSource;
}
