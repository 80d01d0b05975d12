// The browser host lets an opening page fetch its HTML, script and styles before it loads the next
// slice of the app's modules, and never waits longer than its bound.
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createPageFirst } from '../../src-main/host/pageFirst';

/** The one thing pageFirst listens to on a response: its 'close' once sent. */
const response = (): EventEmitter & ServerResponse => new EventEmitter() as EventEmitter & ServerResponse;

function track(promise: Promise<void>): { done: () => boolean } {
  let done = false;
  void promise.then(() => (done = true));
  return { done: () => done };
}
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('page first (browser host start-up)', () => {
  it('does not wait when no page is opening', async () => {
    await expect(createPageFirst().settled()).resolves.toBeUndefined();
  });

  it('waits from the page until its script and styles were sent', async () => {
    const gate = createPageFirst(60_000);
    const page = response();
    gate.observe('/', page);
    const whilePageSent = track(gate.settled());
    await tick();
    expect(whilePageSent.done()).toBe(false);

    page.emit('close');
    await tick();
    // The HTML is out, the browser has yet to ask for the script and styles.
    expect(whilePageSent.done()).toBe(false);

    const script = response();
    const style = response();
    gate.observe('/assets/index-abc.js', script);
    gate.observe('/assets/index-abc.css', style);
    script.emit('close');
    await tick();
    expect(whilePageSent.done()).toBe(false);
    style.emit('close');
    await tick();
    expect(whilePageSent.done()).toBe(true);

    // Later requests (a reload, an icon) hold nothing up once they are sent.
    const icon = response();
    gate.observe('/favicon.ico', icon);
    const whileIcon = track(gate.settled());
    await tick();
    expect(whileIcon.done()).toBe(false);
    icon.emit('close');
    await tick();
    expect(whileIcon.done()).toBe(true);
    await expect(gate.settled()).resolves.toBeUndefined();
  });

  it('waits for a connection just accepted to send its request, but not for a silent one', async () => {
    const gate = createPageFirst(60_000, 60_000);
    const socket = new EventEmitter() as EventEmitter & Socket;
    gate.observeConnection(socket);
    const whileAccepted = track(gate.settled());
    await tick();
    expect(whileAccepted.done()).toBe(false);
    // Its request came: from here the response (and the page's assets) are what is waited for.
    const icon = Object.assign(response(), { socket });
    gate.observe('/favicon.ico', icon);
    icon.emit('close');
    await tick();
    expect(whileAccepted.done()).toBe(true);

    const spare = createPageFirst(60_000, 30);
    spare.observeConnection(new EventEmitter() as EventEmitter & Socket);
    const started = performance.now();
    await spare.settled();
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('stops waiting after its bound when the page never asks for its script', async () => {
    const gate = createPageFirst(30);
    const page = response();
    gate.observe('/', page);
    page.emit('close');
    const started = performance.now();
    await gate.settled();
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });
});
