import { useEffect, useId, useState, type ChangeEvent, type FormEvent, type ReactNode } from 'react';
import { api, saveDownload, type Problem, type Schemas } from '../api/client';
import type { paths } from '../api/schema';
import { DateInput, Field, KeysetPager, ProblemMessage, TableRegion, asProblem, useCommand } from '../components/forms';
import { formatCount, formatDate, formatDateTime, nfc, vietnamDay } from '../format';
import { useI18n } from '../i18n';
import { Link, navigate, useLocation } from '../router';

type AuditEvent = Schemas['AuditEventDto'];
type Verification = Schemas['VerificationDto'];
type Seal = Schemas['SealDto'];

/** The event types of the log (libs/nomination), for the type filter; the api takes any of them. */
const EVENT_TYPES = [
  'NominationCreated', 'NominationUpdated', 'NominationSubmitted', 'NominationReturned', 'CouncilVoteRecorded', 'StageApproved',
  'NominationApproved', 'NominationRejected', 'NominationWithdrawn', 'NominationAwarded', 'AwardRevoked', 'DecisionIssued', 'DecisionRevoked',
] as const;

const FILTERS = ['type', 'actor', 'unit', 'nominationId', 'decisionId', 'from', 'to'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;
type EventQuery = NonNullable<paths['/audit/events']['get']['parameters']['query']>;

/**
 * The console's filters (days as YYYY-MM-DD, as in its own address) as the api's query: a day is
 * a day in Vietnam, so `from` is its first instant there and `to` the first instant of the next day.
 */
function auditQuery(filters: Filters): EventQuery {
  const query: Record<string, string> = {};
  for (const f of ['type', 'actor', 'unit'] as const) if (filters[f] !== '') query[f] = filters[f];
  for (const f of ['nominationId', 'decisionId'] as const) if (filters[f] !== '') query[f] = filters[f].toLowerCase();
  if (filters.from !== '') query.from = vietnamDay(filters.from).from;
  if (filters.to !== '') query.to = vietnamDay(filters.to).to;
  return query as EventQuery;
}

/**
 * The audit trail for auditors: GET /audit/events with its filters and keyset paging (filters and
 * cursor travel in the address, so Back and a shared link work), the same rows as the server's CSV,
 * integrity checks of one stream, the whole log or against a seal kept outside, and the seals.
 */
export default function AuditPage() {
  const { t } = useI18n();
  return (
    <section aria-labelledby="audit-title" className="audit">
      <h1 id="audit-title">{t('audit.title')}</h1>
      <p className="meta">{t('audit.intro')}</p>
      <AuditEvents />
      <div className="columns-even">
        <IntegrityCheck />
        <Seals />
      </div>
    </section>
  );
}

function AuditEvents() {
  const { t, tv } = useI18n();
  const { query } = useLocation();
  const applied: Filters = Object.fromEntries(FILTERS.map((f) => [f, query.get(f) ?? ''])) as Filters;
  const cursor = query.get('cursor') ?? '';
  const [draft, setDraft] = useState<Filters>(applied);
  const [items, setItems] = useState<AuditEvent[]>();
  const [next, setNext] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem>();
  const [exporting, setExporting] = useState(false);
  const key = query.toString();

  useEffect(() => {
    let live = true;
    const params = new URLSearchParams(key);
    const filters = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? ''])) as Filters;
    const page = params.get('cursor');
    const limit = params.get('limit');
    const request = { ...auditQuery(filters), ...(page ? { cursor: page } : {}), ...(limit && /^\d+$/.test(limit) ? { limit: Number(limit) } : {}) };
    setItems(undefined);
    api.GET('/audit/events', { params: { query: request } }).then(({ data, error, response }) => {
      if (!live) return;
      if (data) { setItems([...data.items]); setNext(data.nextCursor ?? null); setProblem(undefined); }
      else { setItems([]); setNext(null); setProblem(asProblem(error, response.status)); }
    }, () => live && setProblem(asProblem(undefined, 0)));
    return () => { live = false; };
  }, [key]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const f of FILTERS) if (draft[f].trim() !== '') params.set(f, nfc(draft[f].trim()));
    navigate(`/audit${params.size > 0 ? `?${params.toString()}` : ''}`);
  };
  const clear = () => {
    setDraft(Object.fromEntries(FILTERS.map((f) => [f, ''])) as Filters);
    navigate('/audit');
  };
  const more = (nextCursor: string) => {
    const params = new URLSearchParams(key);
    params.set('cursor', nextCursor);
    navigate(`/audit?${params.toString()}`);
  };
  const exportCsv = async () => {
    setExporting(true);
    // Every row the filter matches (the api streams them), whatever page is on screen.
    const failed = await saveDownload(
      api.GET('/audit/events', { params: { query: auditQuery(applied) }, headers: { Accept: 'text/csv' }, parseAs: 'blob' }),
      `nhat-ky-kiem-tra-${new Date().toISOString().slice(0, 10)}.csv`,
    );
    setExporting(false);
    setProblem(failed);
  };
  const set = (f: keyof Filters) => (value: string) => setDraft((d) => ({ ...d, [f]: value }));

  return (
    <>
      <form className="card" onSubmit={submit} role="search" aria-label={t('audit.filters')}>
        <div className="grid">
          <Field label={t('audit.type')}>
            {(id) => (
              <select id={id} data-testid="audit-type" value={draft.type} onChange={(e) => set('type')(e.target.value)}>
                <option value="">{t('search.all')}</option>
                {EVENT_TYPES.map((type) => <option key={type} value={type}>{tv('event', type)}</option>)}
              </select>
            )}
          </Field>
          <Field label={t('audit.from')}>{(id) => <DateInput id={id} key={`from-${applied.from}`} value={draft.from} onChange={set('from')} />}</Field>
          <Field label={t('audit.to')}>{(id) => <DateInput id={id} key={`to-${applied.to}`} value={draft.to} onChange={set('to')} />}</Field>
          <Field label={t('audit.actorId')}>{(id) => <input id={id} value={draft.actor} onChange={(e) => set('actor')(e.target.value)} autoComplete="off" spellCheck={false} />}</Field>
          <Field label={t('reports.unit')}>{(id) => <input id={id} inputMode="numeric" value={draft.unit} onChange={(e) => set('unit')(e.target.value)} />}</Field>
          <Field label={t('audit.nominationId')}>{(id) => <input id={id} className="mono" value={draft.nominationId} onChange={(e) => set('nominationId')(e.target.value)} autoComplete="off" spellCheck={false} />}</Field>
          <Field label={t('audit.decisionId')}>{(id) => <input id={id} className="mono" data-testid="audit-decision-id" value={draft.decisionId} onChange={(e) => set('decisionId')(e.target.value)} autoComplete="off" spellCheck={false} />}</Field>
        </div>
        <div className="form-buttons">
          <button type="submit" className="primary" data-testid="audit-apply">{t('audit.apply')}</button>
          <button type="button" onClick={clear}>{t('audit.clear')}</button>
          <button type="button" data-testid="audit-csv" aria-describedby="audit-csv-hint" disabled={exporting} onClick={() => void exportCsv()}>{t('audit.csv')}</button>
        </div>
        <small id="audit-csv-hint" className="meta">{t('audit.csvHint')}</small>
      </form>
      <ProblemMessage problem={problem} />
      {items === undefined && <p role="status">{t('common.loading')}</p>}
      {items !== undefined && items.length === 0 && problem === undefined && <p role="status">{t('audit.empty')}</p>}
      {items !== undefined && items.length > 0 && (
        <TableRegion label={t('audit.title')}>
          {/* On a phone each row is a card (styles.css); the explicit roles keep it a table for screen readers. */}
          <table className="audit-table" role="table">
            <thead role="rowgroup">
              <tr role="row">
                <th scope="col" role="columnheader">{t('audit.at')}</th><th scope="col" role="columnheader">{t('audit.event')}</th>
                <th scope="col" role="columnheader">{t('audit.actor')}</th><th scope="col" role="columnheader">{t('audit.subject')}</th>
                <th scope="col" role="columnheader">{t('audit.content')}</th>
              </tr>
            </thead>
            <tbody role="rowgroup">
              {items.map((item) => <AuditRow key={item.position} item={item} />)}
            </tbody>
          </table>
        </TableRegion>
      )}
      <KeysetPager cursor={cursor} next={next} onMore={more} testId="audit-next" />
    </>
  );
}

