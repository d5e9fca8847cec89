import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ifMatch, sessionStore, type Schemas } from '../api/client';
import { Field, ProblemMessage, useCommand, useDraft } from '../components/forms';
import { formatDateTime, nfc } from '../format';
import { useI18n } from '../i18n';
import { Link, navigate } from '../router';
import { useNomination } from './nomination';

type Kind = 'individual' | 'collective' | 'household';
type DocKind = 'submission' | 'achievement_report' | 'council_minutes' | 'supporting';

interface DocumentInput { kind: DocKind; title: string; url: string; sha256: string }

interface FormValues {
  ruleSet: string;
  awardCode: string;
  year: string;
  proposingUnit: string;
  kind: Kind;
  name: string;
  gender: '' | 'female' | 'male';
  position: string;
  email: string;
  organization: string;
  achievements: string;
  documents: DocumentInput[];
}

const DOC_KINDS: readonly DocKind[] = ['submission', 'achievement_report', 'council_minutes', 'supporting'];

function emptyValues(unit: string): FormValues {
  return {
    ruleSet: '', awardCode: '', year: String(new Date().getFullYear() - 1), proposingUnit: unit, kind: 'individual', name: '', gender: '',
    position: '', email: '', organization: '', achievements: '', documents: [{ kind: 'submission', title: '', url: '', sha256: '' }],
  };
}

function nomineeOf(v: FormValues) {
  const name = nfc(v.name.trim());
  const organization = v.organization.trim() ? { organization: nfc(v.organization.trim()) } : {};
  if (v.kind === 'individual') {
    return {
      // Submitting checks that a gender was chosen (genderMissing): it counts in the reports, never guessed.
      kind: 'individual' as const, name, gender: v.gender as 'female' | 'male',
      ...(v.position.trim() ? { position: nfc(v.position.trim()) } : {}), ...(v.email.trim() ? { email: v.email.trim() } : {}), ...organization,
    };
  }
  return { kind: v.kind, name, ...organization };
}

function documentsOf(v: FormValues) {
  return v.documents.map((d) => ({ kind: d.kind, title: nfc(d.title.trim()), url: d.url.trim(), sha256: d.sha256.trim().toLowerCase() }));
}

