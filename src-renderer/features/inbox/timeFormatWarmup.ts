// The first date formatter a page makes costs tens of ms (more on a busy machine): the browser loads the
// locale's and the time zone's data then. That load is per process, so a worker that makes the list's
// formats first takes it off the main thread, which meanwhile sends the first requests and runs the app's
// chunk; the list's own formatters then cost about a ms each.

/** Best effort: where no worker can start (or it fails), the first formatter made pays as before. */
export function warmTimeFormatsOffThread(): void {
  try {
    new Worker(new URL('./timeFormatWarmup.worker.ts', import.meta.url), {
      type: 'module',
      name: 'time-format-warmup',
    });
  } catch {
    // Nothing to undo: the main thread's first formatter loads the data itself.
  }
}
