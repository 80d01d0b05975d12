// The start-up trace bench:startup reads: marks in order, in ms since the process started, recurring
// events recorded once, and a bounded list (the host records request marks for as long as it runs).
import { describe, expect, it } from 'vitest';
import {
  markStartup,
  markStartupOnce,
  startupMarks,
  startupTraceLine,
  STARTUP_TRACE_PREFIX,
} from '../../src-main/startup/startupTrace';

describe('start-up trace', () => {
  it('records marks in order, once for recurring events, and stops growing at its bound', () => {
    const before = performance.now();
    markStartup('test: first');
    markStartupOnce('test: recurring');
    markStartupOnce('test: recurring');
    markStartupOnce('test: first');
    const marks = startupMarks();
    expect(marks.map((m) => m.name)).toEqual(['test: first', 'test: recurring']);
    expect(marks[0]!.atMs).toBeGreaterThanOrEqual(Math.floor(before));
    expect(marks[1]!.atMs).toBeGreaterThanOrEqual(marks[0]!.atMs);

    for (let i = 0; i < 200; i++) markStartup(`test: request ${i}`);
    expect(startupMarks().length).toBe(64);
    markStartupOnce('test: never seen before');
    expect(startupMarks().length).toBe(64);

    const line = startupTraceLine();
    expect(line.startsWith(STARTUP_TRACE_PREFIX)).toBe(true);
    expect(JSON.parse(line.slice(STARTUP_TRACE_PREFIX.length))).toEqual(startupMarks());
  });
});
