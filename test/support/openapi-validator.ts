import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { InjectOptions, TestResponse } from './test-api';

// ajv-formats is CommonJS: its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => void;

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = any;

interface Route {
  readonly template: string;
  readonly pattern: RegExp;
  readonly parameterNames: readonly string[];
}


/**
 * Checks HTTP exchanges against an OpenAPI 3.1 document, as a validating proxy (Prism) would: the
 * request's path, query and body against the operation, and the response's status, media type and
 * body against what the operation documents. Returns the violations, so a test can fail on any.
 */
export class OpenApiValidator {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  private readonly routes: Route[];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly document: Json) {
    addFormats(this.ajv);
    this.ajv.addSchema({ ...document, $id: 'openapi.json' });
    // Literal segments before parameters: /nominations/bulk/approve is not /nominations/{id}/approve.
    this.routes = Object.keys(document.paths)
      .map((template) => {
        const parameterNames: string[] = [];
        const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_, name: string) => {
          parameterNames.push(name);
          return '([^/]+)';
        });
        return { template, pattern: new RegExp(`^${source}$`), parameterNames };
      })
      .sort((a, b) => a.parameterNames.length - b.parameterNames.length);
  }

  /**
   * What every e2e test's client checks on every exchange (TestApi.request). A request the api accepted
   * (below 400) must be one the document accepts, and its answer as documented; a refused request may be
   * invalid on purpose, so only its answer is checked: a documented status, as problem+json of the
   * documented shape. Outside the document (an unknown path, a method a path lacks) only refusals are
   * expected, and they too are problem+json; the document's own routes (/docs, /docs-json) and the
   * console's static files are not API operations.
   */
  checkExchange(request: InjectOptions, response: TestResponse): string[] {
    const refused = response.statusCode >= 400;
    const url = new URL(request.url, 'http://api.test');
    const method = request.method.toLowerCase();
    // A browser navigating the console (Accept: text/html) is answered with its page, not the API operation.
    const navigation = !refused && /text\/html/.test(headerOf(request, 'accept') ?? '') && mediaType(String(response.headers['content-type'] ?? '')) === 'text/html';
    if (navigation) return [];
    const documented = this.routes.some((r) => r.pattern.test(url.pathname) && this.document.paths[r.template][method] !== undefined);
    if (documented) return this.check(request, response, { requestIsInvalid: refused });
    const where = `${request.method} ${url.pathname}${url.search} → ${response.statusCode}`;
    if (refused) {
      const media = mediaType(String(response.headers['content-type'] ?? ''));
      if (media !== 'application/problem+json') return [`${where}: a refusal outside the document is ${media || 'without a media type'}, not application/problem+json`];
      let body: unknown;
      try {
        body = JSON.parse(response.body);
      } catch {
        return [`${where}: problem body is not JSON: ${response.body.slice(0, 200)}`];
      }
      const errors = this.validate('#/components/schemas/ProblemDetailsDto', body);
      return errors === undefined ? [] : [`${where}: problem body ${errors}`];
    }
    if (url.pathname === '/docs' || url.pathname.startsWith('/docs/') || url.pathname === '/docs-json') return [];
    const media = mediaType(String(response.headers['content-type'] ?? ''));
    if (media.endsWith('json')) return [`${where}: answered JSON, but the document has no such operation`];
    return [];
  }

  /** The violations of one exchange; `requestIsInvalid` for requests sent invalid on purpose (only the answer is checked). */
  check(request: InjectOptions, response: TestResponse, options: { requestIsInvalid?: boolean } = {}): string[] {
    const method = request.method.toLowerCase();
    const url = new URL(request.url, 'http://api.test');
    const where = `${request.method} ${url.pathname}${url.search} → ${response.statusCode}`;
    const route = this.routes.find((r) => r.pattern.test(url.pathname) && this.document.paths[r.template][method] !== undefined);
    if (route === undefined) return [`${where}: no operation in the document`];
    const pointer = `#/paths/${escape(route.template)}/${method}`;
    const operation = this.document.paths[route.template][method];
    const violations: string[] = [];
    if (!options.requestIsInvalid) violations.push(...this.checkRequest(pointer, operation, route, url, request).map((v) => `${where}: request ${v}`));
    const security: Json[] = operation.security ?? this.document.security ?? [];
    const needsToken = security.length > 0 && !security.some((requirement) => Object.keys(requirement).length === 0);
    // Answers given before authentication (malformed requests, bodies too large, limits) need no token.
    const afterAuthentication = response.statusCode < 400 || [403, 404, 409, 412, 422].includes(response.statusCode);
    if (needsToken && afterAuthentication && request.as === undefined && headerOf(request, 'authorization') === undefined) {
      violations.push(`${where}: answered without the bearer token the document requires`);
    }
    if (!needsToken && response.statusCode === 401) violations.push(`${where}: asked for a token the document does not require`);
    violations.push(...this.checkResponse(pointer, operation, response).map((v) => `${where}: response ${v}`));
    return violations;
  }

  private checkRequest(pointer: string, operation: Json, route: Route, url: URL, request: InjectOptions): string[] {
    const violations: string[] = [];
    const values = route.pattern.exec(url.pathname)!.slice(1).map(decodeURIComponent);
    const parameters: Json[] = operation.parameters ?? [];
    parameters.forEach((parameter, index) => {
      const value = parameter.in === 'path' ? values[route.parameterNames.indexOf(parameter.name)]
        : parameter.in === 'query' ? url.searchParams.get(parameter.name) ?? undefined
        : parameter.in === 'header' ? headerOf(request, parameter.name) : undefined;
      if (value === undefined) {
        if (parameter.required) violations.push(`lacks required ${parameter.in} parameter ${parameter.name}`);
        return;
      }
      const errors = this.validate(`${pointer}/parameters/${index}/schema`, coerce(value, parameter.schema));
      if (errors !== undefined) violations.push(`${parameter.in} parameter ${parameter.name}=${JSON.stringify(value)} ${errors}`);
    });
    const known = new Set(parameters.filter((p) => p.in === 'query').map((p) => p.name as string));
    for (const name of url.searchParams.keys()) if (!known.has(name)) violations.push(`has undocumented query parameter ${name}`);
    if (request.body !== undefined) {
      const media = mediaType(headerOf(request, 'content-type') ?? 'application/json');
      const content = operation.requestBody?.content?.[media];
      if (content === undefined) violations.push(`body of type ${media} is not documented`);
      else if (content.schema !== undefined) {
        const body = typeof request.body === 'string' ? JSON.parse(request.body) : request.body;
        const errors = this.validate(`${pointer}/requestBody/content/${escape(media)}/schema`, body);
        if (errors !== undefined) violations.push(`body ${errors}`);
      }
    } else if (operation.requestBody?.required) {
      violations.push('lacks its required body');
    }
    return violations;
  }

  private checkResponse(pointer: string, operation: Json, response: TestResponse): string[] {
    const status = String(response.statusCode);
    const key = operation.responses[status] !== undefined ? status : operation.responses[`${status[0]}XX`] !== undefined ? `${status[0]}XX` : 'default';
    const documented = operation.responses[key];
    if (documented === undefined) return [`status ${status} is not documented`];
    const contentType = response.headers['content-type'];
    if (response.body === '' && contentType === undefined) return documented.content === undefined ? [] : ['has no body, but one is documented'];
    const media = mediaType(String(contentType ?? ''));
    const content = documented.content?.[media];
    if (content === undefined) return [`media type ${media} is not documented for ${status} (documented: ${Object.keys(documented.content ?? {}).join(', ') || 'none'})`];
    if (content.schema === undefined) return [];
    if (media === 'text/csv') {
      // Text against its string schema (the header line), and well-formed RFC 4180 throughout.
      const errors = this.validate(`${pointer}/responses/${key}/content/${escape(media)}/schema`, response.body);
      return [...(errors === undefined ? [] : [`CSV ${errors}`]), ...csvViolations(response.body).map((v) => `CSV ${v}`)];
    }
    if (!/[/+]json$/.test(media)) return [];
    let body: unknown;
    try {
      body = JSON.parse(response.body);
    } catch {
      return [`body is not JSON: ${response.body.slice(0, 200)}`];
    }
    const errors = this.validate(`${pointer}/responses/${key}/content/${escape(media)}/schema`, body);
    return errors === undefined ? [] : [`body ${errors}`];
  }

  private validate(pointer: string, value: unknown): string | undefined {
    let validate = this.compiled.get(pointer);
    if (validate === undefined) {
      validate = this.ajv.compile({ $ref: `openapi.json${pointer}` });
      this.compiled.set(pointer, validate);
    }
    if (validate(value)) return undefined;
    return (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`).join('; ');
  }
}

/**
 * What makes a text not RFC 4180 CSV as the api writes it: a line not ending in CRLF, a quote inside an
 * unquoted field or not doubled inside a quoted one, a quoted field left open, a record with another
 * number of fields than the header line. Empty when it is well formed.
 */
export function csvViolations(text: string): string[] {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (body === '') return ['is empty (no header line)'];
  if (!body.endsWith('\r\n')) return ['does not end with CRLF'];
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  while (i < body.length) {
    if (body[i] === '"' && field === '') {
      // A quoted field: up to the quote that is not doubled.
      let j = i + 1;
      for (;;) {
        const quote = body.indexOf('"', j);
        if (quote < 0) return [`record ${records.length + 1}: a quoted field is never closed`];
        if (body[quote + 1] === '"') {
          j = quote + 2;
          continue;
        }
        field = body.slice(i + 1, quote);
        i = quote + 1;
        break;
      }
      if (body[i] !== ',' && body[i] !== '\r') return [`record ${records.length + 1}: text after a closing quote`];
      continue;
    }
    const c = body[i]!;
    if (c === ',') {
      record.push(field);
      field = '';
      i += 1;
    } else if (c === '\r' && body[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 2;
    } else if (c === '\r' || c === '\n') {
      return [`record ${records.length + 1}: a line break outside quotes that is not CRLF`];
    } else if (c === '"') {
      return [`record ${records.length + 1}: a quote inside an unquoted field`];
    } else {
      field += c;
      i += 1;
    }
  }
  const width = records[0]!.length;
  return records.flatMap((r, n) => (r.length === width ? [] : [`record ${n + 1} has ${r.length} fields, the header ${width}`]));
}

function escape(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function mediaType(header: string): string {
  return header.split(';')[0]!.trim().toLowerCase();
}

function headerOf(request: InjectOptions, name: string): string | undefined {
  const entry = Object.entries(request.headers ?? {}).find(([key]) => key.toLowerCase() === name.toLowerCase());
  return entry?.[1];
}

/** Query and path values arrive as text; a schema of numbers or booleans means their JSON reading. */
function coerce(value: string, schema: Json): unknown {
  const type = schema?.type;
  if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}
