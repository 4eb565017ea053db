import { useMutation, useQueries, useQueryClient } from '@tanstack/react-query';
import { Link, Navigate, useParams } from 'react-router';
import { api, unwrap } from '../api/client';
import {
  type Course,
  type CourseEnrolment,
  courseKeys,
  courses,
  formatBytes,
  type Lesson,
  lessonSessionIds,
  lessonsInOrder,
  type TraineeCourses,
  useCourse,
  useTraineeCourses,
} from '../api/courses';
import { ApiError } from '../api/errors';
import { keys } from '../api/queries';
import { useMe } from '../auth/session';
import { isLessonDone, nextLesson } from '../lib/learning';
import { formatDateTime, formatDuration } from '../lib/time';
import { videoDisplay } from '../lib/video';
import { FormError } from '../ui/forms';
import { PageHeader } from '../ui/PageHeader';
import { Empty, Loading, ProgressBar, QueryView } from '../ui/states';
import { AssessmentPlayer } from './AssessmentPlayer';
import { statusLabel } from './CourseEnrolmentsPage';
import { kindLabel } from './LessonForm';

/** The course and the caller's enrolment in it. */
function useLearning(courseId: number) {
  const me = useMe();
  const course = useCourse(courseId);
  const mine = useTraineeCourses(me.id);
  const enrolment = mine.data?.courses.find((c) => c.course_id === courseId);
  return { course, enrolment, mine };
}

/** `/learning/:courseId/next`: straight to the lesson to take next. */
export function ContinueLearning() {
  const courseId = Number(useParams().courseId);
  const { course, enrolment, mine } = useLearning(courseId);
  if (mine.isPending) return <Loading label="Finding your place…" />;
  return (
    <QueryView query={course} loadingLabel="Finding your place…">
      {(data) => {
        const lesson = nextLesson(data, enrolment);
        return lesson ? (
          <Navigate replace to={`/learning/${courseId}/lessons/${lesson.id}`} />
        ) : (
          <Empty>This course has no lessons yet.</Empty>
        );
      }}
    </QueryView>
  );
}

/** `/learning/:courseId`: the course's modules and lessons, with what is done. */
export function CourseOutlinePage() {
  const courseId = Number(useParams().courseId);
  const { course, enrolment } = useLearning(courseId);
  return (
    <QueryView query={course} loadingLabel="Loading the course…">
      {(data) => {
        const lessons = lessonsInOrder(data);
        const next = nextLesson(data, enrolment);
        return (
          <div>
            <PageHeader
              title={data.title}
              actions={
                next ? (
                  <Link className="button button-primary" to={`/learning/${data.id}/lessons/${next.id}`}>
                    {enrolment?.status === 'not_started' || !enrolment ? 'Start' : 'Continue'}
                  </Link>
                ) : null
              }
            >
              <p className="muted">
                <Link to="/learning">← My learning</Link>
              </p>
            </PageHeader>
            {enrolment ? <EnrolmentSummary enrolment={enrolment} title={data.title} /> : null}
            {data.description ? <p className="description">{data.description}</p> : null}
            {lessons.length === 0 ? <Empty>This course has no lessons yet.</Empty> : null}
            {[...data.modules]
              .sort((a, b) => a.position - b.position)
              .map((module) => (
                <section key={module.id} className="card" aria-labelledby={`outline-module-${module.id}`}>
                  <h2 id={`outline-module-${module.id}`}>{module.title}</h2>
                  <ol className="lesson-list">
                    {[...module.lessons]
                      .sort((a, b) => a.position - b.position)
                      .map((lesson) => {
                        const done = isLessonDone(lesson.id, enrolment);
                        return (
                          <li key={lesson.id}>
                            <Link to={`/learning/${data.id}/lessons/${lesson.id}`}>{lesson.title}</Link>
                            <span className="muted small">
                              {kindLabel(lesson.kind)}
                              {lesson.duration_minutes ? ` · ${formatDuration(lesson.duration_minutes)}` : ''}
                              {done ? ' · done' : ''}
                            </span>
                          </li>
                        );
                      })}
                  </ol>
                </section>
              ))}
          </div>
        );
      }}
    </QueryView>
  );
}

