// Where a start-up's time goes, shared by bench:startup and bench:inbox: the host's own marks
// (BELLHOP_STARTUP_TRACE, src-main/startup/startupTrace.ts, ms since the child started) beside the page's
// navigation timing (ms since the spawn), collected over runs and printed as medians per step.
import { STARTUP_TRACE_PREFIX, type StartupMark } from '../src-main/startup/startupTrace';
import { median } from './report';

/**
 * When the bench opens the page: 'ready' (default) once the host printed 'Bellhop is ready', as it did
 * before the host listened early; 'listening' (BENCH_OPEN_AT=listening) as soon as the address is
 * printed, page and core loading side by side. On the loaded 2-core machine of 2026-11-28 the second
 * measured no better (three alternating rounds of 5: 1599/2925/2830 ms against 1518/1943/2818 ms):
 * Chromium's processes and the core compete for the same cores. Compare both on a quiet machine.
 */
export function openPageAt(): 'listening' | 'ready' {
  const value = process.env.BENCH_OPEN_AT ?? 'ready';
  if (value !== 'listening' && value !== 'ready')
    throw new Error(`BENCH_OPEN_AT must be "listening" or "ready", got "${value}".`);
  return value;
}

export interface PageTiming {
  timeOrigin: number;
  responseEnd: number;
  domContentLoaded: number;
  firstContentfulPaint: number | null;
}

/** Page-side script (a string: benches are compiled without the DOM types the page has). */
export const pageTimingScript = `(() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  return {
    timeOrigin: performance.timeOrigin,
    responseEnd: nav.responseEnd,
    domContentLoaded: nav.domContentLoadedEventEnd,
    firstContentfulPaint: fcp ? fcp.startTime : null,
  };
})()`;

export function hostMarks(output: string): StartupMark[] {
  const line = output.split('\n').find((l) => l.startsWith(STARTUP_TRACE_PREFIX));
  return line ? (JSON.parse(line.slice(STARTUP_TRACE_PREFIX.length)) as StartupMark[]) : [];
}

export function createPhaseLog(): {
  add(name: string, atMs: number): void;
  addRun(hostOutput: string, timing: PageTiming, spawnedAtEpoch: number): void;
  print(): void;
} {
  const phases = new Map<string, number[]>();
  const cpuByPhase = new Map<string, number[]>();
  const add = (name: string, atMs: number): void => {
    phases.set(name, [...(phases.get(name) ?? []), atMs]);
  };
  return {
    add,
    addRun(hostOutput, timing, spawnedAtEpoch) {
      for (const mark of hostMarks(hostOutput)) {
        add(mark.name, mark.atMs);
        cpuByPhase.set(mark.name, [...(cpuByPhase.get(mark.name) ?? []), mark.cpuMs]);
      }
      const pageBase = timing.timeOrigin - spawnedAtEpoch;
      add('page: navigation started', pageBase);
      add('page: html received', pageBase + timing.responseEnd);
      add('page: DOMContentLoaded (bundle run)', pageBase + timing.domContentLoaded);
      if (timing.firstContentfulPaint !== null)
        add('page: first contentful paint', pageBase + timing.firstContentfulPaint);
    },
    print() {
      // Host marks count from the child's own start, page marks from the spawn: a few ms apart at most.
      const rows = [...phases]
        .map(([name, values]) => ({ name, ms: median(values) }))
        .sort((a, b) => a.ms - b.ms);
      process.stdout.write('median ms since spawn per step (host steps also: its CPU ms used by then):\n');
      for (const row of rows) {
        const cpu = cpuByPhase.get(row.name);
        const cpuText = cpu ? `cpu ${median(cpu).toFixed(0)}`.padStart(9) : ''.padStart(9);
        process.stdout.write(`  ${row.ms.toFixed(0).padStart(6)} ${cpuText}  ${row.name}\n`);
      }
    },
  };
}
