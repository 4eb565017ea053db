import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, unwrap } from '../api/client';
import { describeError } from '../api/errors';
import { keys, useWebhookDeliveries, useWebhookEventTypes, useWebhooks } from '../api/queries';
import type { Webhook } from '../api/types';
import { formatDateTime } from '../lib/time';
import { CopyField, SecretShownOnce } from '../ui/CopyField';
import { DataTable } from '../ui/DataTable';
import { Field, FormError } from '../ui/forms';
import { PageHeader } from '../ui/PageHeader';
import { QueryView } from '../ui/states';
import { showToast } from '../ui/toasts';

/** Admins: webhook subscriptions, their secret shown once, tests and the delivery log. */
export function WebhooksPage() {
  const queryClient = useQueryClient();
  const hooks = useWebhooks();
  const types = useWebhookEventTypes();
  const [editing, setEditing] = useState<Webhook | null>(null);
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>([]);
  const [secret, setSecret] = useState<string | null>(null);
  const [logOf, setLogOf] = useState<Webhook | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: keys.webhooks() });

  const reset = () => {
    setEditing(null);
    setUrl('');
    setEvents([]);
  };
  const save = useMutation({
    mutationFn: async () => {
      if (editing) {
        await unwrap(
          api.PUT('/webhooks/{webhook_id}', { params: { path: { webhook_id: editing.id } }, body: { url, events } }),
        );
        return null;
      }
      return (await unwrap(api.POST('/webhooks', { body: { url, events } }))).secret;
    },
    onSuccess: (shown) => {
      setSecret(shown);
      reset();
      refresh();
    },
  });
  const enable = useMutation({
    mutationFn: (hook: Webhook) =>
      unwrap(
        api.PUT('/webhooks/{webhook_id}', {
          params: { path: { webhook_id: hook.id } },
          body: { enabled: !hook.enabled },
        }),
      ),
    onSuccess: refresh,
    onError: (error) => showToast({ title: 'Could not change the webhook', body: describeError(error), tone: 'error' }),
  });
  const remove = useMutation({
    mutationFn: (hook: Webhook) =>
      unwrap(api.DELETE('/webhooks/{webhook_id}', { params: { path: { webhook_id: hook.id } } })),
    onSuccess: refresh,
    onError: (error) => showToast({ title: 'Could not delete the webhook', body: describeError(error), tone: 'error' }),
  });
  const test = useMutation({
    mutationFn: (hook: Webhook) =>
      unwrap(api.POST('/webhooks/{webhook_id}/test', { params: { path: { webhook_id: hook.id } } })),
    onSuccess: (_answer, hook) => {
      showToast({ title: 'Test queued', body: 'Its outcome appears in the delivery log.', tone: 'success' });
      setLogOf(hook);
      void queryClient.invalidateQueries({ queryKey: keys.webhookDeliveries(hook.id) });
    },
    onError: (error) => showToast({ title: 'Could not send a test', body: describeError(error), tone: 'error' }),
  });

  const toggle = (type: string) =>
    setEvents((current) => (current.includes(type) ? current.filter((t) => t !== type) : [...current, type]));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };

  return (
    <div>
      <PageHeader title="Webhooks">
        <p className="muted">
          Changes pushed to partners as signed POSTs (Standard Webhooks), retried for a day; a subscription that keeps
          failing is disabled.
        </p>
      </PageHeader>
      {secret ? (
        <SecretShownOnce
          label="Signing secret"
          testId="webhook-secret"
          onDone={() => setSecret(null)}
          notice={<strong>Copy the signing secret now: it is not shown again.</strong>}
        >
          <CopyField label="Signing secret" value={secret} testId="secret-value" />
        </SecretShownOnce>
      ) : null}
      <form className="card" onSubmit={submit} aria-label={editing ? 'Edit webhook' : 'New webhook'}>
        <Field label="URL">
          {(p) => <input {...p} type="url" value={url} onChange={(e) => setUrl(e.target.value)} />}
        </Field>
        <fieldset>
          <legend>Event types</legend>
          {(types.data?.events ?? []).map((type) => (
            <label key={type} className="checkbox">
              <input type="checkbox" checked={events.includes(type)} onChange={() => toggle(type)} /> {type}
            </label>
          ))}
        </fieldset>
        <FormError error={save.error} knownFields={['url', 'events']} />
        <button type="submit" className="button button-primary" disabled={save.isPending || !url || !events.length}>
          {editing ? 'Save webhook' : 'Create webhook'}
        </button>
        {editing ? (
          <button type="button" className="button" onClick={reset}>
            Cancel
          </button>
        ) : null}
      </form>
      <QueryView query={hooks} empty="No webhooks yet." loadingLabel="Loading the webhooks…">
        {(rows) => (
          <DataTable caption="Webhooks" testId="webhooks-table" columns={['URL', 'Events', 'State']} actions>
            {rows.map((hook) => (
              <tr key={hook.id}>
                <td data-label="URL">
                  <code>{hook.url}</code>
                </td>
                <td data-label="Events">{hook.events.join(', ')}</td>
                <td data-label="State">
                  {hook.enabled ? 'Enabled' : `Disabled${hook.disabled_reason ? `: ${hook.disabled_reason}` : ''}`}
                </td>
                <td data-label="Actions">
                  <button
                    type="button"
                    className="button button-small"
                    onClick={() => {
                      setEditing(hook);
                      setUrl(hook.url);
                      setEvents(hook.events);
                    }}
                  >
                    Edit <span className="visually-hidden">{hook.url}</span>
                  </button>{' '}
                  <button type="button" className="button button-small" onClick={() => enable.mutate(hook)}>
                    {hook.enabled ? 'Disable' : 'Enable'} <span className="visually-hidden">{hook.url}</span>
                  </button>{' '}
                  <button type="button" className="button button-small" onClick={() => test.mutate(hook)}>
                    Send test <span className="visually-hidden">to {hook.url}</span>
                  </button>{' '}
                  <button type="button" className="button button-small" onClick={() => setLogOf(hook)}>
                    Deliveries <span className="visually-hidden">of {hook.url}</span>
                  </button>{' '}
                  <button
                    type="button"
                    className="button button-small button-danger"
                    onClick={() => {
                      if (window.confirm(`Delete the webhook to ${hook.url}?`)) remove.mutate(hook);
                    }}
                  >
                    Delete <span className="visually-hidden">{hook.url}</span>
                  </button>
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </QueryView>
      {logOf ? <DeliveryLog hook={logOf} /> : null}
    </div>
  );
}

function DeliveryLog({ hook }: { hook: Webhook }) {
  const deliveries = useWebhookDeliveries(hook.id);
  return (
    <section aria-label="Delivery log">
      <h2>Deliveries to {hook.url}</h2>
      <QueryView query={deliveries} empty="Nothing delivered yet." loadingLabel="Loading the deliveries…">
        {(rows) => (
          <DataTable
            caption="Deliveries"
            testId="deliveries-table"
            columns={['When', 'Event', 'Try', 'Status', 'Duration', 'Response']}
          >
            {rows.map((delivery) => (
              <tr key={delivery.id}>
                <td data-label="When">{formatDateTime(delivery.at)}</td>
                <td data-label="Event">
                  <code>{delivery.event_type}</code>
                </td>
                <td data-label="Try">{delivery.attempt}</td>
                <td data-label="Status">
                  {delivery.status}
                  {delivery.status_code ? ` (${delivery.status_code})` : ''}
                </td>
                <td data-label="Duration">{Math.round(delivery.duration_ms)} ms</td>
                <td data-label="Response">
                  {delivery.error ?? <code className="mono">{delivery.response_body || '—'}</code>}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </QueryView>
    </section>
  );
}
