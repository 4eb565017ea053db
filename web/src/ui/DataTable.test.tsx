import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { DataTable } from './DataTable';

const row = (
  <tr>
    <td data-label="Name">Lab 1</td>
    <td data-label="Seats">12</td>
    <td data-label="Actions">
      <button type="button">Edit</button>
    </td>
  </tr>
);

describe('DataTable', () => {
  it('renders the markup the pages wrote by hand, actions column included', () => {
    const byHand = render(
      <div className="table-wrap">
        <table className="table responsive" data-testid="rooms-table">
          <caption className="visually-hidden">Rooms of {'Block A'}</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Seats</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>{row}</tbody>
        </table>
      </div>,
    ).container.innerHTML;
    const shared = render(
      <DataTable caption={<>Rooms of {'Block A'}</>} testId="rooms-table" columns={['Name', 'Seats']} actions>
        {row}
      </DataTable>,
    ).container.innerHTML;
    expect(shared).toBe(byHand);
  });

  it('leaves out a column shown to some only, and the test id and actions column when not asked for', () => {
    const { container } = render(
      <DataTable caption="Courses" columns={['Course', false, 'Time']}>
        <tr>
          <td data-label="Course">Python</td>
          <td data-label="Time">1 h</td>
        </tr>
      </DataTable>,
    );
    const table = container.querySelector('table');
    expect(table?.hasAttribute('data-testid')).toBe(false);
    expect([...container.querySelectorAll('th')].map((th) => [th.getAttribute('scope'), th.textContent])).toEqual([
      ['col', 'Course'],
      ['col', 'Time'],
    ]);
    expect(container.querySelector('caption')?.className).toBe('visually-hidden');
  });
});
