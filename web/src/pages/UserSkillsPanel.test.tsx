import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { UserSkill } from '../api/skills';
import { makeSkill, makeUserSkill } from '../test/skills';
import { makeUser, mockFetch, renderPage, signInAs } from '../test/utils';
import { UserSkillsPanel } from './UserSkillsPanel';

const tom = makeUser({ id: 2, username: 'tom', role: 'trainer', first_name: 'Tom', last_name: 'Trainer' });
const pia = makeUser({ id: 4, username: 'pia', role: 'trainee', first_name: 'Pia', last_name: 'Doe' });
const python = makeSkill({ id: 8, name: 'Python', category: 'Programming' });

function assignment(teacher = tom) {
  return { id: 1, student: pia, teacher, assigned_date: '2026-05-01T09:00:00+00:00' };
}

describe('UserSkillsPanel', () => {
  it("shows the user's skills and lets their trainer award one, naming a refused level", async () => {
    signInAs(tom);
    const held: UserSkill[] = [makeUserSkill()];
    const { calls } = mockFetch([
      { path: '/users/4/skills', respond: () => ({ body: held }) },
      { path: '/assignments', body: [assignment()] },
      { path: '/skills', body: [makeSkill(), python] },
      {
        method: 'POST',
        path: '/users/4/skills',
        respond: ({ body }) => {
          const { skill_id, level } = body as { skill_id: number; level: number };
          if (level > 4)
            return {
              status: 422,
              body: { detail: 'Invalid', errors: [{ field: 'level', message: 'Too high for now' }] },
            };
          const made = makeUserSkill({ skill: skill_id === 8 ? python : makeSkill(), level, source: 'manual' });
          held.push(made);
          return { status: 201, body: made };
        },
      },
    ]);
    renderPage(<UserSkillsPanel userId={4} />);
    const table = await screen.findByTestId('user-skills');
    expect(within(table).getByText('SQL')).toBeInTheDocument();
    expect(within(table).getByText('3 / 5')).toBeInTheDocument();
    expect(within(table).getByText('A completed course')).toBeInTheDocument();

    const user = userEvent.setup();
    const form = await screen.findByRole('form', { name: 'Award a skill' });
    await screen.findByRole('option', { name: 'Python' });
    await user.selectOptions(within(form).getByLabelText('Skill'), 'Python');
    await user.selectOptions(within(form).getByLabelText('Level'), '5');
    await user.click(within(form).getByRole('button', { name: 'Award skill' }));
    expect(await within(form).findByText('Too high for now')).toBeInTheDocument();

    await user.selectOptions(within(form).getByLabelText('Skill'), 'Python');
    await user.selectOptions(within(form).getByLabelText('Level'), '4');
    await user.click(within(form).getByRole('button', { name: 'Award skill' }));
    expect(await within(screen.getByTestId('user-skills')).findByText('Python')).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'POST').at(-1)?.body).toEqual({ skill_id: 8, level: 4 });
    expect(screen.getByText('Awarded by hand')).toBeInTheDocument();
  });

  it('offers no award to a trainer who does not train the user, nor to the trainee', async () => {
    const tina = makeUser({ id: 5, username: 'tina', role: 'trainer', first_name: 'Tina', last_name: 'T' });
    signInAs(tina);
    mockFetch([
      { path: '/users/4/skills', body: [] },
      { path: '/assignments', body: [assignment()] },
    ]);
    renderPage(<UserSkillsPanel userId={4} />);
    expect(await screen.findByText('No skills yet.')).toBeInTheDocument();
    expect(screen.queryByRole('form', { name: 'Award a skill' })).not.toBeInTheDocument();
  });
});
