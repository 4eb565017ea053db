import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Lesson, TraineeCourse, TraineeCourses } from '../api/courses';
import type { TrainingSession } from '../api/types';
import { makeCourse, makeLesson, makeModule, makeTraineeCourse } from '../test/courses';
import { makeUser, mockFetch, NO_BOOKING, renderRoutes, signInAs } from '../test/utils';
import { CourseOutlinePage, LessonViewerPage } from './LessonViewerPage';

const tia = makeUser({ id: 7, username: 'tia', role: 'trainee', first_name: 'Tia', last_name: 'Trainee' });

const intro = makeLesson({
  id: 101,
  module_id: 10,
  title: 'Intro',
  body: '**Safety** first',
  body_html: '<p><strong>Safety</strong> first</p>',
  position: 1,
});
const youtube = makeLesson({
  id: 102,
  module_id: 10,
  title: 'Ladders on film',
  kind: 'video',
  video_url: 'https://youtu.be/dQw4w9WgXcQ?t=30',
  position: 2,
});
const vimeo = makeLesson({
  id: 103,
  module_id: 10,
  title: 'Harness on film',
  kind: 'video',
  video_url: 'https://vimeo.com/76979871',
  position: 3,
});
const elsewhere = makeLesson({
  id: 104,
  module_id: 10,
  title: 'Rescue on film',
  kind: 'video',
  video_url: 'https://media.example.test/rescue.mp4',
  position: 4,
});
const checklist = makeLesson({
  id: 201,
  module_id: 20,
  title: 'Checklist',
  kind: 'file',
  file: { id: 9, name: 'checklist.pdf', size: 120_000, content_type: 'application/pdf' },
  position: 1,
});
const drill = makeLesson({
  id: 202,
  module_id: 20,
  title: 'Rescue drill',
  kind: 'session',
  session_ids: [31, 32],
  position: 2,
});
const course = makeCourse({
  status: 'published',
  modules: [
    makeModule({ id: 10, title: 'Basics', position: 1, lessons: [intro, youtube, vimeo, elsewhere] }),
    makeModule({ id: 20, title: 'Practice', position: 2, lessons: [checklist, drill] }),
  ],
});

function mineWith(enrolment: Partial<TraineeCourse>): TraineeCourses {
  return {
    courses: [
      makeTraineeCourse(tia, {
        total_lessons: 6,
        ...enrolment,
        course: { id: 1, code: 'CRS-0001', title: course.title },
      }),
    ],
    statistics: { total_enrolled: 1, completed: 0, in_progress: 0, not_started: 1, average_progress: 0 },
  };
}

const monday: TrainingSession = {
  id: 31,
  title: 'Rescue drill (Monday)',
  description: null,
  trainer_id: 2,
  trainees: [tia],
  scheduled_date: '2026-06-01T09:00:00+00:00',
  duration_minutes: 60,
  status: 'scheduled',
  class_link: null,
  session_link: 's-31',
  created_at: '2026-05-01T09:00:00+00:00',
  updated_at: '2026-05-01T09:00:00+00:00',
  ...NO_BOOKING,
};

function renderLesson(lesson: Lesson) {
  return renderRoutes(
    [
      { path: '/learning/:courseId', element: <CourseOutlinePage /> },
      { path: '/learning/:courseId/lessons/:lessonId', element: <LessonViewerPage /> },
    ],
    `/learning/1/lessons/${lesson.id}`,
  );
}

