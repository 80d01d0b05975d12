import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { CsvDropOverlay } from '../features/contacts/CsvDropOverlay';
import { InboxScreen } from '../features/inbox/InboxScreen';
import { claimEarlyLoad } from '../lib/earlyLoads';
import { RecoveryGate } from '../features/recovery/RecoveryGate';
import { useAppStore } from '../stores/app';
import { useInboxStore } from '../stores/inbox';
import { sections, type SectionId } from './routes';
import { installSectionShortcuts, Sidebar } from './Sidebar';
import { StatusBar } from './StatusBar';
import { useHashRoute } from './useHashRoute';

// The inbox is the first screen; the others load when first opened, so start-up parses only what the
// first paint needs (startup_first_paint_ms).
const CampaignsScreen = lazy(() =>
  import('../features/campaigns/CampaignsScreen').then((m) => ({ default: m.CampaignsScreen })),
);
const ContactsScreen = lazy(() =>
  import('../features/contacts/ContactsScreen').then((m) => ({ default: m.ContactsScreen })),
);
const TemplatesScreen = lazy(() =>
  import('../features/templates/TemplatesScreen').then((m) => ({ default: m.TemplatesScreen })),
);
const ChatbotsScreen = lazy(() =>
  import('../features/chatbots/ChatbotsScreen').then((m) => ({ default: m.ChatbotsScreen })),
);
const SettingsScreen = lazy(() =>
  import('../features/settings/SettingsScreen').then((m) => ({ default: m.SettingsScreen })),
);

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
    // boot.ts asked for these before the first render; later mounts (none today) would ask again.
    if (!claimEarlyLoad('app')) void useAppStore.getState().load();
    if (!claimEarlyLoad('unread')) void useInboxStore.getState().refreshUnread();
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
        <RecoveryGate>
          <Suspense fallback={<p className="muted">Loading…</p>}>{screens[section]()}</Suspense>
        </RecoveryGate>
      </main>
      <StatusBar />
      <CsvDropOverlay />
    </div>
  );
}
