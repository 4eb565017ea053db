import * as Ariakit from '@ariakit/react';
import type { ReactNode } from 'react';
import { FormError } from './forms';

interface ModalProps {
  open: boolean;
  onClose: () => void;
  title: string;
  children: ReactNode;
  wide?: boolean;
}

/** A modal dialog: focus moves in and is kept there, Escape and the close button dismiss it. */
export function Modal({ open, onClose, title, children, wide }: ModalProps) {
  return (
    <Ariakit.Dialog
      open={open}
      onClose={onClose}
      unmountOnHide
      backdrop={<div className="backdrop" />}
      className={wide ? 'dialog dialog-wide' : 'dialog'}
    >
      <div className="dialog-header">
        <Ariakit.DialogHeading className="dialog-title">{title}</Ariakit.DialogHeading>
        <Ariakit.DialogDismiss className="icon-button" aria-label="Close">
          ×
        </Ariakit.DialogDismiss>
      </div>
      <div className="dialog-body">{children}</div>
    </Ariakit.Dialog>
  );
}

/** The body of a "Delete this …?" dialog: what will happen, the refusal if any, the danger button and Cancel. */
export function ConfirmPanel({
  action,
  pending,
  error,
  onConfirm,
  onCancel,
  children,
}: {
  action: ReactNode;
  pending: boolean;
  error: unknown;
  onConfirm: () => void;
  onCancel: () => void;
  children: ReactNode;
}) {
  return (
    <div className="stack">
      {children}
      {error ? <FormError error={error} /> : null}
      <div className="button-row">
        <button type="button" className="button button-danger" disabled={pending} onClick={onConfirm}>
          {action}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
