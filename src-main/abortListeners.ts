// One 'abort' listener per AbortSignal, fanning out to a Set. Node's EventTarget walks a signal's whole
// listener list on every addEventListener (to refuse duplicates) and every removeEventListener, so a
// signal shared by many waiters costs O(n) per wait: a campaign runner passes its job's signal to every
// send it keeps in flight (250 at 1,000/s), and the rate limiter and the HTTP transport each listened on
// it per request — about 3 % of the app's CPU per send went to walking those lists.
const callbacksOf = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Calls `callback` once when `signal` aborts (not if it already has: check `signal.aborted` first).
 * Returns the function that stops listening; call it when the wait ends.
 */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  let callbacks = callbacksOf.get(signal);
  if (!callbacks) {
    const created = new Set<() => void>();
    callbacks = created;
    callbacksOf.set(signal, created);
    signal.addEventListener(
      'abort',
      () => {
        callbacksOf.delete(signal);
        for (const call of [...created]) {
          try {
            call();
          } catch (error) {
            // As EventTarget does with a throwing listener: report it, and still call the others.
            queueMicrotask(() => {
              throw error;
            });
          }
        }
        created.clear();
      },
      { once: true },
    );
  }
  const own = callbacks;
  own.add(callback);
  return () => {
    own.delete(callback);
  };
}
