// Timestamps of the host's start-up steps, in ms since the process started (performance.now()'s origin
// in Node), with the CPU time used by then, so `npm run bench:startup` can show where the time to first
// paint goes. Recording a mark is one array push; the host prints the list only when BELLHOP_STARTUP_TRACE is set.
export interface StartupMark {
  name: string;
  atMs: number;
  /** CPU time (user + system) the process had used by then: on a loaded machine, steadier than atMs. */
  cpuMs: number;
}

const marks: StartupMark[] = [];
/** Names already marked, so markStartupOnce is one lookup on every request and IPC call. */
const marked = new Set<string>();
/** Start-up has a few dozen steps; past this the process is long up and nothing more is recorded. */
const MAX_MARKS = 64;

export function markStartup(name: string): void {
  if (marks.length >= MAX_MARKS) return;
  const cpu = process.cpuUsage();
  marks.push({
    name,
    atMs: Math.round(performance.now() * 10) / 10,
    cpuMs: Math.round((cpu.user + cpu.system) / 100) / 10,
  });
  marked.add(name);
}

/** For events that recur (requests): only the first one is a start-up step. */
export function markStartupOnce(name: string): void {
  if (marks.length < MAX_MARKS && !marked.has(name)) markStartup(name);
}

export function startupMarks(): readonly StartupMark[] {
  return marks;
}

/** The line the host prints and the benchmark parses; keep its shape. */
export const STARTUP_TRACE_PREFIX = 'Start-up trace: ';

export function startupTraceLine(): string {
  return STARTUP_TRACE_PREFIX + JSON.stringify(marks);
}
