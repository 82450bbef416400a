// Settings: automation levels, detection rules and API apps, one tab each (?tab=).
import { PageHeader } from '../../components/Layout';
import { TabPanel, Tabs, useTab } from '../../components/Tabs';
import { AppsTab } from './AppsTab';
import { AutomationTab } from './AutomationTab';
import { RulesTab } from './RulesTab';
import '../devices/devices.css';
import './settings.css';

const TABS = [
  { id: 'automation', label: 'Automation' },
  { id: 'rules', label: 'Detection rules' },
  { id: 'apps', label: 'API apps' },
];

export default function SettingsPage() {
  const [tab, setTab] = useTab(
    TABS.map((t) => t.id),
    'automation',
  );
  return (
    <div className="ent-page">
      <PageHeader title="Settings" />
      <Tabs idPrefix="settings" label="Settings sections" tabs={TABS} active={tab} onChange={setTab} />
      <TabPanel idPrefix="settings" active={tab}>
        {tab === 'automation' && <AutomationTab />}
        {tab === 'rules' && <RulesTab />}
        {tab === 'apps' && <AppsTab />}
      </TabPanel>
    </div>
  );
}
