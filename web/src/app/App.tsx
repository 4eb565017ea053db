import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { type ReactNode, useEffect, useState } from 'react';
import { ApiError, NETWORK_ERROR_STATUS } from '../api/errors';
import { auth } from '../auth/session';
import { LiveProvider } from '../realtime/LiveProvider';
import { clearToasts, Toasts } from '../ui/toasts';

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        refetchOnWindowFocus: true,
        // Only a network failure or a server error is worth asking again; a 4xx will not change.
        retry: (count, error) =>
          count < 2 && error instanceof ApiError && (error.status === NETWORK_ERROR_STATUS || error.status >= 500),
      },
      mutations: { retry: false },
    },
  });
}

export function App({ children, client }: { children: ReactNode; client?: QueryClient }) {
  const [queryClient] = useState(() => client ?? createQueryClient());
  useEffect(
    () =>
      auth.onSignOut(() => {
        queryClient.clear();
        clearToasts();
      }),
    [queryClient],
  );
  return (
    <QueryClientProvider client={queryClient}>
      <LiveProvider>
        {children}
        <Toasts />
      </LiveProvider>
    </QueryClientProvider>
  );
}
