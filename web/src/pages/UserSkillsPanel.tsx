import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useAssignments } from '../api/queries';
import { LEVELS, skills, useSkills, useUserSkills } from '../api/skills';
import { useMe } from '../auth/session';
import { formatDateTime } from '../lib/time';
import { DataTable } from '../ui/DataTable';
import { Field, FormError, fieldErrors } from '../ui/forms';
import { QueryView } from '../ui/states';
import { showToast } from '../ui/toasts';

const SOURCES: Record<string, string> = {
  course: 'A completed course',
  assessment: 'A passed assessment',
  manual: 'Awarded by hand',
};

/** Whether the signed-in user may award this user a skill: admins, and their assigned trainer. */
function useMayAward(userId: number): boolean {
  const me = useMe();
  const assignments = useAssignments();
  if (me.role === 'admin') return true;
  if (me.role !== 'trainer') return false;
  return (assignments.data ?? []).some((a) => a.student.id === userId && a.teacher.id === me.id);
}

function AwardForm({ userId }: { userId: number }) {
  const catalogue = useSkills({ limit: 1000 });
  const queryClient = useQueryClient();
  const [skill, setSkill] = useState('');
  const [level, setLevel] = useState('3');
  const award = useMutation({
    mutationFn: () => skills.award(userId, Number(skill), Number(level)),
    onSuccess: (held) => {
      showToast({ title: `${held.skill.name} at level ${held.level}`, tone: 'success' });
      setSkill('');
      void queryClient.invalidateQueries({ queryKey: ['user-skills', userId] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    award.mutate();
  };
  return (
    <form className="toolbar" onSubmit={submit} noValidate aria-label="Award a skill">
      <Field label="Skill" errors={fieldErrors(award.error, 'skill_id')}>
        {(p) => (
          <select {...p} value={skill} onChange={(e) => setSkill(e.target.value)}>
            <option value="">Choose a skill</option>
            {(catalogue.data ?? []).map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Level" errors={fieldErrors(award.error, 'level')}>
        {(p) => (
          <select {...p} value={level} onChange={(e) => setLevel(e.target.value)}>
            {LEVELS.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        )}
      </Field>
      <button type="submit" className="button button-primary" disabled={!skill || award.isPending}>
        Award skill
      </button>
      <FormError error={award.error} knownFields={['skill_id', 'level']} />
    </form>
  );
}

/** A user's skills, with their levels and where each came from; admins and the user's trainer award one by hand. */
export function UserSkillsPanel({ userId }: { userId: number }) {
  const held = useUserSkills(userId);
  const mayAward = useMayAward(userId);
  return (
    <section className="card stack" aria-labelledby={`user-skills-${userId}`}>
      <h2 id={`user-skills-${userId}`}>Skills</h2>
      <QueryView query={held} empty="No skills yet." loadingLabel="Loading skills…">
        {(rows) => (
          <DataTable
            caption="Skills held"
            testId="user-skills"
            columns={['Skill', 'Category', 'Level', 'From', 'Since']}
          >
            {rows.map((row) => (
              <tr key={row.skill.id}>
                <td data-label="Skill">{row.skill.name}</td>
                <td data-label="Category">{row.skill.category ?? '—'}</td>
                <td data-label="Level">{row.level} / 5</td>
                <td data-label="From">{SOURCES[row.source] ?? row.source}</td>
                <td data-label="Since">
                  <time dateTime={row.awarded_at}>{formatDateTime(row.awarded_at)}</time>
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </QueryView>
      {mayAward ? <AwardForm userId={userId} /> : null}
    </section>
  );
}
