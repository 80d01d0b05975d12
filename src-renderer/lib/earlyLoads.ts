// Loads the boot module (boot.ts) starts before the first render. The component that would start the
// same load on its first mount claims it instead, and asks again only on later mounts.
export type EarlyLoad = 'app' | 'inboxList' | 'unread';

const started = new Set<EarlyLoad>();

export function markEarlyLoad(load: EarlyLoad): void {
  started.add(load);
}

/** True once if boot.ts started this load: the caller then leaves it to that request. */
export function claimEarlyLoad(load: EarlyLoad): boolean {
  return started.delete(load);
}
