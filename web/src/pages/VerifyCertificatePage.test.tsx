import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { mockFetch, renderRoutes } from '../test/utils';
import { VerifyCertificatePage } from './VerifyCertificatePage';

const CODE = '7KQ2-M9XD-4HTB-R0ZC-8WAE';

function page(code = CODE) {
  return renderRoutes([{ path: '/verify/:code', element: <VerifyCertificatePage /> }], `/verify/${code}`);
}

const answer = (valid: boolean) => ({
  valid,
  trainee_name: 'Pia Doe',
  course_title: 'Fire safety',
  issued_at: '2026-05-01T09:00:00+00:00',
});

describe('VerifyCertificatePage', () => {
  it('shows a valid certificate to someone not signed in, without a token', async () => {
    const { calls } = mockFetch([{ path: `/verify/${CODE}`, body: answer(true) }]);
    page();
    const verdict = await screen.findByTestId('verify-verdict');
    expect(verdict).toHaveTextContent('This certificate is valid.');
    expect(verdict).toHaveAttribute('data-status', 'valid');
    expect(screen.getByText('Pia Doe')).toBeInTheDocument();
    expect(screen.getByText('Fire safety')).toBeInTheDocument();
    expect(calls[0].headers.get('authorization')).toBeNull();
  });

  it('shows a revoked or expired certificate as no longer valid', async () => {
    mockFetch([{ path: `/verify/${CODE}`, body: answer(false) }]);
    page();
    const verdict = await screen.findByTestId('verify-verdict');
    expect(verdict).toHaveTextContent('This certificate is no longer valid (revoked or expired).');
    expect(verdict).toHaveAttribute('data-status', 'invalid');
    expect(screen.getByText('Pia Doe')).toBeInTheDocument();
  });

  it('says when no certificate has the code', async () => {
    mockFetch([{ path: '/verify/NOPE', status: 404, body: { detail: 'Certificate not found' } }]);
    page('NOPE');
    expect(await screen.findByRole('alert')).toHaveTextContent('No certificate has this code.');
  });
});
