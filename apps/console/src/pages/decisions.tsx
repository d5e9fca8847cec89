import { useEffect, useState, type FormEvent } from 'react';
import { api, type Problem, type Schemas } from '../api/client';
import { DateInput, Field, ProblemMessage, TableRegion, asProblem, useCommand, useDraft } from '../components/forms';
import { formatDate, formatDateTime, formatMoney, nfc, todayInVietnam } from '../format';
import { useI18n } from '../i18n';
import { Link, navigate, useLocation } from '../router';
import { hasRole, type Session } from '../session';

type Decision = Schemas['DecisionViewDto'];
const GROUNDS = ['false_declaration', 'forged_documents', 'unlawful_appraisal', 'later_violation'] as const;

export default function DecisionsPage({ session, id }: { session: Session; id?: string }) {
  return id === undefined ? <IssueDecision session={session} /> : <DecisionView id={id} session={session} />;
}

interface IssueValues { number: string; signedOn: string; signerName: string; signerTitle: string; reason: string; ids: string[] }

function IssueDecision({ session }: { session: Session }) {
  const { t } = useI18n();
  const { query } = useLocation();
  const preset = query.get('nominations') ?? '';
  const [values, setValues, clear] = useDraft<IssueValues>(`issue-decision:${preset}`, {
    number: '', signedOn: todayInVietnam(), signerName: session.person.name, signerTitle: '', reason: '', ids: preset.split(',').filter(Boolean),
  });
  const [candidates, setCandidates] = useState<Schemas['InboxItemDto'][]>();
  const [decisions, setDecisions] = useState<Schemas['DecisionSummaryDto'][]>();
  const [moreDecisions, setMoreDecisions] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    // What waits for this decider: nominations approved with their deciding stage at this unit, every
    // page of them (one decision often covers dozens, and at year-end hundreds wait).
    void (async () => {
      const waiting: Schemas['InboxItemDto'][] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 50; page++) {
        const { data } = await api.GET('/inbox', { params: { query: { limit: '200', ...(cursor ? { cursor } : {}) } } });
        if (data === undefined) break;
        waiting.push(...data.items.filter((i) => i.waitingFor === 'decider'));
        if (!data.nextCursor) break;
        cursor = data.nextCursor;
      }
      if (live) setCandidates(waiting);
    })().catch(() => undefined);
    api.GET('/decisions', { params: { query: {} } }).then(({ data }) => {
      if (!live) return;
      setDecisions(data?.items ?? []);
      setMoreDecisions(data?.nextCursor ?? null);
    }, () => undefined);
    return () => { live = false; };
  }, []);
  const loadMoreDecisions = async () => {
    if (moreDecisions === null) return;
    const { data } = await api.GET('/decisions', { params: { query: { cursor: moreDecisions } } });
    if (data === undefined) return;
    setDecisions((current) => {
      const shown = new Set((current ?? []).map((d) => d.id));
      return [...(current ?? []), ...data.items.filter((d) => !shown.has(d.id))];
    });
    setMoreDecisions(data.nextCursor ?? null);
  };
  const [lookup, setLookup] = useState('');
  const command = useCommand();
  const set = (field: Exclude<keyof IssueValues, 'ids'>) => (value: string) => setValues((v) => ({ ...v, [field]: value }));

  if (!hasRole(session, 'decider')) return <p>{t('nom.noActions')}</p>;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const body = {
      number: nfc(values.number.trim()), signedOn: values.signedOn,
      signer: { name: nfc(values.signerName.trim()), title: nfc(values.signerTitle.trim()) },
      reason: nfc(values.reason.trim()),
      nominationIds: values.ids,
    };
    const result = await command.run(body, (key) => api.POST('/decisions', { params: { header: { 'Idempotency-Key': key } }, body }));
    if (result) { clear(); navigate(`/decisions/${result.id}`); }
  };

  return (
    <section aria-labelledby="decisions-title">
      <h1 id="decisions-title">{t('decisions.title')}</h1>
      <form className="card" onSubmit={(e) => { e.preventDefault(); if (lookup.trim()) navigate(`/decisions/${lookup.trim()}`); }}>
        <Field label={t('decisions.id')}>{(fid) => <input id={fid} value={lookup} onChange={(e) => setLookup(e.target.value)} />}</Field>
        <button type="submit">{t('decisions.open')}</button>
      </form>
      {decisions !== undefined && decisions.length > 0 && (
        <TableRegion label={t('decisions.title')}>
          <table>
            <thead><tr><th scope="col">{t('decisions.number')}</th><th scope="col">{t('decisions.signedOn')}</th><th scope="col" className="num">{t('decisions.nominations')}</th><th scope="col" className="num">{t('decisions.total')}</th></tr></thead>
            <tbody>
              {decisions.map((d) => (
                <tr key={d.id} data-testid="decision-row">
                  <td><Link href={`/decisions/${d.id}`}>{d.number}</Link></td><td>{formatDate(d.signedOn)}</td>
                  <td className="num">{d.nominationCount}{d.revokedCount > 0 ? ` (${t('decisions.revoked')}: ${d.revokedCount})` : ''}</td><td className="num">{formatMoney(d.bonusTotal)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      {moreDecisions !== null && (
        <div className="pager">
          <button type="button" data-testid="decisions-more" onClick={() => void loadMoreDecisions()}>{t('common.more')}</button>
        </div>
      )}
      <form className="card" onSubmit={submit} aria-labelledby="issue-title" noValidate>
        <h2 id="issue-title">{t('decisions.issue')}</h2>
        <div className="grid">
          <Field label={t('decisions.number')}>{(fid) => <input id={fid} data-testid="decision-number" value={values.number} onChange={(e) => set('number')(e.target.value)} placeholder="125/QĐ-UBND" />}</Field>
          <Field label={t('decisions.signedOn')}>{(fid) => <DateInput id={fid} value={values.signedOn} onChange={set('signedOn')} />}</Field>
          <Field label={t('decisions.signer')}>{(fid) => <input id={fid} value={values.signerName} onChange={(e) => set('signerName')(e.target.value)} />}</Field>
          <Field label={t('decisions.signerTitle')}>{(fid) => <input id={fid} data-testid="signer-title" value={values.signerTitle} onChange={(e) => set('signerTitle')(e.target.value)} />}</Field>
        </div>
        <Field label={t('decisions.reason')}>{(fid) => <textarea id={fid} data-testid="reason" rows={3} value={values.reason} onChange={(e) => set('reason')(e.target.value)} />}</Field>
        <fieldset>
          <legend>{t('decisions.choose')}</legend>
          {candidates === undefined && <p role="status">{t('common.loading')}</p>}
          {candidates !== undefined && candidates.length === 0 && <p>{t('inbox.empty')}</p>}
          {candidates?.map((c) => (
            <label key={c.nominationId} className="check">
              <input type="checkbox" data-testid="decision-candidate" checked={values.ids.includes(c.nominationId)}
                onChange={(e) => setValues((v) => ({ ...v, ids: e.target.checked ? [...v.ids, c.nominationId] : v.ids.filter((x) => x !== c.nominationId) }))} />
              {c.nominee.name} · {c.awardName} · {c.year}
            </label>
          ))}
        </fieldset>
        <ProblemMessage problem={command.problem} />
        <button type="submit" className="primary" data-testid="confirm" disabled={command.pending}>{t('decisions.issue')}</button>
      </form>
    </section>
  );
}

/**
 * The award names of a code set's catalogues (a decision lists its lines by award code): what an
 * official reads is "Giấy khen của Chủ tịch UBND cấp huyện", not GIAY_KHEN_HUYEN.
 */
function useAwardNames(codeSet: string | undefined): Map<string, { vi: string; en: string }> {
  const [names, setNames] = useState(new Map<string, { vi: string; en: string }>());
  useEffect(() => {
    if (codeSet === undefined) return undefined;
    let live = true;
    void (async () => {
      const { data } = await api.GET('/rule-sets');
      const found = new Map<string, { vi: string; en: string }>();
      for (const ruleSet of (data?.items ?? []).filter((r) => r.codeSet === codeSet)) {
        const awards = await api.GET('/award-types', { params: { query: { ruleSet: ruleSet.id } } });
        for (const award of awards.data?.items ?? []) found.set(award.code, award.names as unknown as { vi: string; en: string });
      }
      if (live) setNames(found);
    })().catch(() => undefined);
    return () => { live = false; };
  }, [codeSet]);
  return names;
}

interface RevokeValues { number: string; signedOn: string; ground: string; reason: string; ids: string[] }

function DecisionView({ id, session }: { id: string; session: Session }) {
  const { t, tv, language } = useI18n();
  const [decision, setDecision] = useState<Decision>();
  const awardNames = useAwardNames(decision?.codeSet);
  const [problem, setProblem] = useState<Problem>();
  const [revoking, setRevoking] = useDraft(`revoke-open:${id}`, false);
  const [values, setValues, clear] = useDraft<RevokeValues>(`revoke:${id}`, { number: '', signedOn: todayInVietnam(), ground: 'false_declaration', reason: '', ids: [] });
  const command = useCommand();

  const load = async () => {
    const { data, error, response } = await api.GET('/decisions/{id}', { params: { path: { id } } });
    if (data) setDecision(data);
    else setProblem(asProblem(error, response.status));
  };
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => { void load(); }, [id]);

  if (decision === undefined) return problem ? <ProblemMessage problem={problem} /> : <p role="status">{t('common.loading')}</p>;

  const revoke = async (event: FormEvent) => {
    event.preventDefault();
    const body = {
      number: nfc(values.number.trim()), signedOn: values.signedOn, ground: values.ground as (typeof GROUNDS)[number],
      reason: nfc(values.reason.trim()), nominationIds: values.ids,
    };
    const result = await command.run(body, (key) => api.POST('/decisions/{id}/revoke', { params: { path: { id }, header: { 'Idempotency-Key': key } }, body }));
    if (result) { clear(); setRevoking(false); await load(); }
  };

  // The api's word on who revokes it today: after the 2025 reform an abolished district's decisions
  // are its successor's (the province, in the new code set), no longer the district chairman's.
  const revoker = decision.revocableBy ?? { codeSet: decision.codeSet, unit: decision.issuingUnit };
  const canRevoke = hasRole(session, 'decider') && revoker.unit === session.person.unit
    && (session.person.codeSet === undefined || revoker.codeSet === session.person.codeSet)
    && decision.nominations.some((n) => n.revoked === undefined);
  return (
    <article aria-labelledby="decision-title">
      <h1 id="decision-title">{t('nom.decision')} {decision.number}</h1>
      <dl className="details card">
        <dt>{t('decisions.signedOn')}</dt><dd>{formatDate(decision.signedOn)}</dd>
        <dt>{t('decisions.signer')}</dt><dd>{decision.signer.name} · {decision.signer.title}</dd>
        <dt>{t('reports.unit')}</dt><dd>{decision.issuingUnit}</dd>
        <dt>{t('decisions.reason')}</dt><dd>{decision.reason}</dd>
        <dt>{t('nom.createdBy')}</dt><dd>{decision.issuedBy.name} · {formatDateTime(decision.issuedAt)}</dd>
      </dl>
      <TableRegion label={t('decisions.nominations')}>
      <table className="card">
        <caption>{t('decisions.nominations')}</caption>
        <thead><tr>
          {canRevoke && <th scope="col"><span className="visually-hidden">{t('inbox.select')}</span></th>}
          <th scope="col">{t('nom.nominee')}</th><th scope="col">{t('nom.award')}</th><th scope="col" className="num">{t('nom.bonus')}</th><th scope="col">{t('nom.status')}</th>
        </tr></thead>
        <tbody>
          {decision.nominations.map((n) => (
            <tr key={n.nominationId}>
              {canRevoke && (
                <td>
                  <input type="checkbox" aria-label={`${t('inbox.select')} ${n.nomineeName}`} disabled={n.revoked !== undefined}
                    checked={values.ids.includes(n.nominationId)}
                    onChange={(e) => setValues((v) => ({ ...v, ids: e.target.checked ? [...v.ids, n.nominationId] : v.ids.filter((x) => x !== n.nominationId) }))} />
                </td>
              )}
              <td><Link href={`/nominations/${n.nominationId}`}>{n.nomineeName}</Link> <span className="meta">({tv('kind', n.nomineeKind)})</span></td>
              <td data-testid="decision-award">{awardNames.get(n.awardCode)?.[language] ?? n.awardCode}</td>
              <td className="num">{formatMoney(n.bonusAmount)}</td>
              <td>{n.revoked ? t('decisions.revoked') : '—'}</td>
            </tr>
          ))}
        </tbody>
        <tfoot><tr>{canRevoke && <td />}<th scope="row" colSpan={2}>{t('decisions.total')}</th><td className="num">{formatMoney(decision.bonusTotal)}</td><td /></tr></tfoot>
      </table>
      </TableRegion>
      {canRevoke && !revoking && <button type="button" className="danger" onClick={() => setRevoking(true)}>{t('decisions.revoke')}</button>}
      {canRevoke && revoking && (
        <form className="card" onSubmit={revoke} aria-label={t('decisions.revoke')} noValidate>
          <h2>{t('decisions.revoke')}</h2>
          <div className="grid">
            <Field label={t('decisions.number')}>{(fid) => <input id={fid} value={values.number} onChange={(e) => setValues((v) => ({ ...v, number: e.target.value }))} />}</Field>
            <Field label={t('decisions.signedOn')}>{(fid) => <DateInput id={fid} value={values.signedOn} onChange={(iso) => setValues((v) => ({ ...v, signedOn: iso }))} />}</Field>
            <Field label={t('decisions.ground')}>
              {(fid) => (
                <select id={fid} value={values.ground} onChange={(e) => setValues((v) => ({ ...v, ground: e.target.value }))}>
                  {GROUNDS.map((g) => <option key={g} value={g}>{tv('ground', g)}</option>)}
                </select>
              )}
            </Field>
          </div>
          <Field label={t('action.reason')}>{(fid) => <textarea id={fid} rows={3} value={values.reason} onChange={(e) => setValues((v) => ({ ...v, reason: e.target.value }))} />}</Field>
          <ProblemMessage problem={command.problem} />
          <div className="form-buttons">
            <button type="submit" className="danger" disabled={command.pending}>{t('action.confirm')}</button>
            <button type="button" onClick={() => setRevoking(false)}>{t('common.cancel')}</button>
          </div>
        </form>
      )}
    </article>
  );
}
