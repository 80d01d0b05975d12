// The Graph API surface of the simulator (whatsapp-cloud-api.md §1, §2, §5, §8, §9, §12): version
// prefix, Bearer auth, the error envelope, and one handler per path. Every answered request is recorded
// in the ledger so tests can check rate windows and error counters.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphError, graphError, invalidParam, newFbtraceId, unknownObject } from './graphErrors';
import { BodyTooLargeError, parseJson, readBody, sendJson } from './http';
import { maxUploadBytes } from './media';
import { validateMessageRequest } from './messages';
import type { SimulatorState } from './state';
import { projectTemplate, type ListQuery } from './templates';
import { verifyCallback } from './subscriptions';
import { maxUploadSessionBytes, mediaHeaderProblem } from './uploadSessions';

const maxJsonBytes = 4 * 1024 * 1024;
const versionPattern = /^\/(v\d+\.0)(\/.*)?$/;

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Fault: hold the answer this long after the request was processed. */
  holdMs?: number;
  resetConnection?: boolean;
}

interface Context {
  state: SimulatorState;
  req: IncomingMessage;
  method: string;
  version: string;
  segments: string[];
  query: URLSearchParams;
  path: string;
}

const ok = (body: unknown, headers?: Record<string, string>): Reply => ({
  status: 200,
  body,
  ...(headers ? { headers } : {}),
});

function bearer(req: IncomingMessage, query: URLSearchParams): string | null {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  // The Resumable Upload API's own spelling of the same token.
  if (header?.startsWith('OAuth ')) return header.slice('OAuth '.length).trim();
  return query.get('access_token');
}

/** §11.7: an expired or wrong token gets HTTP 401 with code 190 on every call. */
function checkAuth(state: SimulatorState, token: string | null): GraphError | null {
  if (token === null || token === '') {
    return new GraphError(
      190,
      401,
      'An active access token must be used to query information about the current user.',
    );
  }
  if (token !== state.accessToken) {
    return new GraphError(190, 401, 'Invalid OAuth access token - Cannot parse access token');
  }
  if (state.tokenExpired) {
    return new GraphError(190, 401, 'Error validating access token: Session has expired.', { subcode: 463 });
  }
  return null;
}

async function jsonBody(req: IncomingMessage): Promise<unknown> {
  return parseJson(await readBody(req, maxJsonBytes));
}

async function handleMessages(ctx: Context): Promise<Reply> {
  const { state } = ctx;
  const body = await jsonBody(ctx.req);
  const request = validateMessageRequest(body);
  if (request instanceof GraphError) throw request;
  if (request.kind === 'read') {
    const problem = state.markRead(request);
    if (problem) throw problem;
    return ok({ success: true });
  }
  const accepted = state.acceptSend(request, body as Record<string, unknown>);
  if (accepted instanceof GraphError) throw accepted;
  const message: Record<string, unknown> = { id: accepted.entry.wamid };
  // §2: message_status appears on (paced) template sends.
  if (accepted.template) message.message_status = 'accepted';
  return {
    status: 200,
    body: {
      messaging_product: 'whatsapp',
      contacts: [{ input: request.to, wa_id: request.waId }],
      messages: [message],
    },
  };
}

async function handleMediaUpload(ctx: Context): Promise<Reply> {
  const contentType = ctx.req.headers['content-type'] ?? '';
  if (!contentType.startsWith('multipart/form-data')) {
    throw invalidParam('Invalid parameter', 'Media uploads must be multipart/form-data.');
  }
  const raw = await readBody(ctx.req, maxUploadBytes);
  let form: FormData;
  try {
    form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw invalidParam('Invalid parameter', 'Malformed multipart body.');
  }
  const record = await ctx.state.media.upload(ctx.state.phoneNumberId, form);
  if (record instanceof GraphError) throw record;
  return ok({ id: record.id });
}

const phoneFields = [
  'id',
  'verified_name',
  'display_phone_number',
  'quality_rating',
  'status',
  'throughput',
  'whatsapp_business_manager_messaging_limit',
  'code_verification_status',
  'name_status',
  'platform_type',
] as const;