/** The few fields of an event's payload an auditor looks for first; the whole payload is one click away. */
function summary(data: AuditEvent['data']): string[] {
  const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value : undefined);
  const nominee = data.nominee as { name?: unknown } | undefined;
  return [
    text(data.number) ?? text(data.decisionNumber),
    text(nominee?.name),
    text(data.signedOn) && formatDate(data.signedOn as string),
    text(data.reason),
    text(data.comment),
  ].filter((part): part is string => part !== undefined);
}

function AuditRow({ item }: { item: AuditEvent }) {
  const { t, tv } = useI18n();
  const parts = summary(item.data);
  return (
    <tr data-testid="audit-row" data-type={item.type} role="row">
      <Cell label={t('audit.at')} className="nowrap">{formatDateTime(item.at)}</Cell>
      <Cell label={t('audit.event')}>
        {tv('event', item.type)}
        <br /><code className="meta">{item.type}</code>
      </Cell>
      <Cell label={t('audit.actor')}>
        {item.actor.name ?? item.actor.id ?? '—'}
        {(item.actor.unit || item.actor.roles.length > 0) && (
          <><br /><span className="meta">{[item.actor.unit, item.actor.roles.map((r) => tv('role', r)).join(', ')].filter(Boolean).join(' · ')}</span></>
        )}
      </Cell>
      <Cell label={t('audit.subject')}>
        {item.decisionId && <><Link href={`/decisions/${item.decisionId}`}>{t('audit.decision')} {item.decisionId.slice(0, 8)}</Link><br /></>}
        {item.nominationId && <><Link href={`/nominations/${item.nominationId}`}>{t('audit.nomination')} {item.nominationId.slice(0, 8)}</Link><br /></>}
        <span className="meta">{t('audit.position')} {item.position} · {t('audit.revision')} {item.revision}</span>
      </Cell>
      <Cell label={t('audit.content')} className="audit-content">
        {parts.length > 0 && <p>{parts.join(' · ')}</p>}
        <details>
          <summary>{t('audit.data')}</summary>
          <pre className="json">{JSON.stringify(item.data, null, 2)}</pre>
        </details>
      </Cell>
    </tr>
  );
}

