import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../api/client';
import { PageHeader } from '../ui/PageHeader';
import { QueryView } from '../ui/states';

export function JoinPage() {
  const link = useParams().link ?? '';
  const queryClient = useQueryClient();
  const join = useQuery({
    queryKey: ['join', link],
    queryFn: () => unwrap(api.GET('/join/{session_link}', { params: { path: { session_link: link } } })),
    staleTime: Infinity,
    gcTime: Infinity,
    retry: false,
    refetchOnWindowFocus: false,
  });
  useEffect(() => {
    if (join.data) void queryClient.invalidateQueries({ queryKey: ['sessions'] });
  }, [join.data, queryClient]);
  return (
    <div className="narrow">
      <PageHeader title="Join a session" />
      <QueryView query={join} loadingLabel="Joining…">
        {(answer) => {
          const target = answer.session.class_link || answer.redirect_to;
          return (
            <div className="card stack">
              <p role="status">{answer.message}</p>
              <h2>{answer.session.title}</h2>
              {target ? (
                <a className="button button-primary" href={target} target="_blank" rel="noopener noreferrer">
                  Open the class (new tab)
                </a>
              ) : null}
              <Link to="/my">Back to my training</Link>
            </div>
          );
        }}
      </QueryView>
    </div>
  );
}
