// A small structured logger. Secrets are redacted by key name before anything is written, so a token
// passed by mistake in a context object never reaches a log line.
export interface Logger {
  debug(message: string, context?: Record<string, unknown>): void;
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const secretKey = /token|secret|password|authorization|app_secret|access/i;

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[deep]';
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[k] = secretKey.test(k) ? '[redacted]' : redact(v, depth + 1);
    return out;
  }
  return value;
}

export function createLogger(
  write: (line: string) => void = (line) => process.stderr.write(line + '\n'),
  minLevel: Level = (process.env.BELLHOP_LOG_LEVEL as Level | undefined) ?? 'info',
): Logger {
  const log = (level: Level, message: string, context?: Record<string, unknown>): void => {
    if (order[level] < order[minLevel]) return;
    write(
      JSON.stringify({
        t: new Date().toISOString(),
        level,
        message,
        ...(context ? { context: redact(context) } : {}),
      }),
    );
  };
  return {
    debug: (m, c) => log('debug', m, c),
    info: (m, c) => log('info', m, c),
    warn: (m, c) => log('warn', m, c),
    error: (m, c) => log('error', m, c),
  };
}

/** For tests: collects lines in memory. */
export function createMemoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return Object.assign(
    createLogger((l) => lines.push(l), 'debug'),
    { lines },
  );
}
