import { useEffect, useState, type FormEvent } from 'react';
import { api, sessionStore, type Schemas } from '../api/client';
import { Field } from '../components/forms';
import { useI18n } from '../i18n';
import { navigate } from '../router';
import { takeReturn } from '../session';
import { useSignInOptions } from './sign-in';

/** Development only: the api has no /auth/dev routes in production, and this page then says not found. */
export default function DevSignInPage() {
  const { t, tv } = useI18n();
  const options = useSignInOptions();
  const [people, setPeople] = useState<Schemas['DevPersonDto'][]>();
  const [token, setToken] = useState('');
  const [failure, setFailure] = useState<string>();

  useEffect(() => {
    if (!options?.development) return;
    api.GET('/auth/dev/people').then(({ data }) => setPeople(data?.items ?? []), () => setPeople([]));
  }, [options]);

  const accept = async (candidate: string) => {
    setFailure(undefined);
    if (sessionStore.signIn(candidate.trim()) === undefined) {
      setFailure(t('dev.badToken'));
      return;
    }
    // Ask the api before going on: a wrong paste is refused here, not on the next screen.
    const probe = await api.GET('/rule-sets').catch(() => undefined);
    if (probe === undefined || !probe.response.ok) {
      sessionStore.signOut();
      setFailure(t('dev.badToken'));
      return;
    }
    navigate(takeReturn(), { replace: true });
  };

  const signInAs = async (staffId: string) => {
    const { data } = await api.POST('/auth/dev/token', { body: { staffId } });
    if (data) await accept(data.token);
    else setFailure(t('signin.failed'));
  };

  if (options === undefined) return <p role="status">{t('common.loading')}</p>;
  if (!options?.development) return <p role="status">{t('common.notFound')}</p>;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void accept(token);
  };

  return (
    <section aria-labelledby="dev-title" className="sign-in">
      <h1 id="dev-title">{t('dev.title')}</h1>
      <p>{t('dev.intro')}</p>
      <h2>{t('dev.people')}</h2>
      {people === undefined ? <p role="status">{t('common.loading')}</p> : people.length === 0 ? <p>{t('dev.noPeople')}</p> : (
        <ul className="people">
          {people.map((person) => (
            <li key={person.id}>
              <button type="button" onClick={() => void signInAs(person.id)} data-staff-id={person.id}>
                <span className="name">{person.name}</span>
                <span className="meta">{person.unitName ?? person.unit} · {person.roles.map((r) => tv('role', r)).join(', ')}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={submit}>
        <Field label={t('dev.token')}>
          {(id) => <textarea id={id} data-testid="login-token" rows={4} value={token} onChange={(e) => setToken(e.target.value)} spellCheck={false} autoComplete="off" />}
        </Field>
        <button type="submit" className="primary" data-testid="login-submit">{t('dev.submit')}</button>
      </form>
      {failure && <p className="problem" role="alert" data-testid="problem">{failure}</p>}
    </section>
  );
}