function phoneNumberObject(state: SimulatorState, fieldsParam: string | null): Record<string, unknown> {
  const mps = state.limits.throughput.mps;
  const all: Record<string, unknown> = {
    id: state.phoneNumberId,
    verified_name: state.verifiedName,
    display_phone_number: state.displayPhoneNumber,
    quality_rating: 'GREEN',
    status: 'CONNECTED',
    // §4: STANDARD is the 80 mps default; HIGH the 1,000 mps upgrade.
    throughput: { level: mps >= 1000 ? 'HIGH' : 'STANDARD' },
    whatsapp_business_manager_messaging_limit: state.limits.tier,
    code_verification_status: 'VERIFIED',
    name_status: 'APPROVED',
    platform_type: 'CLOUD_API',
  };
  const requested = fieldsParam
    ?.split(',')
    .map((f) => f.trim())
    .filter(Boolean) ?? ['id', 'verified_name', 'display_phone_number', 'quality_rating'];
  const out: Record<string, unknown> = { id: state.phoneNumberId };
  for (const f of requested) {
    if (!(phoneFields as readonly string[]).includes(f)) {
      throw invalidParam(
        `Tried accessing nonexisting field (${f}) on node type (WhatsAppBusinessPhoneNumber)`,
      );
    }
    out[f] = all[f];
  }
  return out;
}

async function handlePhoneWebhookConfig(ctx: Context): Promise<Reply> {
  const body = (await jsonBody(ctx.req)) as {
    webhook_configuration?: { override_callback_uri?: unknown; verify_token?: unknown };
  };
  const config = body.webhook_configuration;
  if (!config) throw graphError(131008, 'The parameter webhook_configuration is required.');
  if (config.override_callback_uri === undefined || config.override_callback_uri === '') {
    ctx.state.callbackUrls.phoneOverride = null;
    return ok({ success: true });
  }
  if (typeof config.override_callback_uri !== 'string' || typeof config.verify_token !== 'string') {
    throw graphError(131008, 'override_callback_uri and verify_token are required together.');
  }
  const failed = await verifyCallback(config.override_callback_uri, config.verify_token, 10_000);
  if (failed) throw failed;
  ctx.state.callbackUrls.phoneOverride = config.override_callback_uri;
  return ok({ success: true });
}

async function handleSubscribedApps(ctx: Context, usage: Record<string, string>): Promise<Reply> {
  const { state } = ctx;
  if (ctx.method === 'GET') {
    const data = state.subscribed
      ? [
          {
            whatsapp_business_api_data: {
              id: '1234567890123456',
              name: 'Bellhop',
              link: 'https://bellhop.invalid/',
            },
            ...(state.callbackUrls.wabaOverride !== null
              ? { override_callback_uri: state.callbackUrls.wabaOverride }
              : {}),
          },
        ]
      : [];
    return ok({ data }, usage);
  }
  if (ctx.method === 'DELETE') {
    state.subscribed = false;
    state.callbackUrls.wabaOverride = null;
    return ok({ success: true }, usage);
  }
  const body = (await jsonBody(ctx.req)) as { override_callback_uri?: unknown; verify_token?: unknown };
  if (body.override_callback_uri === undefined) {
    // §12: a POST with no override fields subscribes the app and removes any override (unverified).
    state.subscribed = true;
    state.callbackUrls.wabaOverride = null;
    return ok({ success: true }, usage);
  }
  if (typeof body.override_callback_uri !== 'string')
    throw invalidParam('Param override_callback_uri must be a string.');
  if (typeof body.verify_token !== 'string' || body.verify_token === '') {
    throw graphError(131008, 'The parameter verify_token is required with override_callback_uri.');
  }
  const failed = await verifyCallback(body.override_callback_uri, body.verify_token, 10_000);
  if (failed) throw failed;
  // Meta documents subscribing first; accepting an override also subscribes, so one call suffices here.
  state.subscribed = true;
  state.callbackUrls.wabaOverride = body.override_callback_uri;
  return ok({ success: true }, usage);
}

function listQuery(query: URLSearchParams): ListQuery {
  const out: ListQuery = {};
  const limit = query.get('limit');
  if (limit !== null) out.limit = Number(limit);
  for (const key of [
    'after',
    'before',
    'name',
    'status',
    'category',
    'language',
    'content',
    'name_or_content',
    'quality_score',
    'fields',
  ] as const) {
    const value = query.get(key);
    if (value !== null) out[key] = value;
  }
  return out;
}

