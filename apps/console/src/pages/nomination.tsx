import { useCallback, useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { api, ifMatch, type NominationView, type Problem, type Schemas } from '../api/client';
import { DateInput, Field, ProblemMessage, TableRegion, useCommand, useDraft, asProblem } from '../components/forms';
import { formatDate, formatDateTime, formatMoney, nfc, todayInVietnam } from '../format';
import { useI18n } from '../i18n';
import { Link } from '../router';
import { hasRole, type Session } from '../session';

type Stage = Schemas['RouteStageDto'];
type ActionName = 'approve' | 'return' | 'reject' | 'vote' | 'submit' | 'withdraw';

const DOCUMENT_KINDS = ['submission', 'achievement_report', 'council_minutes', 'supporting'] as const;
const REASON_CODES = ['standard_not_met', 'incomplete_dossier', 'wrong_subject', 'legal_violation', 'other'] as const;

export function useNomination(id: string | undefined) {
  const [view, setView] = useState<NominationView>();
  const [problem, setProblem] = useState<Problem>();
  const load = useCallback(async (): Promise<NominationView | undefined> => {
    if (id === undefined) return undefined;
    const { data, error, response } = await api.GET('/nominations/{id}', { params: { path: { id } } });
    if (data) {
      setView(data);
      setProblem(undefined);
      return data;
    }
    setProblem(asProblem(error, response.status));
    return undefined;
  }, [id]);
  useEffect(() => {
    void load().catch(() => setProblem(asProblem(undefined, 0)));
  }, [load]);
  return { view, setView, problem, load };
}

/**
 * Every event of the nomination (all pages of GET /nominations/{id}/history), read again whenever the
 * revision shown changes: the history list, and who created, edited or submitted it (the view names
 * only its creator), which the actions offered must know (separation of duties).
 */
function useHistory(id: string, revision: number | undefined): Schemas['HistoryEntryDto'][] | undefined {
  const [items, setItems] = useState<{ revision: number; items: Schemas['HistoryEntryDto'][] }>();
  useEffect(() => {
    if (revision === undefined) return undefined;
    let live = true;
    void (async () => {
      const all: Schemas['HistoryEntryDto'][] = [];
      let cursor: string | undefined;
      for (;;) {
        const { data } = await api.GET('/nominations/{id}/history', { params: { path: { id }, query: { limit: '200', ...(cursor ? { cursor } : {}) } } });
        if (data === undefined) break;
        all.push(...data.items);
        if (!data.nextCursor) break;
        cursor = data.nextCursor;
      }
      if (live) setItems({ revision, items: all });
    })().catch(() => undefined);
    return () => { live = false; };
  }, [id, revision]);
  return items !== undefined && items.revision === revision ? items.items : undefined;
}

export function NominationPage({ id, session }: { id: string; session: Session }) {
  const { t, tv, language } = useI18n();
  const { view, setView, problem, load } = useNomination(id);
  const history = useHistory(id, view?.revision);
  const [conflict, setConflict] = useState(false);
  const [done, setDone] = useState<string>();

  const onDone = useCallback((next: NominationView) => {
    setView(next);
    setConflict(false);
    setDone(t('action.done'));
  }, [setView, t]);
  const onConflict = useCallback(async (seenRevision: number) => {
    setDone(undefined);
    // The read model may trail the write that beat this one by a moment: show the state that has it.
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const fresh = await load();
      if (fresh === undefined || fresh.revision > seenRevision) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    setConflict(true);
  }, [load]);

  if (view === undefined) return problem ? <ProblemMessage problem={problem} /> : <p role="status">{t('common.loading')}</p>;

  return (
    <article className="nomination" aria-labelledby="nomination-title">
      <header className="page-head">
        <h1 id="nomination-title">{view.nominee.name}</h1>
        <p className="subtitle">{language === 'en' ? view.awardNames.en : view.awardNames.vi} · {view.year}</p>
        <p>
          <span className={`status status-${view.status}`} data-testid="nomination-status" data-status={view.status}>{tv('status', view.status)}</span>
        </p>
      </header>

      {conflict && (
        <div className="conflict" role="alert">
          <strong>{t('conflict.title')}</strong>
          <p>{t('conflict.body')}</p>
        </div>
      )}
      {done && !conflict && <p className="success" role="status">{done}</p>}

      <div className="columns">
        <div>
          <Section title={t('nom.route')}>
            <Timeline view={view} />
          </Section>
          <Section title={t('nom.dossier')}>
            <Details view={view} />
            <Documents documents={view.documents} />
            <h3>{t('nom.achievements')}</h3>
            <p className="prose">{view.achievements}</p>
          </Section>
          {view.councilVotes.length > 0 && <Section title={t('nom.votes')}><Votes view={view} /></Section>}
          {view.returns.length > 0 && (
            <Section title={t('nom.returns')}>
              <ul>
                {view.returns.map((r, i) => (
                  <li key={i}>
                    {formatDateTime(r.at)} · {r.by.name}: {r.reason}
                    {r.missing.length > 0 && <> ({r.missing.map((m) => tv('doc', m)).join(', ')})</>}
                  </li>
                ))}
              </ul>
            </Section>
          )}
          {view.rejection && (
            <Section title={t('nom.rejection')}>
              <p>{tv('reason', view.rejection.reasonCode)}: {view.rejection.reason} ({formatDateTime(view.rejection.at)}, {view.rejection.by.name})</p>
            </Section>
          )}
          {view.decision && (
            <Section title={t('nom.decision')}>
              <p>
                <Link href={`/decisions/${view.decision.decisionId}`}>{view.decision.decisionNumber}</Link> · {formatDate(view.decision.signedOn)} · {t('nom.bonus')}: {formatMoney(view.decision.bonusAmount)}
              </p>
            </Section>
          )}
          <History items={history} />
        </div>
        <aside aria-labelledby="actions-title" className="actions-panel">
          <h2 id="actions-title">{t('nom.actions')}</h2>
          <Actions view={view} session={session} history={history} onDone={onDone} onConflict={onConflict} />
        </aside>
      </div>
    </article>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="card">
      <h2>{title}</h2>
      {children}
    </section>
  );
}

function Details({ view }: { view: NominationView }) {
  const { t, tv } = useI18n();
  const nominee = view.nominee;
  return (
    <dl className="details">
      <dt>{t('nom.nominee')}</dt>
      <dd>
        {nominee.name} ({tv('kind', nominee.kind)}{nominee.gender ? `, ${tv('gender', nominee.gender)}` : ''})
        {nominee.position ? ` · ${nominee.position}` : ''}{nominee.organization ? ` · ${nominee.organization}` : ''}
      </dd>
      <dt>{t('nom.unit')}</dt>
      <dd>{view.route[0]?.unitName ?? view.proposingUnit} ({view.proposingUnit})</dd>
      <dt>{t('form.ruleSet')}</dt>
      <dd>{view.ruleSet}</dd>
      <dt>{t('nom.createdBy')}</dt>
      <dd>{view.createdBy.name} · {formatDateTime(view.createdAt)}</dd>
    </dl>
  );
}

function Documents({ documents }: { documents: NominationView['documents'] }) {
  const { t, tv } = useI18n();
  if (documents.length === 0) return <p>{t('common.none')}</p>;
  return (
    <ul className="documents">
      {documents.map((doc, i) => (
        <li key={i}>
          <a href={doc.url} target="_blank" rel="noopener noreferrer">{doc.title}</a> <span className="meta">({tv('doc', doc.kind)})</span>
          <br />
          <span className="meta">{t('nom.checksum')}: </span><code className="checksum">{doc.sha256}</code>
        </li>
      ))}
    </ul>
  );
}

function isCurrent(view: NominationView, stage: Stage): boolean {
  return view.currentStage !== null && stage.unit === view.currentStage.unit && (stage.status === 'in_review' || stage.status === 'returned');
}

function Timeline({ view }: { view: NominationView }) {
  const { t, tv } = useI18n();
  const today = todayInVietnam();
  return (
    <ol className="timeline">
      {view.route.map((stage, index) => {
        const current = isCurrent(view, stage);
        const overdue = current && stage.status === 'in_review' && stage.dueOn !== null && stage.dueOn < today;
        const approval = view.approvals.find((a) => (a as { stageIndex?: number }).stageIndex === index) as { by?: { name: string } } | undefined;
        const returned = [...view.returns].reverse().find((r) => r.stageIndex === index);
        const actor = approval?.by?.name ?? (stage.status === 'returned' ? returned?.by.name : undefined) ?? (stage.status === 'rejected' ? view.rejection?.by.name : undefined);
        return (
          <li key={`${stage.unit}-${index}`} data-testid="timeline-stage" aria-current={current ? 'step' : undefined} className={`stage stage-${stage.status}${current ? ' current' : ''}`}>
            <div className="stage-name"><strong>{stage.unitName}</strong> <span className="meta">{tv('level', stage.level)}</span></div>
            <div className="stage-status">{tv('stage', stage.status)}{overdue && <span className="overdue"> · {t('nom.overdue')}</span>}</div>
            <dl className="stage-dates">
              <dt>{t('nom.entered')}</dt><dd>{formatDateTime(stage.enteredAt)}</dd>
              <dt>{t('nom.due')}</dt><dd className={overdue ? 'overdue' : undefined}>{formatDate(stage.dueOn)}</dd>
              <dt>{t('nom.left')}</dt><dd>{formatDateTime(stage.leftAt)}</dd>
              {actor && <><dt>{t('nom.actedBy')}</dt><dd>{actor}</dd></>}
            </dl>
          </li>
        );
      })}
    </ol>
  );
}

function Votes({ view }: { view: NominationView }) {
  const { t } = useI18n();
  return (
    <TableRegion label={t('nom.votes')}>
    <table>
      <thead>
        <tr>
          <th scope="col">{t('vote.session')}</th><th scope="col">{t('vote.minutes')}</th><th scope="col">{t('vote.members')}</th>
          <th scope="col">{t('vote.present')}</th><th scope="col">{t('vote.inFavour')}</th><th scope="col">{t('vote.against')}</th><th scope="col">{t('nom.status')}</th>
        </tr>
      </thead>
      <tbody>
        {view.councilVotes.map((v, i) => (
          <tr key={i}>
            <td>{formatDate(v.sessionDate)}</td><td>{v.minutesNumber}</td><td>{v.members}</td><td>{v.present}</td><td>{v.inFavour}</td><td>{v.against}</td>
            <td>{v.passed ? t('vote.passed') : t('vote.failed')}</td>
          </tr>
        ))}
      </tbody>
    </table>
    </TableRegion>
  );
}

function History({ items }: { items: Schemas['HistoryEntryDto'][] | undefined }) {
  const { t } = useI18n();
  if (items === undefined) return null;
  return (
    <details className="card">
      <summary>{t('nom.history')} ({items.length})</summary>
      <ol className="history">
        {items.map((item) => (
          <li key={item.revision}>
            {formatDateTime(item.at)} · <code>{item.type}</code>{item.actor ? ` · ${(item.actor as { name?: string }).name ?? ''}` : ''}
          </li>
        ))}
      </ol>
    </details>
  );
}

interface ActionProps {
  readonly view: NominationView;
  readonly session: Session;
  readonly history: readonly Schemas['HistoryEntryDto'][] | undefined;
  readonly onDone: (view: NominationView) => void;
  readonly onConflict: (seenRevision: number) => Promise<void>;
}

/** Events whose actor may no longer approve, reject, record the vote of or decide the nomination. */
const PARTICIPATING = new Set(['NominationCreated', 'NominationUpdated', 'NominationSubmitted']);

interface Offer {
  readonly actions: ActionName[];
  readonly canEdit: boolean;
  readonly canDecide: boolean;
  /** Why an action of the stage is not offered although the caller acts there. */
  readonly notes: ('voteFirst' | 'returnLimit' | 'ownNomination')[];
}

/**
 * Exactly what the api accepts from the caller now (nomination.decide): the proposing unit's proposers
 * edit, submit and withdraw; officers of the current stage return (up to the stage's limit), vote,
 * approve (at the deciding stage only after a passed vote where the award needs one) and reject; the
 * deciding unit's chairman rejects or decides an approved one; never someone who created, edited or
 * submitted it or approved it at another stage. Unknown history offers no duty-bound action yet.
 */
export function offeredActions(view: NominationView, session: Session, history: readonly Schemas['HistoryEntryDto'][] | undefined): Offer {
  const me = session.person;
  const inCodeSet = me.codeSet === undefined || me.codeSet === view.codeSet;
  const actions: ActionName[] = [];
  const notes: Offer['notes'] = [];
  const decidingIndex = view.route.length - 1;
  const participated = history === undefined ? undefined
    : history.some((entry) => PARTICIPATING.has(entry.type) && (entry.actor as { id?: string } | null)?.id === me.id) || view.createdBy.id === me.id;
  const dutyFree = (stageIndex: number | null): boolean =>
    participated === false && !view.approvals.some((a) => a.by.id === me.id && (stageIndex === null || a.stageIndex !== stageIndex));

  const stageIndex = view.status === 'in_review' && view.currentStage !== null
    ? view.route.findIndex((stage) => stage.unit === view.currentStage!.unit && stage.status === 'in_review')
    : -1;
  if (inCodeSet && stageIndex >= 0 && view.currentStage?.unit === me.unit) {
    if (hasRole(session, 'officer')) {
      if (view.returns.filter((r) => r.stageIndex === stageIndex).length < view.rules.maxSupplementRequestsPerStage) actions.push('return');
      else notes.push('returnLimit');
      if (dutyFree(stageIndex)) {
        const latestVote = view.councilVotes.filter((vote) => vote.stageIndex === stageIndex).at(-1);
        if (stageIndex !== decidingIndex || !view.rules.councilVoteRequired || latestVote?.passed === true) actions.unshift('approve');
        else notes.push('voteFirst');
        actions.push('vote');
      }
    }
    if (hasRole(session, 'officer', 'decider') && dutyFree(stageIndex)) actions.push('reject');
    if (participated === true) notes.push('ownNomination');
  }
  const decidingHere = inCodeSet && view.status === 'approved' && view.deciding.unit === me.unit && hasRole(session, 'decider');
  if (decidingHere && dutyFree(null)) actions.push('reject');
  if (decidingHere && participated === true) notes.push('ownNomination');
  const proposing = inCodeSet && hasRole(session, 'proposer') && view.proposingUnit === me.unit;
  const canEdit = proposing && (view.status === 'draft' || view.status === 'returned');
  if (canEdit) actions.push('submit');
  if (proposing && ['draft', 'returned', 'in_review', 'approved'].includes(view.status)) actions.push('withdraw');
  return { actions, canEdit, canDecide: decidingHere && dutyFree(null), notes };
}

function Actions(props: ActionProps) {
  const { t } = useI18n();
  const { view, session } = props;
  const [open, setOpen] = useDraft<ActionName | null>(`${view.id}:open`, null);
  const { actions, canEdit, canDecide, notes } = offeredActions(view, session, props.history);
  const noteList = notes.length > 0 && (
    <ul className="action-notes" data-testid="action-notes">
      {notes.map((note) => <li key={note} data-note={note}>{t(`nom.note.${note}`)}</li>)}
    </ul>
  );
  if (actions.length === 0 && !canEdit && !canDecide) return <>{props.history === undefined ? <p role="status">{t('common.loading')}</p> : <p>{t('nom.noActions')}</p>}{noteList}</>;
  const label: Record<ActionName, string> = {
    approve: t('action.approve'), return: t('action.return'), reject: t('action.reject'),
    vote: t('action.vote'), submit: t('action.submit'), withdraw: t('action.withdraw'),
  };
  return (
    <div>
      <div className="action-buttons">
        {actions.map((action) => (
          <button key={action} type="button" data-testid={`action-${action}`} aria-expanded={open === action}
            className={action === 'reject' || action === 'withdraw' ? 'danger' : action === 'approve' || action === 'submit' ? 'primary' : undefined}
            onClick={() => setOpen(open === action ? null : action)}>
            {label[action]}
          </button>
        ))}
        {canEdit && <Link className="button" href={`/nominations/${view.id}/edit`}>{t('nom.edit')}</Link>}
        {canDecide && <Link className="button primary" data-testid="action-decide" href={`/decisions?nominations=${view.id}`}>{t('decisions.issue')}</Link>}
      </div>
      {noteList}
      {open !== null && actions.includes(open) && <ActionForm key={open} action={open} title={label[open]} {...props} close={() => setOpen(null)} />}
    </div>
  );
}

interface FormValues {
  comment: string;
  reason: string;
  missing: string[];
  reasonCode: string;
  sessionDate: string;
  minutesNumber: string;
  members: string;
  present: string;
  inFavour: string;
  against: string;
}

const EMPTY: FormValues = {
  comment: '', reason: '', missing: [], reasonCode: 'standard_not_met',
  sessionDate: '', minutesNumber: '', members: '', present: '', inFavour: '', against: '0',
};

function ActionForm({ action, title, view, onDone, onConflict, close }: ActionProps & { action: ActionName; title: string; close: () => void }) {
  const { t, tv } = useI18n();
  const [values, setValues, clearValues] = useDraft<FormValues>(`${view.id}:${action}`, EMPTY);
  const command = useCommand();
  const sentRevision = useRef(view.revision);
  const set = (field: keyof FormValues) => (value: string) => setValues((v) => ({ ...v, [field]: value }));
  // Opened from the keyboard, the form takes the focus: its first field (or Confirm when it has none)
  // is the next key press, not the other action buttons.
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    formRef.current?.querySelector<HTMLElement>('textarea, input, select, button[type="submit"]')?.focus();
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    sentRevision.current = view.revision;
    const path = { id: view.id };
    const header = (key: string) => ({ 'Idempotency-Key': key, 'If-Match': ifMatch(view.revision) });
    let result: NominationView | undefined;
    switch (action) {
      case 'approve': {
        const body = values.comment.trim() ? { comment: nfc(values.comment.trim()) } : {};
        result = await command.run(body, (key) => api.POST('/nominations/{id}/approve', { params: { path, header: header(key) }, body }));
        break;
      }
      case 'return': {
        const body = { reason: nfc(values.reason.trim()), missing: values.missing as (typeof DOCUMENT_KINDS)[number][] };
        result = await command.run(body, (key) => api.POST('/nominations/{id}/return', { params: { path, header: header(key) }, body }));
        break;
      }
      case 'reject': {
        const body = { reasonCode: values.reasonCode as (typeof REASON_CODES)[number], reason: nfc(values.reason.trim()) };
        result = await command.run(body, (key) => api.POST('/nominations/{id}/reject', { params: { path, header: header(key) }, body }));
        break;
      }
      case 'vote': {
        const body = {
          sessionDate: values.sessionDate, minutesNumber: nfc(values.minutesNumber.trim()),
          members: Number(values.members), present: Number(values.present), inFavour: Number(values.inFavour), against: Number(values.against),
        };
        result = await command.run(body, (key) => api.POST('/nominations/{id}/council-votes', { params: { path, header: header(key) }, body }));
        break;
      }
      case 'submit': {
        const body = {};
        result = await command.run(body, (key) => api.POST('/nominations/{id}/submit', { params: { path, header: header(key) }, body }));
        break;
      }
      case 'withdraw': {
        const body = { reason: nfc(values.reason.trim()) };
        result = await command.run(body, (key) => api.POST('/nominations/{id}/withdraw', { params: { path, header: header(key) }, body }));
        break;
      }
    }
    if (result) {
      clearValues();
      close();
      onDone(result);
    }
  };

  const { conflict } = command;
  useEffect(() => {
    // A conflict reloads the page's state once; the typed form stays as it is.
    if (conflict) void onConflict(sentRevision.current);
  }, [conflict, onConflict]);

  return (
    <form className="action-form card" onSubmit={submit} aria-label={title} noValidate ref={formRef}>
      <h3>{title}</h3>
      {action === 'approve' && (
        <Field label={t('action.comment')}>
          {(id) => <textarea id={id} data-testid="comment" rows={3} value={values.comment} onChange={(e) => set('comment')(e.target.value)} />}
        </Field>
      )}
      {action === 'reject' && (
        <Field label={t('action.reasonCode')}>
          {(id) => (
            <select id={id} value={values.reasonCode} onChange={(e) => set('reasonCode')(e.target.value)}>
              {REASON_CODES.map((code) => <option key={code} value={code}>{tv('reason', code)}</option>)}
            </select>
          )}
        </Field>
      )}
      {(action === 'return' || action === 'reject' || action === 'withdraw') && (
        <Field label={t('action.reason')}>
          {(id) => <textarea id={id} data-testid="reason" rows={3} value={values.reason} onChange={(e) => set('reason')(e.target.value)} aria-required="true" />}
        </Field>
      )}
      {action === 'return' && (
        <fieldset>
          <legend>{t('action.missing')}</legend>
          {DOCUMENT_KINDS.map((kind) => (
            <label key={kind} className="check">
              <input type="checkbox" checked={values.missing.includes(kind)}
                onChange={(e) => setValues((v) => ({ ...v, missing: e.target.checked ? [...v.missing, kind] : v.missing.filter((m) => m !== kind) }))} />
              {tv('doc', kind)}
            </label>
          ))}
        </fieldset>
      )}
      {action === 'vote' && (
        <div className="grid">
          <Field label={t('vote.session')}>{(id) => <DateInput id={id} value={values.sessionDate} onChange={set('sessionDate')} />}</Field>
          <Field label={t('vote.minutes')}>{(id) => <input id={id} value={values.minutesNumber} onChange={(e) => set('minutesNumber')(e.target.value)} />}</Field>
          <Field label={t('vote.members')}>{(id) => <input id={id} inputMode="numeric" value={values.members} onChange={(e) => set('members')(e.target.value)} />}</Field>
          <Field label={t('vote.present')}>{(id) => <input id={id} inputMode="numeric" value={values.present} onChange={(e) => set('present')(e.target.value)} />}</Field>
          <Field label={t('vote.inFavour')}>{(id) => <input id={id} inputMode="numeric" value={values.inFavour} onChange={(e) => set('inFavour')(e.target.value)} />}</Field>
          <Field label={t('vote.against')}>{(id) => <input id={id} inputMode="numeric" value={values.against} onChange={(e) => set('against')(e.target.value)} />}</Field>
        </div>
      )}
      {!command.conflict && <ProblemMessage problem={command.problem} />}
      <div className="form-buttons">
        <button type="submit" className="primary" data-testid="confirm" disabled={command.pending}>{t('action.confirm')}</button>
        <button type="button" onClick={close}>{t('common.cancel')}</button>
      </div>
    </form>
  );
}
