// A small structured logger. Secrets are redacted before anything is written: by key name (a token
// passed by mistake in a context object), by value (every secret the app sealed or opened is
// registered in a SecretValues set, so it is masked wherever it turns up, even inside a message or an
// error's text), and by shape (Authorization: Bearer ..., access_token=... in URLs).
export interface Logger {
  debug(message: string, context?: Record<string, unknown>): void;
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const secretKey = /token|secret|password|authorization|app_secret|access|cookie/i;
const REDACTED = '[redacted]';
/** Shapes that carry a credential whatever the key: HTTP auth headers and tokens in query strings. */
const secretShapes: RegExp[] = [
  /\b(Bearer|Basic|OAuth)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /([?&](?:access_token|token|appsecret_proof|hub\.verify_token)=)[^&\s"]+/gi,
];
/** Shorter values would mask ordinary words; real tokens and app secrets are far longer. */
const MIN_SECRET_LENGTH = 8;

/** The clear text of every secret the app handles, registered as they are sealed or opened. */
export interface SecretValues {
  add(value: string): void;
  values(): Iterable<string>;
}

export function createSecretValues(): SecretValues {
  const set = new Set<string>();
  return {
    add(value) {
      if (value.length >= MIN_SECRET_LENGTH) set.add(value);
    },
    values: () => set.values(),
  };
}

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[deep]';
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = secretKey.test(k) ? REDACTED : redact(v, depth + 1);
    return out;
  }
  return value;
}

/** Masks known secret values and credential shapes in a finished log line. */
export function redactText(text: string, secrets?: SecretValues): string {
  let out = text;
  for (const shape of secretShapes)
    out = out.replace(
      shape,
      (_match, prefix: string) => `${prefix}${prefix.endsWith('=') ? '' : ' '}${REDACTED}`,
    );
  if (secrets) {
    for (const value of secrets.values()) {
      // The line is JSON: a value with quotes or backslashes appears escaped in it.
      const escaped = JSON.stringify(value).slice(1, -1);
      out = out.split(value).join(REDACTED);
      if (escaped !== value) out = out.split(escaped).join(REDACTED);
    }
  }
  return out;
}

export function createLogger(
  write: (line: string) => void = (line) => process.stderr.write(line + '\n'),
  minLevel: Level = (process.env.BELLHOP_LOG_LEVEL as Level | undefined) ?? 'info',
  secrets?: SecretValues,
): Logger {
  const log = (level: Level, message: string, context?: Record<string, unknown>): void => {
    if (order[level] < order[minLevel]) return;
    const line = JSON.stringify({
      t: new Date().toISOString(),
      level,
      message,
      ...(context ? { context: redact(context) } : {}),
    });
    write(redactText(line, secrets));
  };
  return {
    debug: (m, c) => log('debug', m, c),
    info: (m, c) => log('info', m, c),
    warn: (m, c) => log('warn', m, c),
    error: (m, c) => log('error', m, c),
  };
}

/** For tests: collects lines in memory. */
export function createMemoryLogger(secrets?: SecretValues): Logger & { lines: string[] } {
  const lines: string[] = [];
  return Object.assign(
    createLogger((l) => lines.push(l), 'debug', secrets),
    { lines },
  );
}
