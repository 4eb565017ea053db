import {
  addDays,
  addMonths,
  addWeeks,
  endOfMonth,
  endOfWeek,
  isSameDay,
  startOfDay,
  startOfMonth,
  startOfWeek,
} from 'date-fns';
import { parseInstant } from './time';

export type CalendarView = 'week' | 'month';
const WEEK = { weekStartsOn: 1 as const };

/** The half-open range [from, to) of local days a calendar view shows. */
export function visibleRange(view: CalendarView, anchor: Date): { from: Date; to: Date; days: Date[] } {
  const from = view === 'week' ? startOfWeek(anchor, WEEK) : startOfWeek(startOfMonth(anchor), WEEK);
  const last = view === 'week' ? endOfWeek(anchor, WEEK) : endOfWeek(endOfMonth(anchor), WEEK);
  const days: Date[] = [];
  for (let day = from; day <= last; day = addDays(day, 1)) days.push(day);
  return { from, to: addDays(startOfDay(last), 1), days };
}

export function shiftAnchor(view: CalendarView, anchor: Date, step: number): Date {
  return view === 'week' ? addWeeks(anchor, step) : addMonths(anchor, step);
}

export function onDay<T extends { scheduled_date: string }>(items: T[], day: Date): T[] {
  return items.filter((item) => isSameDay(parseInstant(item.scheduled_date), day));
}
