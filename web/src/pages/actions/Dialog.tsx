// A small modal: focus moves into it, Escape closes it, focus returns to where it was. The
// page behind is made inert by the caller (see `inert` on the page wrapper).
import { useEffect, useRef, type ReactNode } from 'react';
import { createPortal } from 'react-dom';

export function Modal({
  title,
  onClose,
  children,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    const first = ref.current?.querySelector<HTMLElement>('textarea, input, select, button');
    first?.focus();
    return () => previous?.focus?.();
  }, []);
  return createPortal(
    <div className="confirm-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={ref}
        className="confirm-modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby="modal-title"
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onClose();
          }
        }}
      >
        <h2 id="modal-title">{title}</h2>
        {children}
      </div>
    </div>,
    document.body,
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
    <Modal title={title} onClose={onClose}>
      <form
        className="confirm-form"
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
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="confirm-buttons">
          <button type="button" className="btn" onClick={onClose}>
            {dismiss}
          </button>
          <button type="submit" className={`btn ${danger ? 'btn-danger' : 'btn-primary'}`} disabled={busy}>
            {confirm}
          </button>
        </div>
      </form>
    </Modal>
  );
}
