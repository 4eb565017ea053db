import type { Course, CourseOrder, Lesson, Module } from '../api/courses';

/** Modules by position, each with its lessons by position. */
export function sortedModules(course: Pick<Course, 'modules'>): Module[] {
  return [...course.modules]
    .sort((a, b) => a.position - b.position)
    .map((module) => ({ ...module, lessons: [...module.lessons].sort((a, b) => a.position - b.position) }));
}

/** The whole order, as PUT /courses/{id}/order takes it. */
export function orderOf(course: Pick<Course, 'modules'>): CourseOrder {
  return { modules: sortedModules(course).map((m) => ({ id: m.id, lessons: m.lessons.map((l) => l.id) })) };
}

function swap<T>(list: T[], from: number, to: number): T[] {
  const next = [...list];
  [next[from], next[to]] = [next[to], next[from]];
  return next;
}

/** Moves a module one place up (-1) or down (+1); null when it cannot move. */
export function moveModule(order: CourseOrder, moduleId: number, delta: -1 | 1): CourseOrder | null {
  const index = order.modules.findIndex((m) => m.id === moduleId);
  const target = index + delta;
  if (index < 0 || target < 0 || target >= order.modules.length) return null;
  return { modules: swap(order.modules, index, target) };
}

/**
 * Moves a lesson one place up or down; past the start or end of its module it goes to the
 * end of the module before or the start of the module after. Null when it cannot move.
 */
export function moveLesson(order: CourseOrder, lessonId: number, delta: -1 | 1): CourseOrder | null {
  const moduleIndex = order.modules.findIndex((m) => m.lessons.includes(lessonId));
  if (moduleIndex < 0) return null;
  const lessons = order.modules[moduleIndex].lessons;
  const index = lessons.indexOf(lessonId);
  const target = index + delta;
  const modules = order.modules.map((m) => ({ ...m, lessons: [...m.lessons] }));
  if (target >= 0 && target < lessons.length) {
    modules[moduleIndex].lessons = swap(lessons, index, target);
    return { modules };
  }
  const neighbour = moduleIndex + delta;
  if (neighbour < 0 || neighbour >= modules.length) return null;
  modules[moduleIndex].lessons.splice(index, 1);
  if (delta < 0) modules[neighbour].lessons.push(lessonId);
  else modules[neighbour].lessons.unshift(lessonId);
  return { modules };
}

/**
 * Puts a lesson (dragged) before another lesson, or at the end of a module when `beforeId`
 * is null. Null when nothing would change.
 */
export function placeLesson(
  order: CourseOrder,
  lessonId: number,
  moduleId: number,
  beforeId: number | null,
): CourseOrder | null {
  if (lessonId === beforeId) return null;
  if (!order.modules.some((m) => m.id === moduleId)) return null;
  const modules = order.modules.map((m) => ({ ...m, lessons: m.lessons.filter((id) => id !== lessonId) }));
  if (modules.every((m, i) => m.lessons.length === order.modules[i].lessons.length)) return null;
  const target = modules.find((m) => m.id === moduleId);
  if (!target) return null;
  const at = beforeId == null ? -1 : target.lessons.indexOf(beforeId);
  if (at < 0) target.lessons.push(lessonId);
  else target.lessons.splice(at, 0, lessonId);
  const same = modules.every((m, i) => m.lessons.join() === order.modules[i].lessons.join());
  return same ? null : { modules };
}

/** The course with one lesson saved into its module (new ones at the end). */
export function withLesson(course: Course, lesson: Lesson): Course {
  return {
    ...course,
    modules: course.modules.map((module) => {
      const others = module.lessons.filter((l) => l.id !== lesson.id);
      if (module.id !== lesson.module_id)
        return others.length === module.lessons.length ? module : { ...module, lessons: others };
      const exists = others.length !== module.lessons.length;
      return {
        ...module,
        lessons: exists ? module.lessons.map((l) => (l.id === lesson.id ? lesson : l)) : [...module.lessons, lesson],
      };
    }),
  };
}
