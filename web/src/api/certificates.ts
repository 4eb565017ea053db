/**
 * Certificates, their public verification and compliance (API.md part two, "Skills,
 * assessments, certificates"): aliases of the generated schemas, calls through the typed client.
 */
import { type QueryKey, type UseQueryOptions, useQuery } from '@tanstack/react-query';
import { api, downloadFile, unwrap } from './client';
import type { components, paths } from './schema';

type Schemas = components['schemas'];

export type Certificate = Schemas['CertificateOut'];
export type Verification = Schemas['VerificationOut'];
export type ComplianceRow = Schemas['ComplianceRowOut'];
export type CertificateQuery = NonNullable<paths['/certificates']['get']['parameters']['query']>;
export type ComplianceQuery = NonNullable<paths['/compliance']['get']['parameters']['query']>;
export type ReportFormat = 'csv' | 'excel' | 'pdf';

const certificateId = (id: number) => ({ params: { path: { certificate_id: id } } });

export const certificatesApi = {
  list: (query: CertificateQuery, signal?: AbortSignal) =>
    unwrap(api.GET('/certificates', { params: { query }, signal })),
  /** Saves the certificate's PDF (the download needs the bearer header). */
  downloadPdf: (id: number) =>
    downloadFile(
      api.GET('/certificates/{certificate_file}', {
        params: { path: { certificate_file: `${id}.pdf` } },
        parseAs: 'blob',
      }),
      `certificate-${id}.pdf`,
    ),
  revoke: (id: number) => unwrap(api.POST('/certificates/{certificate_id}/revoke', certificateId(id))),
  renew: (id: number) => unwrap(api.POST('/certificates/{certificate_id}/renew', certificateId(id))),
  /** Anyone, signed in or not. */
  verify: (code: string, signal?: AbortSignal) =>
    unwrap(api.GET('/verify/{code}', { params: { path: { code } }, signal })),
  compliance: (query: ComplianceQuery, signal?: AbortSignal) =>
    unwrap(api.GET('/compliance', { params: { query }, signal })),
  downloadCompliance: (format: ReportFormat, query: Omit<ComplianceQuery, 'skip' | 'limit'>) =>
    downloadFile(
      api.GET('/compliance/report', { params: { query: { ...query, format } }, parseAs: 'blob' }),
      `compliance.${format === 'excel' ? 'xlsx' : format}`,
    ),
};

/** Query keys: the first element is the family that live events invalidate (realtime/events.ts). */
export const certificateKeys = {
  list: (query: CertificateQuery) => ['certificates', query] as const,
  verify: (code: string) => ['verify', code] as const,
  compliance: (query: ComplianceQuery) => ['compliance', query] as const,
};

type Options<T> = Omit<UseQueryOptions<T, Error, T, QueryKey>, 'queryKey' | 'queryFn'>;

export const useCertificates = (query: CertificateQuery, options?: Options<Certificate[]>) =>
  useQuery<Certificate[], Error, Certificate[], QueryKey>({
    queryKey: certificateKeys.list(query),
    queryFn: ({ signal }) => certificatesApi.list(query, signal),
    ...options,
  });

export const useVerification = (code: string) =>
  useQuery<Verification, Error, Verification, QueryKey>({
    queryKey: certificateKeys.verify(code),
    queryFn: ({ signal }) => certificatesApi.verify(code, signal),
    retry: false,
  });

export const useCompliance = (query: ComplianceQuery) =>
  useQuery<ComplianceRow[], Error, ComplianceRow[], QueryKey>({
    queryKey: certificateKeys.compliance(query),
    queryFn: ({ signal }) => certificatesApi.compliance(query, signal),
  });
