import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Skill } from '../api/skills';
import { makeSkill } from '../test/skills';
import { makeUser, mockFetch, renderRoutes, signInAs } from '../test/utils';
import { Toasts } from '../ui/toasts';
import { SkillsPage } from './SkillsPage';

function page() {
  return renderRoutes(
    [
      {
        path: '/skills',
        element: (
          <>
            <SkillsPage />
            <Toasts />
          </>
        ),
      },
    ],
    '/skills',
  );
}

describe('SkillsPage', () => {
  it('lets an admin create, edit and delete skills, and shows the server refusing a taken name', async () => {
    signInAs(makeUser());
    const all: Skill[] = [makeSkill()];
    const { calls } = mockFetch([
      {
        path: '/skills',
        respond: ({ url }) => {
          const q = (url.searchParams.get('q') ?? '').toLowerCase();
          return { body: all.filter((s) => s.name.toLowerCase().includes(q)) };
        },
      },
      {
        method: 'POST',
        path: '/skills',
        respond: ({ body }) => {
          const made = makeSkill({ ...(body as Partial<Skill>), id: 8 });
          if (all.some((s) => s.name.toLowerCase() === made.name.toLowerCase()))
            return { status: 409, body: { detail: `A skill named ${made.name} already exists` } };
          all.push(made);
          return { status: 201, body: made };
        },
      },
      {
        method: 'PUT',
        path: '/skills/7',
        respond: ({ body }) => {
          Object.assign(all[0], body);
          return { body: all[0] };
        },
      },
      {
        method: 'DELETE',
        path: '/skills/8',
        respond: () => {
          all.splice(1, 1);
          return { body: { message: 'Skill deleted (0 users held it)' } };
        },
      },
    ]);
    page();
    const table = await screen.findByTestId('skills-table');
    expect(within(table).getByRole('cell', { name: 'SQL' })).toBeInTheDocument();
    const user = userEvent.setup();

    await user.click(screen.getByRole('button', { name: 'New skill' }));
    let dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByLabelText('Name'), 'sql');
    await user.click(within(dialog).getByRole('button', { name: 'Create skill' }));
    expect(await within(dialog).findByText(/already exists/)).toBeInTheDocument();
    await user.clear(within(dialog).getByLabelText('Name'));
    await user.type(within(dialog).getByLabelText('Name'), 'Python');
    await user.type(within(dialog).getByLabelText('Category'), 'Programming');
    await user.click(within(dialog).getByRole('button', { name: 'Create skill' }));
    expect(await screen.findByText('Skill Python saved')).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'POST').at(-1)?.body).toEqual({
      name: 'Python',
      category: 'Programming',
      description: '',
    });
    expect(await within(screen.getByTestId('skills-table')).findByRole('cell', { name: 'Python' })).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Edit SQL' }));
    dialog = await screen.findByRole('dialog');
    await user.clear(within(dialog).getByLabelText('Category'));
    await user.click(within(dialog).getByRole('button', { name: 'Save skill' }));
    expect(await screen.findByText('Skill SQL saved')).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'PUT')?.body).toMatchObject({ name: 'SQL', category: '' });

    await user.click(screen.getByRole('button', { name: 'Delete Python' }));
    dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Delete skill' }));
    expect(await screen.findByText('Skill Python deleted')).toBeInTheDocument();
    expect(calls.some((c) => c.method === 'DELETE' && c.url.pathname === '/skills/8')).toBe(true);
  });

  it('shows trainees the catalogue without the admin actions', async () => {
    signInAs(makeUser({ id: 3, role: 'trainee', username: 'tia' }));
    mockFetch([{ path: '/skills', body: [makeSkill({ category: null, description: null })] }]);
    page();
    const table = await screen.findByTestId('skills-table');
    expect(within(table).getByText('SQL')).toBeInTheDocument();
    expect(within(table).getByText('—')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'New skill' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Edit/ })).not.toBeInTheDocument();
  });
});
