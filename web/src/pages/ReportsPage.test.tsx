import { describe, expect, it } from 'vitest';
import { reportQuery } from './ReportsPage';

describe('reportQuery', () => {
  it('sends only the filters that are set, with an exclusive end', () => {
    const all = ['summary', 'users', 'sessions', 'attendance', 'progress'];
    expect(reportQuery({ from: '', to: '', trainer: '', status: '', sections: all }, 'pdf')).toEqual({
      bom: undefined,
      format: 'pdf',
      from: null,
      to: null,
      trainer_id: null,
      status: null,
      sections: null,
    });
    const q = reportQuery(
      {
        from: '2026-05-01',
        to: '2026-05-31',
        trainer: '4',
        status: 'completed',
        sections: ['users', 'sessions'],
        bom: true,
      },
      'csv',
    );
    expect(q).toMatchObject({
      format: 'csv',
      bom: true,
      trainer_id: 4,
      status: 'completed',
      sections: 'users,sessions',
    });
    expect(new Date(String(q.to)).getDate()).toBe(1);
    expect(new Date(String(q.to)).getMonth()).toBe(5);
  });
});
