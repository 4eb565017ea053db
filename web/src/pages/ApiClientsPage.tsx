import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, unwrap } from '../api/client';
import { describeError } from '../api/errors';
import { keys, useApiClients } from '../api/queries';
import { API_SCOPES, type ApiClient, type ApiClientSecret } from '../api/types';
import { formatDateTime } from '../lib/time';
import { CopyField, SecretShownOnce } from '../ui/CopyField';
import { DataTable } from '../ui/DataTable';
import { Field, FormError } from '../ui/forms';
import { PageHeader } from '../ui/PageHeader';
import { QueryView } from '../ui/states';
import { showToast } from '../ui/toasts';

type Scope = (typeof API_SCOPES)[number];

/** Admins: partners' API clients. A secret is shown once, when made or rotated. */
export function ApiClientsPage() {
  const queryClient = useQueryClient();
  const clients = useApiClients();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>([]);
  const [secret, setSecret] = useState<{ label: string; issued: ApiClientSecret } | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: keys.apiClients() });

  const create = useMutation({
    mutationFn: () => unwrap(api.POST('/api-clients', { body: { name, scopes } })),
    onSuccess: (issued) => {
      setSecret({ label: name, issued });
      setName('');
      setScopes([]);
      refresh();
    },
  });
  const rotate = useMutation({
    mutationFn: (client: ApiClient) =>
      unwrap(api.POST('/api-clients/{client_id}/rotate-secret', { params: { path: { client_id: client.id } } })),
    onSuccess: (issued, client) => {
      setSecret({ label: client.name, issued });
      refresh();
    },
    onError: (error) => showToast({ title: 'Could not rotate the secret', body: describeError(error), tone: 'error' }),
  });
  const revoke = useMutation({
    mutationFn: (client: ApiClient) =>
      unwrap(api.DELETE('/api-clients/{client_id}', { params: { path: { client_id: client.id } } })),
    onSuccess: (_answer, client) => {
      showToast({ title: `${client.name} revoked`, body: 'Its tokens stop working now.', tone: 'success' });
      refresh();
    },
    onError: (error) => showToast({ title: 'Could not revoke the client', body: describeError(error), tone: 'error' }),
  });

  const toggle = (scope: Scope) =>
    setScopes((current) => (current.includes(scope) ? current.filter((s) => s !== scope) : [...current, scope]));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };

  return (
    <div>
      <PageHeader title="API clients">
        <p className="muted">
          Credentials for partners who script against the TMS (OAuth 2.0 client credentials). Each reaches only its
          scopes.
        </p>
      </PageHeader>
      {secret ? (
        <SecretShownOnce
          label="New secret"
          testId="client-secret"
          onDone={() => setSecret(null)}
          notice={
            <>
              <strong>Copy the secret of {secret.label} now: it is not shown again.</strong>
              {secret.issued.previous_secret_valid_until
                ? ` The previous secret works until ${formatDateTime(secret.issued.previous_secret_valid_until)}.`
                : ''}
            </>
          }
        >
          <CopyField label="Client ID" value={secret.issued.client_id} />
          <CopyField label="Client secret" value={secret.issued.client_secret} testId="secret-value" />
        </SecretShownOnce>
      ) : null}
      <form className="card" onSubmit={submit} aria-label="New API client">
        <Field label="Name">{(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} />}</Field>
        <fieldset>
          <legend>Scopes</legend>
          {API_SCOPES.map((scope) => (
            <label key={scope} className="checkbox">
              <input type="checkbox" checked={scopes.includes(scope)} onChange={() => toggle(scope)} /> {scope}
            </label>
          ))}
        </fieldset>
        <FormError error={create.error} knownFields={['name', 'scopes']} />
        <button type="submit" className="button button-primary" disabled={create.isPending || !name || !scopes.length}>
          Create client
        </button>
      </form>
      <QueryView query={clients} empty="No API clients yet." loadingLabel="Loading the API clients…">
        {(rows) => (
          <DataTable
            caption="API clients"
            testId="clients-table"
            columns={['Name', 'Client ID', 'Scopes', 'Created']}
            actions
          >
            {rows.map((client) => (
              <tr key={client.id}>
                <td data-label="Name">{client.name}</td>
                <td data-label="Client ID">
                  <code>{client.client_id}</code>
                </td>
                <td data-label="Scopes">{client.scopes.join(', ')}</td>
                <td data-label="Created">{formatDateTime(client.created_at)}</td>
                <td data-label="Actions">
                  <button
                    type="button"
                    className="button button-small"
                    onClick={() => rotate.mutate(client)}
                    disabled={rotate.isPending}
                  >
                    Rotate secret <span className="visually-hidden">of {client.name}</span>
                  </button>{' '}
                  <button
                    type="button"
                    className="button button-small button-danger"
                    onClick={() => {
                      if (window.confirm(`Revoke ${client.name}? Its tokens stop working at once.`)) {
                        revoke.mutate(client);
                      }
                    }}
                    disabled={revoke.isPending}
                  >
                    Revoke <span className="visually-hidden">{client.name}</span>
                  </button>
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </QueryView>
    </div>
  );
}
