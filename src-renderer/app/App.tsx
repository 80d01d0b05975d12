import { useEffect, type ReactNode } from 'react';
import { CampaignsScreen } from '../features/campaigns/CampaignsScreen';
import { ChatbotsScreen } from '../features/chatbots/ChatbotsScreen';
import { ContactsScreen } from '../features/contacts/ContactsScreen';
import { InboxScreen } from '../features/inbox/InboxScreen';
import { CsvDropOverlay } from '../features/contacts/CsvDropOverlay';
import { RecoveryGate } from '../features/recovery/RecoveryGate';
import { SettingsScreen } from '../features/settings/SettingsScreen';
import { TemplatesScreen } from '../features/templates/TemplatesScreen';
import { useAppStore } from '../stores/app';
import { useInboxStore } from '../stores/inbox';
import { sections, type SectionId } from './routes';
import { installSectionShortcuts, Sidebar } from './Sidebar';
import { StatusBar } from './StatusBar';
import { useHashRoute } from './useHashRoute';

const screens: Record<SectionId, () => ReactNode> = {
  inbox: () => <InboxScreen />,
  campaigns: () => <CampaignsScreen />,
  contacts: () => <ContactsScreen />,
  templates: () => <TemplatesScreen />,
  chatbots: () => <ChatbotsScreen />,
  settings: () => <SettingsScreen />,
};

export function App() {
  const section = useHashRoute();
  const info = useAppStore((s) => s.info);
  const loadError = useAppStore((s) => s.loadError);
  const unread = useInboxStore((s) => s.unread.conversations);

  useEffect(() => {
    void useAppStore.getState().load();
    void useInboxStore.getState().refreshUnread();
    return installSectionShortcuts();
  }, []);

  useEffect(() => {
    const label = sections.find((s) => s.id === section)?.label ?? '';
    // Unread conversations in the title, as WhatsApp Web does: "(3) Inbox · Bellhop".
    document.title = `${unread > 0 ? `(${unread}) ` : ''}${label} · Bellhop`;
  }, [section, unread]);

  return (
    // data-app-ready is the readiness signal end-to-end tests wait on (never a fixed sleep).
    <div className="app" data-app-ready={info ? 'true' : 'false'}>
      <Sidebar current={section} />
      <main className="content" id="main">
        {loadError ? (
          <div className="banner error" role="alert">
            Bellhop could not load: {loadError}
          </div>
        ) : null}
        <RecoveryGate>{screens[section]()}</RecoveryGate>
      </main>
      <StatusBar />
      <CsvDropOverlay />
    </div>
  );
}
