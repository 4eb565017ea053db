import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Certificate } from '../api/certificates';
import { makeUser, mockFetch, renderRoutes, signInAs } from '../test/utils';
import { Toasts } from '../ui/toasts';
import { CertificatesPage } from './CertificatesPage';

const admin = makeUser();
const pia = makeUser({ id: 4, username: 'pia', role: 'trainee', first_name: 'Pia', last_name: 'Doe' });

function makeCertificate(overrides: Partial<Certificate> = {}): Certificate {
  return {
    id: 7,
    code: '7KQ2-M9XD-4HTB-R0ZC-8WAE',
    course: { id: 3, title: 'Fire safety' },
    trainee: { id: 4, name: 'Pia Doe' },
    issued_at: '2026-05-01T09:00:00+00:00',
    expires_at: '2027-05-01T09:00:00+00:00',
    status: 'valid',
    ...overrides,
  };
}

function page() {
  return renderRoutes(
    [
      {
        path: '/certificates',
        element: (
          <>
            <CertificatesPage />
            <Toasts />
          </>
        ),
      },
    ],
    '/certificates',
  );
}

describe('CertificatesPage', () => {
  it('shows a trainee their certificates and downloads the PDF, with nothing to revoke or renew', async () => {
    signInAs(pia);
    const { calls } = mockFetch([
      { path: '/certificates', body: [makeCertificate()] },
      {
        path: '/certificates/7.pdf',
        respond: () => ({
          body: '%PDF-1.7',
          headers: {
            'content-type': 'application/pdf',
            'content-disposition': 'attachment; filename="certificate-7.pdf"',
          },
        }),
      },
    ]);
    const created = vi.fn(() => 'blob:certificate');
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: created, revokeObjectURL: vi.fn() }));
    page();
    const table = await screen.findByTestId('certificates-table');
    expect(screen.getByRole('heading', { name: 'My certificates' })).toBeInTheDocument();
    expect(within(table).getByText('Fire safety')).toBeInTheDocument();
    expect(within(table).getByText('valid')).toBeInTheDocument();
    expect(within(table).queryByRole('button', { name: /Revoke/ })).toBeNull();
    expect(within(table).queryByRole('button', { name: /Renew/ })).toBeNull();
    await userEvent.setup().click(within(table).getByRole('button', { name: 'PDF of Fire safety' }));
    await waitFor(() => expect(created).toHaveBeenCalled());
    expect(calls.some((c) => c.url.pathname === '/certificates/7.pdf')).toBe(true);
  });

  it('lets an admin revoke and renew after confirming', async () => {
    signInAs(admin);
    let current = makeCertificate();
    const { calls } = mockFetch([
      { path: '/certificates', respond: () => ({ body: [current] }) },
      {
        method: 'POST',
        path: '/certificates/7/revoke',
        respond: () => {
          current = { ...current, status: 'revoked' };
          return { body: current };
        },
      },
      { method: 'POST', path: '/certificates/7/renew', body: makeCertificate() },
    ]);
    page();
    const table = await screen.findByTestId('certificates-table');
    expect(within(table).getByText('Pia Doe')).toBeInTheDocument();
    const user = userEvent.setup();
    await user.click(within(table).getByRole('button', { name: `Renew ${current.code}` }));
    const renewDialog = await screen.findByRole('dialog');
    expect(within(renewDialog).getByText(/takes “Fire safety” again from the start/)).toBeInTheDocument();
    await user.click(within(renewDialog).getByRole('button', { name: 'Renew certificate' }));
    expect(await screen.findByText('Pia Doe takes Fire safety again')).toBeInTheDocument();

    await user.click(within(table).getByRole('button', { name: `Revoke ${current.code}` }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Revoke certificate' }));
    expect(await screen.findByText(`Certificate ${current.code} revoked`)).toBeInTheDocument();
    expect(await within(table).findByText('revoked')).toBeInTheDocument();
    expect(within(table).queryByRole('button', { name: /^Revoke/ })).toBeNull();
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.url.pathname)).toEqual([
      '/certificates/7/renew',
      '/certificates/7/revoke',
    ]);
  });
});
