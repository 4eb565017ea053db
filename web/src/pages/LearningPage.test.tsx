import { QueryClient } from '@tanstack/react-query';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { describe, expect, it, vi } from 'vitest';
import type { TraineeCourses } from '../api/courses';
import { App } from '../app/App';
import { makeCourse, makeLesson, makeModule, makeTraineeCourse } from '../test/courses';
import { FakeSocket } from '../test/fakes';
import { makeUser, mockFetch, renderRoutes, signInAs } from '../test/utils';
import { LearningPage } from './LearningPage';
import { ContinueLearning } from './LessonViewerPage';

const tia = makeUser({ id: 7, username: 'tia', role: 'trainee', first_name: 'Tia', last_name: 'Trainee' });

const mine: TraineeCourses = {
  courses: [
    makeTraineeCourse(tia, {
      course_id: 1,
      status: 'in_progress',
      completed_lessons: 1,
      // The second lesson, taken out of order.
      completed_lesson_ids: [102],
      total_lessons: 3,
      progress_percentage: 33.33,
      due_date: '2020-02-01',
      course: { id: 1, code: 'CRS-0001', title: 'Working at height' },
    }),
    makeTraineeCourse(tia, {
      course_id: 2,
      due_date: '2099-02-01',
      course: { id: 2, code: 'CRS-0002', title: 'Forklifts' },
    }),
    makeTraineeCourse(tia, {
      course_id: 3,
      status: 'completed',
      completed_lessons: 2,
      completed_lesson_ids: [301, 302],
      total_lessons: 2,
      progress_percentage: 100,
      due_date: '2020-01-01',
      course: { id: 3, code: 'CRS-0003', title: 'Fire safety' },
    }),
  ],
  statistics: { total_enrolled: 3, completed: 1, in_progress: 1, not_started: 1, average_progress: 44.44 },
};

const course = makeCourse({
  status: 'published',
  modules: [
    makeModule({
      id: 10,
      position: 1,
      lessons: [
        makeLesson({ id: 101, module_id: 10, title: 'Intro', position: 1 }),
        makeLesson({ id: 102, module_id: 10, title: 'Ladders', position: 2 }),
      ],
    }),
    makeModule({
      id: 20,
      position: 2,
      lessons: [makeLesson({ id: 201, module_id: 20, title: 'Rescue', position: 1 })],
    }),
  ],
});

describe('LearningPage', () => {
  it('shows each course’s progress, its due date with the overdue ones marked, and the figures', async () => {
    signInAs(tia);
    mockFetch([{ path: '/progress/trainee/7/courses', body: mine }]);
    renderRoutes([{ path: '/learning', element: <LearningPage /> }], '/learning');
    const figures = await screen.findByRole('list', { name: 'My course figures' });
    expect(figures).toHaveTextContent('3courses');
    expect(figures).toHaveTextContent('44%average progress');

    const height = screen.getByTestId('my-course-1');
    expect(within(height).getByRole('progressbar', { name: 'Progress in Working at height' })).toHaveValue(33.33);
    expect(within(height).getByText('1 of 3 lessons', { exact: false })).toBeInTheDocument();
    expect(within(height).getByText(/overdue/)).toBeInTheDocument();
    expect(within(height).getByRole('link', { name: 'Continue Working at height' })).toHaveAttribute(
      'href',
      '/learning/1/next',
    );
    const forklifts = screen.getByTestId('my-course-2');
    expect(within(forklifts).queryByText(/overdue/)).not.toBeInTheDocument();
    expect(within(forklifts).getByRole('link', { name: 'Start Forklifts' })).toBeInTheDocument();
    // A completed course is never overdue.
    const fire = screen.getByTestId('my-course-3');
    expect(within(fire).queryByText(/overdue/)).not.toBeInTheDocument();
    expect(within(fire).getByRole('link', { name: 'Review Fire safety' })).toBeInTheDocument();
  });

  it('continues at the next lesson not yet completed', async () => {
    signInAs(tia);
    mockFetch([
      { path: '/progress/trainee/7/courses', body: mine },
      { path: '/courses/1', body: course },
    ]);
    const { router } = renderRoutes(
      [
        { path: '/learning', element: <LearningPage /> },
        { path: '/learning/:courseId/next', element: <ContinueLearning /> },
        { path: '/learning/:courseId/lessons/:lessonId', element: <h1>Lesson page</h1> },
      ],
      '/learning',
    );
    const user = userEvent.setup();
    await user.click(await screen.findByRole('link', { name: 'Continue Working at height' }));
    expect(await screen.findByRole('heading', { name: 'Lesson page' })).toBeInTheDocument();
    // One lesson of three is done, the second one: the first, which is not, comes next (not
    // the second, as a guess from the count alone would have it).
    expect(router.state.location.pathname).toBe('/learning/1/lessons/101');
  });
});

describe('LearningPage, live', () => {
  it('shows a new enrolment and moves a bar when the server says so, without a reload', async () => {
    FakeSocket.all = [];
    vi.stubGlobal('WebSocket', FakeSocket);
    signInAs(tia);
    let current: TraineeCourses = { ...mine, courses: mine.courses.slice(0, 1) };
    mockFetch([{ path: '/progress/trainee/7/courses', respond: () => ({ body: current }) }]);
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const router = createMemoryRouter([{ path: '*', element: <LearningPage /> }], { initialEntries: ['/learning'] });
    render(
      <App client={client}>
        <RouterProvider router={router} />
      </App>,
    );
    const bar = await screen.findByRole('progressbar', { name: 'Progress in Working at height' });
    expect(bar).toHaveValue(33.33);
    const socket = FakeSocket.all[0];
    socket.serverSends({ type: 'ready', data: { user_id: 7, last_id: 0 } });

    current = mine;
    socket.serverSends({ type: 'course_enrolled', id: 1, data: { course_id: 2, trainee_id: 7 } });
    expect(await screen.findByTestId('my-course-2')).toBeInTheDocument();

    current = {
      ...mine,
      courses: mine.courses.map((c) =>
        c.course_id === 1 ? { ...c, completed_lessons: 2, progress_percentage: 66.67 } : c,
      ),
    };
    socket.serverSends({
      type: 'course_progress',
      id: 2,
      data: {
        course_id: 1,
        trainee_id: 7,
        completed_lessons: 2,
        total_lessons: 3,
        progress_percentage: 66.67,
        status: 'in_progress',
      },
    });
    await waitFor(() => expect(bar).toHaveValue(66.67));
  });
});
