import * as Ariakit from '@ariakit/react';
import type { ReactNode } from 'react';

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
