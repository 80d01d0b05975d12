// The page's entry, kept small: it asks for the data of the first paint at once, then loads the app
// (React and the screens, the bulk of the script) in a chunk of its own. The requests go out on the
// bridge the app then goes on using (the WebSocket, or Electron's preload) while the browser still
// fetches and compiles that chunk, and their answers land in the same stores; the components whose first
// mount would ask again claim them instead (lib/earlyLoads.ts).
import { sectionFromHash } from './app/routes';
import { prepareListTimeFormats } from './features/inbox/inboxTime';
import { warmTimeFormatsOffThread } from './features/inbox/timeFormatWarmup';
import { callsSent } from './lib/api';
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
// The locale's date data, which the list's times need, loads in a worker meanwhile: made on this
// thread it took tens of ms, and the socket's 'open' event waited behind it.
warmTimeFormatsOffThread();
// Running the app's chunk holds the main thread for a while (~100 ms and more on a busy machine), and
// the socket's 'open' event, which sends the requests above, would wait behind it: the requests go
// first (given up on after a second: a page whose host is gone still shows the app and its errors).
// Meanwhile the app's chunks download and compile off the main thread (modulepreload in index.html).
void Promise.race([callsSent(), new Promise((resolve) => setTimeout(resolve, 1_000))]).then(() => {
  const app = import('./app/mount');
  // About a ms once the worker has loaded the date data; if it could not, the data loads here, while
  // the host answers, rather than in the list's first render.
  prepareListTimeFormats();
  return app;
});
