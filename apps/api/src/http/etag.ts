import type { FastifyReply } from 'fastify';

/** A nomination stream's revision as a strong entity tag, the form `If-Match` sends back. */
export function formatETag(revision: number): string {
  return `"${revision}"`;
}

export function setETag(reply: FastifyReply, revision: number): void {
  void reply.header('etag', formatETag(revision));
}
