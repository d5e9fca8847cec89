import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';

/**
 * The compose stack's own rules, checked on every run because no Docker engine runs on the development
 * or CI machines (`docker compose config` and `up` cannot be run there): every image pinned to a
 * version, KurrentDB only in the KurrentDB mode, healthchecks that call tools the images ship, and a
 * KurrentDB mode whose PostgreSQL state (read models, checkpoints) cannot mix with the PostgreSQL mode's.
 */
interface Service {
  readonly image?: string;
  readonly build?: unknown;
  readonly profiles?: readonly string[];
  readonly environment?: Record<string, string>;
  readonly healthcheck?: { readonly test?: readonly string[]; readonly disable?: boolean };
  readonly depends_on?: Record<string, unknown>;
}
interface ComposeFile {
  readonly services: Record<string, Service>;
}

/** YAML merge keys (`<<: *anchor`), as compose applies them: the mapping's own keys win. */
function merged(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(merged);
  if (typeof value !== 'object' || value === null) return value;
  const { '<<': inherited, ...own } = value as Record<string, unknown>;
  const result: Record<string, unknown> = inherited === undefined ? {} : { ...(merged(inherited) as Record<string, unknown>) };
  for (const [key, item] of Object.entries(own)) result[key] = merged(item);
  return result;
}

const readCompose = (path: string) => merged(load(readFileSync(path, 'utf8'))) as ComposeFile;
const base = readCompose('docker/compose.yml');
const kurrent = readCompose('docker/compose.kurrentdb.yml');
const dockerfile = readFileSync('docker/Dockerfile', 'utf8');

/** `${VAR:-default}` resolves to its default, as compose does when VAR is unset. */
function resolve(image: string): string {
  return image.replace(/\$\{[A-Z_]+:-([^}]+)\}/g, '$1');
}

/** What each healthcheck may call: tools the image is known to ship (see the comments in compose.yml). */
const SHIPPED: Record<string, string> = {
  postgres: 'pg_isready',
  redis: 'redis-cli',
  kurrentdb: 'curl',
  mailpit: '/mailpit',
};

describe('docker compose files', () => {
  it('pin every image to a version, never latest', () => {
    const images = Object.values(base.services).flatMap((s) => (s.image === undefined || s.build !== undefined ? [] : [resolve(s.image)]));
    expect(images.length).toBeGreaterThanOrEqual(4);
    for (const image of images) {
      const tag = /:([^/:@]+)(@sha256:[0-9a-f]{64})?$/.exec(image)?.[1];
      // A release, not a moving major line: 15.17-bookworm, 7.0.15-bookworm, v1.31.2, 26.0.3.
      expect({ image, tag }).toEqual({ image, tag: expect.stringMatching(/^v?\d+\.\d+(\.\d+)?(-[a-z0-9.]+)?$/) });
    }
    const node = /ARG NODE_IMAGE=(\S+)/.exec(dockerfile)?.[1];
    expect(node).toMatch(/^node:\d+\.\d+\.\d+-/);
  });

  it('start KurrentDB only in the KurrentDB mode', () => {
    expect(base.services['kurrentdb']?.profiles).toEqual(['kurrentdb']);
    for (const [name, service] of Object.entries(base.services)) {
      if (name !== 'kurrentdb') expect({ name, profiles: service.profiles }).toEqual({ name, profiles: undefined });
      expect(Object.keys(service.depends_on ?? {})).not.toContain('kurrentdb');
    }
    for (const name of ['api', 'worker']) {
      expect(kurrent.services[name]?.environment).toMatchObject({ EVENT_STORE: 'kurrentdb' });
      expect(Object.keys(kurrent.services[name]?.depends_on ?? {})).toContain('kurrentdb');
    }
  });

  it('give the KurrentDB mode its own PostgreSQL database', () => {
    const databaseOf = (url: string | undefined) => (url === undefined ? undefined : new URL(url).pathname);
    const postgresMode = databaseOf((base.services['api']?.environment ?? {})['DATABASE_URL']);
    expect(postgresMode).toBe('/nomination_approvals');
    for (const name of ['api', 'worker']) {
      const kurrentMode = databaseOf(kurrent.services[name]?.environment?.['DATABASE_URL']);
      expect(kurrentMode).toBe('/nomination_approvals_kurrentdb');
    }
  });

  it('keep healthchecks to tools the images ship', () => {
    for (const [name, tool] of Object.entries(SHIPPED)) {
      const test = base.services[name]?.healthcheck?.test;
      expect({ name, command: test?.[0], tool: test?.[1] }).toEqual({ name, command: 'CMD', tool });
    }
    // The service image is Debian slim without curl: its check is in the Dockerfile, with node.
    expect(dockerfile).toMatch(/HEALTHCHECK[\s\S]*CMD \["node", "-e"/);
    expect(base.services['worker']?.healthcheck?.disable).toBe(true);
  });
});
