import { useEffect, useState, type FormEvent } from 'react';
import { api, saveDownload, type Problem, type Schemas } from '../api/client';
import { Field, ProblemMessage, TableRegion, asProblem } from '../components/forms';
import { formatCount, formatMoney } from '../format';
import { useI18n } from '../i18n';
import type { Session } from '../session';

/** The awards table with totals, a bar chart per award, CSV; time spent per stage. */
export default function ReportsPage({ session }: { session: Session }) {
  const { t, tv } = useI18n();
  const [unit, setUnit] = useState(session.person.unit);
  const [year, setYear] = useState('');
  const [applied, setApplied] = useState({ unit: session.person.unit, year: '' });
  const [rows, setRows] = useState<Schemas['AwardsReportRowDto'][]>();
  const [stages, setStages] = useState<Schemas['StagesReportRowDto'][]>();
  const [totals, setTotals] = useState<Schemas['AwardsReportDto']['totals']>();
  const [problem, setProblem] = useState<Problem>();

  useEffect(() => {
    let live = true;
    const query = { unit: applied.unit, ...(applied.year ? { year: applied.year } : {}) };
    api.GET('/reports/awards', { params: { query } }).then(({ data, error, response }) => {
      if (!live) return;
      if (data) { setRows([...data.rows]); setTotals(data.totals); setProblem(undefined); } else setProblem(asProblem(error, response.status));
    }, () => undefined);
    api.GET('/reports/stages', { params: { query: { unit: applied.unit } } }).then(({ data }) => live && data && setStages([...data.rows]), () => undefined);
    return () => { live = false; };
  }, [applied]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setApplied({ unit: unit.trim(), year: year.trim() });
  };
  const csv = async () => {
    const query = { unit: applied.unit, ...(applied.year ? { year: applied.year } : {}) };
    const failed = await saveDownload(
      api.GET('/reports/awards', { params: { query }, headers: { Accept: 'text/csv' }, parseAs: 'blob' }),
      `bao-cao-khen-thuong-${applied.unit}${applied.year ? `-${applied.year}` : ''}.csv`,
    );
    setProblem(failed);
  };

  const perAward = new Map<string, { name: string; count: number }>();
  for (const row of rows ?? []) {
    const entry = perAward.get(row.awardCode) ?? { name: row.awardName, count: 0 };
    entry.count += row.count;
    perAward.set(row.awardCode, entry);
  }
  const bars = [...perAward.values()];
  const max = Math.max(1, ...bars.map((b) => b.count));

  return (
    <section aria-labelledby="reports-title">
      <h1 id="reports-title">{t('reports.title')}</h1>
      <form className="card" onSubmit={submit}>
        <div className="grid">
          <Field label={t('reports.unit')}>{(id) => <input id={id} inputMode="numeric" value={unit} onChange={(e) => setUnit(e.target.value)} />}</Field>
          <Field label={t('nom.year')}>{(id) => <input id={id} inputMode="numeric" value={year} onChange={(e) => setYear(e.target.value)} />}</Field>
        </div>
        <div className="form-buttons">
          <button type="submit" className="primary">{t('search.submit')}</button>
          <button type="button" data-testid="report-csv" onClick={() => void csv()}>{t('reports.csv')}</button>
        </div>
      </form>
      <ProblemMessage problem={problem} />
      {rows !== undefined && (
        <TableRegion label={t('reports.title')}>
          <table>
            <thead><tr><th scope="col">{t('nom.award')}</th><th scope="col">{t('form.nomineeKind')}</th><th scope="col">{t('form.gender')}</th><th scope="col" className="num">{t('reports.count')}</th><th scope="col" className="num">{t('nom.bonus')}</th></tr></thead>
            <tbody>
              {rows.map((row, i) => (
                <tr key={i} data-testid="report-row">
                  <td>{row.awardName}</td><td>{tv('kind', row.nomineeKind)}</td><td>{row.gender ? tv('gender', row.gender) : '—'}</td>
                  <td className="num">{formatCount(row.count)}</td><td className="num">{formatMoney(row.bonusTotal)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" colSpan={3}>{t('reports.total')}</th>
                <td className="num" data-testid="report-total-count">{formatCount(totals?.count ?? rows.reduce((n, r) => n + r.count, 0))}</td>
                <td className="num" data-testid="report-total-bonus">{formatMoney(totals?.bonusTotal ?? rows.reduce((n, r) => n + r.bonusTotal, 0))}</td>
              </tr>
            </tfoot>
          </table>
        </TableRegion>
      )}
      {bars.length > 0 && (
        <figure className="card">
          <figcaption>{t('reports.chart')}</figcaption>
          <svg className="chart" viewBox={`0 0 600 ${bars.length * 36 + 8}`} role="img" aria-label={bars.map((b) => `${b.name}: ${b.count}`).join('; ')}>
            {bars.map((bar, i) => (
              <g key={bar.name} transform={`translate(0 ${i * 36 + 4})`}>
                <text x="0" y="13">{bar.name}</text>
                <rect className="bar" x="0" y="17" height="14" width={Math.max(2, (bar.count / max) * 540)} />
                <text x={Math.max(2, (bar.count / max) * 540) + 6} y="29">{formatCount(bar.count)}</text>
              </g>
            ))}
          </svg>
        </figure>
      )}
      {stages !== undefined && stages.length > 0 && (
        <TableRegion label={t('reports.stages')}>
          <table>
            <caption>{t('reports.stages')}</caption>
            <thead><tr><th scope="col">{t('reports.unit')}</th><th scope="col" className="num">{t('reports.inReview')}</th><th scope="col" className="num">{t('reports.overdue')}</th><th scope="col" className="num">{t('reports.median')}</th></tr></thead>
            <tbody>
              {stages.map((s, i) => (
                <tr key={i}><td>{s.unitName} <span className="meta">({s.unit})</span></td><td className="num">{s.inReview}</td><td className="num">{s.overdue}</td><td className="num">{s.medianWorkingDays ?? '—'}</td></tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
    </section>
  );
}
