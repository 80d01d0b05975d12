// Redaction after the whole e2e run (#10): every browser host the suite starts keeps its data folder
// under one run folder (BELLHOP_E2E_RUN_DIR, read by startHostProcess). When the last spec is done,
// every secret those folders hold (the Sandbox's generated ones included) is looked for in every log
// file the run wrote (test/helpers/logScan.ts). A hit fails the run; the run folder is removed only
// when it is clean.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanRunFolder } from '../helpers/logScan';

export default function globalSetup(): () => void {
  const runDir = mkdtempSync(join(tmpdir(), 'bellhop-e2e-run-'));
  process.env.BELLHOP_E2E_RUN_DIR = runDir;
  return () => {
    const result = scanRunFolder(runDir);
    if (result.leaks.length > 0)
      throw new Error(`Secrets found in the e2e run's logs (kept in ${runDir}):\n${result.leaks.join('\n')}`);
    process.stdout.write(
      `Log scan: ${result.secrets} secrets from ${result.folders} data folders, none in ${result.logFiles} log files.\n`,
    );
    rmSync(runDir, { recursive: true, force: true });
  };
}
