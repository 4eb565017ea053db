import { useParams } from 'react-router';
import { useVerification } from '../api/certificates';
import { ApiError } from '../api/errors';
import { formatDate } from '../lib/time';
import { Loading } from '../ui/states';

/** The public page a certificate's QR code opens: no sign-in, the least that proves it
 * (GET /verify/{code} answers whether it stands, the name, the course and the date; why one
 * no longer stands, revoked or expired, is for its holder and the organisation to say). */
export function VerifyCertificatePage() {
  const { code = '' } = useParams();
  const check = useVerification(code);
  return (
    <div className="login-screen">
      <main className="login-card" id="main" aria-labelledby="verify-title">
        <h1 id="verify-title">Certificate check</h1>
        <p className="mono">{code}</p>
        {check.isPending ? <Loading label="Checking the certificate…" /> : null}
        {check.error ? (
          <p role="alert" data-testid="verify-verdict" data-status="unknown">
            {check.error instanceof ApiError && check.error.status === 404
              ? 'No certificate has this code.'
              : 'The certificate could not be checked. Try again later.'}
          </p>
        ) : null}
        {check.data ? (
          <div>
            <p
              role="status"
              data-testid="verify-verdict"
              data-status={check.data.valid ? 'valid' : 'invalid'}
              className={check.data.valid ? 'verdict verdict-valid' : 'verdict verdict-invalid'}
            >
              <strong>
                {check.data.valid
                  ? 'This certificate is valid.'
                  : 'This certificate is no longer valid (revoked or expired).'}
              </strong>
            </p>
            <dl>
              <dt>Awarded to</dt>
              <dd>{check.data.trainee_name}</dd>
              <dt>Course</dt>
              <dd>{check.data.course_title}</dd>
              <dt>Issued</dt>
              <dd>{formatDate(check.data.issued_at)}</dd>
            </dl>
          </div>
        ) : null}
      </main>
    </div>
  );
}
