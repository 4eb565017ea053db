import { act } from '@testing-library/react';

/** A WebSocket stand-in: the test plays the server's frames. */
export class FakeSocket {
  static all: FakeSocket[] = [];
  readyState = 0;
  onmessage: ((m: { data: unknown }) => void) | null = null;
  onclose: ((c: { code: number }) => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(public url: string) {
    FakeSocket.all.push(this);
  }
  send() {}
  close(code = 1000) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
  serverSends(frame: unknown) {
    this.readyState = 1;
    act(() => this.onmessage?.({ data: JSON.stringify(frame) }));
  }
}

/**
 * An XMLHttpRequest stand-in for uploads (fetch cannot report upload progress): the test
 * sees what was sent and plays the progress events and the answer.
 */
export class FakeXhr {
  static all: FakeXhr[] = [];
  method = '';
  url = '';
  readonly requestHeaders = new Headers();
  body: unknown = null;
  status = 0;
  responseText = '';
  private responseHeaders = new Headers();
  readonly upload: {
    onprogress: ((event: { loaded: number; total: number; lengthComputable: boolean }) => void) | null;
  } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;

  constructor() {
    FakeXhr.all.push(this);
  }
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.requestHeaders.set(name, value);
  }
  getResponseHeader(name: string): string | null {
    return this.responseHeaders.get(name);
  }
  send(body: unknown) {
    this.body = body;
  }
  abort() {
    this.onabort?.();
  }

  progress(loaded: number, total: number) {
    act(() => this.upload.onprogress?.({ loaded, total, lengthComputable: true }));
  }
  respond(status: number, body: unknown, headers: Record<string, string> = {}) {
    this.status = status;
    this.responseText = JSON.stringify(body);
    this.responseHeaders = new Headers({ 'content-type': 'application/json', ...headers });
    act(() => this.onload?.());
  }
  /** The file sent in the multipart field `file`. */
  get file(): File | null {
    return this.body instanceof FormData ? (this.body.get('file') as File | null) : null;
  }
}
