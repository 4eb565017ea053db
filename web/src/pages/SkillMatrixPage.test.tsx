import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { makeBatch } from '../test/batches';
import { makeSkill } from '../test/skills';
import { makeUser, mockFetch, renderPage, signInAs } from '../test/utils';
import { SkillMatrixPage } from './SkillMatrixPage';

const pia = makeUser({ id: 4, username: 'pia', role: 'trainee', first_name: 'Pia', last_name: 'Doe' });
const paul = makeUser({ id: 5, username: 'paul', role: 'trainee', first_name: 'Paul', last_name: 'Roe' });
const sql = makeSkill();
const python = makeSkill({ id: 8, name: 'Python' });

describe('SkillMatrixPage', () => {
  it('shows levels by trainee and skill, filters by batch and skill, and downloads the report', async () => {
    signInAs(makeUser());
    const { calls } = mockFetch([
      {
        path: '/skills/matrix',
        respond: ({ url }) => {
          const one = url.searchParams.get('skill_id');
          const batch = url.searchParams.get('batch_id');
          return {
            body: {
              skills: one ? [python] : [python, sql],
              rows: [{ trainee: pia, levels: { '7': 3 } }, ...(batch ? [] : [{ trainee: paul, levels: { '8': 5 } }])],
            },
          };
        },
      },
      { path: '/batches', body: [makeBatch()] },
      { path: '/courses', body: [] },
      { path: '/skills', body: [sql, python] },
      {
        path: '/reports/skills-matrix',
        respond: () => ({
          body: 'Trainee ID,Trainee\n',
          headers: {
            'content-type': 'text/csv',
            'content-disposition': 'attachment; filename=skills-matrix-20260501.csv',
          },
        }),
      },
    ]);
    renderPage(<SkillMatrixPage />);
    const table = await screen.findByTestId('skill-matrix');
    expect(
      within(table)
        .getAllByRole('columnheader')
        .map((h) => h.textContent),
    ).toEqual(['Trainee', 'Python', 'SQL']);
    const piaRow = within(table).getByRole('row', { name: /Pia Doe/ });
    expect(
      within(piaRow)
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual(['', '3']);
    const paulRow = within(table).getByRole('row', { name: /Paul Roe/ });
    expect(
      within(paulRow)
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual(['5', '']);

    const user = userEvent.setup();
    await screen.findByRole('option', { name: /SPRING-26/ });
    await user.selectOptions(screen.getByLabelText('Batch'), 'SPRING-26 — Spring intake');
    await waitFor(() => expect(within(screen.getByTestId('skill-matrix')).queryByText('Paul Roe')).toBeNull());
    await user.selectOptions(screen.getByLabelText('Skill'), 'Python');
    await waitFor(() =>
      expect(calls.some((c) => c.url.pathname === '/skills/matrix' && c.url.searchParams.get('skill_id') === '8')).toBe(
        true,
      ),
    );
    await user.click(screen.getByRole('button', { name: 'Download CSV' }));
    await waitFor(() => expect(calls.some((c) => c.url.pathname === '/reports/skills-matrix')).toBe(true));
    const report = calls.find((c) => c.url.pathname === '/reports/skills-matrix');
    expect(report?.url.searchParams.get('format')).toBe('csv');
    expect(report?.url.searchParams.get('batch_id')).toBe('3');
    expect(report?.url.searchParams.get('skill_id')).toBe('8');
  });

  it('says so when no trainee matches', async () => {
    signInAs(makeUser({ id: 2, role: 'trainer', username: 'tom' }));
    mockFetch([
      { path: '/skills/matrix', body: { skills: [sql], rows: [] } },
      { path: '/batches', body: [] },
      { path: '/courses', body: [] },
      { path: '/skills', body: [sql] },
    ]);
    renderPage(<SkillMatrixPage />);
    expect(await screen.findByText('No trainee matches.')).toBeInTheDocument();
  });
});
