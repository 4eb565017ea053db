import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Course, Lesson } from '../api/courses';
import type { TrainingSession } from '../api/types';
import { makeCourse, makeLesson, makeModule } from '../test/courses';
import { FakeXhr } from '../test/fakes';
import { makeUser, mockFetch, NO_BOOKING, renderRoutes, signInAs } from '../test/utils';
import { CourseEditorPage } from './CourseEditorPage';
import { withLesson } from './courseOrder';

const tom = makeUser({ id: 2, username: 'tom', role: 'trainer', first_name: 'Tom', last_name: 'Trainer' });
const other = makeUser({ id: 3, username: 'oli', role: 'trainer', first_name: 'Oli', last_name: 'Other' });

const intro = makeLesson({ id: 101, module_id: 10, title: 'Intro', position: 1 });
const video = makeLesson({
  id: 102,
  module_id: 10,
  title: 'Ladder video',
  kind: 'video',
  body: null,
  body_html: null,
  video_url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
  position: 2,
});
const checklist = makeLesson({
  id: 201,
  module_id: 20,
  title: 'Checklist',
  kind: 'file',
  body: null,
  body_html: null,
  file: { id: 9, name: 'checklist.pdf', size: 120_000, content_type: 'application/pdf' },
  position: 1,
});
const course = makeCourse({
  modules: [
    makeModule({ id: 10, title: 'Basics', position: 1, lessons: [intro, video] }),
    makeModule({ id: 20, title: 'Practice', position: 2, lessons: [checklist] }),
  ],
});

function session(id: number, title: string, scheduled_date: string): TrainingSession {
  return {
    id,
    title,
    description: null,
    trainer_id: 2,
    trainees: [],
    scheduled_date,
    duration_minutes: 60,
    status: 'scheduled',
    class_link: null,
    session_link: `s-${id}`,
    created_at: '2026-05-01T09:00:00+00:00',
    updated_at: '2026-05-01T09:00:00+00:00',
    ...NO_BOOKING,
  };
}

function renderEditor() {
  return renderRoutes(
    [
      { path: '/courses/:id/edit', element: <CourseEditorPage /> },
      { path: '/courses', element: <h1>All courses</h1> },
    ],
    '/courses/1/edit',
  );
}

