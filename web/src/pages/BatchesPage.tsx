import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { type Batch, batches, useBatches } from '../api/batches';
import { useMe } from '../auth/session';
import { DataTable } from '../ui/DataTable';
import { ConfirmPanel, Modal } from '../ui/Dialog';
import { Field } from '../ui/forms';
import { PageHeader } from '../ui/PageHeader';
import { QueryView } from '../ui/states';
import { showToast } from '../ui/toasts';
import { BatchForm, describeDates } from './BatchForm';

/** Batches (cohorts): admins manage them; a trainer sees those they follow. */
export function BatchesPage() {
  const me = useMe();
  const isAdmin = me.role === 'admin';
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const list = useBatches({ limit: 100, ...(q.trim() ? { q: q.trim() } : {}) });
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<Batch | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Batch | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['batches'] });
  const remove = useMutation({
    mutationFn: (batch: Batch) => batches.remove(batch.id),
    onSuccess: (_answer, batch) => {
      showToast({ title: `Batch ${batch.code} deleted`, tone: 'success' });
      setDeleting(null);
      refresh();
    },
  });

  return (
    <div>
      <PageHeader
        title="Batches"
        actions={
          isAdmin ? (
            <button type="button" className="button button-primary" onClick={() => setEditing('new')}>
              New batch
            </button>
          ) : null
        }
      >
        <p className="muted">
          A batch is a group of trainees who learn together: enrol it in a course and whoever joins it later is enrolled
          too.
        </p>
      </PageHeader>
      {/* biome-ignore lint/a11y/useSemanticElements: the <search> element is too new for some browsers and screen readers still in use */}
      <div className="toolbar" role="search">
        <Field label="Search batches" hint="Code or name.">
          {(p) => (
            <input
              {...p}
              type="search"
              value={q}
              onChange={(e) => setParams(e.target.value ? { q: e.target.value } : {}, { replace: true })}
            />
          )}
        </Field>
      </div>
      <QueryView
        query={list}
        empty={q ? 'No batch matches.' : isAdmin ? 'No batches yet.' : 'You follow no batch yet.'}
        loadingLabel="Loading batches…"
      >
        {(rows) => (
          <DataTable caption="Batches" testId="batches-table" columns={['Code', 'Name', 'Dates', 'Trainees']} actions>
            {rows.map((batch) => (
              <tr key={batch.id}>
                <td data-label="Code" className="mono">
                  <Link to={`/batches/${batch.id}`}>{batch.code}</Link>
                </td>
                <td data-label="Name">{batch.name}</td>
                <td data-label="Dates">{describeDates(batch)}</td>
                <td data-label="Trainees">{batch.trainee_count}</td>
                <td data-label="Actions">
                  {isAdmin ? (
                    <div className="button-row">
                      <button type="button" className="button button-small" onClick={() => setEditing(batch)}>
                        Edit <span className="visually-hidden">{batch.code}</span>
                      </button>
                      <button type="button" className="button button-small" onClick={() => setDeleting(batch)}>
                        Delete <span className="visually-hidden">{batch.code}</span>
                      </button>
                    </div>
                  ) : null}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </QueryView>
      <Modal
        open={editing !== null}
        onClose={() => setEditing(null)}
        title={editing === 'new' || editing === null ? 'New batch' : `Edit ${editing.code}`}
        wide
      >
        {editing !== null ? (
          <BatchForm
            batch={editing === 'new' ? undefined : editing}
            onCancel={() => setEditing(null)}
            onSaved={(saved) => {
              showToast({ title: `Batch ${saved.code} saved`, tone: 'success' });
              refresh();
              setEditing(null);
            }}
          />
        ) : null}
      </Modal>
      <Modal open={deleting !== null} onClose={() => setDeleting(null)} title="Delete this batch?">
        {deleting ? (
          <ConfirmPanel
            action="Delete batch"
            pending={remove.isPending}
            error={remove.error}
            onConfirm={() => remove.mutate(deleting)}
            onCancel={() => setDeleting(null)}
          >
            <p>
              “{deleting.name}” ({deleting.code}) will be deleted. Its {deleting.trainee_count} trainee(s) stay enrolled
              in the courses it brought them to.
            </p>
          </ConfirmPanel>
        ) : null}
      </Modal>
    </div>
  );
}
