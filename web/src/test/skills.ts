import type { Skill, UserSkill } from '../api/skills';

export function makeSkill(overrides: Partial<Skill> = {}): Skill {
  return { id: 7, name: 'SQL', category: 'Data', description: 'Queries and joins', ...overrides };
}

export function makeUserSkill(overrides: Partial<UserSkill> = {}): UserSkill {
  return {
    skill: makeSkill(),
    level: 3,
    source: 'course',
    awarded_at: '2026-05-01T09:00:00+00:00',
    ...overrides,
  };
}
