// The page's entry, kept small: it asks for the data of the first paint at once, then loads the app
// (React and the screens, the bulk of the script) in a chunk of its own. The requests go out on the
// bridge the app then goes on using (the WebSocket, or Electron's preload) while the browser still
// fetches and compiles that chunk, and their answers land in the same stores; the components whose first
// mount would ask again claim them instead (lib/earlyLoads.ts).
import { sectionFromHash } from './app/routes';
import { prepareListTimeFormats } from './features/inbox/inboxTime';
import { markEarlyLoad } from './lib/earlyLoads';
import { useAppStore } from './stores/app';
import { useInboxStore } from './stores/inbox';
import './styles.css';

// The host answers in the order asked: the list the user waits for first.
if (sectionFromHash(location.hash) === 'inbox') {
  markEarlyLoad('inboxList');
  void useInboxStore.getState().loadList();
}
markEarlyLoad('app');
void useAppStore.getState().load();
markEarlyLoad('unread');
void useInboxStore.getState().refreshUnread();
void import('./app/mount');
// While the app's chunk loads, the main thread would be idle: make the list's date formatters now.
setTimeout(prepareListTimeFormats, 0);
