import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { type Skill, skills, useSkills } from '../api/skills';
import { useMe } from '../auth/session';
import {
  DeleteDialog,
  EditDeleteButtons,
  EditDialog,
  SearchToolbar,
  useCatalogue,
  useUrlSearch,
} from '../ui/Catalogue';
import { DataTable } from '../ui/DataTable';
import { Field, FormError, fieldErrors } from '../ui/forms';
import { PageHeader } from '../ui/PageHeader';
import { QueryView } from '../ui/states';

const FIELDS = ['name', 'category', 'description'];

/** Creates a skill or saves the fields of an existing one (admins). */
export function SkillForm({
  skill,
  onSaved,
  onCancel,
}: {
  skill?: Skill;
  onSaved: (skill: Skill) => void;
  onCancel: () => void;
}) {
  const [name, setName] = useState(skill?.name ?? '');
  const [category, setCategory] = useState(skill?.category ?? '');
  const [description, setDescription] = useState(skill?.description ?? '');
  const save = useMutation({
    mutationFn: () => {
      // A blank category or description clears it.
      const body = { name: name.trim(), category: category.trim(), description: description.trim() };
      return skill ? skills.update(skill.id, body) : skills.create(body);
    },
    onSuccess: onSaved,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  const errors = (field: string) => fieldErrors(save.error, field);
  return (
    <form className="stack" onSubmit={submit} noValidate>
      <div className="grid-2">
        <Field label="Name" errors={errors('name')} hint="Unique, whatever the case.">
          {(p) => <input {...p} required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label="Category" errors={errors('category')}>
          {(p) => <input {...p} maxLength={100} value={category} onChange={(e) => setCategory(e.target.value)} />}
        </Field>
      </div>
      <Field label="Description" errors={errors('description')}>
        {(p) => <textarea {...p} rows={3} value={description} onChange={(e) => setDescription(e.target.value)} />}
      </Field>
      <FormError error={save.error} knownFields={FIELDS} />
      <div className="button-row">
        <button type="submit" className="button button-primary" disabled={save.isPending || !name.trim()}>
          {skill ? 'Save skill' : 'Create skill'}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** The skill catalogue: everyone reads it; admins create, edit and delete skills. */
export function SkillsPage() {
  const me = useMe();
  const isAdmin = me.role === 'admin';
  const [q, setQ] = useUrlSearch();
  const list = useSkills({ limit: 1000, ...(q.trim() ? { q: q.trim() } : {}) });
  const catalogue = useCatalogue<Skill>({
    queryKey: ['skills'],
    remove: (skill) => skills.remove(skill.id),
    label: (skill) => `Skill ${skill.name}`,
  });

  return (
    <div>
      <PageHeader
        title="Skills"
        actions={
          isAdmin ? (
            <button type="button" className="button button-primary" onClick={() => catalogue.setEditing('new')}>
              New skill
            </button>
          ) : null
        }
      >
        <p className="muted">
          What a learner can do, at a level from 1 to 5: completed courses award the skills they grant, trainers award
          them by hand.
        </p>
      </PageHeader>
      <SearchToolbar label="Search skills" hint="Part of the name." value={q} onChange={setQ} />
      <QueryView query={list} empty={q ? 'No skill matches.' : 'No skills yet.'} loadingLabel="Loading skills…">
        {(rows) => (
          <DataTable
            caption="Skills"
            testId="skills-table"
            columns={['Name', 'Category', 'Description']}
            actions={isAdmin}
          >
            {rows.map((skill) => (
              <tr key={skill.id}>
                <td data-label="Name">{skill.name}</td>
                <td data-label="Category">{skill.category ?? '—'}</td>
                <td data-label="Description">{skill.description ?? ''}</td>
                {isAdmin ? (
                  <td data-label="Actions">
                    <EditDeleteButtons
                      name={skill.name}
                      onEdit={() => catalogue.setEditing(skill)}
                      onDelete={() => catalogue.setDeleting(skill)}
                    />
                  </td>
                ) : null}
              </tr>
            ))}
          </DataTable>
        )}
      </QueryView>
      <EditDialog catalogue={catalogue} newTitle="New skill" editTitle={(skill) => `Edit ${skill.name}`}>
        {(skill) => <SkillForm skill={skill} onCancel={() => catalogue.setEditing(null)} onSaved={catalogue.saved} />}
      </EditDialog>
      <DeleteDialog catalogue={catalogue} title="Delete this skill?" action="Delete skill">
        {(skill) => (
          <p>
            “{skill.name}” leaves the catalogue, the courses that grant it and everyone who holds it (the audit log
            keeps what happened).
          </p>
        )}
      </DeleteDialog>
    </div>
  );
}
