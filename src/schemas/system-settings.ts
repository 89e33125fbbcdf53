/** System settings (wire-contract §7.2): GET/POST /api/system/settings[/update], GET/PUT /api/config/system. */
import { type Static, Type } from 'typebox';

/** The log levels Pulse knows, for this setting and LOG_LEVEL alike; matched without regard to case. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

const Seconds = (min: number, max: number, description: string) =>
  Type.Optional(Type.Union([Type.Integer({ minimum: min, maximum: max }), Type.Null()], { description }));
const Port = Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 65535 }), Type.Null()]));
const Flag = Type.Optional(Type.Union([Type.Boolean(), Type.Null()]));
const Text = (description: string, maxLength = 2000) =>
  Type.Optional(Type.Union([Type.String({ maxLength }), Type.Null()], { description }));

/**
 * A partial update: fields left out keep their value, `null` means "not given". Types, ranges and
 * lengths are here, for the API and for config import alike (src/settings/system-settings.ts checks
 * values against this schema); origin lists, subnets, times and log levels are checked there.
 */
export const SystemSettingsUpdate = Type.Object({
  pvePollingInterval: Seconds(10, 3600, 'Seconds between PVE polls'),
  pbsPollingInterval: Seconds(10, 3600, 'Seconds between PBS polls'),
  pmgPollingInterval: Seconds(10, 3600, 'Seconds between PMG polls'),
  backendPort: Port,
  frontendPort: Port,
  connectionTimeout: Seconds(0, 300, 'Seconds; 0 uses the default'),
  autoUpdateCheckInterval: Seconds(0, 168, 'Hours; 0 turns checks off'),
  // Enums rather than unions of literals, so a refusal lists the allowed values.
  updateChannel: Type.Optional(Type.Union([Type.Enum(['stable', 'rc']), Type.Null()])),
  theme: Type.Optional(Type.Union([Type.Enum(['light', 'dark', '']), Type.Null()], { description: '"" = unset' })),
  autoUpdateTime: Text('HH:MM', 5),
  logLevel: Text(`One of ${LOG_LEVELS.join(', ')} (any case)`, 10),
  discoverySubnet: Text('A CIDR subnet like 192.168.1.0/24, or auto', 200),
  allowedOrigins: Text('Comma-separated origins allowed for CORS and WebSocket'),
  allowedEmbedOrigins: Text('Comma-separated origins allowed to embed the UI'),
  autoUpdateEnabled: Flag,
  discoveryEnabled: Flag,
  allowEmbedding: Flag,
  metricsPublic: Flag,
});
export type SystemSettingsUpdate = Static<typeof SystemSettingsUpdate>;

/**
 * The settings in effect: the defaults with every saved field over them, each as the update's
 * validation leaves it (origin lists normalised, log level lower case, no nulls or empty theme).
 * src/settings/system-settings.ts takes its type from here, so what is saved and what the GET
 * routes declare cannot drift apart.
 */
export const SystemSettingsValues = Type.Object({
  pvePollingInterval: Type.Integer({ description: 'Seconds between PVE polls' }),
  pbsPollingInterval: Type.Integer({ description: 'Seconds between PBS polls' }),
  pmgPollingInterval: Type.Integer({ description: 'Seconds between PMG polls' }),
  backendPort: Type.Optional(Type.Integer()),
  frontendPort: Type.Optional(Type.Integer()),
  allowedOrigins: Type.Optional(Type.String({ description: 'Comma-separated origins allowed for CORS and WebSocket' })),
  connectionTimeout: Type.Optional(Type.Integer({ description: 'Seconds; absent or 0 uses CONNECTION_TIMEOUT' })),
  updateChannel: Type.Optional(Type.Enum(['stable', 'rc'])),
  autoUpdateEnabled: Type.Boolean(),
  autoUpdateCheckInterval: Type.Optional(Type.Integer({ description: 'Hours; 0 turns checks off' })),
  autoUpdateTime: Type.Optional(Type.String({ description: 'HH:MM' })),
  logLevel: Type.Optional(Type.String({ description: `One of ${LOG_LEVELS.join(', ')}` })),
  discoveryEnabled: Type.Boolean(),
  discoverySubnet: Type.Optional(Type.String({ description: 'A CIDR subnet, auto, or "" for automatic' })),
  theme: Type.Optional(Type.Enum(['light', 'dark'], { description: 'Absent: follow the browser' })),
  allowEmbedding: Type.Boolean(),
  allowedEmbedOrigins: Type.Optional(Type.String({ description: 'Comma-separated origins allowed to embed the UI' })),
  metricsPublic: Type.Boolean({ description: 'GET /metrics without an API token (for scrapers on a trusted network)' }),
});
export type SystemSettingsValues = Static<typeof SystemSettingsValues>;

/**
 * GET /api/system/settings and GET /api/config/system: the settings in effect, with the connection
 * timeout always filled in. Closed, so a field a handler adds without declaring it here fails the
 * strict response check of the tests.
 */
export const SystemSettingsReply = Type.Object(
  {
    ...SystemSettingsValues.properties,
    connectionTimeout: Type.Integer({ description: 'Seconds, the saved value or CONNECTION_TIMEOUT' }),
    envOverrides: Type.Optional(
      Type.Record(Type.String(), Type.Boolean(), { description: 'Settings fixed by the environment' }),
    ),
  },
  { additionalProperties: false },
);
export type SystemSettingsReply = Static<typeof SystemSettingsReply>;
