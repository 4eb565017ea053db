import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { NewCourseInput } from '../api/courses';
import { routes } from '../app/router';
import { makeCourse } from '../test/courses';
import { makeUser, mockFetch, renderRoutes, signInAs } from '../test/utils';
import { CoursesPage } from './CoursesPage';

const admin = makeUser();
const tom = makeUser({ id: 2, username: 'tom', role: 'trainer', first_name: 'Tom', last_name: 'Trainer' });
const tia = makeUser({ id: 7, username: 'tia', role: 'trainee', first_name: 'Tia', last_name: 'Trainee' });

const height = makeCourse({ id: 1, owner_id: 2, status: 'published' });
const forklifts = makeCourse({ id: 2, code: 'CRS-0002', title: 'Forklifts', owner_id: 5, category: 'Machines' });

function renderCatalogue(path = '/courses') {
  return renderRoutes(
    [
      { path: '/courses', element: <CoursesPage /> },
      { path: '/courses/:id/edit', element: <h1>Editor</h1> },
    ],
    path,
  );
}

describe('CoursesPage', () => {
  it('lists every course for staff and passes the filters to GET /courses/', async () => {
    signInAs(tom);
    const { calls } = mockFetch([{ path: '/courses', body: [height, forklifts] }]);
    renderCatalogue();
    const user = userEvent.setup();
    const table = await screen.findByTestId('courses');
    expect(within(table).getByText('Working at height', { selector: 'strong' })).toBeInTheDocument();
    expect(within(table).getByText('Forklifts', { selector: 'strong' })).toBeInTheDocument();
    // A trainer edits their own course only; everyone on the staff sees the learners.
    expect(screen.getByRole('link', { name: 'Edit Working at height' })).toHaveAttribute('href', '/courses/1/edit');
    expect(screen.queryByRole('link', { name: 'Edit Forklifts' })).not.toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Learners of Forklifts' })).toHaveAttribute(
      'href',
      '/courses/2/enrolments',
    );

    await user.selectOptions(screen.getByLabelText('Status'), 'draft');
    await user.type(screen.getByLabelText('Search'), 'fork');
    await user.type(screen.getByLabelText('Category'), 'Machines');
    await waitFor(() => {
      const last = calls.filter((c) => c.url.pathname === '/courses').pop();
      expect(Object.fromEntries(last?.url.searchParams ?? [])).toEqual({
        status: 'draft',
        q: 'fork',
        category: 'Machines',
        skip: '0',
        limit: '50',
      });
    });
    // Typing pauses before asking: not one request per key.
    const searched = calls.filter((c) => c.url.searchParams.has('q')).map((c) => c.url.searchParams.get('q'));
    expect(searched).not.toContain('f');
    expect(searched).not.toContain('fo');
  });

  it('creates a draft and opens it in the editor', async () => {
    signInAs(admin);
    const { calls } = mockFetch([
      { path: '/courses', body: [] },
      {
        method: 'POST',
        path: '/courses',
        respond: ({ body }) => ({
          body: makeCourse({ ...(body as NewCourseInput), id: 9, code: 'CRS-0009', status: 'draft' }),
        }),
      },
    ]);
    renderCatalogue();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'New course' }));
    const dialog = await screen.findByRole('dialog', { name: 'New course' });
    await user.type(within(dialog).getByLabelText('Title'), 'First aid');
    await user.type(within(dialog).getByLabelText('Category'), 'Health');
    await user.selectOptions(within(dialog).getByLabelText('Difficulty'), 'intermediate');
    await user.click(within(dialog).getByRole('button', { name: 'Create course' }));
    expect(await screen.findByRole('heading', { name: 'Editor' })).toBeInTheDocument();
    // No code given: the server generates one.
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      title: 'First aid',
      description: null,
      category: 'Health',
      difficulty: 'intermediate',
      estimated_minutes: null,
    });
  });

  it('shows a trainee their courses, without filters or editor actions', async () => {
    signInAs(tia);
    const { calls } = mockFetch([{ path: '/courses', body: [height] }]);
    renderCatalogue();
    const table = await screen.findByTestId('courses');
    expect(within(table).getByText('Working at height', { selector: 'strong' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Open Working at height' })).toHaveAttribute('href', '/learning/1');
    expect(screen.queryByRole('button', { name: 'New course' })).not.toBeInTheDocument();
    expect(screen.queryByRole('link', { name: /^Edit/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('link', { name: /^Learners/ })).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Status')).not.toBeInTheDocument();
    expect(calls[0].url.searchParams.has('status')).toBe(false);
  });

  it('keeps a trainee out of the editor and the enrolments', async () => {
    signInAs(tia);
    mockFetch([
      { path: '/sessions', body: [] },
      {
        path: '/progress/trainee/7',
        body: { trainee_id: 7, trainee: tia, total_sessions: 0, attended_sessions: 0, progress_percentage: 0 },
      },
      { path: '/attendance/trainee/7', body: [] },
    ]);
    for (const path of ['/courses/1/edit', '/courses/1/enrolments']) {
      const { router, unmount } = renderRoutes(routes, path);
      await waitFor(() => expect(router.state.location.pathname).toBe('/my'));
      unmount();
    }
  });
});
