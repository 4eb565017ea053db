import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { type Certificate, certificatesApi, useCertificates } from '../api/certificates';
import { useMe } from '../auth/session';
import { formatDate } from '../lib/time';
import { CopyField } from '../ui/CopyField';
import { DataTable } from '../ui/DataTable';
import { ConfirmPanel, Modal } from '../ui/Dialog';
import { PageHeader } from '../ui/PageHeader';
import { QueryView, StatusBadge } from '../ui/states';
import { showToast } from '../ui/toasts';

type Action = { kind: 'revoke' | 'renew'; certificate: Certificate };

/** The caller's certificates (admins: everyone's), their PDFs, and for admins revoke and renew. */
export function CertificatesPage() {
  const me = useMe();
  const isAdmin = me.role === 'admin';
  const list = useCertificates({ limit: 100 });
  const queryClient = useQueryClient();
  const [acting, setActing] = useState<Action | null>(null);
  const act = useMutation({
    mutationFn: ({ kind, certificate }: Action) =>
      kind === 'revoke' ? certificatesApi.revoke(certificate.id) : certificatesApi.renew(certificate.id),
    onSuccess: (_answer, { kind, certificate }) => {
      showToast({
        title:
          kind === 'revoke'
            ? `Certificate ${certificate.code} revoked`
            : `${certificate.trainee.name} takes ${certificate.course.title} again`,
        tone: 'success',
      });
      setActing(null);
      void queryClient.invalidateQueries({ queryKey: ['certificates'] });
    },
  });
  const download = (certificate: Certificate) =>
    void certificatesApi
      .downloadPdf(certificate.id)
      .catch(() => showToast({ title: 'The PDF could not be downloaded', tone: 'error' }));

  return (
    <div>
      <PageHeader title={isAdmin ? 'Certificates' : 'My certificates'}>
        <p className="muted">
          A certificate is issued when a course is completed. Anyone can check it with its code or the QR code on the
          PDF.
        </p>
      </PageHeader>
      <QueryView
        query={list}
        empty={isAdmin ? 'No certificate issued yet.' : 'Complete a course to earn its certificate.'}
        loadingLabel="Loading certificates…"
      >
        {(rows) => (
          <DataTable
            caption="Certificates"
            testId="certificates-table"
            columns={[...(isAdmin ? ['Trainee'] : []), 'Course', 'Issued', 'Expires', 'Status', 'Code']}
            actions
          >
            {rows.map((certificate) => (
              <tr key={certificate.id}>
                {isAdmin ? <td data-label="Trainee">{certificate.trainee.name}</td> : null}
                <td data-label="Course">{certificate.course.title}</td>
                <td data-label="Issued">{formatDate(certificate.issued_at)}</td>
                <td data-label="Expires">{certificate.expires_at ? formatDate(certificate.expires_at) : 'Never'}</td>
                <td data-label="Status">
                  <StatusBadge status={certificate.status} />
                </td>
                <td data-label="Code">
                  <CopyField label={`Code of ${certificate.course.title}`} value={certificate.code} />
                </td>
                <td data-label="Actions">
                  <div className="button-row">
                    <button type="button" className="button button-small" onClick={() => download(certificate)}>
                      PDF <span className="visually-hidden">of {certificate.course.title}</span>
                    </button>
                    {isAdmin && certificate.status !== 'revoked' ? (
                      <button
                        type="button"
                        className="button button-small"
                        onClick={() => setActing({ kind: 'revoke', certificate })}
                      >
                        Revoke <span className="visually-hidden">{certificate.code}</span>
                      </button>
                    ) : null}
                    {isAdmin ? (
                      <button
                        type="button"
                        className="button button-small"
                        onClick={() => setActing({ kind: 'renew', certificate })}
                      >
                        Renew <span className="visually-hidden">{certificate.code}</span>
                      </button>
                    ) : null}
                  </div>
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </QueryView>
      <Modal
        open={acting !== null}
        onClose={() => setActing(null)}
        title={acting?.kind === 'revoke' ? 'Revoke this certificate?' : 'Renew this certificate?'}
      >
        {acting ? (
          <ConfirmPanel
            action={acting.kind === 'revoke' ? 'Revoke certificate' : 'Renew certificate'}
            pending={act.isPending}
            error={act.error}
            onConfirm={() => act.mutate(acting)}
            onCancel={() => setActing(null)}
          >
            {acting.kind === 'revoke' ? (
              <p>
                {acting.certificate.trainee.name}’s certificate for “{acting.certificate.course.title}” will show as
                revoked to anyone who checks its code.
              </p>
            ) : (
              <p>
                {acting.certificate.trainee.name} takes “{acting.certificate.course.title}” again from the start;
                completing it issues a new certificate.
              </p>
            )}
          </ConfirmPanel>
        ) : null}
      </Modal>
    </div>
  );
}
