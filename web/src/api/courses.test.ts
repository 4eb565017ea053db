import { QueryClient } from '@tanstack/react-query';
import { waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { auth } from '../auth/session';
import { makeEnrolment, makeTraineeCourse } from '../test/courses';
import { FakeXhr } from '../test/fakes';
import { makeUser, signInAs } from '../test/utils';
import {
  applyCourseProgress,
  type CourseEnrolment,
  courseKeys,
  formatBytes,
  lessonSessionIds,
  type TraineeCourses,
  uploadLessonFile,
} from './courses';
import { ApiError } from './errors';

const tia = makeUser({ id: 7, role: 'trainee', first_name: 'Tia', last_name: 'Trainee' });
const pia = makeUser({ id: 8, role: 'trainee', first_name: 'Pia', last_name: 'Doe' });
const progress = {
  course_id: 1,
  trainee_id: 7,
  completed_lessons: 3,
  total_lessons: 4,
  progress_percentage: 75,
  status: 'in_progress',
};

describe('applyCourseProgress', () => {
  it('moves the learner in every cached page of the course and in the trainee’s own courses', () => {
    const client = new QueryClient();
    client.setQueryData<CourseEnrolment[]>(courseKeys.enrolments(1, { skip: 0, limit: 100 }), [
      makeEnrolment(tia),
      makeEnrolment(pia),
    ]);
    client.setQueryData<CourseEnrolment[]>(courseKeys.enrolments(2, { skip: 0, limit: 100 }), [
      makeEnrolment(tia, { course_id: 2 }),
    ]);
    const mine: TraineeCourses = {
      courses: [makeTraineeCourse(tia, { course: { id: 1, code: 'CRS-0001', title: 'Height' } })],
      statistics: { total_enrolled: 1, completed: 0, in_progress: 0, not_started: 1, average_progress: 0 },
    };
    client.setQueryData(courseKeys.traineeCourses(7), mine);

    applyCourseProgress(client, progress);

    const course1 = client.getQueryData<CourseEnrolment[]>(courseKeys.enrolments(1, { skip: 0, limit: 100 }));
    expect(course1?.map((e) => [e.trainee.id, e.progress_percentage, e.status])).toEqual([
      [7, 75, 'in_progress'],
      [8, 0, 'not_started'],
    ]);
    expect(
      client.getQueryData<CourseEnrolment[]>(courseKeys.enrolments(2, { skip: 0, limit: 100 }))?.[0]
        .progress_percentage,
    ).toBe(0);
    const updated = client.getQueryData<TraineeCourses>(courseKeys.traineeCourses(7));
    expect(updated?.courses[0]).toMatchObject({ completed_lessons: 3, progress_percentage: 75, course: { id: 1 } });
  });

  it('ignores a frame without the figures', () => {
    const client = new QueryClient();
    client.setQueryData(courseKeys.enrolments(1, {}), [makeEnrolment(tia)]);
    applyCourseProgress(client, { course_id: 1, trainee_id: 7, status: 'weird' });
    expect(client.getQueryData<CourseEnrolment[]>(courseKeys.enrolments(1, {}))?.[0].progress_percentage).toBe(0);
  });
});

describe('uploadLessonFile', () => {
  afterEach(() => {
    FakeXhr.all = [];
  });

  it('posts the file as multipart with the bearer token and reports progress', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    signInAs(makeUser({ id: 2, role: 'trainer' }));
    const seen: number[] = [];
    const file = new File(['x'.repeat(2000)], 'guide.pdf', { type: 'application/pdf' });
    const done = uploadLessonFile(5, file, (p) => seen.push(p.loaded));
    const request = FakeXhr.all[0];
    expect(request.method).toBe('POST');
    expect(request.url).toMatch(/\/lessons\/5\/file$/);
    expect(request.requestHeaders.get('Authorization')).toBe('Bearer token-2');
    expect(request.file?.name).toBe('guide.pdf');
    request.progress(1000, 2000);
    request.progress(2000, 2000);
    request.respond(200, { id: 5, title: 'Guide' });
    await expect(done).resolves.toMatchObject({ id: 5 });
    expect(seen).toEqual([1000, 2000]);
  });

  it('turns 413 and 415 into sentences, and a 401 into a sign-out', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    signInAs(makeUser({ id: 2, role: 'trainer' }));
    const file = new File(['x'], 'a.exe');
    const tooLarge = uploadLessonFile(5, file, () => undefined);
    FakeXhr.all[0].respond(413, { detail: 'The file is larger than 50 MiB.' });
    await expect(tooLarge).rejects.toThrow(/too large.*50 MiB.*smaller file/);
    const wrongType = uploadLessonFile(5, file, () => undefined);
    FakeXhr.all[1].respond(415, { detail: 'application/x-msdownload is not allowed.' });
    const error = await wrongType.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(415);
    expect((error as ApiError).detail).toMatch(/not allowed/);
    const expired = uploadLessonFile(5, file, () => undefined);
    FakeXhr.all[2].respond(401, { detail: 'Token expired' });
    await expect(expired).rejects.toBeInstanceOf(ApiError);
    await waitFor(() => expect(auth.get().token).toBeNull());
  });
});

describe('helpers', () => {
  it('lists the sessions of a session lesson whichever field names them', () => {
    expect(lessonSessionIds({ session_id: 3, session_ids: [] })).toEqual([3]);
    expect(lessonSessionIds({ session_id: 3, session_ids: [3, 4] })).toEqual([3, 4]);
    expect(lessonSessionIds({ session_id: null, session_ids: [] })).toEqual([]);
  });

  it('formats sizes', () => {
    expect(formatBytes(1)).toBe('1 byte');
    expect(formatBytes(999)).toBe('999 bytes');
    expect(formatBytes(1_500_000)).toBe('1.5 MB');
    expect(formatBytes(52_428_800)).toBe('52 MB');
  });
});