/** One cell of the audit list; on a phone its `label` is shown beside it (the column header is off screen). */
function Cell({ label, className, children }: { label: string; className?: string; children: ReactNode }) {
  return (
    <td role="cell" data-label={label} {...(className === undefined ? {} : { className })}>
      <div className="cell">{children}</div>
    </td>
  );
}

type Scope = 'log' | 'nomination' | 'decision';
interface Outcome { readonly verification: Verification; readonly of: string }

function IntegrityCheck() {
  const { t } = useI18n();
  const fileId = useId();
  const [scope, setScope] = useState<Scope>('log');
  const [id, setId] = useState('');
  const [file, setFile] = useState<File>();
  const [pending, setPending] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();
  const [problem, setProblem] = useState<Problem>();

  const run = async (of: string, send: () => Promise<{ data?: Verification; error?: unknown; response: Response }>) => {
    setPending(true);
    setOutcome(undefined);
    setProblem(undefined);
    try {
      const { data, error, response } = await send();
      if (data) setOutcome({ verification: data, of });
      else setProblem(asProblem(error, response.status));
    } catch {
      // The whole-log answer is cut if the check fails on the server: never taken for a verdict.
      setProblem(asProblem(undefined, 0));
    } finally {
      setPending(false);
    }
  };

  const verify = (event: FormEvent) => {
    event.preventDefault();
    const stream = id.trim().toLowerCase();
    if (scope === 'log') void run(t('audit.scopeLog'), () => api.GET('/audit/verify', { params: { query: {} } }));
    else if (scope === 'nomination') void run(`${t('audit.nomination')} ${stream}`, () => api.GET('/audit/verify', { params: { query: { nominationId: stream } } }));
    else void run(`${t('audit.decision')} ${stream}`, () => api.GET('/audit/verify', { params: { query: { decisionId: stream } } }));
  };

  const verifySeal = async (event: FormEvent) => {
    event.preventDefault();
    const local = (detail: string): Problem => ({ type: 'about:blank', title: t('audit.badSealFile'), status: 400, detail, code: 'validation_failed' });
    if (file === undefined) { setProblem(local(t('audit.chooseFile'))); return; }
    let seal: Seal;
    try {
      const parsed = JSON.parse(await file.text()) as Seal | { seal: Seal };
      // The file GET /audit/seals/latest gives is the seal itself; a body already shaped { seal } is accepted too.
      seal = 'seal' in parsed ? parsed.seal : parsed;
      if (typeof seal !== 'object' || seal === null || Array.isArray(seal)) throw new Error('not an object');
    } catch {
      setOutcome(undefined);
      setProblem(local(t('audit.badSealFile')));
      return;
    }
    await run(`${t('audit.againstSeal')} ${seal.sequence ?? '?'} (${file.name})`, () => api.POST('/audit/verify', { body: { seal } }));
  };

  return (
    <section className="card" aria-labelledby="integrity-title">
      <h2 id="integrity-title">{t('audit.integrity')}</h2>
      <form onSubmit={verify} aria-labelledby="integrity-title">
        <fieldset>
          <legend>{t('audit.scope')}</legend>
          {(['log', 'nomination', 'decision'] as const).map((value) => (
            <label key={value} className="check">
              <input type="radio" name="verify-scope" value={value} data-testid={`verify-scope-${value}`} checked={scope === value} onChange={() => setScope(value)} />
              {t(value === 'log' ? 'audit.scopeLog' : value === 'nomination' ? 'audit.scopeNomination' : 'audit.scopeDecision')}
            </label>
          ))}
        </fieldset>
        {scope !== 'log' && (
          <Field label={t('audit.streamId')}>{(fid) => <input id={fid} className="mono" data-testid="verify-id" value={id} onChange={(e) => setId(e.target.value)} autoComplete="off" spellCheck={false} />}</Field>
        )}
        <button type="submit" className="primary" data-testid="verify" disabled={pending}>{t('audit.verify')}</button>
      </form>
      <form onSubmit={(e) => void verifySeal(e)} className="seal-check">
        <div className="field">
          <label htmlFor={fileId}>{t('audit.sealFile')}</label>
          <input id={fileId} type="file" accept="application/json,.json" data-testid="seal-file"
            onChange={(e: ChangeEvent<HTMLInputElement>) => setFile(e.target.files?.[0])} />
        </div>
        <button type="submit" data-testid="verify-seal" disabled={pending}>{t('audit.verifySeal')}</button>
      </form>
      <div aria-live="polite">
        {pending && <p role="status" className="notice">{t('audit.verifying')}</p>}
      </div>
      <ProblemMessage problem={problem} />
      {outcome && <VerificationResult outcome={outcome} />}
    </section>
  );
}

