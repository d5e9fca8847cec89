import { useCallback, useEffect, useState } from 'react';
import { api, type Problem, type Schemas } from '../api/client';
import { Field, ProblemMessage, TableRegion, asProblem, useCommand, useDraft } from '../components/forms';
import { formatDate, nfc } from '../format';
import { useI18n } from '../i18n';
import { Link } from '../router';
import { hasRole, type Session } from '../session';

type Item = Schemas['InboxItemDto'];
type Outcome = { ok: boolean; name?: string; code?: string; detail?: string };

/** What waits for me, oldest due date first (the api's order), with bulk approve / return. */
export default function InboxPage({ session }: { session: Session }) {
  const { t, tv } = useI18n();
  const [items, setItems] = useState<Item[]>();
  // The next page's cursor: a province at year-end has more waiting than one page holds.
  const [next, setNext] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [problem, setProblem] = useState<Problem>();
  // The selection and the open bulk form outlive a session that expires mid-way (sign-in, then back).
  const [selected, setSelected, clearSelected] = useDraft<string[]>('inbox:selected', []);
  const [outcomes, setOutcomes] = useState<Record<string, Outcome>>({});
  const [mode, setMode, clearMode] = useDraft<'approve' | 'return' | null>('inbox:bulk', null);
  const [text, setText, clearText] = useDraft('inbox:bulk-text', '');
  const command = useCommand();

  const load = useCallback(async () => {
    const { data, error, response } = await api.GET('/inbox', { params: { query: { limit: '200' } } });
    if (data) { setItems([...data.items]); setNext(data.nextCursor ?? null); setProblem(undefined); }
    else setProblem(asProblem(error, response.status));
  }, []);
  useEffect(() => { void load(); }, [load]);

  /** The next page, after the rows on screen (the selection stays). */
  const loadMore = async () => {
    if (next === null) return;
    setLoadingMore(true);
    const { data, error, response } = await api.GET('/inbox', { params: { query: { limit: '200', cursor: next } } });
    setLoadingMore(false);
    if (data) {
      setItems((current) => {
        const shown = new Set((current ?? []).map((item) => item.nominationId));
        return [...(current ?? []), ...data.items.filter((item) => !shown.has(item.nominationId))];
      });
      setNext(data.nextCursor ?? null);
    } else setProblem(asProblem(error, response.status));
  };

  if (items === undefined) return problem ? <ProblemMessage problem={problem} /> : <p role="status">{t('common.loading')}</p>;
  const officer = hasRole(session, 'officer');
  // A kept selection counts only what is still waiting (another tab may have acted meanwhile).
  const chosen = selected.filter((id) => items.some((item) => item.nominationId === id));
  const allSelected = items.length > 0 && chosen.length === items.length;

  const runBulk = async () => {
    if (mode === null || chosen.length === 0) return;
    const ids = [...chosen];
    // Named as they were listed: once acted on, an item leaves the list that named it.
    const names = new Map(items.map((item) => [item.nominationId, item.nominee.name]));
    const result = mode === 'approve'
      ? await command.run({ ids, comment: text }, (key) => api.POST('/nominations/bulk/approve', { params: { header: { 'Idempotency-Key': key } }, body: { ids, ...(text.trim() ? { comment: nfc(text.trim()) } : {}) } }))
      : await command.run({ ids, reason: text }, (key) => api.POST('/nominations/bulk/return', { params: { header: { 'Idempotency-Key': key } }, body: { ids, reason: nfc(text.trim()), missing: [] } }));
    if (result) {
      setOutcomes(Object.fromEntries(result.results.map((r) => [r.id, {
        ok: r.ok, ...(names.has(r.id) ? { name: names.get(r.id)! } : {}), ...(r.code ? { code: r.code } : {}), ...(r.detail ? { detail: r.detail } : {}),
      }])));
      clearSelected();
      clearMode();
      clearText();
      await load();
    }
  };

  return (
    <section aria-labelledby="inbox-title">
      <h1 id="inbox-title">{t('inbox.title')}</h1>
      {Object.keys(outcomes).length > 0 && (
        <div className="card" role="status">
          <h2>{t('inbox.outcome')}</h2>
          <ul>
            {Object.entries(outcomes).map(([id, outcome]) => (
              <li key={id} data-testid="bulk-outcome" data-ok={outcome.ok}>
                <Link href={`/nominations/${id}`}>{outcome.name ?? id.slice(0, 8)}</Link>: {outcome.ok ? t('inbox.ok') : <>{t('inbox.failed')}: {tv('problemCode', outcome.code ?? '')} {outcome.detail && <span className="meta" lang="en">({outcome.detail})</span>}</>}
              </li>
            ))}
          </ul>
        </div>
      )}
      {items.length === 0 ? <p>{t('inbox.empty')}</p> : (
        <>
          {officer && (
            <div className="action-buttons">
              <button type="button" data-testid="bulk-approve" disabled={chosen.length === 0} onClick={() => setMode('approve')}>{t('inbox.bulkApprove')} ({chosen.length})</button>
              <button type="button" data-testid="bulk-return" disabled={chosen.length === 0} onClick={() => setMode('return')}>{t('inbox.bulkReturn')} ({chosen.length})</button>
            </div>
          )}
          {mode !== null && (
            <form className="card" onSubmit={(e) => { e.preventDefault(); void runBulk(); }} aria-label={mode === 'approve' ? t('inbox.bulkApprove') : t('inbox.bulkReturn')}>
              <Field label={mode === 'approve' ? t('action.comment') : t('action.reason')}>
                {(id) => <textarea id={id} data-testid={mode === 'approve' ? 'comment' : 'reason'} rows={2} value={text} onChange={(e) => setText(e.target.value)} />}
              </Field>
              <ProblemMessage problem={command.problem} />
              <div className="form-buttons">
                <button type="submit" className="primary" data-testid="confirm" disabled={command.pending}>{t('action.confirm')}</button>
                <button type="button" onClick={() => setMode(null)}>{t('common.cancel')}</button>
              </div>
            </form>
          )}
          <TableRegion label={t('inbox.title')}>
            <table>
              <thead>
                <tr>
                  {officer && (
                    <th scope="col">
                      <input type="checkbox" aria-label={t('inbox.selectAll')} checked={allSelected} onChange={(e) => setSelected(e.target.checked ? items.map((i) => i.nominationId) : [])} />
                    </th>
                  )}
                  <th scope="col">{t('nom.nominee')}</th>
                  <th scope="col">{t('nom.award')}</th>
                  <th scope="col">{t('nom.status')}</th>
                  <th scope="col">{t('nom.due')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((item) => {
                  const overdue = item.overdue;
                  return (
                    <tr key={item.nominationId} data-testid="inbox-row" className={overdue ? 'overdue' : undefined}>
                      {officer && (
                        <td>
                          <input type="checkbox" aria-label={`${t('inbox.select')} ${item.nominee.name}`} checked={selected.includes(item.nominationId)}
                            onChange={(e) => setSelected((s) => (e.target.checked ? [...s, item.nominationId] : s.filter((x) => x !== item.nominationId)))} />
                        </td>
                      )}
                      <td><Link href={`/nominations/${item.nominationId}`}>{item.nominee.name}</Link></td>
                      <td>{item.awardName} · {item.year}</td>
                      <td>{tv('status', item.status)}{item.unitName ? ` · ${item.unitName}` : ''}</td>
                      <td>{formatDate(item.dueOn)}{overdue && <span className="overdue"> · {t('nom.overdue')}</span>}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableRegion>
          {next !== null && (
            <div className="pager">
              <button type="button" data-testid="inbox-more" disabled={loadingMore} onClick={() => void loadMore()}>{t('common.more')}</button>
            </div>
          )}
          <ProblemMessage problem={problem} />
        </>
      )}
    </section>
  );
}
