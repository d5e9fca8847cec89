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
    if (needsToken && request.as === undefined && headerOf(request, 'authorization') === undefined && response.statusCode !== 401) {
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
