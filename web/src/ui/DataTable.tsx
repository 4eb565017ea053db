import type { ReactNode } from 'react';

type Props = {
  /** Read by screen readers only. */
  caption: ReactNode;
  /** The column headers; a false, null or undefined entry is left out (a column shown to some only). */
  columns: readonly (string | false | null | undefined)[];
  /** A last, unlabelled column for the row's buttons. */
  actions?: boolean;
  testId?: string;
  /** The rows: each cell carries its column's name in data-label (the stacked small-screen layout). */
  children: ReactNode;
};

/** The house table: scrolls sideways in its wrap and stacks into cards on narrow screens. */
export function DataTable({ caption, columns, actions = false, testId, children }: Props) {
  return (
    <div className="table-wrap">
      <table className="table responsive" data-testid={testId}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) =>
              column ? (
                <th key={column} scope="col">
                  {column}
                </th>
              ) : null,
            )}
            {actions ? (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