function EnrolmentSummary({ enrolment, title }: { enrolment: CourseEnrolment; title: string }) {
  return (
    <div className="card" data-testid="course-progress">
      <ProgressBar value={enrolment.progress_percentage} label={`Progress in ${title}`} />
      <p className="small">
        {enrolment.completed_lessons} of {enrolment.total_lessons} lessons ·{' '}
        <span className={`badge badge-${enrolment.status}`}>{statusLabel(enrolment.status)}</span>
      </p>
    </div>
  );
}

/** `/learning/:courseId/lessons/:lessonId`: one lesson, marked complete by the trainee. */
export function LessonViewerPage() {
  const params = useParams();
  const courseId = Number(params.courseId);
  const lessonId = Number(params.lessonId);
  const { course } = useLearning(courseId);
  return (
    <QueryView query={course} loadingLabel="Loading the lesson…">
      {(data) => <LessonView course={data} lessonId={lessonId} />}
    </QueryView>
  );
}

function LessonView({ course, lessonId }: { course: Course; lessonId: number }) {
  const me = useMe();
  const queryClient = useQueryClient();
  const { enrolment } = useLearning(course.id);
  const lessons = lessonsInOrder(course);
  const index = lessons.findIndex((l) => l.id === lessonId);
  const lesson = lessons[index];
  const done = lesson ? isLessonDone(lesson.id, enrolment) : false;

  const setDone = useMutation({
    mutationFn: (complete: boolean) => (complete ? courses.complete(lessonId) : courses.uncomplete(lessonId)),
    // The answer names every lesson of the course now completed: it replaces the entry at once,
    // before the refetch confirms it.
    onSuccess: (answer) => {
      queryClient.setQueryData<TraineeCourses>(courseKeys.traineeCourses(me.id), (mine) =>
        mine
          ? {
              ...mine,
              courses: mine.courses.map((c) => (c.course_id === course.id ? { ...c, ...answer, course: c.course } : c)),
            }
          : mine,
      );
      void queryClient.invalidateQueries({ queryKey: courseKeys.traineeCourses(me.id) });
    },
  });

  if (!lesson) {
    return (
      <div>
        <PageHeader title={course.title} />
        <Empty>This lesson is not part of the course (any more).</Empty>
        <Link to={`/learning/${course.id}`}>Back to the course</Link>
      </div>
    );
  }
  const previous = lessons[index - 1];
  const following = lessons[index + 1];
  const selfPaced = lesson.kind !== 'session' && lesson.kind !== 'assessment';

  return (
    <div>
      <PageHeader title={lesson.title}>
        <p className="muted">
          <Link to={`/learning/${course.id}`}>← {course.title}</Link> · lesson {index + 1} of {lessons.length} ·{' '}
          {kindLabel(lesson.kind)}
          {lesson.duration_minutes ? ` · ${formatDuration(lesson.duration_minutes)}` : ''}
        </p>
      </PageHeader>
      {enrolment ? <EnrolmentSummary enrolment={enrolment} title={course.title} /> : null}
      <article className="card lesson" aria-label="Lesson">
        <LessonContent lesson={lesson} />
      </article>
      <div className="button-row lesson-actions">
        {selfPaced ? (
          done ? (
            <>
              <span className="badge badge-completed" data-testid="lesson-done">
                Completed
              </span>
              <button
                type="button"
                className="button"
                disabled={setDone.isPending}
                onClick={() => setDone.mutate(false)}
              >
                Mark incomplete
              </button>
            </>
          ) : (
            <button
              type="button"
              className="button button-primary"
              disabled={setDone.isPending}
              onClick={() => setDone.mutate(true)}
            >
              Mark complete
            </button>
          )
        ) : done ? (
          <span className="badge badge-completed" data-testid="lesson-done">
            Completed
          </span>
        ) : null}
      </div>
      {setDone.error ? <FormError error={setDone.error} /> : null}
      <nav className="lesson-nav" aria-label="Lessons">
        {previous ? (
          <Link className="button" to={`/learning/${course.id}/lessons/${previous.id}`}>
            ← Previous: {previous.title}
          </Link>
        ) : (
          <span />
        )}
        {following ? (
          <Link className="button button-primary" to={`/learning/${course.id}/lessons/${following.id}`}>
            Next: {following.title} →
          </Link>
        ) : (
          <Link className="button" to="/learning">
            Back to My learning
          </Link>
        )}
      </nav>
    </div>
  );
}