async function handleTemplates(ctx: Context, usage: Record<string, string>): Promise<Reply> {
  const { state } = ctx;
  if (ctx.method === 'GET') {
    const page = state.templates.list(listQuery(ctx.query));
    if (page instanceof GraphError) throw page;
    const link = (cursorKey: 'after' | 'before', cursor: string) => {
      const params = new URLSearchParams(ctx.query);
      params.delete('after');
      params.delete('before');
      params.delete('access_token');
      params.set(cursorKey, cursor);
      return `${state.baseUrl}/${ctx.version}/${state.wabaId}/message_templates?${params.toString()}`;
    };
    const paging: Record<string, unknown> = {};
    if (page.cursors) {
      paging.cursors = page.cursors;
      // §5: follow paging.next until it is absent.
      if (page.hasNext) paging.next = link('after', page.cursors.after);
      if (page.hasPrevious) paging.previous = link('before', page.cursors.before);
    }
    return ok({ data: page.data, ...(page.cursors ? { paging } : {}) }, usage);
  }
  if (ctx.method === 'DELETE') {
    const deleted = state.templates.delete(
      ctx.query.get('name') ?? undefined,
      ctx.query.get('hsm_id') ?? undefined,
    );
    if (deleted instanceof GraphError) throw deleted;
    return ok({ success: true }, usage);
  }
  const body = await jsonBody(ctx.req);
  if (body === null || typeof body !== 'object') throw invalidParam('Invalid parameter');
  const headerProblem = mediaHeaderProblem(body, state.uploads);
  if (headerProblem) throw headerProblem;
  const created = state.templates.add(body as Parameters<typeof state.templates.add>[0], true);
  if (created instanceof GraphError) throw created;
  // New templates start PENDING whatever the body says.
  state.templates.setStatus(created.id, 'PENDING');
  const approveAfter = state.autoApproveTemplatesMs;
  if (approveAfter !== null) {
    state.schedule(approveAfter, () => {
      const current = state.templates.get(created.id);
      if (current?.status === 'PENDING') state.setTemplateStatus(current, 'APPROVED');
    });
  }
  return ok({ id: created.id, status: 'PENDING', category: created.category }, usage);
}

/** The Resumable Upload API (uploadSessions.ts): the app's sessions, and appending to one. */
async function handleUploadSession(ctx: Context, sessionId: string): Promise<Reply> {
  const { state } = ctx;
  if (ctx.method === 'GET') {
    const status = state.uploads.status(sessionId);
    if (!status) throw unknownObject(sessionId, ctx.method);
    return ok(status);
  }
  const offset = Number(ctx.req.headers['file_offset'] ?? ctx.req.headers['file-offset'] ?? Number.NaN);
  const data = await readBody(ctx.req, maxUploadSessionBytes);
  const appended = state.uploads.append(sessionId, offset, data);
  if (appended === undefined) throw unknownObject(sessionId, ctx.method);
  if (appended instanceof GraphError) throw appended;
  return ok(appended);
}

async function route(ctx: Context): Promise<Reply> {
  const { state, method, segments } = ctx;
  const [objectId, edge, ...rest] = segments;
  if (objectId === undefined || rest.length > 0) throw unknownObject(segments.join('/'), method);

  if (objectId === 'app' && edge === undefined && method === 'GET') {
    return ok({ id: state.appId, name: 'Bellhop Sandbox' });
  }
  if (objectId === state.appId && edge === 'uploads' && method === 'POST') {
    const session = state.uploads.create(ctx.query);
    if (session instanceof GraphError) throw session;
    return ok(session);
  }
  if (objectId.startsWith('upload:') && edge === undefined && ['GET', 'POST'].includes(method)) {
    return handleUploadSession(ctx, objectId);
  }

  if (objectId === state.phoneNumberId) {
    if (edge === 'messages' && method === 'POST') return handleMessages(ctx);
    if (edge === 'media' && method === 'POST') return handleMediaUpload(ctx);
    if (edge === undefined && method === 'GET') return ok(phoneNumberObject(state, ctx.query.get('fields')));
    if (edge === undefined && method === 'POST') return handlePhoneWebhookConfig(ctx);
    throw unknownObject(objectId, method);
  }

  if (objectId === state.wabaId) {
    // §4: WABA-level endpoints count against the Graph call limit (80007 when exhausted).
    const usage = state.takeManagementCall();
    if (usage instanceof GraphError) throw usage;
    if (edge === 'message_templates' && ['GET', 'POST', 'DELETE'].includes(method))
      return handleTemplates(ctx, usage.headers);
    if (edge === 'subscribed_apps' && ['GET', 'POST', 'DELETE'].includes(method))
      return handleSubscribedApps(ctx, usage.headers);
    if (edge === 'phone_numbers' && method === 'GET') {
      return ok({ data: [phoneNumberObject(state, ctx.query.get('fields'))] }, usage.headers);
    }
    if (edge === undefined && method === 'GET') {
      return ok(
        {
          id: state.wabaId,
          name: state.verifiedName,
          timezone_id: '1',
          message_template_namespace: 'bellhop_sandbox',
        },
        usage.headers,
      );
    }
    throw unknownObject(objectId, method);
  }

  if (edge === undefined) {
    const template = state.templates.get(objectId);
    if (template && method === 'GET') {
      const fields = ctx.query
        .get('fields')
        ?.split(',')
        .map((f) => f.trim())
        .filter(Boolean);
      return ok(projectTemplate(template, fields));
    }
    if (method === 'GET' || method === 'DELETE') {
      const record = state.media.lookup(objectId, method, ctx.query.get('phone_number_id') ?? undefined);
      if (record instanceof GraphError) throw record;
      if (method === 'DELETE') {
        state.media.delete(record.id);
        return ok({ success: true });
      }
      return ok(state.media.describe(record));
    }
  }
  throw unknownObject(objectId, method);
}

