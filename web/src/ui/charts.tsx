import { Bar, BarChart, CartesianGrid, Cell, Legend, Pie, PieChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

/** Colours with at least 3:1 contrast against white, distinguishable with common colour blindness. */
export const PALETTE = ['#1f5fbf', '#b34d00', '#1c7c54', '#8a3ffc', '#a2191f', '#005d5d'];
const STATUS_COLOURS: Record<string, string> = { scheduled: '#1f5fbf', completed: '#1c7c54', cancelled: '#a2191f' };

export interface Datum {
  name: string;
  value: number;
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

export function SimpleBarChart({ title, data, unit, colourBy }: { title: string; data: Datum[]; unit?: string; colourBy?: 'status' }) {
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
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
                <Cell key={d.name} fill={colourBy === 'status' ? STATUS_COLOURS[d.name] ?? PALETTE[i % PALETTE.length] : PALETTE[i % PALETTE.length]} />
              ))}
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      </div>
      <DataTable caption={title} data={data} unit={unit} />
    </figure>
  );
}

export function DonutChart({ title, data }: { title: string; data: Datum[] }) {
  const total = data.reduce((sum, d) => sum + d.value, 0);
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div className="chart-box" aria-hidden="true">
        {total === 0 ? (
          <p className="empty">Nothing to show yet.</p>
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <PieChart>
              <Pie data={data} dataKey="value" nameKey="name" innerRadius="50%" outerRadius="80%" isAnimationActive={false} label>
                {data.map((d, i) => (
                  <Cell key={d.name} fill={PALETTE[i % PALETTE.length]} />
                ))}
              </Pie>
              <Tooltip />
              <Legend />
            </PieChart>
          </ResponsiveContainer>
        )}
      </div>
      <DataTable caption={title} data={data} />
    </figure>
  );
}

export function GroupedBarChart({
  title,
  data,
  series,
}: {
  title: string;
  data: Record<string, string | number>[];
  series: { key: string; label: string }[];
}) {
  return (
    <figure className="chart chart-wide">
      <figcaption>{title}</figcaption>
      <div className="chart-box" aria-hidden="true">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#d0d5dd" />
            <XAxis dataKey="name" tick={{ fill: '#344054', fontSize: 12 }} />
            <YAxis tick={{ fill: '#344054', fontSize: 12 }} width={36} />
            <Tooltip />
            <Legend />
            {series.map((s, i) => (
              <Bar key={s.key} dataKey={s.key} name={s.label} fill={PALETTE[i % PALETTE.length]} isAnimationActive={false} />
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
