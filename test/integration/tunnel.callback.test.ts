// Subdomain generation and storage, callback URLs and their limits (whatsapp-cloud-api.md §12), and
// re-pointing Meta only when a connection's callback URL actually changes.
import { describe, expect, it } from 'vitest';
import {
  callbackUrlFor,
  checkCustomPublicUrl,
  createMetaRepointer,
  maxCallbackUrlLength,
  maxPublicUrlLength,
  repointMeta,
  type RepointConnection,
  type SetOverrideResult,
} from '../../src-main/tunnel/callback';
import {
  generateSubdomain,
  getOrCreateSubdomain,
  isValidSubdomain,
  subdomainEntropyBits,
  subdomainLength,
  subdomainSettingKey,
} from '../../src-main/tunnel/subdomain';

const connectionId = '0190a1b2-c3d4-7e5f-8a6b-1c2d3e4f5a6b';

describe('generateSubdomain', () => {
  it('draws 10,000 distinct, valid, uniformly spread names with at least 128 bits of entropy', () => {
    expect(subdomainEntropyBits).toBeGreaterThanOrEqual(128);
    const draws = Array.from({ length: 10_000 }, () => generateSubdomain());
    expect(new Set(draws).size).toBe(draws.length);
    expect(subdomainLength).toBe(27);
    const malformed = draws.filter((name) => !/^[a-z][a-z2-7]{26}$/.test(name) || !isValidSubdomain(name));
    expect(malformed).toEqual([]);
    // Every base32 symbol turns up about equally often in the random part (expected 8,125 each).
    const counts = new Map<string, number>();
    for (const name of draws) for (const ch of name.slice(1)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(32);
    for (const count of counts.values()) {
      expect(count).toBeGreaterThan(8125 * 0.9);
      expect(count).toBeLessThan(8125 * 1.1);
    }
    expect(new Set(draws.map((name) => name[0])).size).toBe(26);
    // The public URL stays far under localtunnel's 63-character label and our public-URL budget.
    expect(`https://${draws[0]}.loca.lt`.length).toBeLessThanOrEqual(maxPublicUrlLength);
  });
});

describe('getOrCreateSubdomain', () => {
  function mapSettings(map: Map<string, unknown>) {
    return {
      get: (key: string) => map.get(key),
      set: (key: string, value: unknown) => void map.set(key, value),
    };
  }

  it('creates the subdomain once and returns the same one on every later start', () => {
    const stored = new Map<string, unknown>();
    const first = getOrCreateSubdomain(mapSettings(stored));
    expect(isValidSubdomain(first)).toBe(true);
    expect(stored.get(subdomainSettingKey)).toBe(first);
    // A restart: a new accessor over the same storage.
    for (let i = 0; i < 5; i++) expect(getOrCreateSubdomain(mapSettings(stored))).toBe(first);
    expect(stored.size).toBe(1);
  });

  it('replaces a stored value no server would accept', () => {
    for (const damaged of ['', 'UPPER-case-name', 'ab', 42, null, 'a'.repeat(64), '-leading-hyphen']) {
      const stored = new Map<string, unknown>([[subdomainSettingKey, damaged]]);
      const name = getOrCreateSubdomain(mapSettings(stored));
      expect(name).not.toBe(damaged);
      expect(isValidSubdomain(name)).toBe(true);
      expect(stored.get(subdomainSettingKey)).toBe(name);
    }
  });

  it('returns what the store kept when it keeps the first writer', () => {
    const kept = generateSubdomain();
    let reads = 0;
    const firstWriterWins = {
      get: () => (reads++ === 0 ? undefined : kept),
      set: () => undefined,
    };
    expect(getOrCreateSubdomain(firstWriterWins)).toBe(kept);
  });
});

describe('callbackUrlFor', () => {
  it('appends /webhooks/whatsapp/{id}, whatever trailing slashes the public URL has', () => {
    for (const base of [
      'https://abc.loca.lt',
      'https://abc.loca.lt/',
      'https://abc.loca.lt///',
      ' https://ABC.loca.lt ',
    ]) {
      expect(callbackUrlFor(base, connectionId)).toBe(
        `https://abc.loca.lt/webhooks/whatsapp/${connectionId}`,
      );
    }
    expect(callbackUrlFor('https://proxy.example.com/bellhop/', 'c1')).toBe(
      'https://proxy.example.com/bellhop/webhooks/whatsapp/c1',
    );
    // Plain http only on loopback (the test tunnel server and the simulator).
    expect(callbackUrlFor('http://127.0.0.1:4040', 'c1')).toBe('http://127.0.0.1:4040/webhooks/whatsapp/c1');
  });

  it('accepts exactly 200 characters and refuses 201 with a clear message', () => {
    const prefix = 'https://';
    const suffix = `.example.com/webhooks/whatsapp/${connectionId}`;
    const fits = `${prefix}${'a'.repeat(maxCallbackUrlLength - prefix.length - suffix.length)}.example.com`;
    expect(callbackUrlFor(fits, connectionId)).toHaveLength(200);
    const tooLong = `${prefix}${'a'.repeat(maxCallbackUrlLength - prefix.length - suffix.length + 1)}.example.com`;
    expect(() => callbackUrlFor(tooLong, connectionId)).toThrow(
      /would be 201 characters; Meta accepts at most 200/,
    );
  });

  it('refuses URLs Meta would not call and ids that do not fit in a path', () => {
    expect(() => callbackUrlFor('http://abc.loca.lt', 'c1')).toThrow(/https/);
    expect(() => callbackUrlFor('ftp://abc.loca.lt', 'c1')).toThrow(/https/);
    expect(() => callbackUrlFor('not a url', 'c1')).toThrow(/not a URL/);
    expect(() => callbackUrlFor('https://abc.loca.lt?x=1', 'c1')).toThrow(/query/);
    expect(() => callbackUrlFor('https://abc.loca.lt#top', 'c1')).toThrow(/fragment/);
    for (const id of ['', 'a/b', 'a?b', '../x', 'a b', 'x'.repeat(65)]) {
      expect(() => callbackUrlFor('https://abc.loca.lt', id)).toThrow(/cannot be used in a URL path/);
    }
  });

  it('the custom public URL budget leaves room for any connection id', () => {
    const longest = `https://${'a'.repeat(maxPublicUrlLength - 'https://'.length - '.io'.length)}.io`;
    expect(checkCustomPublicUrl(longest)).toEqual({ ok: true, value: longest });
    expect(callbackUrlFor(longest, connectionId).length).toBeLessThanOrEqual(maxCallbackUrlLength);
    const result = checkCustomPublicUrl(`${longest}x`);
    expect(result.ok).toBe(false);
    expect(checkCustomPublicUrl('http://127.0.0.1:8080').ok).toBe(false);
  });
});

interface FakeConnection extends RepointConnection {
  calls: Array<{ callbackUrl: string; verifyToken: string }>;
}

function connection(
  id: string,
  answer: (callbackUrl: string) => Promise<SetOverrideResult> | SetOverrideResult = () => ({ ok: true }),
  currentCallbackUrl?: string,
): FakeConnection {
  const calls: FakeConnection['calls'] = [];
  return {
    id,
    verifyToken: `verify-${id}`,
    ...(currentCallbackUrl ? { currentCallbackUrl } : {}),
    calls,
    async setOverride(callbackUrl, verifyToken) {
      calls.push({ callbackUrl, verifyToken });
      return answer(callbackUrl);
    },
  };
}

describe('repointMeta', () => {
  it('calls setOverride only where the callback URL changed, with the verify token', async () => {
    const publicUrl = 'https://new.loca.lt';
    const same = connection('c1', undefined, 'https://new.loca.lt/webhooks/whatsapp/c1');
    const moved = connection('c2', undefined, 'https://old.loca.lt/webhooks/whatsapp/c2');
    const unknown = connection('c3');
    const results = await repointMeta({ publicUrl, connections: [same, moved, unknown] });
    expect(results).toEqual([
      { connectionId: 'c1', outcome: 'unchanged', callbackUrl: 'https://new.loca.lt/webhooks/whatsapp/c1' },
      { connectionId: 'c2', outcome: 'repointed', callbackUrl: 'https://new.loca.lt/webhooks/whatsapp/c2' },
      { connectionId: 'c3', outcome: 'repointed', callbackUrl: 'https://new.loca.lt/webhooks/whatsapp/c3' },
    ]);
    expect(same.calls).toEqual([]);
    expect(moved.calls).toEqual([
      { callbackUrl: 'https://new.loca.lt/webhooks/whatsapp/c2', verifyToken: 'verify-c2' },
    ]);
    expect(unknown.calls).toHaveLength(1);
  });

  it('reports each failure on its own connection and carries on with the others', async () => {
    const refused = connection('c1', () => ({
      ok: false,
      message: '(#2200) Callback verification failed: Response does not match challenge',
    }));
    const thrown = connection('c2', () => Promise.reject(new Error('socket hang up')));
    const fine = connection('c3');
    const badId = connection('c/4');
    const results = await repointMeta({
      publicUrl: 'https://x.loca.lt',
      connections: [refused, thrown, fine, badId],
    });
    expect(results).toEqual([
      {
        connectionId: 'c1',
        outcome: 'failed',
        callbackUrl: 'https://x.loca.lt/webhooks/whatsapp/c1',
        message: '(#2200) Callback verification failed: Response does not match challenge',
      },
      {
        connectionId: 'c2',
        outcome: 'failed',
        callbackUrl: 'https://x.loca.lt/webhooks/whatsapp/c2',
        message: 'socket hang up',
      },
      { connectionId: 'c3', outcome: 'repointed', callbackUrl: 'https://x.loca.lt/webhooks/whatsapp/c3' },
      {
        connectionId: 'c/4',
        outcome: 'failed',
        message:
          'The connection id "c/4" cannot be used in a URL path (letters, digits, . _ ~ - only, at most 64).',
      },
    ]);
    expect(badId.calls).toEqual([]);
  });

  it('a public URL too long for Meta fails every connection without calling it', async () => {
    const c = connection('c1');
    const [result] = await repointMeta({ publicUrl: `https://${'a'.repeat(190)}.io`, connections: [c] });
    expect(result?.outcome).toBe('failed');
    expect(result?.outcome === 'failed' ? result.message : '').toMatch(
      /would be 222 characters; Meta accepts at most 200/,
    );
    expect(c.calls).toEqual([]);
  });
});

describe('createMetaRepointer', () => {
  it('remembers what Meta accepted, retries what failed, and never calls for an unchanged URL', async () => {
    const repointer = createMetaRepointer();
    let failNext = true;
    const flaky = connection('c1', () => {
      if (failNext) {
        failNext = false;
        return { ok: false, message: 'rate limited' };
      }
      return { ok: true };
    });
    const steady = connection('c2');
    const input = { publicUrl: 'https://a.loca.lt', connections: [flaky, steady] };
    expect((await repointer.repoint(input)).map((r) => r.outcome)).toEqual(['failed', 'repointed']);
    expect((await repointer.repoint(input)).map((r) => r.outcome)).toEqual(['repointed', 'unchanged']);
    expect((await repointer.repoint(input)).map((r) => r.outcome)).toEqual(['unchanged', 'unchanged']);
    expect(flaky.calls).toHaveLength(2);
    expect(steady.calls).toHaveLength(1);
    await repointer.repoint({ ...input, publicUrl: 'https://b.loca.lt' });
    expect(steady.calls.map((c) => c.callbackUrl)).toEqual([
      'https://a.loca.lt/webhooks/whatsapp/c2',
      'https://b.loca.lt/webhooks/whatsapp/c2',
    ]);
  });

  it('under 50 overlapping URL changes, runs one override at a time and ends on the last URL', async () => {
    const repointer = createMetaRepointer();
    let inFlight = 0;
    let maxInFlight = 0;
    let metaHas = '';
    const c = connection('c1', async (callbackUrl) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      // Older URLs take longer: unserialised, the oldest would land last.
      const index = Number(/t(\d+)\./.exec(callbackUrl)?.[1]);
      for (let tick = 0; tick < 50 - index; tick++) await new Promise((resolve) => setImmediate(resolve));
      metaHas = callbackUrl;
      inFlight--;
      return { ok: true };
    });
    const urls = Array.from({ length: 50 }, (_, i) => `https://t${i}.loca.lt`);
    const all = await Promise.all(
      urls.map((publicUrl) => repointer.repoint({ publicUrl, connections: [c] })),
    );
    expect(maxInFlight).toBe(1);
    expect(metaHas).toBe('https://t49.loca.lt/webhooks/whatsapp/c1');
    expect(all.map(([r]) => r?.outcome)).toEqual(urls.map(() => 'repointed'));
    expect(c.calls.map((call) => call.callbackUrl)).toEqual(urls.map((u) => `${u}/webhooks/whatsapp/c1`));
  });
});
