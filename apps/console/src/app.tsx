import { lazy, Suspense, useEffect, useRef, useSyncExternalStore, type ReactNode } from 'react';
import { sessionStore } from './api/client';
import { useI18n, type MessageKey } from './i18n';
import { Link, match, navigate, useLocation } from './router';
import { hasRole, type Role, type Session } from './session';
import { SignInPage, OidcCallbackPage } from './pages/sign-in';
import { NominationPage } from './pages/nomination';
import { NominationFormPage } from './pages/nomination-form';

// Screens past the first are loaded when opened, which keeps the initial download small.
const DevSignInPage = lazy(() => import('./pages/dev-sign-in'));
const DecisionsPage = lazy(() => import('./pages/decisions'));
const InboxPage = lazy(() => import('./pages/inbox'));
const SearchPage = lazy(() => import('./pages/search'));
const ReportsPage = lazy(() => import('./pages/reports'));
const AuditPage = lazy(() => import('./pages/audit'));

interface MenuItem {
  readonly href: string;
  readonly label: MessageKey;
  readonly roles: readonly Role[];
}

/**
 * The menu shows only what the caller's roles may do, and the same list guards the screens (a typed or
 * shared address shows a refusal, not an empty page); the api enforces it regardless. The audit trail
 * is read by auditors only (GET /audit/events is @Roles('auditor')).
 */
const MENU: readonly MenuItem[] = [
  { href: '/inbox', label: 'nav.inbox', roles: ['proposer', 'officer', 'decider'] },
  { href: '/nominations/new', label: 'nav.new', roles: ['proposer'] },
  { href: '/search', label: 'nav.search', roles: ['proposer', 'officer', 'decider', 'auditor', 'admin'] },
  { href: '/decisions', label: 'nav.decisions', roles: ['decider'] },
  { href: '/reports', label: 'nav.reports', roles: ['officer', 'decider', 'auditor', 'admin'] },
  { href: '/audit', label: 'nav.audit', roles: ['auditor'] },
];

function homeOf(session: Session): string {
  return MENU.find((item) => hasRole(session, ...item.roles))?.href ?? '/search';
}

export function App() {
  const session = useSyncExternalStore(sessionStore.subscribe, sessionStore.get);
  const { path, query } = useLocation();

  if (path === '/auth/callback') return <Shell session={undefined}><OidcCallbackPage query={query} /></Shell>;
  if (path === '/sign-in/dev') return <Shell session={session}><Suspense fallback={<Loading />}><DevSignInPage /></Suspense></Shell>;
  if (session === undefined || path === '/sign-in') {
    return <Shell session={session}><SignInPage expired={sessionStore.expired()} returnTo={path === '/sign-in' ? undefined : `${path}${window.location.search}`} /></Shell>;
  }
  return <Shell session={session}><Screen path={path} session={session} /></Shell>;
}

function Screen({ path, session }: { path: string; session: Session }) {
  const { t } = useI18n();
  if (path === '/' ) return <Redirect to={homeOf(session)} />;
  const guarded = MENU.find((item) => item.href === path.replace(/\/+$/, ''));
  if (guarded && !hasRole(session, ...guarded.roles)) return <Refusal item={guarded} />;
  if (path === '/nominations/new') return <NominationFormPage />;
  let params = match('/nominations/:id/edit', path);
  if (params) return <NominationFormPage id={params.id!} />;
  params = match('/nominations/:id', path);
  if (params) return <NominationPage id={params.id!} session={session} />;
  params = match('/decisions/:id', path);
  if (params) return <Suspense fallback={<Loading />}><DecisionsPage session={session} id={params.id!} /></Suspense>;
  if (path === '/decisions') return <Suspense fallback={<Loading />}><DecisionsPage session={session} /></Suspense>;
  if (path === '/inbox') return <Suspense fallback={<Loading />}><InboxPage session={session} /></Suspense>;
  if (path === '/search') return <Suspense fallback={<Loading />}><SearchPage /></Suspense>;
  if (path === '/reports') return <Suspense fallback={<Loading />}><ReportsPage session={session} /></Suspense>;
  if (path === '/audit') return <Suspense fallback={<Loading />}><AuditPage /></Suspense>;
  return <p role="status">{t('common.notFound')}</p>;
}

/** A screen the caller's roles do not open: said plainly, with the roles that do, and nothing requested. */
function Refusal({ item }: { item: MenuItem }) {
  const { t, tv } = useI18n();
  return (
    <div className="problem" role="alert" data-testid="forbidden">
      <h1>{t('forbidden.title')}</h1>
      <p>{t(item.label)}: {t('forbidden.body')} {item.roles.map((role) => tv('role', role)).join(', ')}.</p>
      <p><Link href="/">{t('common.back')}</Link></p>
    </div>
  );
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

export function Loading() {
  const { t } = useI18n();
  return <p role="status" className="loading">{t('common.loading')}</p>;
}

function Shell({ session, children }: { session: Session | undefined; children: ReactNode }) {
  const { t, tv, language, setLanguage } = useI18n();
  const { path } = useLocation();
  // A screen reader hears the new screen after a navigation, as after a page load; the first load keeps the browser's focus.
  const firstPath = useRef(path);
  useEffect(() => {
    if (path !== firstPath.current) document.getElementById('main')?.focus({ preventScroll: true });
  }, [path]);
  return (
    <>
      <a className="skip" href="#main">{t('app.skip')}</a>
      <header className="top">
        <Link href="/" className="brand">{t('app.title')}</Link>
        {session && (
          <nav aria-label={t('nav.label')}>
            <ul>
              {MENU.filter((item) => hasRole(session, ...item.roles)).map((item) => (
                <li key={item.href}>
                  <Link href={item.href} aria-current={path === item.href ? 'page' : undefined}>{t(item.label)}</Link>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <div className="who">
          {session && (
            <span className="person">
              {session.person.name} · {session.person.unit} · {session.person.roles.map((r) => tv('role', r)).join(', ')}
            </span>
          )}
          <button type="button" className="link" lang={language === 'vi' ? 'en' : 'vi'} aria-label={t('lang.switchLabel')} onClick={() => setLanguage(language === 'vi' ? 'en' : 'vi')}>
            {t('lang.switch')}
          </button>
          {session && (
            <button type="button" className="link" onClick={() => { sessionStore.signOut(); navigate('/sign-in'); }}>{t('nav.signOut')}</button>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>{children}</main>
    </>
  );
}
