import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { useBatches } from '../api/batches';
import { type ComplianceQuery, certificatesApi, type ReportFormat, useCompliance } from '../api/certificates';
import { useCourses } from '../api/courses';
import { useUsers } from '../api/queries';
import { useMe } from '../auth/session';
import { formatDate } from '../lib/time';
import { DataTable } from '../ui/DataTable';
import { Field } from '../ui/forms';
import { PageHeader } from '../ui/PageHeader';
import { Pager } from '../ui/Pager';
import { PersonSelect } from '../ui/PersonSelect';
import { QueryView, StatusBadge } from '../ui/states';
import { showToast } from '../ui/toasts';

const STATUSES = ['valid', 'expiring', 'expired', 'revoked', 'missing'] as const;
const PAGE = 50;

/** Who holds a current certificate of each course that requires one (admins; trainers: their trainees). */
export function CompliancePage() {
  const [params, setParams] = useSearchParams();
  const courseId = Number(params.get('course_id')) || undefined;
  const batchId = Number(params.get('batch_id')) || undefined;
  const trainerId = Number(params.get('trainer_id')) || undefined;
  const status = (STATUSES as readonly string[]).includes(params.get('status') ?? '')
    ? (params.get('status') as ComplianceQuery['status'])
    : undefined;
  const skip = Math.max(Number(params.get('skip')) || 0, 0);
  const filters = {
    ...(courseId ? { course_id: courseId } : {}),
    ...(batchId ? { batch_id: batchId } : {}),
    ...(trainerId ? { trainer_id: trainerId } : {}),
    ...(status ? { status } : {}),
  };
  const rows = useCompliance({ ...filters, skip, limit: PAGE });
  const courses = useCourses({ limit: 1000 });
  const batches = useBatches({ limit: 1000 });
  const isAdmin = useMe().role === 'admin';
  const users = useUsers({ enabled: isAdmin });
  const trainers = (users.data ?? []).filter((user) => user.role === 'trainer');
  const queryClient = useQueryClient();
  const update = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    if (!('skip' in changes)) next.delete('skip');
    setParams(next, { replace: true });
  };
  const renew = useMutation({
    mutationFn: (certificateId: number) => certificatesApi.renew(certificateId),
    onSuccess: () => {
      showToast({ title: 'The trainee takes the course again', tone: 'success' });
      void queryClient.invalidateQueries({ queryKey: ['compliance'] });
    },
    onError: (error) => showToast({ title: error.message, tone: 'error' }),
  });
  const download = (format: ReportFormat) =>
    void certificatesApi
      .downloadCompliance(format, filters)
      .catch(() => showToast({ title: 'The report could not be downloaded', tone: 'error' }));

  return (
    <div>
      <PageHeader
        title="Compliance"
        actions={
          <div className="button-row">
            {(['csv', 'excel', 'pdf'] as const).map((format) => (
              <button key={format} type="button" className="button" onClick={() => download(format)}>
                Download {format === 'excel' ? 'Excel' : format.toUpperCase()}
              </button>
            ))}
          </div>
        }
      >
        <p className="muted">
          For each trainee enrolled in a course whose certificates expire: the state of their latest certificate.
        </p>
      </PageHeader>
      {/* biome-ignore lint/a11y/useSemanticElements: the <search> element is too new for some browsers and screen readers still in use */}
      <div className="toolbar" role="search">
        <Field label="Course">
          {(p) => (
            <select {...p} value={courseId ?? ''} onChange={(e) => update({ course_id: e.target.value })}>
              <option value="">Any course</option>
              {(courses.data ?? []).map((course) => (
                <option key={course.id} value={course.id}>
                  {course.title}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Batch">
          {(p) => (
            <select {...p} value={batchId ?? ''} onChange={(e) => update({ batch_id: e.target.value })}>
              <option value="">Any batch</option>
              {(batches.data ?? []).map((batch) => (
                <option key={batch.id} value={batch.id}>
                  {batch.code}
                </option>
              ))}
            </select>
          )}
        </Field>
        {isAdmin ? (
          <PersonSelect
            label="Trainer"
            people={trainers}
            value={trainerId ? String(trainerId) : ''}
            onChange={(value) => update({ trainer_id: value })}
            blank="Any trainer"
          />
        ) : null}
        <Field label="Status">
          {(p) => (
            <select {...p} value={status ?? ''} onChange={(e) => update({ status: e.target.value })}>
              <option value="">Any status</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <QueryView query={rows} empty="Nobody to show." loadingLabel="Loading compliance…">
        {(found) => (
          <>
            <DataTable
              caption="Compliance"
              testId="compliance-table"
              columns={['Trainee', 'Course', 'Status', 'Issued', 'Expires']}
              actions
            >
              {found.map((row) => (
                <tr key={`${row.trainee.id}-${row.course.id}`}>
                  <td data-label="Trainee">{row.trainee.name}</td>
                  <td data-label="Course">{row.course.title}</td>
                  <td data-label="Status">
                    <StatusBadge status={row.status} />
                  </td>
                  <td data-label="Issued">{row.issued_at ? formatDate(row.issued_at) : '—'}</td>
                  <td data-label="Expires">{row.expires_at ? formatDate(row.expires_at) : '—'}</td>
                  <td data-label="Actions">
                    {row.certificate_id !== null && (row.status === 'expiring' || row.status === 'expired') ? (
                      <button
                        type="button"
                        className="button button-small"
                        disabled={renew.isPending}
                        onClick={() => row.certificate_id !== null && renew.mutate(row.certificate_id)}
                      >
                        Renew <span className="visually-hidden">for {row.trainee.name}</span>
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </DataTable>
            <Pager
              page={Math.floor(skip / PAGE)}
              hasMore={found.length === PAGE}
              onPage={(page) => update({ skip: page ? String(page * PAGE) : '' })}
            />
          </>
        )}
      </QueryView>
    </div>
  );
}
