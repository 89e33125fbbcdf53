/** Settings with one URL per section (/settings/nodes, /settings/security, …). */
import { Match, Switch } from 'solid-js';
import { PageTitle, TabLinks } from '../../components/ui';
import { currentPath } from '../../router';
import { BackupSettings } from './Backup';
import { ExposureSettings } from './Exposure';
import { MaintenanceSettings } from './Maintenance';
import { NodesSettings } from './Nodes';
import { NotificationSettings } from './Notifications';
import { SecuritySettings } from './Security';
import { SystemSettingsPage } from './System';
import { ThresholdSettings } from './Thresholds';

const TABS = [
  { href: '/settings/nodes', label: 'Nodes' },
  { href: '/settings/system', label: 'System' },
  { href: '/settings/security', label: 'Security' },
  { href: '/settings/notifications', label: 'Notifications' },
  { href: '/settings/thresholds', label: 'Alert thresholds' },
  { href: '/settings/backup', label: 'Backup & restore' },
  { href: '/settings/maintenance', label: 'Updates & diagnostics' },
];

export function SettingsPage() {
  const section = () => {
    const p = currentPath().replace(/\/$/, '');
    return TABS.find((t) => p === t.href)?.href ?? '/settings/nodes';
  };
  return (
    <div class="space-y-4">
      <PageTitle
        title="Settings"
        subtitle="Proxmox connections, polling, security, notifications and alert thresholds"
      />
      <TabLinks label="Settings sections" tabs={TABS} active={section()} />
      <Switch>
        <Match when={section() === '/settings/nodes'}>
          <NodesSettings />
        </Match>
        <Match when={section() === '/settings/system'}>
          <SystemSettingsPage />
          <ExposureSettings />
        </Match>
        <Match when={section() === '/settings/security'}>
          <SecuritySettings />
        </Match>
        <Match when={section() === '/settings/notifications'}>
          <NotificationSettings />
        </Match>
        <Match when={section() === '/settings/thresholds'}>
          <ThresholdSettings />
        </Match>
        <Match when={section() === '/settings/backup'}>
          <BackupSettings />
        </Match>
        <Match when={section() === '/settings/maintenance'}>
          <MaintenanceSettings />
        </Match>
      </Switch>
    </div>
  );
}
