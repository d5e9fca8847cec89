import { useEffect, useState, type FormEvent } from 'react';
import { api, type Problem, type Schemas } from '../api/client';
import { Field, KeysetPager, ProblemMessage, TableRegion, asProblem } from '../components/forms';
import { formatDate, nfc } from '../format';
import { useI18n } from '../i18n';
import { Link, navigate, useLocation } from '../router';

const STATUSES = ['draft', 'in_review', 'returned', 'approved', 'not_awarded', 'withdrawn', 'awarded', 'revoked'] as const;
const FILTERS = ['q', 'status', 'year', 'awardCode', 'unit', 'level', 'ruleSet'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

/** GET /nominations with its filters; keyset paging (the cursor travels in the address, so Back works). */
export default function SearchPage() {
  const { t, tv } = useI18n();
  const { query } = useLocation();
  const applied: Filters = Object.fromEntries(FILTERS.map((f) => [f, query.get(f) ?? ''])) as Filters;
  const cursor = query.get('cursor') ?? '';
  const [draft, setDraft] = useState<Filters>(applied);
  const [items, setItems] = useState<Schemas['NominationSummaryDto'][]>();
  const [next, setNext] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem>();
  const key = query.toString();

  useEffect(() => {
    let live = true;
    const params = new URLSearchParams(key);
    const search: Record<string, string> = {};
    for (const [k, v] of params) if (v !== '') search[k] = v;
    api.GET('/nominations', { params: { query: search as never } }).then(({ data, error, response }) => {
      if (!live) return;
      if (data) { setItems([...data.items]); setNext(data.nextCursor ?? null); setProblem(undefined); }
      else setProblem(asProblem(error, response.status));
    }, () => live && setProblem(asProblem(undefined, 0)));
    return () => { live = false; };
  }, [key]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const f of FILTERS) if (draft[f].trim() !== '') params.set(f, f === 'q' ? nfc(draft[f].trim()) : draft[f].trim());
    navigate(`/search?${params.toString()}`);
  };
  const page = (nextCursor: string) => {
    const params = new URLSearchParams(key);
    params.set('cursor', nextCursor);
    navigate(`/search?${params.toString()}`);
  };
  const set = (f: keyof Filters) => (value: string) => setDraft((d) => ({ ...d, [f]: value }));

  return (
    <section aria-labelledby="search-title">
      <h1 id="search-title">{t('search.title')}</h1>
      <form className="card" onSubmit={submit} role="search">
        <div className="grid">
          <Field label={t('search.query')}>{(id) => <input id={id} type="search" data-testid="search-input" value={draft.q} onChange={(e) => set('q')(e.target.value)} />}</Field>
          <Field label={t('nom.status')}>
            {(id) => (
              <select id={id} value={draft.status} onChange={(e) => set('status')(e.target.value)}>
                <option value="">{t('search.all')}</option>
                {STATUSES.map((s) => <option key={s} value={s}>{tv('status', s)}</option>)}
              </select>
            )}
          </Field>
          <Field label={t('nom.year')}>{(id) => <input id={id} inputMode="numeric" value={draft.year} onChange={(e) => set('year')(e.target.value)} />}</Field>
          <Field label={t('reports.unit')}>{(id) => <input id={id} inputMode="numeric" value={draft.unit} onChange={(e) => set('unit')(e.target.value)} />}</Field>
        </div>
        <button type="submit" className="primary">{t('search.submit')}</button>
      </form>
      <ProblemMessage problem={problem} />
      {items !== undefined && items.length === 0 && <p role="status">{t('search.empty')}</p>}
      {items !== undefined && items.length > 0 && (
        <TableRegion label={t('search.title')}>
          <table>
            <thead><tr><th scope="col">{t('nom.nominee')}</th><th scope="col">{t('nom.award')}</th><th scope="col">{t('nom.year')}</th><th scope="col">{t('nom.status')}</th><th scope="col">{t('nom.due')}</th></tr></thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.id} data-testid="search-row">
                  <td><Link href={`/nominations/${item.id}`}>{item.nominee.name}</Link></td>
                  <td>{item.awardName}</td>
                  <td>{item.year}</td>
                  <td>{tv('status', item.status)}</td>
                  <td className={item.overdue ? 'overdue' : undefined}>{formatDate(item.currentStage?.dueOn ?? null)}{item.overdue ? ` · ${t('nom.overdue')}` : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      <KeysetPager cursor={cursor} next={next} onMore={page} testId="search-next" />
    </section>
  );
}
