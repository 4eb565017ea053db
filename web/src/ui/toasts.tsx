import { useSyncExternalStore } from 'react';

export interface ToastItem {
  id: number;
  title: string;
  body?: string;
  tone: 'info' | 'success' | 'warning' | 'error';
}

let items: ToastItem[] = [];
let nextId = 1;
const listeners = new Set<() => void>();
const emit = () => {
  for (const listener of listeners) listener();
};

export function dismissToast(id: number): void {
  items = items.filter((t) => t.id !== id);
  emit();
}

export function showToast(toast: Omit<ToastItem, 'id'>, ttlMs = 7000): number {
  const id = nextId++;
  items = [...items.slice(-4), { ...toast, id }];
  emit();
  if (ttlMs > 0) setTimeout(() => dismissToast(id), ttlMs);
  return id;
}

export function clearToasts(): void {
  items = [];
  emit();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function Toasts() {
  const toasts = useSyncExternalStore(
    subscribe,
    () => items,
    () => items,
  );
  return (
    <section className="toasts" aria-label="Notifications">
      <div role="status" aria-live="polite" aria-relevant="additions">
        {toasts.map((toast) => (
          <div key={toast.id} className={`toast toast-${toast.tone}`}>
            <div className="toast-text">
              <strong>{toast.title}</strong>
              {toast.body ? <span>{toast.body}</span> : null}
            </div>
            <button
              type="button"
              className="icon-button"
              onClick={() => dismissToast(toast.id)}
              aria-label={`Dismiss: ${toast.title}`}
            >
              ×
            </button>
          </div>
        ))}
      </div>
    </section>
  );
}
