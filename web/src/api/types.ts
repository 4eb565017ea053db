/**
 * Resource shapes of the TMS HTTP API, taken from the types generated from the OpenAPI
 * document (schema.d.ts, `npm run api:types`) under the names the pages use. Only what the
 * document does not describe is written here: the 409 answer's clashes and WebSocket frames.
 */
import type { components } from './schema';

type Schemas = components['schemas'];

/**
 * Lists every member of a union once, as a value: the type check fails when the API gains
 * a member the list lacks (a new role or status must be offered in the pickers).
 */
function everyMember<T extends string>() {
  return <const L extends readonly T[]>(list: L & ([Exclude<T, L[number]>] extends [never] ? unknown : never)) => list;
}

export type User = Schemas['UserOut'];
export type Role = User['role'];
export const ROLES = everyMember<Role>()(['admin', 'trainer', 'trainee']);

export type TrainingSession = Schemas['SessionOut'];
export type SessionStatus = TrainingSession['status'];
export const SESSION_STATUSES = everyMember<SessionStatus>()(['scheduled', 'completed', 'cancelled']);

/** The status a filter's text names, or '' (any status) for anything else. */
export function statusFilter(value: string | null): SessionStatus | '' {
  return SESSION_STATUSES.find((status) => status === value) ?? '';
}

export type SessionInput = Schemas['SessionCreateIn'];
export type LoginAnswer = Schemas['LoginOut'];
export type CreateUserAnswer = Schemas['UserCreateOut'];
export type Assignment = Schemas['AssignmentOut'];
export type AttendanceListing = Schemas['AttendanceListingOut'];
export type TraineeProgress = Schemas['TraineeProgressOut'];
export type TrainerTrainee = Schemas['TrainerTraineeOut'];
export type Overview = Schemas['OverviewOut'];
export type AuditEntry = Schemas['AuditEntryOut'];
export type BackgroundJob = Schemas['JobOut'];
export type ApiClient = Schemas['ApiClientOut'];
export type ApiClientSecret = Schemas['ApiClientSecretOut'];
export type Webhook = Schemas['WebhookOut'];
export type WebhookCreated = Schemas['WebhookCreatedOut'];
export type WebhookDelivery = Schemas['WebhookDeliveryOut'];
export const API_SCOPES = everyMember<ApiClientIn['scopes'][number]>()([
  'users:read',
  'users:write',
  'sessions:read',
  'sessions:write',
  'courses:read',
  'courses:write',
  'progress:read',
  'reports:read',
]);
type ApiClientIn = Schemas['ApiClientIn'];
export type BookableSession = Schemas['BookableSessionOut'];
export type BookingAnswer = Schemas['BookingOut'];
export type Room = Schemas['RoomOut'];
export type RoomInput = Schemas['RoomCreateIn'];
export type JobStatus = BackgroundJob['status'];
export const JOB_STATUSES = everyMember<JobStatus>()(['failed', 'queued', 'running', 'succeeded']);

/**
 * One session a booking clashes with: the `conflicts` of a 409 double booking (docs/api.md;
 * the OpenAPI document gives 409 answers the plain error shape).
 */
export interface BookingConflict {
  session_id: number;
  title: string;
  scheduled_date: string;
  ends_at: string;
  /** Set when the trainer being booked already trains that session. */
  trainer: { id: number; name: string } | null;
  /** The trainees being booked who are already enrolled in it. */
  trainees: { id: number; name: string }[];
  /** For a room taken: the room both sessions would be held in. */
  room?: { id: number; name: string };
}

export const AUDIT_ACTIONS = [
  'user.created',
  'user.updated',
  'user.deleted',
  'user.password_changed',
  'user.password_reset',
  'user.locked',
  'user.unlocked',
  'session.created',
  'session.updated',
  'session.deleted',
  'session.booked',
  'session.booking_cancelled',
  'session.waitlist_promoted',
  'enrolment.added',
  'enrolment.removed',
  'assignment.created',
  'assignment.deleted',
  'attendance.marked',
  'attendance.updated',
  'attendance.deleted',
  'job.retried',
  'room.created',
  'room.updated',
  'room.deleted',
  'batch.created',
  'batch.updated',
  'batch.deleted',
  'batch.members_added',
  'batch.member_removed',
  'batch.course_enrolled',
] as const;

export const AUDIT_TARGET_TYPES = [
  'user',
  'session',
  'enrolment',
  'assignment',
  'attendance',
  'job',
  'room',
  'batch',
] as const;

/** A WebSocket frame (docs/api.md; WebSocket frames are not part of the OpenAPI document). */
export interface LiveEvent {
  type: string;
  data: Record<string, unknown>;
  id?: number;
  ts?: string;
}

export type UserImport = Schemas['ImportOut'];
export type ImportCellError = Schemas['CellErrorOut'];
