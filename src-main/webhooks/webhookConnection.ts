// One TCP connection to the webhook server. Its webhook POSTs are read here, straight off the socket
// (webhookRequestHead.ts), and answered with pre-built response bytes: node:http's request and
// response objects — two streams, their events and timers per request — cost about as much main-thread
// CPU as all the rest of a webhook's intake (bench:webhooks, a do-nothing node:http server against a
// do-nothing socket server). The first request this reader does not take (a GET handshake, a chunked
// body, anything odd) hands the connection, from that request's first byte on, to node:http, which
// then serves it to its end as before.
//
// One request is answered at a time, in order: bytes of a next request (HTTP pipelining) wait until the
// current one is answered, and reading stops while they pile up or while the client is not reading its
// responses.
import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { maxHeadBytes, readWebhookRequestHead, type WebhookRequestHead } from './webhookRequestHead';

export interface WebhookConnectionOptions {
  maxBodyBytes: number;
  /** Serves the connection from the first request this reader does not take on. */
  fallback: HttpServer;
  /** Handles one request; the connection then waits for its `answer(bytes)`. */
  onRequest(head: WebhookRequestHead, body: Buffer): void;
}

/** Bytes held from a client that sends requests ahead of its answers, before reading pauses. */
const maxAheadBytes = 64 * 1024;
const headEnd = Buffer.from('\r\n\r\n');

export class WebhookConnection {
  /** Epoch ms of the last byte read or answer written: idle connections are closed (sweep()). */
  lastActivity = Date.now();
  /** Epoch ms at which the request now being read started, 0 when none is. */
  requestStartedAt = 0;
  private chunks: Buffer[] = [];
  private bufferedBytes = 0;
  private head: WebhookRequestHead | undefined;
  private bodyAt = 0;
  private answering = false;
  private handedOver = false;
  /** The client has finished sending (half-close): answer what it sent, then close. */
  private ended = false;
  private readonly onData = (chunk: Buffer): void => this.receive(chunk);
  private readonly onDrain = (): void => this.pump();
  private readonly onEnd = (): void => {
    this.ended = true;
    this.pump();
  };

  constructor(
    readonly socket: Socket,
    private readonly options: WebhookConnectionOptions,
  ) {
    socket.on('data', this.onData);
    socket.on('drain', this.onDrain);
    socket.on('end', this.onEnd);
    // A reset or a broken pipe ends the connection; a request being stored is stored all the same.
    socket.on('error', () => socket.destroy());
  }

  /** Answers the current request with its whole response and goes on to the next one. */
  answer(response: Buffer): void {
    // One answer per request, even if a handler that failed after handing its request on answers too.
    if (!this.answering) return;
    this.answering = false;
    if (this.socket.destroyed) return;
    this.lastActivity = Date.now();
    this.socket.write(response);
    this.pump();
  }

  /** Whether the connection waits for nothing of ours: no answer pending, no request begun. */
  get idle(): boolean {
    return !this.handedOver && !this.answering && this.bufferedBytes === 0;
  }

  get isHandedOver(): boolean {
    return this.handedOver;
  }

  private receive(chunk: Buffer): void {
    this.lastActivity = Date.now();
    this.chunks.push(chunk);
    this.bufferedBytes += chunk.length;
    this.pump();
  }

  private buffered(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.bufferedBytes)];
    return this.chunks[0]!;
  }

  private consume(bytes: number): void {
    const rest = this.buffered().subarray(bytes);
    this.chunks = rest.length ? [rest] : [];
    this.bufferedBytes = rest.length;
  }

  /** Reads and starts the next complete request, if no answer is pending and the client keeps up. */
  private pump(): void {
    while (!this.answering && !this.handedOver && this.bufferedBytes > 0) {
      if (this.socket.writableNeedDrain) break;
      if (!this.head) {
        const bytes = this.buffered();
        const end = bytes.indexOf(headEnd);
        if (end < 0) {
          if (bytes.length > maxHeadBytes) return this.handOver();
          break;
        }
        const head = readWebhookRequestHead(bytes.toString('latin1', 0, end), this.options.maxBodyBytes);
        if (!head) return this.handOver();
        this.head = head;
        this.bodyAt = end + 4;
      }
      const requestEnd = this.bodyAt + this.head.contentLength;
      if (this.bufferedBytes < requestEnd) break;
      const bytes = this.buffered();
      const body = bytes.subarray(this.bodyAt, requestEnd);
      const head = this.head;
      this.head = undefined;
      this.consume(requestEnd);
      this.requestStartedAt = 0;
      this.answering = true;
      this.options.onRequest(head, body);
    }
    if (this.handedOver) return;
    if (this.answering || this.bufferedBytes === 0) this.requestStartedAt = 0;
    else if (this.requestStartedAt === 0) this.requestStartedAt = Date.now();
    if (this.ended && !this.answering && !this.socket.writableNeedDrain) {
      // Nothing more can come: a request cut short stays unanswered, as node:http leaves it.
      this.socket.end();
      return;
    }
    this.throttle();
  }

  /** Whether the request being read has not even sent its head yet. */
  get readingHead(): boolean {
    return this.head === undefined;
  }

  /** Stops reading while an answer is pending and the next requests' bytes pile up, or sends back up. */
  private throttle(): void {
    if (this.handedOver) return;
    const pending = this.head ? this.bodyAt + this.head.contentLength : maxHeadBytes;
    const holding = this.bufferedBytes > pending + maxAheadBytes || this.socket.writableNeedDrain;
    if (holding && !this.socket.isPaused()) this.socket.pause();
    else if (!holding && this.socket.isPaused()) this.socket.resume();
  }

  /**
   * Hands the rest of the connection, from the unanswered request's first byte on, to node:http,
   * through a stream that replays those bytes, then relays the socket (node:http takes any duplex
   * stream as a connection). Only the connection's start and what this reader could not take go there.
   */
  private handOver(): void {
    this.handedOver = true;
    const socket = this.socket;
    socket.off('data', this.onData);
    socket.off('drain', this.onDrain);
    socket.off('end', this.onEnd);
    const held = this.chunks;
    this.chunks = [];
    this.bufferedBytes = 0;
    this.head = undefined;
    const relay = new SocketRelay(socket);
    for (const chunk of held) relay.push(chunk);
    if (this.ended) relay.push(null);
    else if (socket.isPaused()) socket.resume();
    this.options.fallback.emit('connection', relay);
  }
}

/** The socket as node:http sees it after a hand-over: reads relayed with back-pressure, writes passed on. */
class SocketRelay extends Duplex {
  constructor(private readonly socket: Socket) {
    super();
    socket.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('close', () => this.destroy());
  }

  override _read(): void {
    if (this.socket.isPaused()) this.socket.resume();
  }

  // Writes go straight to the socket, and so do corks: a response that node:http writes and then
  // destroys the connection after (a 413) is then wholly sent or wholly dropped with the socket, as
  // on a socket of its own, never cut after its head with the client left waiting for the rest.
  override cork(): void {
    this.socket.cork();
  }

  override uncork(): void {
    this.socket.uncork();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.socket.write(chunk, encoding)) callback();
    else this.socket.once('drain', () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.socket.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.destroy();
    callback(error);
  }

  /** node:http closes idle keep-alive connections through this (keepAliveTimeout). */
  setTimeout(ms: number, onTimeout?: () => void): this {
    this.socket.setTimeout(ms);
    this.socket.removeAllListeners('timeout');
    if (ms > 0) this.socket.on('timeout', () => this.emit('timeout'));
    if (onTimeout) this.once('timeout', onTimeout);
    return this;
  }
}
