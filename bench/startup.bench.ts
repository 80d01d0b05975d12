// Browser host cold start to first meaningful paint in Chromium: from spawning `node out/main/browser.js`
// (fresh data folder each run) to the app shell showing data from main (data-app-ready). Median of 5.
// The page is opened once the host says it is ready, or with BENCH_OPEN_AT=listening as soon as it prints
// its address, before the app is up (startupPhases.ts openPageAt). Each run also prints where the time
// went: the host's own start-up marks (BELLHOP_STARTUP_TRACE, src-main/startup/startupTrace.ts, with the
// host's CPU ms: steadier than wall time on a loaded machine) and the page's navigation timing, all in
// ms since the spawn (bench/startupPhases.ts).
import { chromium } from '@playwright/test';
import { startHostProcess } from '../test/helpers/browserHostProcess';
import { assertChromiumInstalled, chromiumLaunchOptions } from '../test/helpers/chromium';
import { median, reportFigure } from './report';
import { createPhaseLog, openPageAt, pageTimingScript, type PageTiming } from './startupPhases';

async function main(): Promise<void> {
  assertChromiumInstalled();
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  const browser = await chromium.launch(chromiumLaunchOptions);
  const samples: number[] = [];
  const phases = createPhaseLog();
  try {
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const spawnedAtEpoch = Date.now();
      const started = performance.now();
      const host = await startHostProcess({ env: { BELLHOP_STARTUP_TRACE: '1' }, until: openPageAt() });
      let timing: PageTiming;
      try {
        phases.add('bench: host reported (page opened)', performance.now() - started);
        await page.goto(host.url);
        await page.locator('.app[data-app-ready="true"]').waitFor({ state: 'visible' });
        samples.push(performance.now() - started);
        timing = await page.evaluate<PageTiming>(pageTimingScript);
      } finally {
        await context.close();
        await host.stop();
      }
      phases.addRun(host.output(), timing, spawnedAtEpoch);
      phases.add('page: app ready (figure)', samples.at(-1)!);
      process.stdout.write(`run ${i + 1}: ${samples.at(-1)!.toFixed(0)} ms\n`);
    }
  } finally {
    await browser.close();
  }
  phases.print();
  reportFigure('startup_first_paint_ms', median(samples), 'ms', '<1500');
}

void main();
