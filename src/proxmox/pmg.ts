/**
 * Typed PMG API calls (shapes from ../shared/proxmox-api/pmg-apidata.js). PMG is loose with
 * number types (numbers, numeric strings, "" or null), so numeric fields are typed `unknown`
 * and coerced by the normaliser.
 */
import type { ProxmoxClient, RequestOptions } from './client.js';

export interface PmgVersion {
  version: string;
  release: string;
  repoid?: string;
}

export interface PmgClusterStatusEntry {
  cid?: unknown;
  name: string;
  type?: string;
  ip?: string;
}

export type PmgLooseRecord = Record<string, unknown>;

export const PMG_POSTFIX_QUEUES = ['active', 'deferred', 'hold', 'incoming'] as const;
export type PmgPostfixQueue = (typeof PMG_POSTFIX_QUEUES)[number];

const enc = encodeURIComponent;

export class PmgApi {
  constructor(readonly client: ProxmoxClient) {}

  version(o?: RequestOptions) {
    return this.client.get<PmgVersion>('/version', o);
  }
  /** Cluster members; `list_single_node` makes a standalone PMG list itself. */
  clusterStatus(o?: RequestOptions) {
    return this.client.get<PmgClusterStatusEntry[]>('/config/cluster/status', { ...o, query: { list_single_node: 1 } });
  }
  nodes(o?: RequestOptions) {
    return this.client.get<Array<{ node: string }>>('/nodes', o);
  }
  nodeStatus(node: string, o?: RequestOptions) {
    return this.client.get<PmgLooseRecord>(`/nodes/${enc(node)}/status`, o);
  }
  /**
   * `qshape` of one postfix queue: a `TOTAL` row, then one per domain; figures arrive as strings
   * (PMG splits qshape's text), buckets are named `5m` … `1280m`, `1280m+`.
   */
  postfixQshape(node: string, queue: PmgPostfixQueue, o?: RequestOptions) {
    return this.client.get<PmgLooseRecord[]>(`/nodes/${enc(node)}/postfix/qshape`, { ...o, query: { queue } });
  }
  /** Totals over [start, end] (unix seconds); the poller asks for the last 24 h ("day"). */
  mailStats(start: number, end: number, o?: RequestOptions) {
    return this.client.get<PmgLooseRecord>('/statistics/mail', { ...o, query: { starttime: start, endtime: end } });
  }
  /** Hourly buckets over [start, end]. */
  mailCount(start: number, end: number, o?: RequestOptions) {
    return this.client.get<PmgLooseRecord[]>('/statistics/mailcount', {
      ...o,
      query: { starttime: start, endtime: end, timespan: 3600 },
    });
  }
  spamScores(o?: RequestOptions) {
    return this.client.get<PmgLooseRecord[]>('/statistics/spamscores', o);
  }
  spamStatus(o?: RequestOptions) {
    return this.client.get<PmgLooseRecord>('/quarantine/spamstatus', o);
  }
  virusStatus(o?: RequestOptions) {
    return this.client.get<PmgLooseRecord>('/quarantine/virusstatus', o);
  }
}
