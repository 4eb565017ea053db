import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { useSearchParams } from 'react-router';
import { ConfirmPanel, Modal } from './Dialog';
import { Field } from './forms';
import { showToast } from './toasts';

/**
 * What a catalogue page (batches, skills, rooms) holds beside its list: the item being edited
 * (or 'new'), the one whose deletion waits for confirmation, the deletion itself, and what
 * follows a save. Each success is toasted and refreshes the list under `queryKey`.
 */
export function useCatalogue<T>({
  queryKey,
  remove,
  label,
}: {
  queryKey: readonly unknown[];
  remove: (item: T) => Promise<unknown>;
  /** How a toast names the item: "Batch B-12". */
  label: (item: T) => string;
}) {
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<T | 'new' | null>(null);
  const [deleting, setDeleting] = useState<T | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey });
  const removal = useMutation({
    mutationFn: remove,
    onSuccess: (_answer, item) => {
      showToast({ title: `${label(item)} deleted`, tone: 'success' });
      setDeleting(null);
      refresh();
    },
  });
  const saved = (item: T) => {
    showToast({ title: `${label(item)} saved`, tone: 'success' });
    refresh();
    setEditing(null);
  };
  return { editing, setEditing, deleting, setDeleting, removal, saved };
}

export type Catalogue<T> = ReturnType<typeof useCatalogue<T>>;

/** The list's search, kept in the URL (`?q=`) so that a link or a reload keeps it. */
export function useUrlSearch(): [string, (q: string) => void] {
  const [params, setParams] = useSearchParams();
  return [params.get('q') ?? '', (q) => setParams(q ? { q } : {}, { replace: true })];
}

export function SearchToolbar({
  label,
  hint,
  value,
  onChange,
}: {
  label: string;
  hint: string;
  value: string;
  onChange: (q: string) => void;
}) {
  return (
    // biome-ignore lint/a11y/useSemanticElements: the <search> element is too new for some browsers and screen readers still in use
    <div className="toolbar" role="search">
      <Field label={label} hint={hint}>
        {(p) => <input {...p} type="search" value={value} onChange={(e) => onChange(e.target.value)} />}
      </Field>
    </div>
  );
}

/** A row's Edit and Delete buttons, each naming the row for screen readers. */
export function EditDeleteButtons({
  name,
  onEdit,
  onDelete,
  deleteDisabled = false,
}: {
  name: string;
  onEdit: () => void;
  onDelete: () => void;
  deleteDisabled?: boolean;
}) {
  return (
    <div className="button-row">
      <button type="button" className="button button-small" onClick={onEdit}>
        Edit <span className="visually-hidden">{name}</span>
      </button>
      <button type="button" className="button button-small" disabled={deleteDisabled} onClick={onDelete}>
        Delete <span className="visually-hidden">{name}</span>
      </button>
    </div>
  );
}

/** The dialog holding the form that creates an item (`editing` is 'new') or edits one. */
export function EditDialog<T>({
  catalogue,
  newTitle,
  editTitle,
  wide,
  children,
}: {
  catalogue: Catalogue<T>;
  newTitle: string;
  editTitle: (item: T) => string;
  wide?: boolean;
  /** The form, given the item to edit (undefined: a new one). */
  children: (item: T | undefined) => ReactNode;
}) {
  const { editing, setEditing } = catalogue;
  return (
    <Modal
      open={editing !== null}
      onClose={() => setEditing(null)}
      title={editing === 'new' || editing === null ? newTitle : editTitle(editing)}
      wide={wide}
    >
      {editing !== null ? children(editing === 'new' ? undefined : editing) : null}
    </Modal>
  );
}

/** "Delete this …?": what will happen to the item, the refusal if any, and the danger button. */
export function DeleteDialog<T>({
  catalogue,
  title,
  action,
  children,
}: {
  catalogue: Catalogue<T>;
  title: string;
  action: string;
  /** What deleting this item does. */
  children: (item: T) => ReactNode;
}) {
  const { deleting, setDeleting, removal } = catalogue;
  return (
    <Modal open={deleting !== null} onClose={() => setDeleting(null)} title={title}>
      {deleting !== null ? (
        <ConfirmPanel
          action={action}
          pending={removal.isPending}
          error={removal.error}
          onConfirm={() => removal.mutate(deleting)}
          onCancel={() => setDeleting(null)}
        >
          {children(deleting)}
        </ConfirmPanel>
      ) : null}
    </Modal>
  );
}
