import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useSearchParams } from 'react-router';
import { type Skill, skills, useSkills } from '../api/skills';
import { useMe } from '../auth/session';
import { DataTable } from '../ui/DataTable';
import { ConfirmPanel, Modal } from '../ui/Dialog';
import { Field, FormError, fieldErrors } from '../ui/forms';
import { PageHeader } from '../ui/PageHeader';
import { QueryView } from '../ui/states';
import { showToast } from '../ui/toasts';

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
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const list = useSkills({ limit: 1000, ...(q.trim() ? { q: q.trim() } : {}) });
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<Skill | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Skill | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['skills'] });
  const remove = useMutation({
    mutationFn: (skill: Skill) => skills.remove(skill.id),
    onSuccess: (_answer, skill) => {
      showToast({ title: `Skill ${skill.name} deleted`, tone: 'success' });
      setDeleting(null);
      refresh();
    },
  });

  return (
    <div>
      <PageHeader
        title="Skills"
        actions={
          isAdmin ? (
            <button type="button" className="button button-primary" onClick={() => setEditing('new')}>
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
      {/* biome-ignore lint/a11y/useSemanticElements: the <search> element is too new for some browsers and screen readers still in use */}
      <div className="toolbar" role="search">
        <Field label="Search skills" hint="Part of the name.">
          {(p) => (
            <input
              {...p}
              type="search"
              value={q}
              onChange={(e) => setParams(e.target.value ? { q: e.target.value } : {}, { replace: true })}
            />
          )}
        </Field>
      </div>
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
                    <div className="button-row">
                      <button type="button" className="button button-small" onClick={() => setEditing(skill)}>
                        Edit <span className="visually-hidden">{skill.name}</span>
                      </button>
                      <button type="button" className="button button-small" onClick={() => setDeleting(skill)}>
                        Delete <span className="visually-hidden">{skill.name}</span>
                      </button>
                    </div>
                  </td>
                ) : null}
              </tr>
            ))}
          </DataTable>
        )}
      </QueryView>
      <Modal
        open={editing !== null}
        onClose={() => setEditing(null)}
        title={editing === 'new' || editing === null ? 'New skill' : `Edit ${editing.name}`}
      >
        {editing !== null ? (
          <SkillForm
            skill={editing === 'new' ? undefined : editing}
            onCancel={() => setEditing(null)}
            onSaved={(saved) => {
              showToast({ title: `Skill ${saved.name} saved`, tone: 'success' });
              refresh();
              setEditing(null);
            }}
          />
        ) : null}
      </Modal>
      <Modal open={deleting !== null} onClose={() => setDeleting(null)} title="Delete this skill?">
        {deleting ? (
          <ConfirmPanel
            action="Delete skill"
            pending={remove.isPending}
            error={remove.error}
            onConfirm={() => remove.mutate(deleting)}
            onCancel={() => setDeleting(null)}
          >
            <p>
              “{deleting.name}” leaves the catalogue, the courses that grant it and everyone who holds it (the audit log
              keeps what happened).
            </p>
          </ConfirmPanel>
        ) : null}
      </Modal>
    </div>
  );
}