function LessonContent({ lesson }: { lesson: Lesson }) {
  switch (lesson.kind) {
    case 'text':
      return lesson.body_html ? (
        <div
          className="lesson-body"
          data-testid="lesson-body"
          // biome-ignore lint/security/noDangerouslySetInnerHtml: body_html is the server's sanitised rendering (no scripts, handlers or javascript: links), the one a page is meant to show
          dangerouslySetInnerHTML={{ __html: lesson.body_html }}
        />
      ) : (
        <p className="muted">This lesson has no text yet.</p>
      );
    case 'video':
      return <LessonVideo lesson={lesson} />;
    case 'file':
      return <LessonDownload lesson={lesson} />;
    case 'session':
      return <LessonSessions lesson={lesson} />;
    case 'assessment':
      return <AssessmentPlayer lesson={lesson} />;
    default:
      return <p className="muted">This kind of lesson cannot be taken in this version of the web client.</p>;
  }
}

function LessonVideo({ lesson }: { lesson: Lesson }) {
  const video = videoDisplay(lesson.video_url);
  if (video.kind === 'embed') {
    return (
      <div className="stack">
        <div className="video-frame">
          <iframe
            src={video.src}
            title={`Video: ${lesson.title}`}
            loading="lazy"
            allow="fullscreen; picture-in-picture; encrypted-media"
            allowFullScreen
            // The page sends no referrer; these players need the origin to play.
            referrerPolicy="strict-origin-when-cross-origin"
            sandbox="allow-scripts allow-same-origin allow-presentation allow-popups"
          />
        </div>
        {lesson.video_url ? (
          <p className="small">
            <a href={lesson.video_url} target="_blank" rel="noopener noreferrer">
              Open the video on {video.provider} (opens a new tab)
            </a>
          </p>
        ) : null}
      </div>
    );
  }
  if (video.kind === 'link') {
    return (
      <p>
        <a className="button button-primary" href={video.href} target="_blank" rel="noopener noreferrer">
          Watch the video (opens a new tab)
        </a>
      </p>
    );
  }
  return <p className="muted">This lesson has no video yet.</p>;
}

function LessonDownload({ lesson }: { lesson: Lesson }) {
  const download = useMutation({ mutationFn: courses.download });
  if (!lesson.file) return <p className="muted">This lesson has no file yet.</p>;
  const file = lesson.file;
  return (
    <div className="stack">
      <p>
        <button
          type="button"
          className="button button-primary"
          disabled={download.isPending}
          onClick={() => download.mutate(file)}
        >
          Download {file.name}
        </button>{' '}
        <span className="muted small">
          {formatBytes(file.size)}, {file.content_type}
        </span>
      </p>
      {download.error ? <FormError error={download.error} /> : null}
    </div>
  );
}

function LessonSessions({ lesson }: { lesson: Lesson }) {
  const ids = lessonSessionIds(lesson);
  const sessions = useQueries({
    queries: ids.map((id) => ({
      queryKey: keys.session(id),
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        unwrap(api.GET('/sessions/{session_id}', { params: { path: { session_id: id } }, signal })),
      retry: false,
    })),
  });
  return (
    <div className="stack">
      <p>
        {ids.length > 1
          ? 'This lesson is a live session with several dates. It is completed when you are marked present at any one of them.'
          : 'This lesson is a live session. It is completed when you are marked present at it.'}
      </p>
      {ids.length === 0 ? <p className="muted">No date has been set yet.</p> : null}
      <ul className="people" data-testid="lesson-sessions">
        {ids.map((id, i) => {
          const query = sessions[i];
          if (query.isPending) return <li key={id}>Loading the date…</li>;
          if (query.data) {
            return (
              <li key={id}>
                <span>
                  <strong>{query.data.title}</strong> —{' '}
                  <time dateTime={query.data.scheduled_date}>{formatDateTime(query.data.scheduled_date)}</time> ·{' '}
                  {formatDuration(query.data.duration_minutes)}
                </span>
                {query.data.class_link ? (
                  <a href={query.data.class_link} target="_blank" rel="noopener noreferrer">
                    Class link (opens a new tab)
                  </a>
                ) : null}
              </li>
            );
          }
          const hidden = query.error instanceof ApiError && query.error.status === 404;
          return (
            <li key={id} className="muted">
              {hidden
                ? `Session #${id}: you are not booked on this date yet. Ask your trainer, or book it if it is open for booking.`
                : `Session #${id}: its date could not be loaded.`}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
