/** Every migration, in order. Add new files here. */
import { migration001 } from './001_core.js';
import { migration010 } from './010_security.js';
import { migration020 } from './020_monitored_nodes.js';
import { migration021 } from './021_system_settings.js';
import { migration025 } from './025_metric_history.js';
import { migration026 } from './026_metric_slabs.js';
import { migration027 } from './027_metric_slab_parts.js';
import { migration030 } from './030_alerts.js';
import { migration031 } from './031_alert_history_facts.js';
import { migration035 } from './035_notifications.js';
import { migration040 } from './040_guest_metadata.js';
import { migration041 } from './041_docker_hosts.js';
import { migration045 } from './045_setup_updates_ui_mock.js';
import type { Migration } from './types.js';

export const migrations: readonly Migration[] = [
  migration001,
  migration010,
  migration020,
  migration021,
  migration025,
  migration026,
  migration027,
  migration030,
  migration031,
  migration035,
  migration040,
  migration041,
  migration045,
];