function VerificationResult({ outcome }: { outcome: Outcome }) {
  const { t, tv } = useI18n();
  const { verification, of } = outcome;
  const counts = (
    <dl className="details">
      <dt>{t('audit.of')}</dt><dd>{of}</dd>
      <dt>{t('audit.checkedEvents')}</dt><dd>{formatCount(verification.checked)}</dd>
      <dt>{t('audit.checkedSeals')}</dt><dd>{formatCount(verification.sealsChecked)}</dd>
    </dl>
  );
  const broken = verification.firstBroken;
  if (verification.ok || broken === undefined) {
    return (
      <div className="success" role="status" data-testid="verify-result" data-ok="true">
        <strong>{t('audit.verified')}</strong>
        {counts}
      </div>
    );
  }
  const label = tv('broken', broken.code);
  const nomination = /^nomination-([0-9a-f-]{36})$/.exec(broken.streamId)?.[1];
  const decision = /^decision-([0-9a-f-]{36})$/.exec(broken.streamId)?.[1];
  return (
    <div className="problem" role="alert" data-testid="verify-result" data-ok="false">
      <strong>{t('audit.broken')}</strong>
      <dl className="details" data-testid="verify-broken">
        <dt>{t('audit.stream')}</dt>
        <dd>
          <code className="checksum">{broken.streamId}</code>
          {nomination && <> · <Link href={`/nominations/${nomination}`}>{t('audit.nomination')}</Link></>}
          {decision && <> · <Link href={`/decisions/${decision}`}>{t('audit.decision')}</Link></>}
        </dd>
        {broken.revision !== undefined && <><dt>{t('audit.revision')}</dt><dd>{broken.revision}</dd></>}
        {broken.position !== undefined && <><dt>{t('audit.position')}</dt><dd>{broken.position}</dd></>}
        <dt>{t('audit.problem')}</dt>
        <dd>{label === broken.code ? broken.problem : label} <code className="meta">({broken.code})</code></dd>
      </dl>
      {counts}
    </div>
  );
}

