import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { type Course, type CourseOrder, courseKeys, courses, type Lesson, useCourse } from '../api/courses';
import { ApiError, describeError } from '../api/errors';
import { useMe } from '../auth/session';
import { formatDateTime, formatDuration } from '../lib/time';
import { ConfirmPanel, Modal } from '../ui/Dialog';
import { Field, FormError } from '../ui/forms';
import { PageHeader } from '../ui/PageHeader';
import { Empty, QueryView, StatusBadge } from '../ui/states';
import { showToast } from '../ui/toasts';
import { CourseForm } from './CourseForm';
import { moveLesson, moveModule, orderOf, placeLesson, sortedModules, withLesson } from './courseOrder';
import { kindLabel, LessonForm } from './LessonForm';

export function CourseEditorPage() {
  const id = Number(useParams().id);
  const course = useCourse(id);
  return (
    <QueryView query={course} loadingLabel="Loading the course…">
      {(data) => <CourseEditor course={data} />}
    </QueryView>
  );
}

type Editing = { moduleId: number; lessonId: number | null } | null;
type Deleting = { kind: 'module' | 'lesson'; id: number; title: string; lessons?: number } | null;

function CourseEditor({ course }: { course: Course }) {
  const me = useMe();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<Deleting>(null);
  const [deletingCourse, setDeletingCourse] = useState(false);
  const [renaming, setRenaming] = useState<number | null>(null);
  const [moduleTitle, setModuleTitle] = useState('');
  // The lesson being dragged; the Up and Down buttons do the same from the keyboard.
  const [dragging, setDragging] = useState<number | null>(null);

  const key = courseKeys.course(course.id);
  const store = (saved: Course) => {
    queryClient.setQueryData(key, saved);
    void queryClient.invalidateQueries({ queryKey: ['courses'] });
  };
  const reload = () => void queryClient.invalidateQueries({ queryKey: key });

  const publish = useMutation({
    mutationFn: () => courses.publish(course.id),
    onSuccess: (saved) => {
      store(saved);
      showToast({ title: 'Course published', body: saved.title, tone: 'success' });
    },
  });
  const archive = useMutation({
    mutationFn: () => courses.archive(course.id),
    onSuccess: (saved) => {
      store(saved);
      setDeletingCourse(false);
      showToast({ title: 'Course archived', body: saved.title, tone: 'success' });
    },
  });
  const removeCourse = useMutation({
    mutationFn: () => courses.remove(course.id),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: key });
      void queryClient.invalidateQueries({ queryKey: ['courses'] });
      showToast({ title: 'Course deleted', body: course.title, tone: 'success' });
      navigate('/courses', { replace: true });
    },
  });
  const reorder = useMutation({
    mutationFn: (order: CourseOrder) => courses.reorder(course.id, order),
    onSuccess: store,
    onError: (error) => showToast({ title: 'The order was not saved', body: describeError(error), tone: 'error' }),
  });
  const addModule = useMutation({
    mutationFn: (title: string) => courses.addModule(course.id, { title }),
    onSuccess: (module) => {
      setModuleTitle('');
      queryClient.setQueryData<Course>(key, (c) => (c ? { ...c, modules: [...c.modules, module] } : c));
      reload();
    },
  });
  const renameModule = useMutation({
    mutationFn: ({ id, title }: { id: number; title: string }) => courses.updateModule(id, { title }),
    onSuccess: () => {
      setRenaming(null);
      reload();
    },
  });
  const remove = useMutation({
    mutationFn: (target: NonNullable<Deleting>) =>
      target.kind === 'module' ? courses.removeModule(target.id) : courses.removeLesson(target.id),
    onSuccess: (_answer, target) => {
      setDeleting(null);
      reload();
      showToast({
        title: `${target.kind === 'module' ? 'Module' : 'Lesson'} deleted`,
        body: target.title,
        tone: 'success',
      });
    },
  });

  if (me.role !== 'admin' && course.owner_id !== me.id) {
    return (
      <div>
        <PageHeader title={course.title} />
        <div className="alert alert-info" role="status">
          <p>Only the course's owner or an admin can edit it.</p>
        </div>
        <p>
          <Link to={`/courses/${course.id}/enrolments`}>See its learners</Link> · <Link to="/courses">All courses</Link>
        </p>
      </div>
    );
  }

  const modules = sortedModules(course);
  const order = orderOf(course);
  const lessonCount = modules.reduce((n, m) => n + m.lessons.length, 0);
  const editingModule = editing ? modules.find((m) => m.id === editing.moduleId) : undefined;
  const editingLesson =
    editing?.lessonId != null ? editingModule?.lessons.find((l) => l.id === editing.lessonId) : undefined;
  const saveOrder = (next: CourseOrder | null) => {
    if (next) reorder.mutate(next);
  };
  const lessonSaved = (lesson: Lesson) => {
    queryClient.setQueryData<Course>(key, (c) => (c ? withLesson(c, lesson) : c));
    setEditing({ moduleId: lesson.module_id, lessonId: lesson.id });
    reload();
  };
  const submitModule = (event: FormEvent) => {
    event.preventDefault();
    if (moduleTitle.trim()) addModule.mutate(moduleTitle.trim());
  };
  const deleteConflict = removeCourse.error instanceof ApiError && removeCourse.error.status === 409;

  return (
    <div>
      <PageHeader
        title={course.title}
        actions={
          <>
            {course.status === 'published' ? (
              <button type="button" className="button" disabled={archive.isPending} onClick={() => archive.mutate()}>
                Archive
              </button>
            ) : (
              <button
                type="button"
                className="button button-primary"
                disabled={publish.isPending}
                onClick={() => publish.mutate()}
              >
                {course.status === 'archived' ? 'Publish again' : 'Publish'}
              </button>
            )}
            <Link className="button" to={`/courses/${course.id}/enrolments`}>
              Learners
            </Link>
            <button
              type="button"
              className="button button-danger"
              onClick={() => {
                removeCourse.reset();
                setDeletingCourse(true);
              }}
            >
              Delete
            </button>
          </>
        }
      >
        <p className="muted">
          <Link to="/courses">← All courses</Link> · <span className="mono">{course.code}</span> ·{' '}
          <StatusBadge status={course.status} />
          {course.published_at ? ` · published ${formatDateTime(course.published_at)}` : ''}
        </p>
      </PageHeader>
      {publish.error ? <FormError error={publish.error} /> : null}
      {archive.error && !deletingCourse ? <FormError error={archive.error} /> : null}

      <section className="card" aria-labelledby="course-details">
        <h2 id="course-details">Details</h2>
        <CourseForm
          key={course.id}
          course={course}
          onSaved={(saved) => {
            store({ ...saved, modules: saved.modules ?? course.modules });
            showToast({ title: 'Course saved', tone: 'success' });
          }}
        />
      </section>

      <section aria-labelledby="course-content">
        <h2 id="course-content">
          Modules and lessons <span className="muted small">({lessonCount} lessons)</span>
        </h2>
        {modules.length === 0 ? (
          <Empty>No modules yet. Add the first one below.</Empty>
        ) : (
          <p className="muted small">
            Drag a lesson onto another to put it before that one, or onto a module's list to put it last; Up and Down do
            the same. Every change of order is saved at once.
          </p>
        )}
        {modules.map((module, moduleIndex) => (
          <section
            key={module.id}
            className="card stack"
            aria-labelledby={`module-${module.id}`}
            data-testid={`module-${module.id}`}
          >
            <div className="page-header">
              {renaming === module.id ? (
                <form
                  className="inline-form"
                  onSubmit={(e) => {
                    e.preventDefault();
                    if (moduleTitle.trim()) renameModule.mutate({ id: module.id, title: moduleTitle.trim() });
                  }}
                >
                  <Field label="Module title">
                    {(p) => <input {...p} value={moduleTitle} onChange={(e) => setModuleTitle(e.target.value)} />}
                  </Field>
                  <button
                    type="submit"
                    className="button button-small button-primary"
                    disabled={renameModule.isPending}
                  >
                    Save
                  </button>
                  <button type="button" className="button button-small" onClick={() => setRenaming(null)}>
                    Cancel
                  </button>
                </form>
              ) : (
                <h3 id={`module-${module.id}`}>
                  {moduleIndex + 1}. {module.title}
                </h3>
              )}
              <div className="actions">
                <button
                  type="button"
                  className="button button-small"
                  onClick={() => {
                    setModuleTitle(module.title);
                    setRenaming(module.id);
                  }}
                >
                  Rename <span className="visually-hidden">module {module.title}</span>
                </button>
                <button
                  type="button"
                  className="button button-small"
                  disabled={moduleIndex === 0 || reorder.isPending}
                  onClick={() => saveOrder(moveModule(order, module.id, -1))}
                >
                  Move up <span className="visually-hidden">module {module.title}</span>
                </button>
                <button
                  type="button"
                  className="button button-small"
                  disabled={moduleIndex === modules.length - 1 || reorder.isPending}
                  onClick={() => saveOrder(moveModule(order, module.id, 1))}
                >
                  Move down <span className="visually-hidden">module {module.title}</span>
                </button>
                <button
                  type="button"
                  className="button button-small button-danger"
                  onClick={() =>
                    setDeleting({ kind: 'module', id: module.id, title: module.title, lessons: module.lessons.length })
                  }
                >
                  Delete <span className="visually-hidden">module {module.title}</span>
                </button>
              </div>
            </div>
            {renameModule.error && renaming === module.id ? <FormError error={renameModule.error} /> : null}
            {module.lessons.length === 0 ? <p className="muted">No lessons in this module yet.</p> : null}
            <ol
              className="lesson-list"
              aria-label={`Lessons of ${module.title}`}
              onDragOver={(e) => {
                if (dragging != null) e.preventDefault();
              }}
              onDrop={(e) => {
                e.preventDefault();
                if (dragging != null) saveOrder(placeLesson(order, dragging, module.id, null));
                setDragging(null);
              }}
            >
              {module.lessons.map((lesson, lessonIndex) => {
                const first = moduleIndex === 0 && lessonIndex === 0;
                const last = moduleIndex === modules.length - 1 && lessonIndex === module.lessons.length - 1;
                return (
                  <li
                    key={lesson.id}
                    data-testid={`lesson-${lesson.id}`}
                    className={dragging === lesson.id ? 'dragging' : undefined}
                    draggable={!reorder.isPending}
                    onDragStart={(e) => {
                      e.dataTransfer?.setData('text/plain', String(lesson.id));
                      if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move';
                      setDragging(lesson.id);
                    }}
                    onDragEnd={() => setDragging(null)}
                    onDragOver={(e) => {
                      if (dragging != null) e.preventDefault();
                    }}
                    onDrop={(e) => {
                      e.preventDefault();
                      e.stopPropagation();
                      if (dragging != null) saveOrder(placeLesson(order, dragging, module.id, lesson.id));
                      setDragging(null);
                    }}
                  >
                    <span>
                      <strong>{lesson.title}</strong> <span className="badge">{kindLabel(lesson.kind)}</span>
                      {lesson.duration_minutes ? (
                        <span className="muted small"> · {formatDuration(lesson.duration_minutes)}</span>
                      ) : null}
                      {lesson.kind === 'file' && !lesson.file ? (
                        <span className="muted small"> · no file yet</span>
                      ) : null}
                    </span>
                    <span className="actions">
                      <button
                        type="button"
                        className="button button-small"
                        onClick={() => setEditing({ moduleId: module.id, lessonId: lesson.id })}
                      >
                        Edit <span className="visually-hidden">{lesson.title}</span>
                      </button>
                      <button
                        type="button"
                        className="button button-small"
                        disabled={first || reorder.isPending}
                        onClick={() => saveOrder(moveLesson(order, lesson.id, -1))}
                      >
                        Up <span className="visually-hidden">{lesson.title}</span>
                      </button>
                      <button
                        type="button"
                        className="button button-small"
                        disabled={last || reorder.isPending}
                        onClick={() => saveOrder(moveLesson(order, lesson.id, 1))}
                      >
                        Down <span className="visually-hidden">{lesson.title}</span>
                      </button>
                      <button
                        type="button"
                        className="button button-small button-danger"
                        onClick={() => setDeleting({ kind: 'lesson', id: lesson.id, title: lesson.title })}
                      >
                        Delete <span className="visually-hidden">{lesson.title}</span>
                      </button>
                    </span>
                  </li>
                );
              })}
            </ol>
            <div>
              <button
                type="button"
                className="button button-small"
                onClick={() => setEditing({ moduleId: module.id, lessonId: null })}
              >
                Add lesson <span className="visually-hidden">to {module.title}</span>
              </button>
            </div>
          </section>
        ))}
        <form className="inline-form card" onSubmit={submitModule}>
          <Field label="New module">
            {(p) => (
              <input
                {...p}
                placeholder="Module title"
                value={renaming === null ? moduleTitle : ''}
                disabled={renaming !== null}
                onChange={(e) => setModuleTitle(e.target.value)}
              />
            )}
          </Field>
          <button
            type="submit"
            className="button"
            disabled={addModule.isPending || renaming !== null || !moduleTitle.trim()}
          >
            Add module
          </button>
        </form>
        {addModule.error ? <FormError error={addModule.error} /> : null}
      </section>

      <Modal
        open={editing !== null}
        onClose={() => setEditing(null)}
        title={editingLesson ? `Edit “${editingLesson.title}”` : `New lesson in “${editingModule?.title ?? ''}”`}
        wide
      >
        {editing ? (
          <LessonForm
            key={editing.moduleId}
            moduleId={editing.moduleId}
            lesson={editingLesson}
            onSaved={lessonSaved}
            onClose={() => setEditing(null)}
          />
        ) : null}
      </Modal>

      <Modal
        open={deleting !== null}
        onClose={() => setDeleting(null)}
        title={`Delete this ${deleting?.kind ?? 'item'}?`}
      >
        {deleting ? (
          <ConfirmPanel
            action={<>Delete {deleting.kind}</>}
            pending={remove.isPending}
            error={remove.error}
            onConfirm={() => remove.mutate(deleting)}
            onCancel={() => setDeleting(null)}
          >
            <p>
              “{deleting.title}” will be deleted
              {deleting.kind === 'module' && deleting.lessons ? ` with its ${deleting.lessons} lesson(s)` : ''}.
            </p>
          </ConfirmPanel>
        ) : null}
      </Modal>

      <Modal open={deletingCourse} onClose={() => setDeletingCourse(false)} title="Delete this course?">
        <div className="stack">
          <p>“{course.title}”, its modules, lessons and files will be deleted.</p>
          {removeCourse.error ? <FormError error={removeCourse.error} /> : null}
          {deleteConflict ? (
            <p>
              {course.status === 'archived'
                ? 'Learners are enrolled, so the course cannot be deleted. It is archived already: it stays out of the catalogue and keeps their progress.'
                : 'Learners are enrolled, so the course cannot be deleted. Archive it instead: it leaves the catalogue and keeps their progress.'}
            </p>
          ) : null}
          {archive.error && deletingCourse ? <FormError error={archive.error} /> : null}
          <div className="button-row">
            {deleteConflict && course.status !== 'archived' ? (
              <button
                type="button"
                className="button button-primary"
                disabled={archive.isPending}
                onClick={() => archive.mutate()}
              >
                Archive instead
              </button>
            ) : (
              <button
                type="button"
                className="button button-danger"
                disabled={removeCourse.isPending || deleteConflict}
                onClick={() => removeCourse.mutate()}
              >
                Delete course
              </button>
            )}
            <button type="button" className="button" onClick={() => setDeletingCourse(false)}>
              Cancel
            </button>
          </div>
        </div>
      </Modal>
    </div>
  );
}
