// Log files rotate by size and keep N; every line is redacted by key name, by the value of every secret
// the app handled, and by credential shape (Authorization headers, tokens in URLs).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, createMemoryLogger, createSecretValues } from '../../src-main/log';
import { openRotatingFile } from '../../src-main/logs/rotatingFile';
import { useTempDirs } from '../helpers/tempDir';

const temp = useTempDirs();

describe('rotating log files', () => {
  it('rotate by size and keep at most N files, newest lines in the live file', () => {
    const dir = join(temp.dir(), 'logs');
    const file = openRotatingFile({ dir, maxBytes: 1000, keep: 3 });
    for (let i = 0; i < 200; i++) file.write(`line ${String(i).padStart(4, '0')} ${'x'.repeat(40)}`);
    file.close();
    const names = readdirSync(dir).sort();
    expect(names).toEqual(['bellhop.1.log', 'bellhop.2.log', 'bellhop.log']);
    for (const name of names) expect(readFileSync(join(dir, name)).length).toBeLessThanOrEqual(1000);
    const live = readFileSync(join(dir, 'bellhop.log'), 'utf8').trim().split('\n');
    expect(live.at(-1)).toContain('line 0199');
    const older = readFileSync(join(dir, 'bellhop.1.log'), 'utf8').trim().split('\n');
    // No line lost between the live file and the previous one.
    const lastOlder = Number(/line (\d+)/.exec(older.at(-1) ?? '')?.[1]);
    const firstLive = Number(/line (\d+)/.exec(live[0] ?? '')?.[1]);
    expect(firstLive).toBe(lastOlder + 1);
  });

  it('append to the existing file after a restart instead of truncating it', () => {
    const dir = join(temp.dir(), 'logs');
    const first = openRotatingFile({ dir });
    first.write('before restart');
    first.close();
    const second = openRotatingFile({ dir });
    second.write('after restart');
    second.close();
    expect(readFileSync(join(dir, 'bellhop.log'), 'utf8')).toBe('before restart\nafter restart\n');
  });
});

describe('log redaction', () => {
  it('masks registered secret values wherever they appear, escaped or not', () => {
    const secrets = createSecretValues();
    secrets.add('EAAGtoken1234567890');
    secrets.add('quote"d-secret-value');
    const log = createMemoryLogger(secrets);
    log.error('Graph call failed for EAAGtoken1234567890', {
      error: new Error('bad token EAAGtoken1234567890'),
      detail: 'quote"d-secret-value',
    });
    const text = log.lines.join('\n');
    expect(text).not.toContain('EAAGtoken1234567890');
    expect(text).not.toContain('quote\\"d-secret-value');
    expect(text).toContain('[redacted]');
  });

  it('masks Authorization headers and tokens in URLs even when they were never registered', () => {
    const lines: string[] = [];
    const log = createLogger((l) => lines.push(l), 'debug');
    log.info('request', {
      headers: 'Authorization: Bearer EAAunregistered0987654321',
      url: 'https://graph.facebook.com/v24.0/123?access_token=EAAinurl123456789&fields=id',
    });
    const text = lines.join('\n');
    expect(text).not.toContain('EAAunregistered0987654321');
    expect(text).not.toContain('EAAinurl123456789');
    expect(text).toContain('fields=id');
  });

  it('leaves short values alone so ordinary words are never masked', () => {
    const secrets = createSecretValues();
    secrets.add('abc');
    const log = createMemoryLogger(secrets);
    log.info('abc is fine');
    expect(log.lines[0]).toContain('abc is fine');
  });
});