/** New nomination, or edit of a draft / returned one (`id`). */
export function NominationFormPage({ id }: { id?: string }) {
  const { t, tv, language } = useI18n();
  const unit = sessionStore.get()?.person.unit ?? '';
  const [values, setValues, clear] = useDraft<FormValues>(id ? `edit:${id}` : 'new-nomination', emptyValues(unit));
  const [ruleSets, setRuleSets] = useState<Schemas['RuleSetSummaryDto'][]>([]);
  const [awards, setAwards] = useState<Schemas['AwardTypeDto'][]>([]);
  const existing = useNomination(id);
  const command = useCommand();
  const editing = id !== undefined;
  const view = editing ? existing.view : undefined;

  useEffect(() => {
    if (editing) return;
    api.GET('/rule-sets').then(({ data }) => {
      const items = data?.items ?? [];
      setRuleSets(items);
      // The rule set in force for the caller's code set (a gso-2004 unit proposes under the 2024 rules).
      const codeSet = sessionStore.get()?.person.codeSet;
      const mine = items.filter((r) => codeSet === undefined || r.codeSet === codeSet);
      const pick = mine.find((r) => r.inForce) ?? mine.at(-1) ?? items.find((r) => r.inForce) ?? items[0];
      setValues((v) => (v.ruleSet ? v : { ...v, ruleSet: pick?.id ?? '' }));
    }, () => undefined);
  }, [editing, setValues]);

  useEffect(() => {
    if (editing || !values.ruleSet) return;
    // Another rule set's catalogue is never shown meanwhile, nor a slower answer for the one left.
    let live = true;
    setAwards([]);
    api.GET('/award-types', { params: { query: { ruleSet: values.ruleSet } } }).then(({ data }) => live && setAwards(data?.items ?? []), () => undefined);
    return () => { live = false; };
  }, [editing, values.ruleSet]);

  // An edit starts from the nomination as it is now (unless a draft of the edit was kept).
  useEffect(() => {
    if (view === undefined || values.name !== '') return;
    const n = view.nominee;
    setValues({
      ...emptyValues(view.proposingUnit), ruleSet: view.ruleSet, awardCode: view.awardCode, year: String(view.year), kind: n.kind as Kind, name: n.name,
      gender: (n.gender ?? '') as FormValues['gender'], position: n.position ?? '', email: n.email ?? '', organization: n.organization ?? '',
      achievements: view.achievements, documents: view.documents.map((d) => ({ kind: d.kind as DocKind, title: d.title, url: d.url, sha256: d.sha256 })),
    });
  }, [view, values.name, setValues]);

  // Someone else changed the nomination: load its new state (and revision, for the next If-Match);
  // what this person typed stays in the form, never replaced by it.
  // The read model may trail the write that beat this one by a moment: ask until it has it.
  const { load: reload } = existing;
  const sentRevision = useRef<number | undefined>(undefined);
  const [newState, setNewState] = useState(false);
  useEffect(() => {
    if (!command.conflict) { setNewState(false); return; }
    let live = true;
    void (async () => {
      for (let attempt = 0; attempt < 20 && live; attempt += 1) {
        const fresh = await reload().catch(() => undefined);
        if (fresh === undefined || sentRevision.current === undefined || fresh.revision > sentRevision.current) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      if (live) setNewState(true);
    })();
    return () => { live = false; };
  }, [command.conflict, reload]);

  const set = <K extends keyof FormValues>(field: K) => (value: FormValues[K]) => setValues((v) => ({ ...v, [field]: value }));
  const setDoc = (index: number, field: keyof DocumentInput, value: string) =>
    setValues((v) => ({ ...v, documents: v.documents.map((d, i) => (i === index ? { ...d, [field]: value } : d)) }));

  const [genderMissing, setGenderMissing] = useState(false);
  const genderRef = useRef<HTMLSelectElement>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (values.kind === 'individual' && values.gender === '') {
      setGenderMissing(true);
      genderRef.current?.focus();
      return;
    }
    setGenderMissing(false);
    if (editing) {
      if (view === undefined) return;
      sentRevision.current = view.revision;
      const body = { nominee: nomineeOf(values), achievements: nfc(values.achievements.trim()), documents: documentsOf(values), year: Number(values.year) };
      const result = await command.run(body, (key) => api.PATCH('/nominations/{id}', {
        params: { path: { id }, header: { 'Idempotency-Key': key, 'If-Match': ifMatch(view.revision) } }, body,
      }));
      if (result) { clear(); navigate(`/nominations/${result.id}`); }
      return;
    }
    const body = {
      ruleSet: values.ruleSet, awardCode: values.awardCode, year: Number(values.year), proposingUnit: values.proposingUnit.trim(),
      nominee: nomineeOf(values), achievements: nfc(values.achievements.trim()), documents: documentsOf(values),
    };
    const result = await command.run(body, (key) => api.POST('/nominations', { params: { header: { 'Idempotency-Key': key } }, body }));
    if (result) { clear(); navigate(`/nominations/${result.id}`); }
  };

  // An award no unit may decide under this rule set (GIAY_KHEN_HUYEN after the 2025 reform) is refused at
  // creation (award_not_offered): it is not offered here.
  const offered = awards.filter((a) => a.nomineeKinds.includes(values.kind) && a.decidingLevels.length > 0);
  const awardName = (a: Schemas['AwardTypeDto']) => {
    const names = a.names as unknown as { vi: string; en: string };
    return language === 'en' ? names.en : names.vi;
  };

  return (
    <section aria-labelledby="form-title">
      <h1 id="form-title">{editing ? t('form.editTitle') : t('form.newTitle')}</h1>
      {command.conflict && (
        <div className="conflict" role="alert" data-testid="conflict">
          <strong>{t('conflict.title')}</strong>
          <p>{t('conflict.body')}</p>
          {view && newState && (
            <p data-testid="conflict-state">
              {t('nom.status')}: {tv('status', view.status)} · {t('form.updatedAt')}: {formatDateTime(view.updatedAt)} ·{' '}
              <Link href={`/nominations/${view.id}`}>{t('conflict.view')}</Link>
            </p>
          )}
        </div>
      )}
      <form onSubmit={submit} className="card nomination-form" noValidate>
        {!editing && (
          <div className="grid">
            <Field label={t('form.ruleSet')}>
              {(fid) => (
                <select id={fid} value={values.ruleSet} onChange={(e) => setValues((v) => ({ ...v, ruleSet: e.target.value, awardCode: '' }))}>
                  {ruleSets.map((r) => <option key={r.id} value={r.id}>{r.id} · {language === 'en' ? r.names.en : r.names.vi}</option>)}
                </select>
              )}
            </Field>
            <Field label={t('form.nomineeKind')}>
              {(fid) => (
                <select id={fid} value={values.kind} onChange={(e) => set('kind')(e.target.value as Kind)}>
                  {(['individual', 'collective', 'household'] as const).map((k) => <option key={k} value={k}>{tv('kind', k)}</option>)}
                </select>
              )}
            </Field>
            <Field label={t('form.award')}>
              {(fid) => (
                <select id={fid} value={values.awardCode} onChange={(e) => set('awardCode')(e.target.value)} data-testid="award">
                  <option value="">{t('form.chooseAward')}</option>
                  {offered.map((a) => <option key={a.code} value={a.code}>{awardName(a)}</option>)}
                </select>
              )}
            </Field>
            <Field label={t('nom.unit')}>{(fid) => <input id={fid} value={values.proposingUnit} onChange={(e) => set('proposingUnit')(e.target.value)} inputMode="numeric" />}</Field>
          </div>
        )}
        <div className="grid">
          <Field label={t('form.nomineeName')}>{(fid) => <input id={fid} data-testid="nominee-name" value={values.name} onChange={(e) => set('name')(e.target.value)} autoComplete="off" />}</Field>
          {values.kind === 'individual' && (
            <Field label={t('form.gender')}>
              {(fid) => (
                <>
                  <select id={fid} ref={genderRef} data-testid="gender" value={values.gender} aria-required="true"
                    aria-invalid={genderMissing && values.gender === '' ? true : undefined} aria-describedby={genderMissing && values.gender === '' ? `${fid}-error` : undefined}
                    onChange={(e) => set('gender')(e.target.value as FormValues['gender'])}>
                    <option value="">—</option>
                    <option value="female">{t('gender.female')}</option>
                    <option value="male">{t('gender.male')}</option>
                  </select>
                  {genderMissing && values.gender === '' && <small id={`${fid}-error`} className="field-error" role="alert" data-testid="gender-error">{t('form.genderRequired')}</small>}
                </>
              )}
            </Field>
          )}
          {values.kind === 'individual' && <Field label={t('form.position')}>{(fid) => <input id={fid} value={values.position} onChange={(e) => set('position')(e.target.value)} />}</Field>}
          {values.kind === 'individual' && <Field label={t('form.email')}>{(fid) => <input id={fid} type="email" value={values.email} onChange={(e) => set('email')(e.target.value)} />}</Field>}
          <Field label={t('form.organization')}>{(fid) => <input id={fid} value={values.organization} onChange={(e) => set('organization')(e.target.value)} />}</Field>
          <Field label={t('nom.year')}>{(fid) => <input id={fid} inputMode="numeric" value={values.year} onChange={(e) => set('year')(e.target.value)} />}</Field>
        </div>
        <Field label={t('nom.achievements')}>
          {(fid) => <textarea id={fid} data-testid="achievements" rows={5} value={values.achievements} onChange={(e) => set('achievements')(e.target.value)} />}
        </Field>
        <fieldset>
          <legend>{t('form.documents')}</legend>
          {values.documents.map((doc, index) => (
            <div className="document-row" key={index} data-testid="document-row">
              <Field label={`${t('form.docKind')} ${index + 1}`}>
                {(fid) => (
                  <select id={fid} value={doc.kind} onChange={(e) => setDoc(index, 'kind', e.target.value)}>
                    {DOC_KINDS.map((k) => <option key={k} value={k}>{tv('doc', k)}</option>)}
                  </select>
                )}
              </Field>
              <Field label={`${t('form.docTitle')} ${index + 1}`}>{(fid) => <input id={fid} value={doc.title} onChange={(e) => setDoc(index, 'title', e.target.value)} />}</Field>
              <Field label={`${t('form.docUrl')} ${index + 1}`}>{(fid) => <input id={fid} type="url" value={doc.url} onChange={(e) => setDoc(index, 'url', e.target.value)} />}</Field>
              <Field label={`${t('form.docSha')} ${index + 1}`}>{(fid) => <input id={fid} className="mono" value={doc.sha256} onChange={(e) => setDoc(index, 'sha256', e.target.value)} spellCheck={false} />}</Field>
              <button type="button" onClick={() => setValues((v) => ({ ...v, documents: v.documents.filter((_, i) => i !== index) }))}>
                {t('form.removeDocument')} {index + 1}
              </button>
            </div>
          ))}
          <button type="button" data-testid="add-document" onClick={() => setValues((v) => ({ ...v, documents: [...v.documents, { kind: 'supporting', title: '', url: '', sha256: '' }] }))}>
            {t('form.addDocument')}
          </button>
        </fieldset>
        <ProblemMessage problem={command.conflict ? undefined : command.problem} />
        <div className="form-buttons">
          <button type="submit" className="primary" data-testid="confirm" disabled={command.pending}>{t('form.saveDraft')}</button>
          <button type="button" onClick={() => { clear(); navigate(id ? `/nominations/${id}` : '/'); }}>{t('common.cancel')}</button>
        </div>
      </form>
    </section>
  );
}
