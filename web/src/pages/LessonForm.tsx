import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useRef, useState } from 'react';
import {
  courses,
  EDITABLE_LESSON_KINDS,
  formatBytes,
  isEditableKind,
  type Lesson,
  type LessonInput,
  type LessonKind,
  lessonSessionIds,
  type UploadProgress,
  uploadLessonFile,
} from '../api/courses';
import { describeError } from '../api/errors';
import { useSessions } from '../api/queries';
import { MarkdownPreview } from '../lib/markdown';
import { formatDateTime } from '../lib/time';
import { videoDisplay } from '../lib/video';
import { Field, FormError, fieldErrors } from '../ui/forms';
import { Loading } from '../ui/states';
import { showToast } from '../ui/toasts';
import { AssessmentEditor, AssessmentStatistics, draftOf } from './AssessmentEditor';
import { sortByStart } from './sessionHelpers';

const FIELDS = [
  'title',
  'kind',
  'body',
  'video_url',
  'session_id',
  'session_ids',
  'duration_minutes',
  'pass_mark',
  'max_attempts',
  'time_limit_minutes',
];
const KIND_LABELS: Record<LessonKind, string> = {
  text: 'Text',
  video: 'Video',
  file: 'File',
  session: 'Live session',
  assessment: 'Assessment',
};

export function kindLabel(kind: LessonKind): string {
  return KIND_LABELS[kind] ?? kind;
}

/**
 * Adds a lesson to a module or edits one. It stays open after saving, so that a text lesson
 * shows the server's rendering and a new file lesson can take its file.
 */
