/** Resource shapes of the TMS HTTP/WebSocket contract (docs/api.md and docs/openapi.json). */

export type Role = 'admin' | 'trainer' | 'trainee';
export const ROLES: Role[] = ['admin', 'trainer', 'trainee'];

export interface User {
  id: number;
  username: string;
  email: string;
  role: Role;
  first_name: string;
  last_name: string;
  name: string;
  is_temporary_password: boolean;
  created_at: string;
  updated_at: string;
}

export type SessionStatus = 'scheduled' | 'completed' | 'cancelled';
export const SESSION_STATUSES: SessionStatus[] = ['scheduled', 'completed', 'cancelled'];

export interface TrainingSession {
  id: number;
  title: string;
  description: string | null;
  trainer_id: number;
  trainees: User[];
  scheduled_date: string;
  duration_minutes: number;
  status: SessionStatus;
  class_link: string | null;
  session_link: string;
  created_at: string;
  updated_at: string;
}

export interface SessionInput {
  title: string;
  description?: string | null;
  trainer_id: number;
  trainees?: number[];
  scheduled_date: string;
  duration_minutes: number;
  status?: SessionStatus;
  class_link?: string | null;
}

/** One session a booking clashes with (the `conflicts` of a 409 double booking). */
export interface BookingConflict {
  session_id: number;
  title: string;
  scheduled_date: string;
  ends_at: string;
  /** Set when the trainer being booked already trains that session. */
  trainer: { id: number; name: string } | null;
  /** The trainees being booked who are already enrolled in it. */
  trainees: { id: number; name: string }[];
}

export interface LoginAnswer {
  access_token: string;
  token_type: 'bearer';
  user: User;
  force_password_change: boolean;
}

export interface CreateUserAnswer {
  user: User;
  temporary_password?: string | null;
  message: string;
}

export interface Assignment {
  id: number;
  student: User;
  teacher: User;
  assigned_date: string;
}

export interface AttendanceRecord {
  id: number;
  session_id: number;
  trainee_id: number;
  present: boolean;
  marked_at: string;
}

export interface AttendanceListing {
  id: number;
  session: Omit<TrainingSession, 'trainees'>;
  trainee: User;
  present: boolean;
  marked_at: string;
}

export interface TraineeProgress {
  trainee_id: number;
  trainee: User;
  total_sessions: number;
  attended_sessions: number;
  progress_percentage: number;
}

export interface TrainerTrainee {
  trainee: User;
  sessions: { id: number; title: string; created_at: string }[];
  sessions_count: number;
  last_active: string | null;
  status: 'active' | 'inactive';
}

export interface TrainerSummary {
  trainer_id: number;
  name: string;
  sessions: number;
  hours: number;
  attendance_rate: number;
}

export interface Overview {
  users_by_role: Record<Role, number>;
  sessions_by_status: Record<SessionStatus, number>;
  attendance_rate: number;
  trainers: TrainerSummary[];
  upcoming: { id: number; title: string; scheduled_date: string; trainer_id: number; trainees: unknown }[];
  trainees_without_sessions: number;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor_id: number | null;
  actor: string | null;
  action: string;
  target_type: string;
  target_id: number | null;
  client_address: string | null;
  changes: Record<string, [unknown, unknown]> | null;
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
  'enrolment.added',
  'enrolment.removed',
  'assignment.created',
  'assignment.deleted',
  'attendance.marked',
  'attendance.updated',
  'attendance.deleted',
] as const;

export const AUDIT_TARGET_TYPES = ['user', 'session', 'enrolment', 'assignment', 'attendance'] as const;

export interface Message {
  message: string;
}

/** A WebSocket frame. */
export interface LiveEvent {
  type: string;
  data: Record<string, unknown>;
  id?: number;
  ts?: string;
}
