import { useState } from 'react';
import { usePickableBatches } from '../api/batches';
import { useCourses } from '../api/courses';
import { type MatrixQuery, skills, useSkillMatrix, useSkills } from '../api/skills';
import { Field, FormError } from '../ui/forms';
import { PageHeader } from '../ui/PageHeader';
import { Pager } from '../ui/Pager';
import { QueryView } from '../ui/states';

const PAGE = 100;
const FORMATS = [
  { format: 'pdf', label: 'PDF' },
  { format: 'csv', label: 'CSV' },
  { format: 'xlsx', label: 'Excel' },
];

const idOrNothing = (value: string) => (value ? Number(value) : undefined);

/** Trainees by skills with the level each holds: admins every trainee, a trainer their own. */
export function SkillMatrixPage() {
  const [batch, setBatch] = useState('');
  const [course, setCourse] = useState('');
  const [skill, setSkill] = useState('');
  const [page, setPage] = useState(0);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const filters: Omit<MatrixQuery, 'skip' | 'limit'> = {
    batch_id: idOrNothing(batch),
    course_id: idOrNothing(course),
    skill_id: idOrNothing(skill),
  };
  const matrix = useSkillMatrix({ ...filters, skip: page * PAGE, limit: PAGE });
  const batches = usePickableBatches();
  const courses = useCourses({ limit: 1000 });
  const catalogue = useSkills({ limit: 1000 });
  const choose = (set: (value: string) => void) => (value: string) => {
    set(value);
    setPage(0);
  };
  const download = async (format: string) => {
    setBusy(format);
    setError(null);
    try {
      await skills.downloadMatrix(filters, format);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(null);
    }
  };

  return (
    <div>
      <PageHeader title="Skills matrix">
        <p className="muted">Each trainee's level (1 to 5) in each skill; an empty cell: not held.</p>
      </PageHeader>
      <div className="toolbar">
        <Field label="Batch">
          {(p) => (
            <select {...p} value={batch} onChange={(e) => choose(setBatch)(e.target.value)}>
              <option value="">All batches</option>
              {(batches.data ?? []).map((b) => (
                <option key={b.id} value={b.id}>
                  {b.code} — {b.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Course" hint="Its trainees, and the skills it grants.">
          {(p) => (
            <select {...p} value={course} onChange={(e) => choose(setCourse)(e.target.value)}>
              <option value="">All courses</option>
              {(courses.data ?? []).map((c) => (
                <option key={c.id} value={c.id}>
                  {c.title}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Skill">
          {(p) => (
            <select {...p} value={skill} onChange={(e) => choose(setSkill)(e.target.value)}>
              <option value="">All skills</option>
              {(catalogue.data ?? []).map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <div className="button-row">
        {FORMATS.map((f) => (
          <button
            key={f.format}
            type="button"
            className="button"
            disabled={busy !== null}
            onClick={() => void download(f.format)}
          >
            {busy === f.format ? 'Preparing…' : `Download ${f.label}`}
          </button>
        ))}
      </div>
      <FormError error={error} />
      <QueryView query={matrix} loadingLabel="Loading the skills matrix…">
        {(found) =>
          found.rows.length === 0 ? (
            <p className="muted">No trainee matches.</p>
          ) : (
            <div className="table-wrap">
              <table className="table" data-testid="skill-matrix">
                <caption className="visually-hidden">Skills matrix</caption>
                <thead>
                  <tr>
                    <th scope="col">Trainee</th>
                    {found.skills.map((s) => (
                      <th key={s.id} scope="col">
                        {s.name}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {found.rows.map((row) => (
                    <tr key={row.trainee.id}>
                      <th scope="row">{row.trainee.name}</th>
                      {found.skills.map((s) => (
                        <td key={s.id} data-label={s.name}>
                          {row.levels[String(s.id)] ?? ''}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
              <Pager page={page} hasMore={found.rows.length === PAGE} onPage={setPage} />
            </div>
          )
        }
      </QueryView>
    </div>
  );
}
