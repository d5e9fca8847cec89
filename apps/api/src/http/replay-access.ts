import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { FastifyRequest } from 'fastify';
import { actorOf, Unauthenticated } from '@app/auth';
import { ReadNominationQuery } from '@app/read-models';
import { GetDecisionQuery } from '@app/application';
import { ProblemError } from './problem';

interface BulkResults {
  readonly results: readonly { readonly id: string; readonly ok: boolean }[];
}

function isBulk(body: unknown): body is BulkResults {
  return typeof body === 'object' && body !== null && Array.isArray((body as { results?: unknown }).results);
}

function idOf(body: unknown): string | undefined {
  const id = typeof body === 'object' && body !== null ? (body as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : undefined;
}

/**
 * Re-checks a stored Idempotency-Key answer against the caller's jurisdiction today, with the same
 * queries a read would use: a nomination or decision no longer visible is answered 404, and bulk
 * results naming one lose it (`not_found`), exactly as a fresh read would answer.
 */
@Injectable()
export class ReplayAccess {
  constructor(private readonly queryBus: QueryBus) {}

  async recheck(request: FastifyRequest, body: unknown): Promise<unknown> {
    const actor = actorOf(request);
    if (actor === undefined) throw new Unauthenticated('missing_credentials');
    const route = request.routeOptions.url ?? '';
    if (route.startsWith('/nominations/bulk/') && isBulk(body)) {
      const results = await Promise.all(body.results.map(async (result) => {
        if (!result.ok) return result;
        try {
          await this.queryBus.execute(new ReadNominationQuery(actor, result.id, {}, {}));
          return result;
        } catch (error) {
          if ((error as { code?: unknown }).code !== 'not_found') throw error;
          return { id: result.id, ok: false, code: 'not_found', detail: 'No such nomination.' };
        }
      }));
      return { ...body, results };
    }
    const id = idOf(body);
    if (id === undefined) return body;
    try {
      if (route.startsWith('/nominations')) await this.queryBus.execute(new ReadNominationQuery(actor, id, {}, {}));
      else if (route.startsWith('/decisions')) await this.queryBus.execute(new GetDecisionQuery(actor, id));
    } catch (error) {
      // The id was never the caller's to know now: the answer names nothing.
      if ((error as { code?: unknown }).code === 'not_found') throw new ProblemError('not_found', 'No such resource.');
      throw error;
    }
    return body;
  }
}
