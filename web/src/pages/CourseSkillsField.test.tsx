import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { makeSkill } from '../test/skills';
import { makeUser, mockFetch, renderPage, signInAs } from '../test/utils';
import { CourseForm } from './CourseForm';

describe('CourseForm skills', () => {
  it('names the skills a new course grants, each at a level, and shows the server refusing one', async () => {
    signInAs(makeUser({ id: 2, role: 'trainer', username: 'tom' }));
    const python = makeSkill({ id: 8, name: 'Python' });
    const { calls } = mockFetch([
      { path: '/skills', body: [makeSkill(), python] },
      {
        method: 'POST',
        path: '/courses',
        respond: ({ body }) => {
          const grants = (body as { skills?: { skill_id: number; level: number }[] }).skills ?? [];
          if (grants.some((g) => g.skill_id === 7))
            return {
              status: 422,
              body: { detail: 'Invalid', errors: [{ field: 'skills', message: 'No skill has the ids 7' }] },
            };
          return { status: 201, body: { id: 9, title: 'Data', skills: grants } };
        },
      },
    ]);
    const saved = vi.fn();
    renderPage(<CourseForm onSaved={saved} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Title'), 'Data');
    const field = screen.getByRole('group', { name: 'Skills granted on completion' });
    expect(within(field).getByText(/awards no skill/)).toBeInTheDocument();
    await screen.findByRole('option', { name: 'Python' });
    await user.selectOptions(within(field).getByLabelText('Skill to grant'), 'SQL');
    await user.selectOptions(within(field).getByLabelText('Level granted'), '2');
    await user.click(within(field).getByRole('button', { name: 'Add skill' }));
    await user.selectOptions(within(field).getByLabelText('Skill to grant'), 'Python');
    await user.selectOptions(within(field).getByLabelText('Level granted'), '4');
    await user.click(within(field).getByRole('button', { name: 'Add skill' }));
    expect(within(field).getByText(/Python at level 4/)).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Create course' }));
    expect(await within(field).findByText('No skill has the ids 7')).toBeInTheDocument();
    await user.click(within(field).getByRole('button', { name: 'Remove SQL' }));
    await user.click(screen.getByRole('button', { name: 'Create course' }));
    await waitFor(() => expect(saved).toHaveBeenCalled());
    expect(calls.filter((c) => c.method === 'POST').at(-1)?.body).toMatchObject({
      title: 'Data',
      skills: [{ skill_id: 8, level: 4 }],
    });
  });
});
