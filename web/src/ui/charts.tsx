import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  Legend,
  Pie,
  PieChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';

/** Colours with at least 3:1 contrast against white, distinguishable with common colour blindness. */
export const PALETTE = ['#1f5fbf', '#b34d00', '#1c7c54', '#8a3ffc', '#a2191f', '#005d5d'];
const STATUS_COLOURS: Record<string, string> = { scheduled: '#1f5fbf', completed: '#1c7c54', cancelled: '#a2191f' };

export interface Datum {
  name: string;
  value: number;
}

/** What a chart counts, under its title, and what it says instead of empty axes. */
export interface ChartText {
  /** One sentence on what is counted (e.g. "completed sessions only"). */
  note?: string;
  /** Said instead of drawing axes when there is nothing to draw. */
  empty?: string;
}

const NOTHING_YET = 'Nothing to show yet.';

function Caption({ title, note }: { title: string; note?: string }) {
  return (
    <figcaption>
      {title}
      {note ? <span className="chart-note">{note}</span> : null}
    </figcaption>
  );
}

/** Nothing to draw: no rows, or every value zero (axes alone would look like a broken chart). */
export function isEmptyChart(values: number[]): boolean {
  return values.every((v) => !v);
}

/** Each chart comes with a data table for screen readers (the SVG is hidden from them). */
function DataTable({ caption, data, unit }: { caption: string; data: Datum[]; unit?: string }) {
  return (
    <table className="visually-hidden">
      <caption>{caption}</caption>
      <tbody>
        {data.map((d) => (
          <tr key={d.name}>
            <th scope="row">{d.name}</th>
            <td>
              {d.value}
              {unit ?? ''}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function SimpleBarChart({
  title,
  data,
  unit,
  colourBy,
  note,
  empty = NOTHING_YET,
}: { title: string; data: Datum[]; unit?: string; colourBy?: 'status' } & ChartText) {
  if (isEmptyChart(data.map((d) => d.value))) return <EmptyChart title={title} note={note} empty={empty} />;
  return (
    <figure className="chart">
      <Caption title={title} note={note} />
      <div className="chart-box" aria-hidden="true">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#d0d5dd" />
            <XAxis dataKey="name" tick={{ fill: '#344054', fontSize: 12 }} interval={0} />
            <YAxis
              allowDecimals={false}
              domain={unit === '%' ? [0, 100] : [0, 'auto']}
              tick={{ fill: '#344054', fontSize: 12 }}
              width={36}
            />
            <Tooltip formatter={(v) => `${String(v)}${unit ?? ''}`} />
            <Bar dataKey="value" name={title} isAnimationActive={false}>
              {data.map((d, i) => (
                <Cell
                  key={d.name}
                  fill={
                    colourBy === 'status'
                      ? (STATUS_COLOURS[d.name] ?? PALETTE[i % PALETTE.length])
                      : PALETTE[i % PALETTE.length]
                  }
                />
              ))}
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      </div>
      <DataTable caption={title} data={data} unit={unit} />
    </figure>
  );
}

export function DonutChart({ title, data, note, empty = NOTHING_YET }: { title: string; data: Datum[] } & ChartText) {
  if (isEmptyChart(data.map((d) => d.value))) return <EmptyChart title={title} note={note} empty={empty} />;
  return (
    <figure className="chart">
      <Caption title={title} note={note} />
      <div className="chart-box" aria-hidden="true">
        <ResponsiveContainer width="100%" height="100%">
          <PieChart>
            <Pie
              data={data}
              dataKey="value"
              nameKey="name"
              innerRadius="50%"
              outerRadius="80%"
              isAnimationActive={false}
              label
            >
              {data.map((d, i) => (
                <Cell key={d.name} fill={PALETTE[i % PALETTE.length]} />
              ))}
            </Pie>
            <Tooltip />
            <Legend />
          </PieChart>
        </ResponsiveContainer>
      </div>
      <DataTable caption={title} data={data} />
    </figure>
  );
}

/** A chart with nothing to draw says so, to everyone (not inside the hidden SVG box). */
function EmptyChart({
  title,
  note,
  empty,
  wide = false,
}: {
  title: string;
  note?: string;
  empty: string;
  wide?: boolean;
}) {
  return (
    <figure className={`chart chart-empty${wide ? ' chart-wide' : ''}`} data-testid="empty-chart">
      <Caption title={title} note={note} />
      <p className="empty">{empty}</p>
    </figure>
  );
}

export function GroupedBarChart({
  title,
  data,
  series,
  note,
  empty = NOTHING_YET,
}: {
  title: string;
  data: Record<string, string | number>[];
  series: { key: string; label: string }[];
} & ChartText) {
  if (isEmptyChart(data.flatMap((row) => series.map((s) => Number(row[s.key]) || 0)))) {
    return <EmptyChart title={title} note={note} empty={empty} wide />;
  }
  return (
    <figure className="chart chart-wide">
      <Caption title={title} note={note} />
      <div className="chart-box" aria-hidden="true">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#d0d5dd" />
            <XAxis dataKey="name" tick={{ fill: '#344054', fontSize: 12 }} />
            <YAxis tick={{ fill: '#344054', fontSize: 12 }} width={36} />
            <Tooltip />
            <Legend />
            {series.map((s, i) => (
              <Bar
                key={s.key}
                dataKey={s.key}
                name={s.label}
                fill={PALETTE[i % PALETTE.length]}
                isAnimationActive={false}
              />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </div>
      <table className="visually-hidden">
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            {series.map((s) => (
              <th key={s.key} scope="col">
                {s.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {data.map((row) => (
            <tr key={String(row.name)}>
              <th scope="row">{row.name}</th>
              {series.map((s) => (
                <td key={s.key}>{row[s.key]}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
