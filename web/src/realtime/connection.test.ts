import { describe, expect, it, vi } from 'vitest';
import type { LiveEvent } from '../api/types';
import { backoffDelay, LiveConnection, type LiveState, liveUrl } from './connection';

class FakeSocket {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  onmessage: ((m: { data: unknown }) => void) | null = null;
  onclose: ((c: { code: number }) => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(public url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(data);
  }
  close(code = 1000) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
  serverSends(frame: unknown) {
    this.readyState = 1;
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  serverCloses(code: number) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

function setup() {
  FakeSocket.all = [];
  const events: LiveEvent[] = [];
  const states: LiveState[] = [];
  const onAuthFailure = vi.fn();
  const onResumed = vi.fn();
  const connection = new LiveConnection({
    token: 'tok',
    url: 'ws://example.test/ws',
    onEvent: (e) => events.push(e),
    onState: (s) => states.push(s),
    onAuthFailure,
    onResumed,
    createSocket: (url) => new FakeSocket(url) as unknown as WebSocket,
    random: () => 0.5,
  });
  return { connection, events, states, onAuthFailure, onResumed };
}

describe('LiveConnection', () => {
  it('goes live on ready and passes events on, once each', () => {
    const { connection, events, states } = setup();
    connection.start();
    const socket = FakeSocket.all[0];
    expect(socket.url).toBe('ws://example.test/ws?token=tok');
    socket.serverSends({ type: 'ready', data: { user_id: 1, last_id: 10 } });
    expect(states.at(-1)).toEqual({ kind: 'live' });
    socket.serverSends({ type: 'session_created', id: 11, data: { id: 5 } });
    socket.serverSends({ type: 'session_created', id: 11, data: { id: 5 } });
    socket.serverSends({ type: 'pong' });
    socket.serverSends('not json');
    expect(events.map((e) => e.id)).toEqual([11]);
    expect(connection.lastEventId).toBe(11);
    connection.stop();
  });

  it('reconnects with backoff and resumes from the last id', () => {
    vi.useFakeTimers();
    const { connection, states, onResumed } = setup();
    connection.start();
    FakeSocket.all[0].serverSends({ type: 'ready', data: { user_id: 1, last_id: 3 } });
    FakeSocket.all[0].serverSends({ type: 'user_updated', id: 4, data: {} });
    FakeSocket.all[0].serverCloses(1006);
    expect(states.at(-1)).toMatchObject({ kind: 'reconnecting', attempt: 1 });
    vi.advanceTimersByTime(backoffDelay(1, () => 0.5));
    expect(FakeSocket.all).toHaveLength(2);
    expect(FakeSocket.all[1].url).toBe('ws://example.test/ws?token=tok&since=4');
    FakeSocket.all[1].serverSends({ type: 'ready', data: { user_id: 1, last_id: 9 } });
    expect(onResumed).toHaveBeenCalledTimes(1);
    connection.stop();
  });

  it('refetches on resync and takes the events that follow, whatever their ids', () => {
    const { connection, events, onResumed } = setup();
    connection.start();
    const socket = FakeSocket.all[0];
    socket.serverSends({ type: 'ready', data: { user_id: 1, last_id: 500 } });
    socket.serverSends({ type: 'user_updated', id: 501, data: {} });
    socket.serverSends({ type: 'resync', data: { message: 'reload', last_id: 7 } });
    socket.serverSends({ type: 'user_updated', id: 8, data: {} });
    expect(onResumed).toHaveBeenCalledTimes(1);
    expect(events.map((e) => e.id)).toEqual([501, 8]);
    expect(connection.lastEventId).toBe(8);
    connection.stop();
  });

  it('stops and reports an invalid token on close 4401 or 1008', () => {
    for (const code of [4401, 1008]) {
      const { connection, onAuthFailure } = setup();
      connection.start();
      FakeSocket.all[0].serverCloses(code);
      expect(onAuthFailure).toHaveBeenCalledTimes(1);
      expect(FakeSocket.all).toHaveLength(1);
      connection.stop();
    }
  });

  it('grows the delay and caps it', () => {
    const max = () => 1;
    expect(backoffDelay(1, max)).toBe(500);
    expect(backoffDelay(2, max)).toBe(1000);
    expect(backoffDelay(5, max)).toBe(8000);
    expect(backoffDelay(20, max)).toBe(15000);
    expect(backoffDelay(3, () => 0)).toBe(1000);
  });

  it('builds ws and wss URLs on the same host', () => {
    expect(liveUrl({ protocol: 'http:', host: 'localhost:8002' })).toBe('ws://localhost:8002/ws');
    expect(liveUrl({ protocol: 'https:', host: 'tms.example' })).toBe('wss://tms.example/ws');
  });
});
