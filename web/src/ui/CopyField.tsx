import { type ReactNode, useRef, useState } from 'react';

/** A read-only value with a copy button (for secrets shown once, and links). */
export function CopyField({ label, value, testId }: { label: string; value: string; testId?: string }) {
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'idle' | 'done' | 'failed'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('done');
    } catch {
      input.current?.select();
      setCopied(document.execCommand?.('copy') ? 'done' : 'failed');
    }
  };
  const id = `copy-${label.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="copy-row">
        <input
          id={id}
          ref={input}
          readOnly
          value={value}
          className="mono"
          data-testid={testId}
          onFocus={(e) => e.target.select()}
        />
        <button type="button" className="button" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <span role="status" className="hint">
        {copied === 'done'
          ? 'Copied to the clipboard.'
          : copied === 'failed'
            ? 'Copy failed: select the text and copy it by hand.'
            : ''}
      </span>
    </div>
  );
}

/** A secret the server shows once (a client secret, a signing secret): an alert, its fields, and a dismiss button. */
export function SecretShownOnce({
  label,
  testId,
  notice,
  onDone,
  children,
}: {
  label: string;
  testId: string;
  notice: ReactNode;
  onDone: () => void;
  children: ReactNode;
}) {
  return (
    <section className="card" aria-label={label} data-testid={testId}>
      <p role="alert">{notice}</p>
      {children}
      <button type="button" className="button" onClick={onDone}>
        I have saved it
      </button>
    </section>
  );
}
