import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../api/client';
import { describeError } from '../api/errors';
import { type JobQuery, useJobs } from '../api/queries';
import { type BackgroundJob, JOB_STATUSES, type JobStatus } from '../api/types';
import { formatDateTime } from '../lib/time';
import { DataTable } from '../ui/DataTable';
import { Field } from '../ui/forms';
import { PageHeader } from '../ui/PageHeader';
import { Pager } from '../ui/Pager';
import { QueryView } from '../ui/states';
import { showToast } from '../ui/toasts';

const PAGE = 50;

const STATUS_LABELS: Record<JobStatus, string> = {
  failed: 'Failed (dead letters)',
  queued: 'Queued',
  running: 'Running',
  succeeded: 'Succeeded',
};

export function JobsPage() {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<JobStatus | ''>('failed');
  const [page, setPage] = useState(0);
  const query: JobQuery = { status: status || null, skip: page * PAGE, limit: PAGE };
  const jobs = useJobs(query);

  const retry = useMutation({
    mutationFn: (job: BackgroundJob) =>
      unwrap(api.POST('/jobs/{job_id}/retry', { params: { path: { job_id: job.id } } })),
    onSuccess: (_answer, job) => {
      showToast({ title: `Job #${job.id} queued again`, body: `${job.kind} will run shortly.`, tone: 'success' });
      void queryClient.invalidateQueries({ queryKey: ['jobs'] });
      void queryClient.invalidateQueries({ queryKey: ['audit'] });
    },
    onError: (error, job) =>
      showToast({ title: `Could not retry job #${job.id}`, body: describeError(error), tone: 'error' }),
  });

  return (
    <div>
      <PageHeader title="Background jobs">
        <p className="muted">
          Work done after a change is saved: e-mail, imports, reminders, webhooks. A job that keeps failing is stopped
          here as failed until you retry it.
        </p>
      </PageHeader>
      <div className="toolbar">
        <Field label="Status">
          {(p) => (
            <select
              {...p}
              value={status}
              onChange={(e) => {
                setStatus(JOB_STATUSES.find((s) => s === e.target.value) ?? '');
                setPage(0);
              }}
            >
              <option value="">Any status</option>
              {JOB_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABELS[s]}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <QueryView
        query={jobs}
        empty={page ? 'No more jobs.' : status === 'failed' ? 'No failed jobs: nothing waits for you.' : 'No jobs.'}
        loadingLabel="Loading the jobs…"
      >
        {(rows) => (
          <>
            <DataTable
              caption="Background jobs"
              testId="jobs-table"
              columns={['Job', 'Kind', 'Status', 'Attempts', 'Last error', 'Updated']}
              actions
            >
              {rows.map((job) => (
                <tr key={job.id}>
                  <td data-label="Job">#{job.id}</td>
                  <td data-label="Kind">
                    <code>{job.kind}</code>
                  </td>
                  <td data-label="Status">{job.status}</td>
                  <td data-label="Attempts">{job.attempts}</td>
                  <td data-label="Last error">{job.last_error ?? '—'}</td>
                  <td data-label="Updated">{formatDateTime(job.updated_at)}</td>
                  <td data-label="Actions">
                    {job.status === 'failed' ? (
                      <button
                        type="button"
                        className="button button-small"
                        onClick={() => retry.mutate(job)}
                        disabled={retry.isPending}
                      >
                        Retry <span className="visually-hidden">job #{job.id}</span>
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </DataTable>
            <Pager page={page} hasMore={rows.length === PAGE} onPage={setPage} />
          </>
        )}
      </QueryView>
    </div>
  );
}
