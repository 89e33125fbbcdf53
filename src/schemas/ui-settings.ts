/**
 * GET /api/config (what the UI needs to know about the server) and the legacy UI preferences
 * (GET /api/settings, POST /api/settings/update). A preference update may be flat or wrapped as
 * `{current: {…}}` the way GET returns it; unknown preferences are refused by the UI settings
 * module, which owns the list.
 */
import { Type } from 'typebox';
import { Open } from './common.js';

/** Each preference and the values it takes; the UI settings module adds the defaults and refuses other names. */
export const UiPreferences = {
  theme: Type.Enum(['system', 'light', 'dark']),
  refreshInterval: Type.Integer({
    minimum: 1,
    maximum: 300,
    description: 'Seconds between UI refreshes when the WebSocket is unavailable',
  }),
  dashboardLayout: Type.Enum(['list', 'grid']),
  compactMode: Type.Boolean(),
  showStoppedGuests: Type.Boolean(),
  groupByNode: Type.Boolean(),
  temperatureUnit: Type.Enum(['celsius', 'fahrenheit']),
  timeFormat: Type.Enum(['24h', '12h']),
  byteUnits: Type.Enum(['binary', 'decimal']),
};

export const UiSettings = Open(UiPreferences);

const patch = {
  theme: Type.Optional(UiPreferences.theme),
  refreshInterval: Type.Optional(UiPreferences.refreshInterval),
  dashboardLayout: Type.Optional(UiPreferences.dashboardLayout),
  compactMode: Type.Optional(UiPreferences.compactMode),
  showStoppedGuests: Type.Optional(UiPreferences.showStoppedGuests),
  groupByNode: Type.Optional(UiPreferences.groupByNode),
  temperatureUnit: Type.Optional(UiPreferences.temperatureUnit),
  timeFormat: Type.Optional(UiPreferences.timeFormat),
  byteUnits: Type.Optional(UiPreferences.byteUnits),
};

/** The preferences to change, flat or under `current`. */
export const UiSettingsUpdateBody = Open({
  ...patch,
  current: Type.Optional(Open(patch, 'The preferences to change, wrapped the way GET returns them')),
});

export const UiSettingsReply = Open({
  current: UiSettings,
  defaults: UiSettings,
  capabilities: Type.Record(Type.String(), Type.Boolean(), { description: 'What this server can do' }),
});

export const UiSettingsUpdateReply = Open({ success: Type.Literal(true), current: UiSettings });

const ConfiguredNodeBrief = Open({
  id: Type.String({ description: 'pve-<i>, pbs-<i> or pmg-<i>' }),
  type: Type.Enum(['pve', 'pbs', 'pmg']),
  name: Type.String(),
  host: Type.String(),
  verifySSL: Type.Boolean(),
  hasToken: Type.Boolean(),
  hasPassword: Type.Boolean(),
  status: Type.Enum(['connected', 'disconnected']),
});

export const ServerConfigReply = Open({
  csrfProtection: Type.Boolean(),
  autoUpdateEnabled: Type.Boolean(),
  updateChannel: Type.String({ description: 'stable or rc' }),
  version: Type.String(),
  nodes: Type.Array(ConfiguredNodeBrief, { description: 'Configured nodes; secrets only as hasToken/hasPassword' }),
  system: Open({}, 'The system settings (GET /api/config/system)'),
  mockMode: Type.Boolean(),
});