describe('LessonViewerPage', () => {
  it('shows a text lesson’s server rendering; marking it complete and incomplete moves the course’s progress', async () => {
    signInAs(tia);
    let enrolment: Partial<TraineeCourse> = { status: 'not_started' };
    const { calls } = mockFetch([
      { path: '/courses/1', body: course },
      { path: '/progress/trainee/7/courses', respond: () => ({ body: mineWith(enrolment) }) },
      {
        method: 'POST',
        path: '/lessons/101/complete',
        respond: () => {
          enrolment = {
            status: 'in_progress',
            completed_lessons: 1,
            completed_lesson_ids: [101],
            progress_percentage: 16.67,
          };
          return { body: makeTraineeCourse(tia, { total_lessons: 6, ...enrolment }) };
        },
      },
      {
        method: 'DELETE',
        path: '/lessons/101/complete',
        respond: () => {
          enrolment = { status: 'not_started', completed_lessons: 0, completed_lesson_ids: [], progress_percentage: 0 };
          return { body: makeTraineeCourse(tia, { total_lessons: 6, ...enrolment }) };
        },
      },
    ]);
    renderLesson(intro);
    const user = userEvent.setup();
    expect(await screen.findByRole('heading', { level: 1, name: 'Intro' })).toBeInTheDocument();
    expect(within(screen.getByTestId('lesson-body')).getByText('Safety').tagName).toBe('STRONG');
    const bar = await screen.findByRole('progressbar', { name: `Progress in ${course.title}` });
    expect(bar).toHaveValue(0);
    expect(screen.queryByRole('link', { name: /Previous/ })).not.toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Next: Ladders on film →' })).toHaveAttribute(
      'href',
      '/learning/1/lessons/102',
    );
    // A trainee gets no authoring actions here.
    expect(screen.queryByRole('button', { name: /Edit|Publish|Delete/ })).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Mark complete' }));
    expect(await screen.findByTestId('lesson-done')).toHaveTextContent('Completed');
    await waitFor(() => expect(bar).toHaveValue(16.67));
    await user.click(screen.getByRole('button', { name: 'Mark incomplete' }));
    expect(await screen.findByRole('button', { name: 'Mark complete' })).toBeInTheDocument();
    await waitFor(() => expect(bar).toHaveValue(0));
    expect(calls.filter((c) => c.method !== 'GET').map((c) => `${c.method} ${c.url.pathname}`)).toEqual([
      'POST /lessons/101/complete',
      'DELETE /lessons/101/complete',
    ]);
  });

  it('says why a lesson cannot be completed (404: not enrolled or not published)', async () => {
    signInAs(tia);
    mockFetch([
      { path: '/courses/1', body: course },
      { path: '/progress/trainee/7/courses', body: mineWith({}) },
      { method: 'POST', path: '/lessons/101/complete', status: 404, body: { detail: 'Lesson not found' } },
    ]);
    renderLesson(intro);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Mark complete' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Lesson not found');
  });

  it('embeds YouTube and Vimeo through their privacy-friendly players and links to other videos', async () => {
    signInAs(tia);
    mockFetch([
      { path: '/courses/1', body: course },
      { path: '/progress/trainee/7/courses', body: mineWith({}) },
    ]);
    const first = renderLesson(youtube);
    const frame = await screen.findByTitle('Video: Ladders on film');
    expect(frame).toHaveAttribute('src', 'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=30');
    expect(frame).toHaveAttribute('sandbox');
    first.unmount();

    const second = renderLesson(vimeo);
    expect(await screen.findByTitle('Video: Harness on film')).toHaveAttribute(
      'src',
      'https://player.vimeo.com/video/76979871?dnt=1',
    );
    second.unmount();

    renderLesson(elsewhere);
    const link = await screen.findByRole('link', { name: 'Watch the video (opens a new tab)' });
    expect(link).toHaveAttribute('href', 'https://media.example.test/rescue.mp4');
    expect(link).toHaveAttribute('rel', 'noopener noreferrer');
    expect(document.querySelector('iframe')).toBeNull();
  });

  describe('a file lesson', () => {
    const saved: string[] = [];
    beforeEach(() => {
      saved.length = 0;
      URL.createObjectURL = vi.fn(() => 'blob:file');
      URL.revokeObjectURL = vi.fn();
      vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
        saved.push(this.download);
      });
    });
    afterEach(() => vi.restoreAllMocks());

    it('downloads its file with the bearer token, under the server’s name', async () => {
      signInAs(tia);
      const { calls } = mockFetch([
        { path: '/courses/1', body: course },
        { path: '/progress/trainee/7/courses', body: mineWith({}) },
        {
          path: '/files/9',
          body: 'pdf bytes',
          headers: {
            'content-type': 'application/pdf',
            'content-disposition': 'attachment; filename="checklist.pdf"; filename*=UTF-8\'\'checklist%20v1.pdf',
          },
        },
      ]);
      renderLesson(checklist);
      const user = userEvent.setup();
      await user.click(await screen.findByRole('button', { name: 'Download checklist.pdf' }));
      await waitFor(() => expect(saved).toEqual(['checklist v1.pdf']));
      expect(calls.find((c) => c.url.pathname === '/files/9')?.headers.get('Authorization')).toBe('Bearer token-7');
    });
  });

  it('shows a session lesson’s dates, says it completes on attendance and offers no mark', async () => {
    signInAs(tia);
    mockFetch([
      { path: '/courses/1', body: course },
      { path: '/progress/trainee/7/courses', body: mineWith({}) },
      { path: '/sessions/31', body: monday },
      { path: '/sessions/32', status: 404, body: { detail: 'Session not found' } },
    ]);
    renderLesson(drill);
    const list = await screen.findByTestId('lesson-sessions');
    expect(await within(list).findByText('Rescue drill (Monday)')).toBeInTheDocument();
    expect(within(list).getByText(/Session #32: you are not booked on this date yet/)).toBeInTheDocument();
    expect(screen.getByText(/completed when you are marked present at any one of them/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Mark/ })).not.toBeInTheDocument();
    expect(screen.getByRole('link', { name: '← Previous: Checklist' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Back to My learning' })).toBeInTheDocument();
  });
});

describe('CourseOutlinePage', () => {
  it('lists the modules and lessons and marks the completed ones', async () => {
    signInAs(tia);
    mockFetch([
      { path: '/courses/1', body: course },
      {
        path: '/progress/trainee/7/courses',
        // Two lessons done, not the first two: the first and the third.
        body: mineWith({ status: 'in_progress', completed_lessons: 2, completed_lesson_ids: [101, 103] }),
      },
    ]);
    renderRoutes([{ path: '/learning/:courseId', element: <CourseOutlinePage /> }], '/learning/1');
    const basics = await screen.findByRole('region', { name: 'Basics' });
    const items = within(basics).getAllByRole('listitem');
    await waitFor(() => expect(items[0]).toHaveTextContent('done'));
    expect(items[1]).not.toHaveTextContent('done');
    expect(items[2]).toHaveTextContent('done');
    expect(items[3]).not.toHaveTextContent('done');
    expect(screen.getByRole('link', { name: 'Continue' })).toHaveAttribute('href', '/learning/1/lessons/102');
  });
});
