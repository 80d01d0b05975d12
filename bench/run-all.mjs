// `npm run bench`: every bench:* script in package.json, one after another (they share 2 cores, so
// never in parallel). Exits non-zero if any benchmark fails to run.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const names = Object.keys(pkg.scripts).filter((name) => name.startsWith('bench:'));
let failed = 0;
for (const name of names) {
  console.log(`\n=== npm run ${name}`);
  const result = spawnSync('npm', ['run', '--silent', name], {
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (result.status !== 0) {
    failed++;
    console.error(`${name} failed with exit code ${result.status}`);
  }
}
process.exit(failed ? 1 : 0);
