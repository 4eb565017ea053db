import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { type Course, courses, DIFFICULTIES, type Difficulty, type NewCourseInput } from '../api/courses';
import { Field, FormError, fieldErrors } from '../ui/forms';
import { CourseSkillsField } from './CourseSkillsField';

const FIELDS = [
  'code',
  'title',
  'description',
  'category',
  'difficulty',
  'estimated_minutes',
  'certificate_valid_months',
  'skills',
];

/** Creates a course (a draft) or saves the fields of an existing one. */
export function CourseForm({
  course,
  onSaved,
  onCancel,
}: {
  course?: Course;
  onSaved: (course: Course) => void;
  onCancel?: () => void;
}) {
  const [title, setTitle] = useState(course?.title ?? '');
  const [code, setCode] = useState(course?.code ?? '');
  const [description, setDescription] = useState(course?.description ?? '');
  const [category, setCategory] = useState(course?.category ?? '');
  const [difficulty, setDifficulty] = useState<Difficulty | ''>(course?.difficulty ?? '');
  const [minutes, setMinutes] = useState(course?.estimated_minutes != null ? String(course.estimated_minutes) : '');
  const [grants, setGrants] = useState(course?.skills ?? []);
  const [validMonths, setValidMonths] = useState(course?.certificate_valid_months?.toString() ?? '');

  const save = useMutation({
    mutationFn: (body: NewCourseInput) => (course ? courses.update(course.id, body) : courses.create(body)),
    onSuccess: onSaved,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body: NewCourseInput = {
      title: title.trim(),
      description: description.trim() || null,
      category: category.trim() || null,
      difficulty: difficulty || null,
      estimated_minutes: minutes ? Number(minutes) : null,
    };
    // Saving an existing course replaces the skills it grants; a new one names them if any.
    if (course || grants.length) body.skills = grants;
    // Empty: certificates stand for good (0 clears a validity set before).
    if (validMonths || course?.certificate_valid_months) body.certificate_valid_months = Number(validMonths) || 0;
    // Left empty on a new course, the server generates the code ("CRS-0007").
    if (code.trim() || course) body.code = code.trim() || course?.code;
    save.mutate(body);
  };

  const errors = (field: string) => fieldErrors(save.error, field);
  return (
    <form className="stack" onSubmit={submit} noValidate>
      <div className="grid-2">
        <Field label="Title" errors={errors('title')}>
          {(p) => <input {...p} required value={title} onChange={(e) => setTitle(e.target.value)} />}
        </Field>
        <Field
          label="Code"
          errors={errors('code')}
          hint={course ? 'Unique among courses.' : 'Optional: a code like CRS-0007 is generated when left empty.'}
        >
          {(p) => <input {...p} value={code} onChange={(e) => setCode(e.target.value)} />}
        </Field>
        <Field label="Category" errors={errors('category')}>
          {(p) => <input {...p} value={category} onChange={(e) => setCategory(e.target.value)} />}
        </Field>
        <Field label="Difficulty" errors={errors('difficulty')}>
          {(p) => (
            <select {...p} value={difficulty} onChange={(e) => setDifficulty(e.target.value as Difficulty | '')}>
              <option value="">Not set</option>
              {DIFFICULTIES.map((d) => (
                <option key={d} value={d}>
                  {d}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Estimated minutes" errors={errors('estimated_minutes')}>
          {(p) => <input {...p} type="number" min={1} value={minutes} onChange={(e) => setMinutes(e.target.value)} />}
        </Field>
        <Field
          label="Certificate valid for (months)"
          errors={errors('certificate_valid_months')}
          hint="Empty: certificates never expire. Trainees are reminded 30 days before expiry."
        >
          {(p) => (
            <input
              {...p}
              type="number"
              min={1}
              max={600}
              value={validMonths}
              onChange={(e) => setValidMonths(e.target.value)}
            />
          )}
        </Field>
      </div>
      <Field label="Description" errors={errors('description')}>
        {(p) => <textarea {...p} rows={3} value={description} onChange={(e) => setDescription(e.target.value)} />}
      </Field>
      <CourseSkillsField value={grants} onChange={setGrants} errors={errors('skills')} />
      <FormError error={save.error} knownFields={FIELDS} />
      <div className="button-row">
        <button type="submit" className="button button-primary" disabled={save.isPending || !title.trim()}>
          {course ? 'Save course' : 'Create course'}
        </button>
        {onCancel ? (
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}
