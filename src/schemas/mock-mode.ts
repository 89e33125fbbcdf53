/**
 * /api/system/mock-mode (wire contract §7.8). GET answers the PascalCase config Pulse 4.24
 * emits; writes take camelCase, and PascalCase too, which the mock fleet checks by the same rules.
 */
import { type Static, Type } from 'typebox';
import { Open } from './common.js';

export const MockModeView = Open({
  enabled: Type.Boolean(),
  config: Open({
    NodeCount: Type.Integer(),
    VMsPerNode: Type.Integer(),
    LXCsPerNode: Type.Integer(),
    DockerHostCount: Type.Integer(),
    DockerContainersPerHost: Type.Integer(),
    RandomMetrics: Type.Boolean(),
    HighLoadNodes: Type.Array(Type.String()),
    StoppedPercent: Type.Number(),
  }),
});
export type MockModeView = Static<typeof MockModeView>;

const MockConfigPatch = Open(
  {
    nodeCount: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    vmsPerNode: Type.Optional(Type.Integer({ minimum: 0, maximum: 200 })),
    lxcsPerNode: Type.Optional(Type.Integer({ minimum: 0, maximum: 200 })),
    dockerHostCount: Type.Optional(
      Type.Integer({ description: 'Only 0: Docker hosts come from real agents, the mock fleet invents none' }),
    ),
    dockerContainersPerHost: Type.Optional(Type.Integer({ description: 'Only 0, as dockerHostCount' })),
    randomMetrics: Type.Optional(Type.Boolean()),
    highLoadNodes: Type.Optional(Type.Array(Type.String(), { description: 'Node names kept under high load' })),
    stoppedPercent: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'Share of stopped guests' })),
  },
  'The fleet to generate; fields left out keep their value',
);

export const MockModeBody = Open({
  enabled: Type.Optional(Type.Boolean()),
  config: Type.Optional(Type.Union([MockConfigPatch, Type.Null()])),
});
