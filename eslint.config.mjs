import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

/** Packages the framework-free domain must never import: frameworks, drivers, queues, I/O. */
const INFRASTRUCTURE = [
  '@nestjs/*', 'fastify', '@fastify/*', 'pg', 'pg-*', 'node-pg-migrate', 'kysely', 'bullmq', 'ioredis',
  '@kurrent/*', '@eventstore/*', 'nodemailer', 'smtp-server', 'jose', 'pino', 'prom-client', 'class-validator',
  'class-transformer', 'rxjs', 'reflect-metadata',
  'fs', 'node:fs', 'fs/*', 'node:fs/*', 'net', 'node:net', 'http', 'node:http', 'https', 'node:https',
  'child_process', 'node:child_process', 'dgram', 'node:dgram', 'worker_threads', 'node:worker_threads',
];

const restrict = (patterns) => ['error', { patterns }];

/** HTTP belongs to apps/api: no lib raises Nest's HTTP exceptions (their codes go through the api's error table). */
const NO_HTTP_EXCEPTIONS = {
  group: ['@nestjs/common'],
  importNamePattern: '^(HttpException|HttpStatus|HttpCode|.+Exception)$',
  message: 'No HTTP below apps/api: raise an error with a code from this lib\'s code list; the api\'s error table gives it its status.',
};

/** A numeric HTTP status (100-599) written as a literal. */
const HTTP_STATUS_LITERAL = '/^[1-5][0-9][0-9]$/';
const STATUS_NAME = '/^(status|statusCode|httpStatus)$/';
const NO_HTTP_STATUS = 'No HTTP status below apps/api: give the error a code; apps/api/src/http/error-table.ts maps it to a status.';
/** Selectors of an HTTP status declared in a lib: `status = 412`, `{ status: 403 }`, `status: 401 | 403`, `reply.status(500)`. */
const HTTP_STATUS_SYNTAX = [
  `PropertyDefinition[key.name=${STATUS_NAME}][value.raw=${HTTP_STATUS_LITERAL}]`,
  `Property[key.name=${STATUS_NAME}][value.raw=${HTTP_STATUS_LITERAL}]`,
  `:matches(TSPropertySignature, PropertyDefinition, TSAbstractPropertyDefinition)[key.name=${STATUS_NAME}] TSLiteralType > Literal[raw=${HTTP_STATUS_LITERAL}]`,
  `CallExpression[callee.property.name=/^(status|code)$/] > Literal.arguments[raw=${HTTP_STATUS_LITERAL}]`,
].map((selector) => ({ selector, message: NO_HTTP_STATUS }));
const NO_CONSOLE_IMPORT = { selector: "ImportDeclaration[source.value=/apps\\/console/]", message: 'Nothing imports the console; the api serves its built files.' };

/** The application layer and the HTTP app reach PostgreSQL only through ports (libs/records, libs/event-store). */
const NO_DRIVER = {
  group: ['pg', 'pg-*', 'pg/*'],
  message: 'No PostgreSQL driver here: use a port (@app/records, @app/event-store) and put the SQL in its adapter.',
};
const LIB_RULES = [
  { group: ['**/apps/**', '@apps/*'], message: 'A lib never imports an app.' },
  { group: ['@app/*/src', '@app/*/src/**'], message: "Import a lib through its index ('@app/<lib>')." },
  NO_HTTP_EXCEPTIONS,
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'var/**', 'coverage/**', 'test-artifacts/**', '**/*.mjs', '**/*.js', 'apps/console/src/api/schema.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { ecmaVersion: 2023, sourceType: 'module' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-console': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // Only where no Nest class lives: Nest resolves constructor parameters from decorator metadata, and
    // a type-only import of an injected class would silently erase it.
    files: ['libs/nomination/**/*.ts', 'libs/event-store/**/*.ts', 'libs/config/src/app-config.ts'],
    rules: { '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }] },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-console': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  // ---- Architecture rules (ARCHITECTURE.md): arrows point inward. ----
  {
    files: ['libs/nomination/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        { group: INFRASTRUCTURE, message: 'libs/nomination is framework-free: no NestJS, drivers, queues or I/O.' },
        { group: ['@app/*'], message: 'libs/nomination depends on nothing else in the repository.' },
        { group: ['**/apps/**', '**/libs/*/src/**'], message: 'The domain imports nothing outside itself.' },
      ]),
    },
  },
  {
    files: ['libs/**/*.ts'],
    ignores: ['libs/nomination/**', 'libs/application/**', 'libs/notifications/**'],
    rules: { 'no-restricted-imports': restrict(LIB_RULES) },
  },
  {
    // The notification pipeline follows the log on its own: domain events in, e-mails out. It never calls
    // the application layer (whose commands it would re-enter) nor the HTTP side's auth.
    files: ['libs/notifications/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        ...LIB_RULES,
        { group: ['@app/application', '@app/auth', '@app/read-models'], message: 'libs/notifications depends only on the domain, the event store, the records ports and the platform.' },
      ]),
    },
  },
  {
    files: ['libs/application/**/*.ts'],
    rules: { 'no-restricted-imports': restrict([...LIB_RULES, NO_DRIVER]) },
  },
  {
    files: ['apps/api/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        { group: ['**/worker/**', '**/apps/worker', '**/apps/worker/**'], message: 'An app never imports another app.' },
        { group: ['**/libs/**', '@app/*/src', '@app/*/src/**'], message: "Import a lib through its index ('@app/<lib>')." },
        NO_DRIVER,
      ]),
    },
  },
  {
    files: ['apps/worker/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        { group: ['**/api/**', '**/apps/api', '**/apps/api/**'], message: 'An app never imports another app.' },
        { group: ['**/libs/**', '@app/*/src', '@app/*/src/**'], message: "Import a lib through its index ('@app/<lib>')." },
      ]),
    },
  },
  {
    // The console is a client of the public HTTP API only: no server code, no Node built-ins.
    files: ['apps/console/**/*.ts', 'apps/console/**/*.tsx'],
    ignores: ['apps/console/vite.config.mts', 'apps/console/**/*.spec.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      'no-restricted-imports': restrict([
        { group: ['@app/*', '**/libs/**', '**/apps/api/**', '**/apps/worker/**'], message: 'The console talks to the api over HTTP only, through the generated client.' },
        { group: ['node:*', 'fs', 'path', 'child_process', 'http', 'https', 'net'], message: 'The console runs in the browser.' },
      ]),
    },
  },
  {
    files: ['apps/api/**/*.ts', 'apps/worker/**/*.ts', 'libs/**/*.ts'],
    rules: { 'no-restricted-syntax': ['error', NO_CONSOLE_IMPORT] },
  },
  {
    // HTTP statuses live in one table in apps/api; libs speak in codes. Specs and test helpers stand in for the api.
    files: ['libs/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.int-spec.ts', '**/testing/**'],
    rules: { 'no-restricted-syntax': ['error', NO_CONSOLE_IMPORT, ...HTTP_STATUS_SYNTAX] },
  },
);
