// Browser host cold start to first meaningful paint in Chromium: from spawning `node out/main/browser.js`
// (fresh data folder each run) to the app shell showing data from main (data-app-ready). Median of 5.
import { chromium } from '@playwright/test';
import { startHostProcess } from '../test/helpers/browserHostProcess';
import { assertChromiumInstalled, chromiumLaunchOptions } from '../test/helpers/chromium';
import { median, reportFigure } from './report';

async function main(): Promise<void> {
  assertChromiumInstalled();
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  const browser = await chromium.launch(chromiumLaunchOptions);
  const samples: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const started = performance.now();
      const host = await startHostProcess();
      try {
        await page.goto(host.url);
        await page.locator('.app[data-app-ready="true"]').waitFor({ state: 'visible' });
        samples.push(performance.now() - started);
      } finally {
        await context.close();
        await host.stop();
      }
      process.stdout.write(`run ${i + 1}: ${samples.at(-1)!.toFixed(0)} ms\n`);
    }
  } finally {
    await browser.close();
  }
  reportFigure('startup_first_paint_ms', median(samples), 'ms', '<1500');
}

void main();
