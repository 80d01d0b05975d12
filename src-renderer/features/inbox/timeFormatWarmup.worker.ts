// Started by timeFormatWarmup.ts: makes the conversation list's time formats once, so the browser loads
// its locale and time-zone data (once per process, shared by every thread) here instead of on the page's
// main thread, where it would hold up the first requests and the first render. Then it ends.
import { LIST_TIME_FORMATS } from './inboxTime';

const now = Date.now();
for (const options of Object.values(LIST_TIME_FORMATS))
  new Intl.DateTimeFormat(undefined, options).format(now);
self.close();
