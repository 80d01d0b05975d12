// Browser host cold start to first meaningful paint in Chromium: from spawning `node out/main/browser.js`
// (fresh data folder each run) to the app shell showing data from main (data-app-ready). Median of 5.
// Each run also prints where the time went: the host's own start-up marks (BELLHOP_STARTUP_TRACE,
// src-main/startup/startupTrace.ts) and the page's navigation timing, all in ms since the spawn.
import { chromium } from '@playwright/test';
import { STARTUP_TRACE_PREFIX, type StartupMark } from '../src-main/startup/startupTrace';
import { startHostProcess } from '../test/helpers/browserHostProcess';
import { assertChromiumInstalled, chromiumLaunchOptions } from '../test/helpers/chromium';
import { median, reportFigure } from './report';

interface PageTiming {
  timeOrigin: number;
  responseEnd: number;
  domContentLoaded: number;
  firstContentfulPaint: number | null;
}

function hostMarks(output: string): StartupMark[] {
  const line = output.split('\n').find((l) => l.startsWith(STARTUP_TRACE_PREFIX));
  return line ? (JSON.parse(line.slice(STARTUP_TRACE_PREFIX.length)) as StartupMark[]) : [];
}

async function main(): Promise<void> {
  assertChromiumInstalled();
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  const browser = await chromium.launch(chromiumLaunchOptions);
  const samples: number[] = [];
  const phases = new Map<string, number[]>();
  const addPhase = (name: string, atMs: number): void => {
    phases.set(name, [...(phases.get(name) ?? []), atMs]);
  };
  try {
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const spawnedAtEpoch = Date.now();
      const started = performance.now();
      const host = await startHostProcess({ env: { BELLHOP_STARTUP_TRACE: '1' } });
      let timing: PageTiming;
      try {
        addPhase('bench: address printed', performance.now() - started);
        await page.goto(host.url);
        await page.locator('.app[data-app-ready="true"]').waitFor({ state: 'visible' });
        samples.push(performance.now() - started);
        // A string, not a function: this file is compiled without the DOM types the page has.
        timing = await page.evaluate<PageTiming>(`(() => {
          const nav = performance.getEntriesByType('navigation')[0];
          const fcp = performance.getEntriesByName('first-contentful-paint')[0];
          return {
            timeOrigin: performance.timeOrigin,
            responseEnd: nav.responseEnd,
            domContentLoaded: nav.domContentLoadedEventEnd,
            firstContentfulPaint: fcp ? fcp.startTime : null,
          };
        })()`);
      } finally {
        await context.close();
        await host.stop();
      }
      for (const mark of hostMarks(host.output())) addPhase(mark.name, mark.atMs);
      const pageBase = timing.timeOrigin - spawnedAtEpoch;
      addPhase('page: navigation started', pageBase);
      addPhase('page: html received', pageBase + timing.responseEnd);
      addPhase('page: DOMContentLoaded (bundle run)', pageBase + timing.domContentLoaded);
      if (timing.firstContentfulPaint !== null)
        addPhase('page: first contentful paint', pageBase + timing.firstContentfulPaint);
      addPhase('page: app ready (figure)', samples.at(-1)!);
      process.stdout.write(`run ${i + 1}: ${samples.at(-1)!.toFixed(0)} ms\n`);
    }
  } finally {
    await browser.close();
  }
  // Host marks count from the child's own start, page marks from the spawn: a few ms apart at most.
  const rows = [...phases]
    .map(([name, values]) => ({ name, ms: median(values) }))
    .sort((a, b) => a.ms - b.ms);
  process.stdout.write('median ms since spawn, per step:\n');
  for (const row of rows) process.stdout.write(`  ${row.ms.toFixed(0).padStart(6)}  ${row.name}\n`);
  reportFigure('startup_first_paint_ms', median(samples), 'ms', '<1500');
}

void main();