describe('CourseEditorPage', () => {
  afterEach(() => {
    FakeXhr.all = [];
  });

  it('reorders with up and down buttons, sending the whole order with PUT /courses/{id}/order', async () => {
    signInAs(tom);
    let current: Course = course;
    const { calls } = mockFetch([
      { path: '/courses/1', respond: () => ({ body: current }) },
      {
        method: 'PUT',
        path: '/courses/1/order',
        respond: ({ body }) => {
          const order = body as { modules: { id: number; lessons: number[] }[] };
          const lessons = new Map([intro, video, checklist].map((l) => [l.id, l]));
          current = {
            ...current,
            modules: order.modules.map((m, i) => ({
              ...(current.modules.find((x) => x.id === m.id) ?? makeModule({ id: m.id })),
              position: i + 1,
              lessons: m.lessons.map((id, j) => ({ ...(lessons.get(id) as Lesson), module_id: m.id, position: j + 1 })),
            })),
          };
          return { body: current };
        },
      },
    ]);
    renderEditor();
    const user = userEvent.setup();
    await screen.findByRole('heading', { level: 1, name: 'Working at height' });
    expect(screen.getByRole('button', { name: 'Up Intro' })).toBeDisabled();

    // Past the end of its module, a lesson moves to the start of the next one.
    await user.click(screen.getByRole('button', { name: 'Down Ladder video' }));
    await waitFor(() =>
      expect(within(screen.getByRole('list', { name: 'Lessons of Practice' })).getAllByRole('listitem')).toHaveLength(
        2,
      ),
    );
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({
      modules: [
        { id: 10, lessons: [101] },
        { id: 20, lessons: [102, 201] },
      ],
    });

    await user.click(screen.getByRole('button', { name: 'Move up module Practice' }));
    await waitFor(() => expect(screen.getByRole('heading', { level: 3, name: '1. Practice' })).toBeInTheDocument());
    expect(calls.filter((c) => c.method === 'PUT')[1].body).toEqual({
      modules: [
        { id: 20, lessons: [102, 201] },
        { id: 10, lessons: [101] },
      ],
    });
  });

  it('reorders by dragging a lesson onto another, or onto the end of a module', async () => {
    signInAs(tom);
    const { calls } = mockFetch([
      { path: '/courses/1', body: course },
      { method: 'PUT', path: '/courses/1/order', body: course },
    ]);
    renderEditor();
    await screen.findByRole('heading', { level: 1, name: 'Working at height' });
    const drag = (from: HTMLElement, to: HTMLElement) => {
      fireEvent.dragStart(from);
      fireEvent.dragOver(to);
      fireEvent.drop(to);
      fireEvent.dragEnd(from);
    };
    drag(screen.getByTestId('lesson-201'), screen.getByTestId('lesson-101'));
    await waitFor(() => expect(calls.filter((c) => c.method === 'PUT')).toHaveLength(1));
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({
      modules: [
        { id: 10, lessons: [201, 101, 102] },
        { id: 20, lessons: [] },
      ],
    });
    drag(screen.getByTestId('lesson-101'), screen.getByRole('list', { name: 'Lessons of Practice' }));
    await waitFor(() => expect(calls.filter((c) => c.method === 'PUT')).toHaveLength(2));
    expect(calls.filter((c) => c.method === 'PUT')[1].body).toEqual({
      modules: [
        { id: 10, lessons: [102] },
        { id: 20, lessons: [201, 101] },
      ],
    });
  });

  it('shows why a course cannot be published (422)', async () => {
    signInAs(tom);
    mockFetch([
      { path: '/courses/1', body: makeCourse() },
      {
        method: 'POST',
        path: '/courses/1/publish',
        status: 422,
        body: { detail: 'A course needs at least one lesson before it can be published.' },
      },
    ]);
    renderEditor();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Publish' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'A course needs at least one lesson before it can be published.',
    );
  });

  it('offers to archive a course that cannot be deleted because people are enrolled (409)', async () => {
    signInAs(tom);
    const { calls } = mockFetch([
      { path: '/courses/1', body: { ...course, status: 'published' } },
      {
        method: 'DELETE',
        path: '/courses/1',
        status: 409,
        body: { detail: 'People are enrolled in this course: archive it instead.' },
      },
      { method: 'POST', path: '/courses/1/archive', body: { ...course, status: 'archived' } },
    ]);
    renderEditor();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Delete' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete this course?' });
    await user.click(within(dialog).getByRole('button', { name: 'Delete course' }));
    expect(
      await within(dialog).findByText('People are enrolled in this course: archive it instead.'),
    ).toBeInTheDocument();
    expect(within(dialog).getByText(/Archive it instead: it leaves the catalogue/)).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Archive instead' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(await screen.findByRole('button', { name: 'Publish again' })).toBeInTheDocument();
    expect(calls.filter((c) => c.method !== 'GET').map((c) => `${c.method} ${c.url.pathname}`)).toEqual([
      'DELETE /courses/1',
      'POST /courses/1/archive',
    ]);
  });

  it('previews Markdown safely while writing and shows the server’s rendering once saved', async () => {
    signInAs(tom);
    let current = course;
    const { calls } = mockFetch([
      { path: '/courses/1', respond: () => ({ body: current }) },
      {
        method: 'POST',
        path: '/modules/10/lessons',
        respond: ({ body }) => {
          const lesson = makeLesson({
            ...(body as Partial<Lesson>),
            id: 103,
            module_id: 10,
            position: 3,
            body_html: '<p><strong>Wear</strong> a helmet &lt;script&gt;alert(1)&lt;/script&gt;</p>',
          });
          current = withLesson(current, lesson);
          return { body: lesson };
        },
      },
    ]);
    renderEditor();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Add lesson to Basics' }));
    const dialog = await screen.findByRole('dialog', { name: 'New lesson in “Basics”' });
    await user.type(within(dialog).getByLabelText('Lesson title'), 'Helmets');
    const source = '**Wear** a helmet <script>alert(1)</script> [x](javascript:alert(2))';
    await user.click(within(dialog).getByLabelText('Body (Markdown)'));
    await user.paste(source);
    await user.click(within(dialog).getByRole('button', { name: 'Preview' }));
    const preview = within(dialog).getByTestId('markdown-preview');
    expect(within(preview).getByText('Wear').tagName).toBe('STRONG');
    expect(preview.querySelector('script')).toBeNull();
    expect(preview.querySelector('a')).toBeNull();
    expect(preview).toHaveTextContent('<script>alert(1)</script>');

    await user.click(within(dialog).getByRole('button', { name: 'Add lesson' }));
    const saved = await within(dialog).findByTestId('server-rendering');
    expect(within(saved).getByText('Wear').tagName).toBe('STRONG');
    expect(saved.querySelector('script')).toBeNull();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      title: 'Helmets',
      kind: 'text',
      duration_minutes: null,
      body: source,
    });
    // Saved, the form edits the new lesson.
    expect(within(dialog).getByRole('button', { name: 'Save lesson' })).toBeInTheDocument();
  });

  it('shows the server’s 422 about a video address under the field', async () => {
    signInAs(tom);
    mockFetch([
      { path: '/courses/1', body: course },
      {
        method: 'PUT',
        path: '/lessons/102',
        status: 422,
        body: {
          detail: 'Some values are not valid.',
          errors: [{ field: 'video_url', message: 'The video address must start with https://.' }],
        },
      },
    ]);
    renderEditor();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Edit Ladder video' }));
    const dialog = await screen.findByRole('dialog', { name: 'Edit “Ladder video”' });
    const field = within(dialog).getByLabelText('Video address');
    expect(within(dialog).getByText(/Plays inside the lesson \(YouTube/)).toBeInTheDocument();
    await user.clear(field);
    await user.type(field, 'http://videos.example.test/ladder.mp4');
    await user.click(within(dialog).getByRole('button', { name: 'Save lesson' }));
    expect(await within(dialog).findByText('The video address must start with https://.')).toBeInTheDocument();
    expect(field).toHaveAttribute('aria-invalid', 'true');
  });

  it('uploads a file with a progress bar that follows the bytes sent', async () => {
    signInAs(tom);
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    let current = course;
    mockFetch([{ path: '/courses/1', respond: () => ({ body: current }) }]);
    renderEditor();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Edit Checklist' }));
    const dialog = await screen.findByRole('dialog', { name: 'Edit “Checklist”' });
    expect(within(dialog).getByTestId('current-file')).toHaveTextContent('checklist.pdf');
    const file = new File(['x'.repeat(4000)], 'checklist-v2.pdf', { type: 'application/pdf' });
    await user.upload(within(dialog).getByLabelText('Replace the file'), file);
    await user.click(within(dialog).getByRole('button', { name: 'Upload' }));

    const bar = within(dialog).getByRole('progressbar', { name: 'Upload progress' });
    expect(bar).toHaveValue(0);
    const request = FakeXhr.all[0];
    expect(request.url).toMatch(/\/lessons\/201\/file$/);
    expect(request.file?.name).toBe('checklist-v2.pdf');
    request.progress(1000, 4000);
    expect(bar).toHaveValue(25);
    request.progress(3000, 4000);
    expect(bar).toHaveValue(75);
    request.progress(4000, 4000);
    const uploaded = {
      ...checklist,
      file: { id: 10, name: 'checklist-v2.pdf', size: 4000, content_type: 'application/pdf' },
    };
    current = withLesson(current, uploaded);
    request.respond(200, uploaded);
    await waitFor(() => expect(within(dialog).getByTestId('current-file')).toHaveTextContent('checklist-v2.pdf'));
    expect(within(dialog).getByRole('progressbar', { name: 'Upload progress' })).toHaveValue(100);
  });

  it('says clearly when a file is too large (413) or of a type not allowed (415)', async () => {
    signInAs(tom);
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    mockFetch([{ path: '/courses/1', body: course }]);
    renderEditor();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Edit Checklist' }));
    const dialog = await screen.findByRole('dialog', { name: 'Edit “Checklist”' });
    const input = within(dialog).getByLabelText('Replace the file');

    await user.upload(input, new File(['x'], 'huge.mp4', { type: 'video/mp4' }));
    await user.click(within(dialog).getByRole('button', { name: 'Upload' }));
    FakeXhr.all[0].respond(413, { detail: 'The limit is 50 MiB.' });
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'The file is too large for the server. The limit is 50 MiB. Choose a smaller file.',
    );

    await user.upload(input, new File(['MZ'], 'setup.pdf', { type: 'application/pdf' }));
    await user.click(within(dialog).getByRole('button', { name: 'Upload' }));
    FakeXhr.all[1].respond(415, { detail: 'The content is application/x-msdownload.' });
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      /This type of file is not allowed\. The content is application\/x-msdownload\./,
    );
  });

  it('makes a session lesson from one or several sessions', async () => {
    signInAs(tom);
    let current = course;
    const { calls } = mockFetch([
      { path: '/courses/1', respond: () => ({ body: current }) },
      {
        path: '/sessions',
        body: [
          session(31, 'Rescue drill (Monday)', '2026-06-01T09:00:00+00:00'),
          session(32, 'Rescue drill (Friday)', '2026-06-05T09:00:00+00:00'),
        ],
      },
      {
        method: 'POST',
        path: '/modules/20/lessons',
        respond: ({ body }) => {
          const lesson = makeLesson({ ...(body as Partial<Lesson>), id: 202, module_id: 20 });
          current = withLesson(current, lesson);
          return { body: lesson };
        },
      },
    ]);
    renderEditor();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Add lesson to Practice' }));
    const dialog = await screen.findByRole('dialog', { name: 'New lesson in “Practice”' });
    await user.type(within(dialog).getByLabelText('Lesson title'), 'Rescue drill');
    await user.selectOptions(within(dialog).getByLabelText('Kind'), 'Live session');
    await user.click(await within(dialog).findByRole('checkbox', { name: /Rescue drill \(Monday\)/ }));
    await user.click(within(dialog).getByRole('checkbox', { name: /Rescue drill \(Friday\)/ }));
    await user.click(within(dialog).getByRole('button', { name: 'Add lesson' }));
    await within(dialog).findByRole('button', { name: 'Save lesson' });
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      title: 'Rescue drill',
      kind: 'session',
      duration_minutes: null,
      session_id: 31,
      session_ids: [31, 32],
    });
  });

  it('shows a trainer who does not own the course no editing actions', async () => {
    signInAs(other);
    mockFetch([{ path: '/courses/1', body: course }]);
    renderEditor();
    expect(await screen.findByText("Only the course's owner or an admin can edit it.")).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Publish' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Delete' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Edit Intro/ })).not.toBeInTheDocument();
    expect(screen.queryByTestId('lesson-101')).not.toBeInTheDocument();
  });
});
