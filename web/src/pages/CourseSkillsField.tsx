import { useId, useState } from 'react';
import { LEVELS, type SkillGrant, useSkills } from '../api/skills';

/** The skills a course grants on completion, each at a level: pick a skill and a level, add it. */
export function CourseSkillsField({
  value,
  onChange,
  errors = [],
}: {
  value: SkillGrant[];
  onChange: (grants: SkillGrant[]) => void;
  errors?: string[];
}) {
  const catalogue = useSkills({ limit: 1000 }, { retry: false, staleTime: 60_000 });
  const [skill, setSkill] = useState('');
  const [level, setLevel] = useState('3');
  const id = useId();
  const names = new Map((catalogue.data ?? []).map((s) => [s.id, s.name]));
  const add = () => {
    const skillId = Number(skill);
    onChange([...value.filter((g) => g.skill_id !== skillId), { skill_id: skillId, level: Number(level) }]);
    setSkill('');
  };
  return (
    <fieldset className="stack" aria-describedby={errors.length ? `${id}-errors` : undefined}>
      <legend>Skills granted on completion</legend>
      {value.length ? (
        <ul className="plain-list" aria-label="Skills granted">
          {value.map((g) => {
            const name = names.get(g.skill_id) ?? `Skill #${g.skill_id}`;
            return (
              <li key={g.skill_id}>
                {name} at level {g.level}{' '}
                <button
                  type="button"
                  className="button button-small"
                  onClick={() => onChange(value.filter((other) => other.skill_id !== g.skill_id))}
                >
                  Remove <span className="visually-hidden">{name}</span>
                </button>
              </li>
            );
          })}
        </ul>
      ) : (
        <p className="muted">None: completing the course awards no skill.</p>
      )}
      <div className="toolbar">
        <label htmlFor={`${id}-skill`}>Skill to grant</label>
        <select id={`${id}-skill`} value={skill} onChange={(e) => setSkill(e.target.value)}>
          <option value="">Choose a skill</option>
          {(catalogue.data ?? []).map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-level`}>Level granted</label>
        <select id={`${id}-level`} value={level} onChange={(e) => setLevel(e.target.value)}>
          {LEVELS.map((l) => (
            <option key={l} value={l}>
              {l}
            </option>
          ))}
        </select>
        <button type="button" className="button" disabled={!skill} onClick={add}>
          Add skill
        </button>
      </div>
      {errors.length ? (
        <ul className="field-errors" id={`${id}-errors`}>
          {errors.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      ) : null}
    </fieldset>
  );
}