function Seals() {
  const { t } = useI18n();
  const [latest, setLatest] = useState<Seal | null>();
  const [keys, setKeys] = useState<Schemas['AuditKeyDto'][]>();
  const [problem, setProblem] = useState<Problem>();
  const sealing = useCommand();

  useEffect(() => {
    let live = true;
    api.GET('/audit/seals/latest').then(({ data, error, response }) => {
      if (!live) return;
      if (data) setLatest(data);
      else if (response.status === 404) setLatest(null);
      else setProblem(asProblem(error, response.status));
    }, () => live && setProblem(asProblem(undefined, 0)));
    api.GET('/audit/keys').then(({ data }) => live && data && setKeys(data.keys), () => undefined);
    return () => { live = false; };
  }, []);

  const sealNow = async () => {
    // Sealing is idempotent by itself (nothing new since the latest seal returns that seal, 200), so the
    // contract takes no body and no Idempotency-Key here.
    const seal = await sealing.run({}, () => api.POST('/audit/seals'));
    if (seal) setLatest(seal);
  };
  const downloadLatest = async () => {
    // The server's own bytes: the file to keep outside, and to upload later against the log.
    setProblem(await saveDownload(api.GET('/audit/seals/latest', { parseAs: 'blob' }), `niem-phong-${latest?.sequence ?? 'moi-nhat'}.json`));
  };

  return (
    <section className="card" aria-labelledby="seals-title">
      <h2 id="seals-title">{t('audit.seals')}</h2>
      <p className="meta">{t('audit.sealsIntro')}</p>
      {latest === undefined && problem === undefined && <p role="status">{t('common.loading')}</p>}
      {latest === null && <p data-testid="no-seal">{t('audit.noSeal')}</p>}
      {latest && (
        <dl className="details" data-testid="latest-seal" aria-label={t('audit.latestSeal')}>
          <dt>{t('audit.sequence')}</dt><dd data-testid="seal-sequence">{latest.sequence}</dd>
          <dt>{t('audit.sealedAt')}</dt><dd>{formatDateTime(latest.sealedAt)}</dd>
          <dt>{t('audit.eventCount')}</dt><dd>{formatCount(latest.eventCount)}</dd>
          <dt>{t('audit.position')}</dt><dd>{latest.position}</dd>
          <dt>{t('audit.keyId')}</dt><dd><code className="checksum">{latest.keyId}</code></dd>
        </dl>
      )}
      <div className="form-buttons">
        <button type="button" data-testid="seal-download" disabled={!latest} onClick={() => void downloadLatest()}>{t('audit.seal')}</button>
        <button type="button" data-testid="seal-now" disabled={sealing.pending} onClick={() => void sealNow()}>{t('audit.sealNow')}</button>
      </div>
      <ProblemMessage problem={sealing.problem ?? problem} />
      {keys !== undefined && keys.length > 0 && (
        <details>
          <summary>{t('audit.keys')} ({keys.length})</summary>
          <ul className="keys">
            {keys.map((key) => (
              <li key={key.keyId}>
                <code className="checksum">{key.keyId}</code> <span className="meta">({key.current ? t('audit.currentKey') : t('audit.retiredKey')}, {key.jwk.crv})</span>
                <br /><span className="meta">x: </span><code className="checksum">{key.jwk.x}</code>
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
