import { PassThrough } from 'node:stream';
import { Body, Controller, Get, HttpCode, Inject, Post, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { AUDIT_KEY_RING, AUDIT_SERVICES, isSeal, SealRefused, type AuditKeyRing, type AuditServices, type Seal, type Verification } from '@app/audit';
import { AuditTrailQueries, type AuditReadRecord } from '@app/audit-trail';
import { type Actor, CurrentActor, Roles } from '@app/auth';
import { NotFoundError } from '@app/nomination';
import { ROOT_LOGGER } from '@app/platform';
import { ReadNominationQuery } from '@app/read-models';
import { decisionStream, GetDecisionQuery, nominationStream } from '@app/application';
import { EmptyBodyDto } from '../http/empty-body.dto';
import { ProblemError } from '../http/problem';
import { EmptyBodyPipe } from '../nominations/empty-body.pipe';
import { ApiProblemResponses, ApiReadProblemResponses } from '../http/problem-responses';
import { AuditKeysDto, SealDto, VerificationDto, VerifyAgainstSealDto, VerifyQueryDto } from './audit-verification.dto';

/**
 * Tamper evidence (API.md, Audit): verification, seals and the public keys to check them offline.
 * Auditors and administrators only. The whole-log answers name stream ids and what is wrong, never
 * an event's content, so they are not limited to a jurisdiction; one stream's check is, like reading it.
 */
@ApiTags('audit')
@ApiBearerAuth('bearer')
@Roles('auditor', 'admin')
@Controller('audit')
export class AuditVerificationController {
  constructor(
    @Inject(AUDIT_SERVICES) private readonly audit: AuditServices,
    @Inject(AUDIT_KEY_RING) private readonly keys: AuditKeyRing,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    private readonly queryBus: QueryBus,
    private readonly trail: AuditTrailQueries,
  ) {}

  @Get('verify')
  @ApiOperation({
    summary: 'Verify one stream or the whole log · Kiểm tra tính toàn vẹn của nhật ký',
    description:
      'With nominationId or decisionId: that stream\'s events (revisions, chain, MACs) and the newest seal naming it, within the caller\'s ' +
      'jurisdiction. Without: every event in log order against every stored seal. The whole-log answer is streamed: the body starts at ' +
      'once and carries whitespace while the check runs, then the JSON object.',
  })
  @ApiOkResponse({ type: VerificationDto })
  @ApiReadProblemResponses()
  async verify(@Query() query: VerifyQueryDto, @CurrentActor() actor: Actor, @Res({ passthrough: true }) reply: FastifyReply): Promise<Verification | PassThrough> {
    if (query.nominationId !== undefined && query.decisionId !== undefined) {
      throw new ProblemError('validation_failed', 'Give nominationId or decisionId, not both');
    }
    if (query.nominationId !== undefined) {
      const id = query.nominationId.toLowerCase();
      return this.verifyStream(actor, { nominationId: id }, nominationStream(id), () => this.queryBus.execute(new ReadNominationQuery(actor, id)));
    }
    if (query.decisionId !== undefined) {
      const id = query.decisionId.toLowerCase();
      return this.verifyStream(actor, { decisionId: id }, decisionStream(id), () => this.queryBus.execute(new GetDecisionQuery(actor, id)));
    }
    return this.streamed(reply, { actor, resource: 'audit-verify', filter: {} }, (onProgress) => this.audit.verifier.verifyLog({ onProgress }));
  }

  @Post('verify')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Verify the log against a seal kept outside · Kiểm tra nhật ký theo dấu niêm phong đã lưu',
    description: 'The log up to the seal\'s position must be exactly what was sealed, and everything after it must verify too. Streamed like GET /audit/verify.',
  })
  @ApiOkResponse({ type: VerificationDto })
  @ApiProblemResponses([400, 401, 403, 429])
  async verifyAgainst(@Body() body: VerifyAgainstSealDto, @CurrentActor() actor: Actor, @Res({ passthrough: true }) reply: FastifyReply): Promise<PassThrough> {
    // A seal of version 1 has no `version` at all (an undefined one would not be the seal that was signed).
    const { version, ...fields } = { ...body.seal };
    const seal = (version === undefined ? fields : { ...fields, version }) as Seal;
    if (!isSeal(seal)) throw new ProblemError('validation_failed', 'The seal is not well-formed');
    const filter = { seal: { sequence: seal.sequence, position: seal.position, root: seal.root, keyId: seal.keyId } };
    return this.streamed(reply, { actor, resource: 'audit-verify-seal', filter }, (onProgress) => this.audit.verifier.verifyLog({ heldSeal: seal, onProgress }));
  }

  @Post('seals')
  @ApiOperation({
    summary: 'Seal the log now · Niêm phong nhật ký ngay',
    description: '201 with a new seal; 200 with the latest one when nothing but seals was appended since; 409 seal_refused when an event since the latest seal does not verify (nothing is signed), 409 nothing_to_seal on an empty log.',
  })
  @ApiBody({ type: EmptyBodyDto, required: false, description: 'Nothing, or `{}`.' })
  @ApiCreatedResponse({ type: SealDto })
  @ApiOkResponse({ type: SealDto, description: 'Nothing changed since the latest seal, which is returned.' })
  @ApiProblemResponses([400, 401, 403, 409, 422, 429])
  async seal(@Body(EmptyBodyPipe) _body: Record<string, never>, @Res({ passthrough: true }) reply: FastifyReply): Promise<Seal> {
    let outcome;
    try {
      outcome = await this.audit.sealer.seal();
    } catch (error) {
      if (error instanceof SealRefused) {
        this.logger.error({ firstBroken: error.broken }, 'audit: refused to seal a log that does not verify');
        throw new ProblemError('seal_refused', error.message, { firstBroken: error.broken });
      }
      throw error;
    }
    if (outcome === undefined) throw new ProblemError('nothing_to_seal', 'The log holds no event yet');
    void reply.status(outcome.created ? 201 : 200);
    return outcome.seal;
  }

  @Get('seals/latest')
  @ApiOperation({
    summary: 'The latest seal · Dấu niêm phong mới nhất',
    description: 'The newest stored seal, checked first: 409 seal_broken (with firstBroken) when it does not check, so a seal that no longer proves anything is never handed out to be kept.',
  })
  @ApiOkResponse({ type: SealDto })
  @ApiProblemResponses([400, 401, 403, 404, 409, 429])
  async latestSeal(@CurrentActor() actor: Actor): Promise<Seal> {
    const latest = await this.audit.seals.latest();
    await this.trail.recordRead({
      actor, resource: 'audit-seal', format: 'json', filter: {}, rows: latest === undefined ? 0 : 1, complete: true,
      ...(latest === undefined ? {} : { result: { sequence: latest.seal.sequence, position: latest.seal.position, ...(latest.problem === undefined ? {} : { problem: latest.problem.code }) } }),
    });
    if (latest === undefined) throw new ProblemError('not_found', 'No seal has been made yet');
    // A stored seal that does not check (its body rewritten, or the seal before it removed) is evidence
    // of tampering, not a seal to keep outside: named, never served as if it were genuine.
    if (latest.problem !== undefined) throw new ProblemError('seal_broken', latest.problem.problem, { firstBroken: latest.problem });
    return latest.seal;
  }

  @Get('keys')
  @ApiOperation({
    summary: 'Public keys that sign seals · Khóa công khai ký dấu niêm phong',
    description: 'Ed25519 public keys as OKP JWKs (RFC 8037), the current one first, retired ones included, so a seal can be checked offline.',
  })
  @ApiOkResponse({ type: AuditKeysDto })
  @ApiReadProblemResponses()
  keyList(): { keys: { keyId: string; current: boolean; jwk: object }[] } {
    return { keys: this.keys.keys.map((key) => ({ keyId: key.keyId, current: key.current, jwk: key.publicJwk })) };
  }

  /**
   * A stream the caller may read is verified. A stream that was removed, or rewritten so that it no
   * longer reads, cannot be placed in a jurisdiction (the evidence is what was changed), so a broken
   * verdict on such a stream goes to any auditor: it is what internal control must see, whatever its
   * unit. An intact stream outside the jurisdiction stays 404, as reading it would.
   */
  private async verifyStream(actor: Actor, filter: Record<string, string>, streamId: string, authorise: () => Promise<unknown>): Promise<Verification> {
    let readable = true;
    try {
      await authorise();
    } catch (error) {
      if (!(error instanceof NotFoundError)) this.logger.warn({ err: error, streamId }, 'audit: stream does not read; verifying it anyway');
      readable = false;
    }
    const verification = await this.audit.verifier.verifyStream(streamId);
    const hidden = verification === undefined || (!readable && verification.ok);
    // Recorded either way: asking about a stream outside one's jurisdiction is worth knowing of too.
    await this.trail.recordRead({
      actor, resource: 'audit-verify', format: 'json', filter, rows: hidden ? 0 : verification.checked, complete: true,
      result: hidden ? { found: false } : resultOf(verification),
    });
    if (hidden) throw new ProblemError('not_found', 'No such stream within your jurisdiction');
    return verification;
  }

  /** Starts the body at once and keeps it alive with whitespace (valid before JSON) until the answer. */
  /**
   * Starts the body at once and keeps it alive with whitespace (valid before JSON) until the answer.
   * The read is recorded before the check starts (so it is on record even if the process dies during
   * it) and completed with the events checked and the verdict.
   */
  private async streamed(
    reply: FastifyReply,
    read: Pick<AuditReadRecord, 'actor' | 'resource' | 'filter'>,
    run: (onProgress: (checked: number) => void) => Promise<Verification>,
  ): Promise<PassThrough> {
    const readId = await this.trail.recordRead({ ...read, format: 'json', rows: 0, complete: false });
    const body = new PassThrough();
    void reply.header('content-type', 'application/json; charset=utf-8');
    let lastBeat = Date.now();
    let checked = 0;
    const finish = (complete: boolean, result: unknown) =>
      this.trail.finishRead(readId, checked, complete, result).catch((error: unknown) => this.logger.error({ err: error }, 'audit: could not record a verification'));
    run((soFar) => {
      checked = soFar;
      if (Date.now() - lastBeat >= 1_000) {
        lastBeat = Date.now();
        body.write(' ');
      }
    }).then(
      async (verification) => {
        checked = verification.checked;
        await finish(true, resultOf(verification));
        body.end(JSON.stringify(verification));
      },
      async (error: unknown) => {
        this.logger.error({ err: error }, 'audit: verification failed to run');
        await finish(false, { error: 'verification_failed' });
        // The status is already sent: cut the body so the client cannot take it for an answer.
        body.destroy(error instanceof Error ? error : new Error(String(error)));
      },
    );
    return body;
  }
}

/** What a verification found, as recorded with the read. */
function resultOf(verification: Verification): Record<string, unknown> {
  return {
    ok: verification.ok,
    sealsChecked: verification.sealsChecked,
    ...(verification.firstBroken === undefined ? {} : { firstBroken: verification.firstBroken }),
  };
}
