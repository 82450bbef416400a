// The console's one modal dialog: rendered over the page (portal into <body>), focus moves into
// it and stays there (Tab wraps), Escape and a click on the backdrop close it (not while busy),
// focus returns to the control that opened it. Plus the pieces every dialog form repeats: the
// Cancel/confirm button row, and a confirm-with-comment dialog.
import { useEffect, useId, useRef, type KeyboardEvent, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { FormError } from './States';

const FOCUSABLE = 'button, input, select, textarea, a[href]';

export function Dialog({
  title,
  onClose,
  children,
  wide = false,
  busy = false,
  closeButton = true,
}: {
  title: ReactNode;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
  // while busy (a request in flight) Escape and the backdrop do not close it
  busy?: boolean;
  // the ✕ in the header
  closeButton?: boolean;
}) {
  const titleId = useId();
  const box = useRef<HTMLDivElement>(null);
  // Read during the first render, before anything inside the dialog takes the focus.
  const opener = useRef<HTMLElement | null>(typeof document !== 'undefined' ? (document.activeElement as HTMLElement | null) : null);
  useEffect(() => {
    if (!box.current?.contains(document.activeElement)) {
      const first = box.current?.querySelector<HTMLElement>('textarea, input, select, button:not([data-close])');
      (first ?? box.current)?.focus();
    }
    const back = opener.current;
    return () => back?.focus?.();
  }, []);
  const close = () => {
    if (!busy) onClose();
  };
  const onKey = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      close();
    }
    if (event.key === 'Tab' && box.current) {
      const focusable = [...box.current.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => !el.hasAttribute('disabled'));
      if (focusable.length === 0) return;
      const first = focusable[0];
      const last = focusable[focusable.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    }
  };
  return createPortal(
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && close()}>
      <div
        ref={box}
        className={`modal${wide ? ' modal-wide' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
        onKeyDown={onKey}
      >
        <div className="modal-head">
          <h2 id={titleId}>{title}</h2>
          {closeButton && (
            <button type="button" className="btn btn-quiet" data-close aria-label="Close" onClick={close}>
              ✕
            </button>
          )}
        </div>
        {children}
      </div>
    </div>,
    document.body,
  );
}

// The end of a dialog form: the error (if any), then Cancel and the confirming button.
// `onConfirm` absent: the confirming button submits the surrounding form.
export function DialogButtons({
  confirm,
  busyLabel,
  busy = false,
  disabled = false,
  danger = false,
  error,
  dismiss = 'Cancel',
  onCancel,
  onConfirm,
}: {
  confirm: string;
  busyLabel?: string;
  busy?: boolean;
  disabled?: boolean;
  danger?: boolean;
  error?: string | null;
  dismiss?: string;
  onCancel: () => void;
  onConfirm?: () => void;
}) {
  return (
    <>
      <FormError error={error} />
      <div className="modal-buttons">
        <button type="button" className="btn" onClick={onCancel} disabled={busy}>
          {dismiss}
        </button>
        <button
          type={onConfirm ? 'button' : 'submit'}
          className={`btn ${danger ? 'btn-danger' : 'btn-primary'}`}
          onClick={onConfirm}
          disabled={busy || disabled}
        >
          {busy && busyLabel ? busyLabel : confirm}
        </button>
      </div>
    </>
  );
}

// Confirm with an optional (or required) comment.
export function CommentDialog({
  title,
  message,
  confirm,
  dismiss = 'Cancel',
  danger = false,
  commentLabel = 'Comment (optional)',
  requireComment = false,
  busy = false,
  error,
  onConfirm,
  onClose,
}: {
  title: string;
  message?: ReactNode;
  confirm: string;
  dismiss?: string;
  danger?: boolean;
  commentLabel?: string | null;
  requireComment?: boolean;
  busy?: boolean;
  error?: string | null;
  onConfirm: (comment: string) => void;
  onClose: () => void;
}) {
  const commentRef = useRef<HTMLTextAreaElement>(null);
  return (
    <Dialog title={title} onClose={onClose} busy={busy}>
      <form
        className="modal-form"
        onSubmit={(e) => {
          e.preventDefault();
          const comment = commentRef.current?.value.trim() ?? '';
          if (requireComment && !comment) return;
          onConfirm(comment);
        }}
      >
        {message && <div>{message}</div>}
        {commentLabel && (
          <label>
            {commentLabel}
            <textarea ref={commentRef} rows={3} required={requireComment} />
          </label>
        )}
        <DialogButtons confirm={confirm} dismiss={dismiss} danger={danger} busy={busy} error={error} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
