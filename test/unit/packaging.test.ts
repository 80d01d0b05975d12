// What can be checked here of packaging and release, where neither Electron's binary nor a CI runner
// exists (`npm run dist` and the workflow themselves run only on GitHub): electron-builder.yml against
// electron-builder's own schema (the one it validates with before building), its icons and Electron
// version against this checkout, and the release workflow's steps against the README's commands.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(__filename), '../..');
const requireHere = createRequire(__filename);
// js-yaml, ajv and app-builder-lib are declared dev dependencies (app-builder-lib pinned to the version
// electron-builder pins), so the test does not lean on what electron-builder happens to pull in.
const yaml = requireHere('js-yaml') as { load(text: string): unknown };
const builderSchema = requireHere('app-builder-lib/scheme.json') as object;
// The schema must be the one electron-builder itself validates with, or the check below proves nothing.
const builderRequire = createRequire(requireHere.resolve('electron-builder/package.json'));
const schemaBuilderUses = builderRequire.resolve('app-builder-lib/scheme.json');

const readYaml = (path: string): Record<string, unknown> =>
  yaml.load(readFileSync(join(root, path), 'utf8')) as Record<string, unknown>;

interface Step {
  name?: string;
  run?: string;
  if?: string;
  uses?: string;
  with?: Record<string, string>;
}

describe('electron-builder.yml', () => {
  const config = readYaml('electron-builder.yml');
  const validate = new Ajv({ allErrors: true, strict: false }).compile(builderSchema);

  it('is checked against the schema electron-builder itself uses', () => {
    expect(schemaBuilderUses).toBe(requireHere.resolve('app-builder-lib/scheme.json'));
  });

  it("passes electron-builder's schema (and the schema does refuse a broken config)", () => {
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...config, asar: 'yes', unknownOption: 1 })).toBe(false);
  });

  it('builds AppImage, deb, NSIS and dmg with asar, from the built app, for the installed Electron', () => {
    expect((config.linux as { target: string[] }).target).toEqual(['AppImage', 'deb']);
    expect((config.win as { target: string[] }).target).toEqual(['nsis']);
    expect((config.mac as { target: string[] }).target).toEqual(['dmg']);
    expect(config.asar).toBe(true);
    expect(config.npmRebuild).toBe(true);
    expect(config.files).toContain('out/**');
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      main: string;
      scripts: Record<string, string>;
    };
    expect(pkg.main.startsWith('out/')).toBe(true);
    // No postinstall rebuild: only packaging rebuilds better-sqlite3 for Electron (scripts/dist.mjs).
    expect(pkg.scripts.postinstall).toBeUndefined();
    expect(config.electronVersion).toBe(
      (requireHere('electron/package.json') as { version: string }).version,
    );
  });

  it('has the icons it names', () => {
    for (const target of ['win', 'mac'] as const) {
      const icon = (config[target] as { icon: string }).icon;
      expect(existsSync(join(root, icon)), icon).toBe(true);
    }
    const linuxIcons = join(root, (config.linux as { icon: string }).icon);
    expect(readdirSync(linuxIcons)).toEqual(expect.arrayContaining(['256x256.png', '512x512.png']));
  });
});

describe('.github/workflows/release.yml', () => {
  const workflow = readYaml('.github/workflows/release.yml');
  const job = (
    workflow.jobs as Record<string, { strategy: { matrix: { include: { os: string }[] } }; steps: Step[] }>
  ).release!;
  const runs = job.steps.flatMap((step) => (step.run ? [step] : []));

  it('runs on Linux, Windows and macOS', () => {
    expect(job.strategy.matrix.include.map((entry) => entry.os).sort()).toEqual([
      'macos-latest',
      'ubuntu-latest',
      'windows-latest',
    ]);
  });

  it("runs the README's test command, the Electron suite under a virtual display on Linux, then npm run dist", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toMatch(/^npm test\s/m);
    const commands = runs.map((step) => step.run!.trim());
    expect(commands).toContain('npm ci');
    expect(commands.some((c) => c === 'npm test' || c.endsWith(' npm test'))).toBe(true);
    const electron = runs.find((step) => step.run!.includes('npm run test:electron'));
    expect(electron?.run).toMatch(/^xvfb-run /);
    expect(electron?.if).toBe("runner.os == 'Linux'");
    const dist = commands.indexOf('npm run dist');
    expect(dist).toBeGreaterThan(commands.findIndex((c) => c.endsWith('npm test')));
  });

  it('uploads the installers electron-builder writes', () => {
    const upload = job.steps.find((step) => step.uses?.startsWith('actions/upload-artifact@'));
    const output = (readYaml('electron-builder.yml').directories as { output: string }).output;
    const paths = upload?.with?.path?.trim().split('\n') ?? [];
    expect(paths.sort()).toEqual(['AppImage', 'deb', 'dmg', 'exe'].map((ext) => `${output}/*.${ext}`).sort());
    expect(upload?.with?.['if-no-files-found']).toBe('error');
  });
});
