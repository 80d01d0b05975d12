// Raw Graph calls against the simulator (no client), to test the simulator on its own terms.
import type { Simulator } from '../../src-main/simulator/simulator';

export interface GraphResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export interface GraphErrorBody {
  error: {
    message: string;
    type: string;
    code: number;
    error_subcode?: number;
    error_data?: { messaging_product: string; details: string };
    is_transient: boolean;
    fbtrace_id: string;
  };
}

export async function graph<T = Record<string, unknown>>(
  sim: Simulator,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
  options: { token?: string | null; version?: string; signal?: AbortSignal } = {},
): Promise<GraphResponse<T>> {
  const token = options.token === undefined ? sim.accessToken : options.token;
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${sim.baseUrl}/${options.version ?? 'v24.0'}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as T };
}

/** POST /{pnid}/messages with the envelope filled in. */
export function sendRaw(
  sim: Simulator,
  message: Record<string, unknown>,
  options: { to?: string } = {},
): Promise<GraphResponse> {
  return graph(sim, 'POST', `/${sim.phoneNumberId}/messages`, {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: options.to ?? '+16505551234',
    ...message,
  });
}

export function errorOf(response: GraphResponse): GraphErrorBody['error'] {
  return (response.body as unknown as GraphErrorBody).error;
}

/** A manual clock for the simulator's logical time. */
export function manualClock(start = Date.UTC(2026, 0, 15, 12, 0, 0)): {
  now: () => number;
  advance(ms: number): void;
  set(ms: number): void;
} {
  let t = start;
  return {
    now: () => t,
    advance(ms) {
      t += ms;
    },
    set(ms) {
      t = ms;
    },
  };
}

/** Smallest valid JPEG-looking bytes (the simulator checks the FF D8 FF signature). */
export const jpegBytes = Buffer.from([
  0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0xff, 0xd9,
]);
