import { useEffect, useRef, useState } from 'react';
import { api, sessionStore, type Schemas } from '../api/client';
import { useI18n } from '../i18n';
import { completeOidcSignIn, startOidcSignIn } from '../oidc';
import { Link, navigate } from '../router';
import { rememberReturn, takeReturn } from '../session';

export function useSignInOptions(): Schemas['SignInOptionsDto'] | undefined | null {
  const [options, setOptions] = useState<Schemas['SignInOptionsDto'] | undefined | null>(undefined);
  useEffect(() => {
    let live = true;
    api.GET('/auth/config').then(({ data }) => live && setOptions(data ?? null), () => live && setOptions(null));
    return () => { live = false; };
  }, []);
  return options;
}

export function SignInPage({ expired, returnTo }: { expired: boolean; returnTo: string | undefined }) {
  const { t } = useI18n();
  const options = useSignInOptions();
  // Someone who followed a link (an e-mail's /nominations/{id}) lands there once signed in.
  useEffect(() => {
    if (returnTo !== undefined) rememberReturn(returnTo);
  }, [returnTo]);
  const [failure, setFailure] = useState<string>();
  return (
    <section className="sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">{t('signin.title')}</h1>
      {expired && <p className="notice" role="status">{t('signin.expired')}</p>}
      {options === undefined && <p role="status">{t('common.loading')}</p>}
      {options?.oidc && (
        <button type="button" className="primary" onClick={() => startOidcSignIn(options.oidc!).catch((e: Error) => setFailure(e.message))}>
          {t('signin.oidc')}
        </button>
      )}
      {options?.development && <p><Link href="/sign-in/dev">{t('signin.devLink')}</Link></p>}
      {options && !options.oidc && !options.development && <p>{t('signin.none')}</p>}
      {failure && <p className="problem" role="alert">{t('signin.failed')} {failure}</p>}
    </section>
  );
}

export function OidcCallbackPage({ query }: { query: URLSearchParams }) {
  const { t } = useI18n();
  const [failure, setFailure] = useState<string>();
  const started = useRef(false);
  useEffect(() => {
    // A code is redeemed once; StrictMode's second effect run must not try again.
    if (started.current) return;
    started.current = true;
    completeOidcSignIn(query).then(
      (token) => {
        if (sessionStore.signIn(token) === undefined) throw new Error('the access token is not a JWT this console can read');
        navigate(takeReturn(), { replace: true });
      },
    ).catch((error: Error) => setFailure(error.message));
  }, [query]);
  return (
    <section aria-labelledby="callback-title">
      <h1 id="callback-title">{t('signin.title')}</h1>
      {failure === undefined ? <p role="status">{t('common.loading')}</p> : (
        <p className="problem" role="alert">{t('signin.failed')} {failure} <Link href="/sign-in">{t('common.retry')}</Link></p>
      )}
    </section>
  );
}
