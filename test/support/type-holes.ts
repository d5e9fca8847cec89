import { readFileSync } from 'node:fs';

/**
 * Lines of openapi-typescript output where a schema leaves a value untyped: an object of unknown
 * members (`[key: string]: unknown`) or an object declared without members (`Record<string, never>`).
 * `allowEmpty` names schemas that are empty on purpose (a command whose body is `{}`). The generator's
 * own scaffolding (no webhooks, no $defs, response headers) is not a hole.
 */
export function typeHoles(typesFile: string, allowEmpty: readonly string[] = []): string[] {
  const lines = readFileSync(typesFile, 'utf8').split('\n');
  const holes: string[] = [];
  lines.forEach((line, index) => {
    const text = line.trim();
    if (/^export type (webhooks|\$defs) = Record<string, never>;$/.test(text)) return;
    const emptyObject = /^"?([\w$-]+)"?\??: Record<string, never>;$/.exec(text);
    if (emptyObject && allowEmpty.includes(emptyObject[1]!)) return;
    if (/\[key: string\]: unknown/.test(text) || /Record<string, never>/.test(text) || /:\s*unknown;/.test(text) && !/^\[name: string\]: unknown;$/.test(text)) {
      holes.push(`line ${index + 1}: ${text}`);
    }
  });
  return holes;
}
