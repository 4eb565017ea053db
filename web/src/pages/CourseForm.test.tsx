import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { makeCourse } from '../test/courses';
import { makeUser, mockFetch, renderPage, signInAs } from '../test/utils';
import { CourseForm } from './CourseForm';

describe('CourseForm certificate validity', () => {
  it('sets how long certificates stand, clears it with 0, and shows the server refusing a bad value', async () => {
    signInAs(makeUser());
    const course = makeCourse({ certificate_valid_months: 12 });
    const { calls } = mockFetch([
      {
        method: 'PUT',
        path: `/courses/${course.id}`,
        respond: ({ body }) => {
          const months = (body as { certificate_valid_months?: number }).certificate_valid_months ?? 0;
          if (months > 600)
            return {
              status: 422,
              body: {
                detail: 'Invalid course',
                errors: [{ field: 'certificate_valid_months', message: 'Certificate validity must be 0-600 months' }],
              },
            };
          return { body: { ...course, certificate_valid_months: months || null } };
        },
      },
    ]);
    const saved = vi.fn();
    renderPage(<CourseForm course={course} onSaved={saved} />);
    const field = screen.getByLabelText('Certificate valid for (months)');
    expect(field).toHaveValue(12);
    const user = userEvent.setup();
    await user.clear(field);
    await user.type(field, '601');
    await user.click(screen.getByRole('button', { name: /Save/ }));
    expect(await screen.findByText('Certificate validity must be 0-600 months')).toBeInTheDocument();
    await user.clear(field);
    await user.click(screen.getByRole('button', { name: /Save/ }));
    await vi.waitFor(() => expect(saved).toHaveBeenCalled());
    const puts = calls.filter((c) => c.method === 'PUT');
    expect(puts.map((c) => (c.body as { certificate_valid_months?: number }).certificate_valid_months)).toEqual([
      601, 0,
    ]);
  });
});
