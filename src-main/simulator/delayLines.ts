// Callbacks run after a delay with one timer per distinct delay rather than one per callback. Every
// accepted message schedules its `sent`, `delivered` and `read` statuses at the same three delays, so at
// 1,000 messages/s the simulator would otherwise arm and fire 3,000 timers a second; with a line per
// delay, callbacks wait in arrival order (which is due order, the delay being the same) behind one timer.
export class DelayLines {
  private readonly lines = new Map<number, Line>();
  private count = 0;

  /** Callbacks scheduled and not yet run. */
  get pending(): number {
    return this.count;
  }

  /** Runs `fn` once `ms` have passed (real time, as setTimeout). */
  add(ms: number, fn: () => void): void {
    const delay = Math.max(0, Math.ceil(ms));
    let line = this.lines.get(delay);
    if (!line) {
      line = { delay, queue: [], head: 0, timer: undefined };
      this.lines.set(delay, line);
    }
    line.queue.push({ dueAt: performance.now() + delay, fn });
    this.count += 1;
    if (!line.timer) this.arm(line);
  }

  /** Drops every callback not yet run. */
  clear(): void {
    for (const line of this.lines.values()) if (line.timer) clearTimeout(line.timer);
    this.lines.clear();
    this.count = 0;
  }

  private arm(line: Line): void {
    const head = line.queue[line.head];
    if (!head) return;
    line.timer = setTimeout(() => this.run(line), Math.max(0, Math.ceil(head.dueAt - performance.now())));
  }

  private run(line: Line): void {
    line.timer = undefined;
    // Node fires a timer on its loop's cached millisecond clock, which may read a fraction behind.
    const now = performance.now() + 1;
    while (line.head < line.queue.length) {
      const item = line.queue[line.head]!;
      if (item.dueAt > now) break;
      line.queue[line.head] = undefined as unknown as Item;
      line.head += 1;
      this.count -= 1;
      item.fn();
      if (this.lines.get(line.delay) !== line) return; // cleared by the callback
    }
    if (line.head === line.queue.length) {
      line.queue = [];
      line.head = 0;
    } else if (line.head > 1024) {
      line.queue = line.queue.slice(line.head);
      line.head = 0;
    }
    // A callback that scheduled another at this delay has armed the line already.
    if (!line.timer) this.arm(line);
  }
}

interface Item {
  dueAt: number;
  fn: () => void;
}

interface Line {
  delay: number;
  queue: Item[];
  head: number;
  timer: NodeJS.Timeout | undefined;
}
