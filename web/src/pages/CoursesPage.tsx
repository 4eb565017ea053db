import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { COURSE_STATUSES, type CourseListQuery, type CourseStatus, useCourses } from '../api/courses';
import { useMe } from '../auth/session';
import { formatDuration } from '../lib/time';
import { DataTable } from '../ui/DataTable';
import { Modal } from '../ui/Dialog';
import { Field } from '../ui/forms';
import { PageHeader } from '../ui/PageHeader';
import { Pager } from '../ui/Pager';
import { QueryView, StatusBadge } from '../ui/states';
import { showToast } from '../ui/toasts';
import { CourseForm } from './CourseForm';

const PAGE = 50;

function statusFrom(value: string | null): CourseStatus | '' {
  return COURSE_STATUSES.find((s) => s === value) ?? '';
}

/** The catalogue: staff see every course with filters; a trainee sees the published courses they are enrolled in. */
export function CoursesPage() {
  const me = useMe();
  const staff = me.role !== 'trainee';
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [creating, setCreating] = useState(false);
  const status = statusFrom(params.get('status'));
  const q = params.get('q') ?? '';
  const category = params.get('category') ?? '';
  const page = Math.max(0, Number(params.get('page') ?? 0) || 0);
  const query: CourseListQuery = staff
    ? { status: status || null, q: q.trim() || null, category: category.trim() || null, skip: page * PAGE, limit: PAGE }
    : { skip: page * PAGE, limit: PAGE };
  const list = useCourses(query);

  // What is typed in the text filters reaches the address (and the server) once typing pauses.
  const [typed, setTyped] = useState({ q, category });
  useEffect(() => {
    if (typed.q === q && typed.category === category) return;
    const timer = setTimeout(() => update({ q: typed.q, category: typed.category }), 300);
    return () => clearTimeout(timer);
  });

  const update = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    if (!('page' in changes)) next.delete('page');
    setParams(next, { replace: true });
  };

  return (
    <div>
      <PageHeader
        title={staff ? 'Courses' : 'My courses'}
        actions={
          staff ? (
            <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
              New course
            </button>
          ) : (
            <Link className="button" to="/learning">
              My learning
            </Link>
          )
        }
      />
      {staff ? (
        // biome-ignore lint/a11y/useSemanticElements: the <search> element is too new for some browsers and screen readers still in use
        <div className="toolbar" role="search">
          <Field label="Search">
            {(p) => (
              <input
                {...p}
                type="search"
                placeholder="Title or code"
                value={typed.q}
                onChange={(e) => setTyped({ ...typed, q: e.target.value })}
              />
            )}
          </Field>
          <Field label="Status">
            {(p) => (
              <select {...p} value={status} onChange={(e) => update({ status: e.target.value })}>
                <option value="">Any status</option>
                {COURSE_STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Category">
            {(p) => (
              <input {...p} value={typed.category} onChange={(e) => setTyped({ ...typed, category: e.target.value })} />
            )}
          </Field>
        </div>
      ) : null}
      <QueryView
        query={list}
        loadingLabel="Loading courses…"
        empty={
          staff
            ? 'No course matches these filters.'
            : 'You are not enrolled in any published course yet. Courses appear here as soon as you are enrolled.'
        }
      >
        {(rows) => (
          <DataTable
            caption="Courses"
            testId="courses"
            columns={['Course', 'Category', 'Difficulty', 'Time', staff && 'Status']}
            actions
          >
            {rows.map((course) => {
              const canEdit = me.role === 'admin' || course.owner_id === me.id;
              return (
                <tr key={course.id} data-testid={`course-row-${course.id}`}>
                  <td data-label="Course">
                    <strong>{course.title}</strong> <span className="muted small mono">{course.code}</span>
                    {course.description ? <div className="muted small">{course.description}</div> : null}
                  </td>
                  <td data-label="Category">{course.category || '—'}</td>
                  <td data-label="Difficulty">{course.difficulty || '—'}</td>
                  <td data-label="Time">{course.estimated_minutes ? formatDuration(course.estimated_minutes) : '—'}</td>
                  {staff ? (
                    <td data-label="Status">
                      <StatusBadge status={course.status} />
                    </td>
                  ) : null}
                  <td className="actions-cell">
                    {staff ? (
                      <div className="actions">
                        {canEdit ? (
                          <Link className="button button-small" to={`/courses/${course.id}/edit`}>
                            Edit <span className="visually-hidden">{course.title}</span>
                          </Link>
                        ) : null}
                        <Link className="button button-small" to={`/courses/${course.id}/enrolments`}>
                          Learners <span className="visually-hidden">of {course.title}</span>
                        </Link>
                      </div>
                    ) : (
                      <Link className="button button-small button-primary" to={`/learning/${course.id}`}>
                        Open <span className="visually-hidden">{course.title}</span>
                      </Link>
                    )}
                  </td>
                </tr>
              );
            })}
          </DataTable>
        )}
      </QueryView>
      {list.data ? (
        <Pager
          page={page}
          hasMore={list.data.length === PAGE}
          onPage={(next) => update({ page: next ? String(next) : null })}
        />
      ) : null}
      <Modal open={creating} onClose={() => setCreating(false)} title="New course" wide>
        {creating ? (
          <CourseForm
            onCancel={() => setCreating(false)}
            onSaved={(course) => {
              void queryClient.invalidateQueries({ queryKey: ['courses'] });
              queryClient.setQueryData(['course', course.id], course);
              setCreating(false);
              showToast({
                title: 'Course created',
                body: `${course.title} (${course.code}) is a draft.`,
                tone: 'success',
              });
              navigate(`/courses/${course.id}/edit`);
            }}
          />
        ) : null}
      </Modal>
    </div>
  );
}
