/**
 * A deliberately small logic-less template language (a subset of Mustache), so templates stay files
 * that an office can have translated and reviewed without reading code:
 *   {{name}}            a value (HTML-escaped in .html templates), dotted paths allowed, {{.}} the current item
 *   {{#name}}…{{/name}}  rendered once for a truthy value, once per element for a list
 *   {{^name}}…{{/name}}  rendered when the value is missing, false or an empty list
 *   {{> name}}           a partial: shared markup (templates/_partials), inlined when the template is read
 */

type Node =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'value'; readonly path: string }
  | { readonly kind: 'section'; readonly path: string; readonly inverted: boolean; readonly children: readonly Node[] };

export type { Node as TemplateNode };

export class TemplateSyntaxError extends Error {}

const TAG = /\{\{\s*([#^/>]?)\s*([A-Za-z0-9_.-]+)\s*\}\}/g;

/** The parsed partials a template may include, by name (undefined: no such partial). */
export type PartialLookup = (name: string) => readonly Node[] | undefined;

export function parseTemplate(source: string, name = 'template', partials: PartialLookup = () => undefined): readonly Node[] {
  const root: Node[] = [];
  const stack: { path: string; inverted: boolean; children: Node[] }[] = [];
  const current = (): Node[] => stack[stack.length - 1]?.children ?? root;
  let last = 0;
  for (const match of source.matchAll(TAG)) {
    if (match.index > last) current().push({ kind: 'text', text: source.slice(last, match.index) });
    last = match.index + match[0].length;
    const [, sigil, path] = match as unknown as [string, string, string];
    if (sigil === '>') {
      const partial = partials(path);
      if (partial === undefined) throw new TemplateSyntaxError(`${name}: {{> ${path}}} names no partial`);
      current().push(...partial);
    } else if (sigil === '#' || sigil === '^') {
      stack.push({ path, inverted: sigil === '^', children: [] });
    } else if (sigil === '/') {
      const open = stack.pop();
      if (open === undefined || open.path !== path) throw new TemplateSyntaxError(`${name}: {{/${path}}} closes ${open ? `{{#${open.path}}}` : 'nothing'}`);
      current().push({ kind: 'section', path: open.path, inverted: open.inverted, children: open.children });
    } else {
      current().push({ kind: 'value', path });
    }
  }
  if (stack.length > 0) throw new TemplateSyntaxError(`${name}: {{#${stack[stack.length - 1]!.path}}} is never closed`);
  if (last < source.length) root.push({ kind: 'text', text: source.slice(last) });
  return root;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

function lookup(scopes: readonly unknown[], path: string): unknown {
  if (path === '.') return scopes[scopes.length - 1];
  const [head, ...rest] = path.split('.');
  for (let i = scopes.length - 1; i >= 0; i--) {
    const scope = scopes[i];
    if (scope !== null && typeof scope === 'object' && head! in scope) {
      return rest.reduce<unknown>((value, key) => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), (scope as Record<string, unknown>)[head!]);
    }
  }
  return undefined;
}

const isEmpty = (value: unknown): boolean =>
  value === undefined || value === null || value === false || value === '' || (Array.isArray(value) && value.length === 0);

export function renderNodes(nodes: readonly Node[], view: unknown, escape: (text: string) => string): string {
  const walk = (list: readonly Node[], scopes: readonly unknown[]): string => {
    let out = '';
    for (const node of list) {
      if (node.kind === 'text') out += node.text;
      else if (node.kind === 'value') {
        const value = lookup(scopes, node.path);
        if (!isEmpty(value)) out += escape(String(value));
      } else {
        const value = lookup(scopes, node.path);
        if (node.inverted) {
          if (isEmpty(value)) out += walk(node.children, scopes);
        } else if (Array.isArray(value)) {
          for (const item of value) out += walk(node.children, [...scopes, item]);
        } else if (!isEmpty(value)) {
          out += walk(node.children, typeof value === 'object' ? [...scopes, value] : scopes);
        }
      }
    }
    return out;
  };
  return walk(nodes, [view]);
}
