import { Link } from 'react-router';
import { type Batch, batches, useBatches } from '../api/batches';
import { useMe } from '../auth/session';
import {
  DeleteDialog,
  EditDeleteButtons,
  EditDialog,
  SearchToolbar,
  useCatalogue,
  useUrlSearch,
} from '../ui/Catalogue';
import { DataTable } from '../ui/DataTable';
import { PageHeader } from '../ui/PageHeader';
import { QueryView } from '../ui/states';
import { BatchForm, describeDates } from './BatchForm';

/** Batches (cohorts): admins manage them; a trainer sees those they follow. */
export function BatchesPage() {
  const me = useMe();
  const isAdmin = me.role === 'admin';
  const [q, setQ] = useUrlSearch();
  const list = useBatches({ limit: 100, ...(q.trim() ? { q: q.trim() } : {}) });
  const catalogue = useCatalogue<Batch>({
    queryKey: ['batches'],
    remove: (batch) => batches.remove(batch.id),
    label: (batch) => `Batch ${batch.code}`,
  });

  return (
    <div>
      <PageHeader
        title="Batches"
        actions={
          isAdmin ? (
            <button type="button" className="button button-primary" onClick={() => catalogue.setEditing('new')}>
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
      <SearchToolbar label="Search batches" hint="Code or name." value={q} onChange={setQ} />
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
                    <EditDeleteButtons
                      name={batch.code}
                      onEdit={() => catalogue.setEditing(batch)}
                      onDelete={() => catalogue.setDeleting(batch)}
                    />
                  ) : null}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </QueryView>
      <EditDialog catalogue={catalogue} newTitle="New batch" editTitle={(batch) => `Edit ${batch.code}`} wide>
        {(batch) => <BatchForm batch={batch} onCancel={() => catalogue.setEditing(null)} onSaved={catalogue.saved} />}
      </EditDialog>
      <DeleteDialog catalogue={catalogue} title="Delete this batch?" action="Delete batch">
        {(batch) => (
          <p>
            “{batch.name}” ({batch.code}) will be deleted. Its {batch.trainee_count} trainee(s) stay enrolled in the
            courses it brought them to.
          </p>
        )}
      </DeleteDialog>
    </div>
  );
}