export function LessonForm({
  moduleId,
  lesson,
  onSaved,
  onClose,
}: {
  moduleId: number;
  lesson?: Lesson;
  onSaved: (lesson: Lesson) => void;
  onClose: () => void;
}) {
  const [title, setTitle] = useState(lesson?.title ?? '');
  const [kind, setKind] = useState<LessonKind>(lesson?.kind ?? 'text');
  const [minutes, setMinutes] = useState(lesson?.duration_minutes != null ? String(lesson.duration_minutes) : '');
  const [body, setBody] = useState(lesson?.body ?? '');
  const [videoUrl, setVideoUrl] = useState(lesson?.video_url ?? '');
  const [sessionIds, setSessionIds] = useState<number[]>(lesson ? lessonSessionIds(lesson) : []);
  const [tab, setTab] = useState<'write' | 'preview'>('write');
  const [assessment, setAssessment] = useState(() => draftOf(lesson?.assessment));

  const save = useMutation({
    mutationFn: (input: LessonInput) =>
      lesson
        ? courses.updateLesson(lesson.id, input)
        : courses.addLesson(moduleId, { ...input, title: input.title ?? '', kind: input.kind ?? 'text' }),
    onSuccess: (saved) => {
      onSaved(saved);
      showToast({ title: lesson ? 'Lesson saved' : 'Lesson added', body: saved.title, tone: 'success' });
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const input: LessonInput = {
      title: title.trim(),
      duration_minutes: minutes ? Number(minutes) : null,
    };
    if (isEditableKind(kind)) input.kind = kind;
    if (kind === 'assessment') input.assessment = assessment;
    if (kind === 'text') input.body = body;
    if (kind === 'video') input.video_url = videoUrl.trim() || null;
    if (kind === 'session') {
      input.session_id = sessionIds[0] ?? null;
      input.session_ids = sessionIds;
    }
    save.mutate(input);
  };
  const errors = (field: string) => fieldErrors(save.error, field);
  const video = videoDisplay(videoUrl);

  return (
    <div className="stack">
      <form className="stack" onSubmit={submit} noValidate aria-label={lesson ? 'Edit lesson' : 'New lesson'}>
        <div className="grid-2">
          <Field label="Lesson title" errors={errors('title')}>
            {(p) => <input {...p} required value={title} onChange={(e) => setTitle(e.target.value)} />}
          </Field>
          <Field label="Kind" errors={errors('kind')}>
            {(p) => (
              <select {...p} value={kind} onChange={(e) => setKind(e.target.value as LessonKind)}>
                {(lesson && !isEditableKind(lesson.kind)
                  ? [...EDITABLE_LESSON_KINDS, lesson.kind]
                  : EDITABLE_LESSON_KINDS
                ).map((k) => (
                  <option key={k} value={k}>
                    {kindLabel(k)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Duration in minutes" errors={errors('duration_minutes')}>
            {(p) => <input {...p} type="number" min={1} value={minutes} onChange={(e) => setMinutes(e.target.value)} />}
          </Field>
        </div>

        {kind === 'text' ? (
          <div className="stack">
            {/* biome-ignore lint/a11y/useSemanticElements: two toggle buttons, not a form section */}
            <div className="segmented" role="group" aria-label="Markdown editor">
              <button type="button" className="button" aria-pressed={tab === 'write'} onClick={() => setTab('write')}>
                Write
              </button>
              <button
                type="button"
                className="button"
                aria-pressed={tab === 'preview'}
                onClick={() => setTab('preview')}
              >
                Preview
              </button>
            </div>
            {tab === 'write' ? (
              <Field
                label="Body (Markdown)"
                errors={errors('body')}
                hint="**bold**, *italic*, # headings, - lists, [links](https://…), ``` code ```"
              >
                {(p) => <textarea {...p} rows={12} value={body} onChange={(e) => setBody(e.target.value)} />}
              </Field>
            ) : (
              <section className="card lesson-body" aria-label="Preview" data-testid="markdown-preview">
                {body.trim() ? <MarkdownPreview source={body} /> : <p className="muted">Nothing to preview yet.</p>}
              </section>
            )}
          </div>
        ) : null}

        {kind === 'video' ? (
          <Field
            label="Video address"
            errors={errors('video_url')}
            hint={
              video.kind === 'embed'
                ? `Plays inside the lesson (${video.provider}, privacy-enhanced player).`
                : video.kind === 'link'
                  ? 'Shown to trainees as a link (only YouTube and Vimeo play inside the lesson).'
                  : 'An https:// address.'
            }
          >
            {(p) => (
              <input
                {...p}
                type="url"
                inputMode="url"
                placeholder="https://"
                value={videoUrl}
                onChange={(e) => setVideoUrl(e.target.value)}
              />
            )}
          </Field>
        ) : null}

        {kind === 'session' ? (
          <SessionChoice
            selected={sessionIds}
            onChange={setSessionIds}
            errors={[...errors('session_id'), ...errors('session_ids')]}
          />
        ) : null}

        {kind === 'assessment' ? (
          <AssessmentEditor value={assessment} onChange={setAssessment} error={save.error} />
        ) : null}

        {kind === 'file' && !lesson ? <p className="muted">Add the lesson first; then choose its file here.</p> : null}

        <FormError error={save.error} knownFields={FIELDS} />
        <div className="button-row">
          <button type="submit" className="button button-primary" disabled={save.isPending || !title.trim()}>
            {lesson ? 'Save lesson' : 'Add lesson'}
          </button>
          <button type="button" className="button" onClick={onClose}>
            Close
          </button>
        </div>
      </form>

      {lesson?.kind === 'assessment' && lesson.assessment ? (
        <AssessmentStatistics lessonId={lesson.id} assessment={lesson.assessment} />
      ) : null}

      {lesson && kind === 'file' && lesson.kind === 'file' ? <FileUpload lesson={lesson} onUploaded={onSaved} /> : null}

      {lesson && lesson.kind === 'text' && kind === 'text' && lesson.body_html ? (
        <section className="card" aria-labelledby="saved-rendering">
          <h3 id="saved-rendering">As trainees see it (saved)</h3>
          {body !== (lesson.body ?? '') ? (
            <p className="muted small">You have changes that are not saved yet; this shows the saved text.</p>
          ) : null}
          <div
            className="lesson-body"
            data-testid="server-rendering"
            // biome-ignore lint/security/noDangerouslySetInnerHtml: body_html is the server's sanitised rendering (no scripts, handlers or javascript: links), the one a page is meant to show
            dangerouslySetInnerHTML={{ __html: lesson.body_html }}
          />
        </section>
      ) : null}
    </div>
  );
}

function SessionChoice({
  selected,
  onChange,
  errors,
}: {
  selected: number[];
  onChange: (ids: number[]) => void;
  errors: string[];
}) {
  const sessions = useSessions({ limit: 1000 });
  const toggle = (id: number, on: boolean) => onChange(on ? [...selected, id] : selected.filter((s) => s !== id));
  return (
    <fieldset className="picker">
      <legend>
        Sessions that deliver it <span className="muted">({selected.length} selected)</span>
      </legend>
      <p className="hint">Pick one date, or several to choose from: attending any one completes the lesson.</p>
      {sessions.isPending ? <Loading label="Loading sessions…" /> : null}
      {sessions.error ? <FormError error={sessions.error} /> : null}
      {sessions.data && sessions.data.length === 0 ? <p className="empty">There are no sessions to choose.</p> : null}
      <ul className="picker-list">
        {sortByStart(sessions.data ?? []).map((s) => (
          <li key={s.id}>
            <label>
              <input
                type="checkbox"
                checked={selected.includes(s.id)}
                onChange={(e) => toggle(s.id, e.target.checked)}
              />{' '}
              {s.title} <span className="muted">({formatDateTime(s.scheduled_date)})</span>
            </label>
          </li>
        ))}
      </ul>
      {errors.length ? (
        <ul className="field-errors">
          {errors.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      ) : null}
    </fieldset>
  );
}

/** Chooses and uploads a file lesson's file, with a progress bar that follows the bytes sent. */
export function FileUpload({ lesson, onUploaded }: { lesson: Lesson; onUploaded: (lesson: Lesson) => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [chosen, setChosen] = useState<File | null>(null);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const upload = useMutation({
    mutationFn: (file: File) => uploadLessonFile(lesson.id, file, setProgress),
    onSuccess: (saved) => {
      setChosen(null);
      if (input.current) input.current.value = '';
      onUploaded(saved);
      showToast({ title: 'File uploaded', body: saved.file?.name ?? chosen?.name, tone: 'success' });
    },
  });
  const percent =
    progress && progress.total > 0 ? Math.min(100, Math.round((progress.loaded / progress.total) * 100)) : 0;
  const download = useMutation({ mutationFn: courses.download });

  return (
    <section className="card stack" aria-labelledby={`file-${lesson.id}`}>
      <h3 id={`file-${lesson.id}`}>File</h3>
      {lesson.file ? (
        <p data-testid="current-file">
          Current file: <strong>{lesson.file.name}</strong>{' '}
          <span className="muted">
            ({formatBytes(lesson.file.size)}, {lesson.file.content_type})
          </span>{' '}
          <button
            type="button"
            className="button button-small"
            disabled={download.isPending}
            onClick={() => lesson.file && download.mutate(lesson.file)}
          >
            Download <span className="visually-hidden">{lesson.file.name}</span>
          </button>
        </p>
      ) : (
        <p className="muted">No file yet.</p>
      )}
      {download.error ? <FormError error={download.error} /> : null}
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (chosen) {
            setProgress({ loaded: 0, total: chosen.size });
            upload.mutate(chosen);
          }
        }}
      >
        <Field label={lesson.file ? 'Replace the file' : 'Choose a file'}>
          {(p) => (
            <input
              {...p}
              ref={input}
              type="file"
              onChange={(e) => {
                setChosen(e.target.files?.[0] ?? null);
                upload.reset();
                setProgress(null);
              }}
            />
          )}
        </Field>
        <button type="submit" className="button button-primary" disabled={!chosen || upload.isPending}>
          Upload
        </button>
      </form>
      {progress && (upload.isPending || upload.isSuccess) ? (
        <div className="progress" data-testid="upload-progress">
          <progress max={100} value={percent} aria-label="Upload progress">
            {percent}%
          </progress>
          <span className="progress-value">
            {percent}% · {formatBytes(progress.loaded)} of {formatBytes(progress.total)}
          </span>
        </div>
      ) : null}
      {upload.error ? (
        <div className="alert alert-error" role="alert">
          <p>{describeError(upload.error)}</p>
        </div>
      ) : null}
    </section>
  );
}
