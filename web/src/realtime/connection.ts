import type { LiveEvent } from '../api/types';

export type LiveState =
  | { kind: 'connecting' }
  | { kind: 'live' }
  | { kind: 'reconnecting'; retryInMs: number; attempt: number }
  | { kind: 'offline' }
  | { kind: 'stopped' };

export interface LiveConnectionOptions {
  token: string;
  /** Absolute ws(s):// URL of the endpoint, without query. */
  url: string;
  onEvent: (event: LiveEvent) => void;
  onState: (state: LiveState) => void;
  /** The server says the token is no longer valid (close 4401 or 1008). */
  onAuthFailure: () => void;
  /** After a reconnect, or when the server says the replay is incomplete (`resync`), the
   * caller refetches what the events could not cover. */
  onResumed?: () => void;
  createSocket?: (url: string) => WebSocket;
  random?: () => number;
  pingEveryMs?: number;
}

export const AUTH_CLOSE_CODES = new Set([4401, 1008]);
const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 15_000;

/** Exponential backoff with jitter: 0.5 s, 1 s, 2 s ... capped at 15 s. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export function liveUrl(location: Pick<Location, 'protocol' | 'host'> = window.location): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

/**
 * One WebSocket to the server that reconnects with backoff and resumes with `?since=<last id>`,
 * so events missed while disconnected are replayed in order.
 */
export class LiveConnection {
  private socket: WebSocket | null = null;
  private lastId: number | null = null;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private stopped = false;
  private everReady = false;
  private readonly options: LiveConnectionOptions;

  constructor(options: LiveConnectionOptions) {
    this.options = options;
  }

  get lastEventId(): number | null {
    return this.lastId;
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
    const socket = this.socket;
    this.socket = null;
    if (socket && socket.readyState <= 1) socket.close(1000, 'signed out');
    this.options.onState({ kind: 'stopped' });
  }

  /** Reconnect now (e.g. the browser came back online). */
  retryNow(): void {
    if (this.stopped || (this.socket && this.socket.readyState <= 1)) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.open();
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.retryTimer = null;
    this.pingTimer = null;
  }

  private open(): void {
    const params = new URLSearchParams({ token: this.options.token });
    if (this.lastId != null) params.set('since', String(this.lastId));
    const url = `${this.options.url}?${params.toString()}`;
    this.options.onState(this.attempt === 0 ? { kind: 'connecting' } : { kind: 'connecting' });
    let socket: WebSocket;
    try {
      socket = this.options.createSocket ? this.options.createSocket(url) : new WebSocket(url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.onmessage = (message) => this.receive(message.data);
    socket.onclose = (close) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.pingTimer) clearInterval(this.pingTimer);
      this.pingTimer = null;
      if (this.stopped) return;
      if (AUTH_CLOSE_CODES.has(close.code)) {
        this.stopped = true;
        this.options.onState({ kind: 'stopped' });
        this.options.onAuthFailure();
        return;
      }
      this.scheduleRetry();
    };
    socket.onerror = () => {
      /* onclose follows and decides */
    };
  }

  private scheduleRetry(): void {
    this.attempt += 1;
    const offline = typeof navigator !== 'undefined' && navigator.onLine === false;
    const delay = backoffDelay(this.attempt, this.options.random);
    this.options.onState(
      offline ? { kind: 'offline' } : { kind: 'reconnecting', retryInMs: delay, attempt: this.attempt },
    );
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.open();
    }, delay);
  }

  private receive(raw: unknown): void {
    if (typeof raw !== 'string') return;
    let frame: LiveEvent;
    try {
      frame = JSON.parse(raw) as LiveEvent;
    } catch {
      return;
    }
    if (!frame || typeof frame.type !== 'string') return;
    if (frame.type === 'ready') {
      const resumed = this.everReady;
      this.everReady = true;
      this.attempt = 0;
      const lastId = Number(frame.data?.last_id);
      if (this.lastId == null && Number.isFinite(lastId)) this.lastId = lastId;
      this.options.onState({ kind: 'live' });
      this.startPing();
      if (resumed) this.options.onResumed?.();
      return;
    }
    if (frame.type === 'resync') {
      // Some missed events are no longer kept (or our last id is not the server's): forget
      // the last id, take what follows, and refetch everything on screen.
      this.lastId = null;
      this.options.onResumed?.();
      return;
    }
    if (frame.type === 'pong' || frame.type === 'ping' || frame.type === 'error') return;
    if (typeof frame.id === 'number') {
      if (this.lastId != null && frame.id <= this.lastId) return;
      this.lastId = frame.id;
    }
    this.options.onEvent({ ...frame, data: frame.data ?? {} });
  }

  private startPing(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    const every = this.options.pingEveryMs ?? 25_000;
    this.pingTimer = setInterval(() => {
      if (this.socket && this.socket.readyState === 1) this.socket.send(JSON.stringify({ type: 'ping' }));
    }, every);
  }
}