/** The download half of §8: the URL from GET /{media-id}, which needs the Bearer header and expires. */
function handleDownload(
  state: SimulatorState,
  req: IncomingMessage,
  res: ServerResponse,
  query: URLSearchParams,
): number {
  const auth = checkAuth(state, bearer(req, new URLSearchParams()));
  if (auth) {
    sendJson(res, auth.httpStatus, auth.toEnvelope(newFbtraceId()));
    return auth.httpStatus;
  }
  const record = state.media.resolveDownload(query);
  if (!record) {
    // §8: an expired URL answers 404; the client fetches a new URL once.
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('Not Found');
    return 404;
  }
  res.writeHead(200, {
    'content-type': record.mimeType,
    'content-length': String(record.data.length),
    ...(record.filename
      ? { 'content-disposition': `attachment; filename="${record.filename.replace(/"/g, '')}"` }
      : {}),
  });
  res.end(record.data);
  return 200;
}

export function createRequestHandler(
  state: SimulatorState,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const arrivedAt = state.now();
    const url = new URL(req.url ?? '/', 'http://simulator.local');
    const method = (req.method ?? 'GET').toUpperCase();
    const record = (path: string, status: number, errorCode?: number) =>
      state.ledger.recordRequest({
        at: arrivedAt,
        method,
        path,
        status,
        ...(errorCode !== undefined ? { errorCode } : {}),
      });

    if (url.pathname === '/whatsapp_business/attachments/' && method === 'GET') {
      record(url.pathname, handleDownload(state, req, res, url.searchParams));
      return;
    }

    const match = versionPattern.exec(url.pathname);
    const version = match?.[1] ?? 'v24.0';
    const path = match?.[2] ?? url.pathname;
    const headers: Record<string, string> = { 'facebook-api-version': version };

    const fail = (error: GraphError) => {
      sendJson(res, error.httpStatus, error.toEnvelope(newFbtraceId()), { ...headers, ...error.headers });
      record(path, error.httpStatus, error.code);
    };

    const run = async (): Promise<void> => {
      if (!match) throw new GraphError(2500, 400, `Unknown path components: ${url.pathname}`);
      const auth = checkAuth(state, bearer(req, url.searchParams));
      if (auth) throw auth;
      const injected = state.faults.errorFor(path);
      if (injected) throw injected;
      const segments = path.split('/').filter(Boolean);
      const reply = await route({ state, req, method, version, segments, query: url.searchParams, path });
      // Slow-response and reset faults act after the request was processed (for a send: after it was
      // accepted into the ledger), which is what makes the caller's outcome unknown.
      reply.holdMs = state.faults.holdAfterAccept();
      reply.resetConnection = state.faults.resetAfterAccept();
      if (reply.resetConnection) {
        record(path, 0);
        req.socket.destroy();
        return;
      }
      if (reply.holdMs !== undefined && reply.holdMs > 0) {
        await new Promise<void>((resolve) => state.schedule(reply.holdMs ?? 0, resolve));
      }
      sendJson(res, reply.status, reply.body, { ...headers, ...reply.headers });
      record(path, reply.status);
    };

    run().catch((error: unknown) => {
      if (error instanceof GraphError) return fail(error);
      if (error instanceof BodyTooLargeError) return fail(invalidParam('Invalid parameter', error.message));
      fail(graphError(1, error instanceof Error ? error.message : 'unknown error'));
    });
  };
}
