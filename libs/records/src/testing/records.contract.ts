import { randomUUID } from 'node:crypto';
import { type DecisionClaims, NominationLockBusy } from '../decision-claims.port';
import type { IdempotencyRecords } from '../idempotency-records.port';
import type { StaffRecord, StaffRecords } from '../staff-records.port';
import type { UnitRecords } from '../unit-records.port';

/*
 * The behaviour each records adapter must have, run against PostgreSQL (postgres-records.int-spec.ts)
 * and in memory (in-memory-records.spec.ts). The stores may hold other tests' rows: every test writes
 * under fresh random keys and looks only at its own.
 */

const fresh = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

export function describeUnitRecordsContract(adapter: string, factory: () => UnitRecords): void {
  describe(`UnitRecords contract: ${adapter}`, () => {
    let units: UnitRecords;
    beforeEach(() => {
      units = factory();
    });

    it('stores units and lists them, Vietnamese names as given', async () => {
      const codeSet = fresh('cs');
      const records = [
        { codeSet, code: '14', name: 'Tỉnh Sơn La', level: 'province', parentCode: null },
        { codeSet, code: '116', name: 'Huyện Thuận Châu', level: 'district', parentCode: '14' },
        { codeSet, code: '03814', name: 'Xã Chiềng Lao'.normalize('NFD'), level: 'commune', parentCode: '116' },
      ];
      await units.upsert(records);

      const stored = (await units.list()).filter((u) => u.codeSet === codeSet);
      expect(stored.sort((a, b) => a.code.localeCompare(b.code))).toEqual([records[2], records[1], records[0]].sort((a, b) => a!.code.localeCompare(b!.code)));
      expect(stored.find((u) => u.code === '03814')!.name).toBe('Xã Chiềng Lao'.normalize('NFD'));
    });

    it('replaces a unit by code set and code, leaving the same code in another code set alone', async () => {
      const [first, second] = [fresh('cs'), fresh('cs')];
      await units.upsert([
        { codeSet: first, code: '1', name: 'Xã A', level: 'commune', parentCode: '9' },
        { codeSet: second, code: '1', name: 'Xã A', level: 'commune', parentCode: '9' },
      ]);
      await units.upsert([{ codeSet: first, code: '1', name: 'Phường A', level: 'ward', parentCode: null }]);

      const stored = (await units.list()).filter((u) => u.codeSet === first || u.codeSet === second);
      expect(stored.sort((a, b) => a.codeSet.localeCompare(b.codeSet))).toEqual(
        [
          { codeSet: first, code: '1', name: 'Phường A', level: 'ward', parentCode: null },
          { codeSet: second, code: '1', name: 'Xã A', level: 'commune', parentCode: '9' },
        ].sort((a, b) => a.codeSet.localeCompare(b.codeSet)),
      );
    });

    it('accepts an empty batch', async () => {
      const before = (await units.list()).length;
      await units.upsert([]);
      expect(await units.list()).toHaveLength(before);
    });

    it('moves its version with every upsert and only then, so a process knows when its copy is stale', async () => {
      const codeSet = fresh('cs');
      const before = await units.version();
      expect(await units.version()).toBe(before);
      await units.upsert([{ codeSet, code: '1', name: 'Xã A', level: 'commune', parentCode: '9' }]);
      const first = await units.version();
      expect(first).not.toBe(before);
      await units.upsert([]);
      expect(await units.version()).toBe(first);
      await units.upsert([{ codeSet, code: '1', name: 'Xã A', level: 'commune', parentCode: '8' }]);
      expect(await units.version()).not.toBe(first);
    });
  });
}

export function describeStaffRecordsContract(adapter: string, factory: () => StaffRecords): void {
  describe(`StaffRecords contract: ${adapter}`, () => {
    let staff: StaffRecords;
    beforeEach(() => {
      staff = factory();
    });

    const member = (unit: string, overrides: Partial<StaffRecord> = {}): StaffRecord => ({
      id: fresh('staff'), name: 'Lò Văn Thắng', email: 'thang@sonla.gov.vn', unit, codeSet: null,
      roles: ['officer'], locale: 'vi', active: true, notifications: 'immediate', ...overrides,
    });

    it('stores a member and answers with what is stored, stamped with the time it was written', async () => {
      const record = member(fresh('u'), { codeSet: 'gso-2025', roles: ['officer', 'decider'], locale: 'en', active: false, notifications: 'daily_digest' });
      const before = Date.now();

      const stored = await staff.upsert(record);

      expect(stored).toEqual({ ...record, updatedAt: expect.any(Date) });
      // Allow for a database clock a little apart from this process's.
      expect(stored.updatedAt.getTime()).toBeGreaterThan(before - 60_000);
      expect(await staff.list(record.unit)).toEqual([stored]);
    });

    it('reads one member by id, and nothing for an unknown id', async () => {
      const record = member(fresh('u'));
      const stored = await staff.upsert(record);
      expect(await staff.get(record.id)).toEqual(stored);
      expect(await staff.get(fresh('nobody'))).toBeUndefined();
    });

    it('replaces a member by id, moving them between units', async () => {
      const [from, to] = [fresh('u'), fresh('u')];
      const record = member(from);
      await staff.upsert(record);

      const moved = await staff.upsert({ ...record, unit: to, name: 'Lò Thị Mai', roles: ['proposer'], active: false });

      expect(await staff.list(from)).toEqual([]);
      expect(await staff.list(to)).toEqual([moved]);
      expect(moved).toMatchObject({ id: record.id, name: 'Lò Thị Mai', roles: ['proposer'], active: false });
    });

    it('lists by unit, then name, then id; everyone without a unit', async () => {
      const prefix = fresh('u');
      const [a, b] = [`${prefix}-a`, `${prefix}-b`];
      const id = fresh('s');
      const inB = member(b, { name: 'An' });
      const dao2 = member(a, { name: 'Đào', id: `${id}-2` });
      const binh = member(a, { name: 'Bình' });
      const dao1 = member(a, { name: 'Đào', id: `${id}-1` });
      for (const m of [inB, dao2, binh, dao1]) await staff.upsert(m);

      expect((await staff.list(a)).map((m) => m.id)).toEqual([binh.id, dao1.id, dao2.id]);
      const everyone = (await staff.list()).filter((m) => m.unit === a || m.unit === b);
      expect(everyone.map((m) => m.id)).toEqual([binh.id, dao1.id, dao2.id, inB.id]);
    });

    it('finds the active members of a unit holding a role, in a code set (none stored: the default one), by id', async () => {
      const unit = fresh('u');
      const id = fresh('s');
      const officer = member(unit, { id: `${id}-2`, codeSet: 'gso-2004' });
      const undated = member(unit, { id: `${id}-1`, roles: ['proposer', 'officer'] });
      const others = [
        member(unit, { id: `${id}-3`, active: false }),
        member(unit, { id: `${id}-4`, roles: ['decider'] }),
        member(unit, { id: `${id}-5`, codeSet: 'gso-2025' }),
        member(fresh('u'), { id: `${id}-6` }),
      ];
      for (const m of [officer, undated, ...others]) await staff.upsert(m);

      const found = await staff.activeWithRole({ unit, role: 'officer', codeSet: 'gso-2004', defaultCodeSet: 'gso-2004' });
      expect(found.map((m) => m.id)).toEqual([undated.id, officer.id]);
      expect(found[0]).toEqual({ ...undated, updatedAt: expect.any(Date) });
      expect((await staff.activeWithRole({ unit, role: 'officer', codeSet: 'gso-2004', defaultCodeSet: 'gso-2025' })).map((m) => m.id)).toEqual([officer.id]);
      expect((await staff.activeWithRole({ unit, role: 'officer', codeSet: 'gso-2025', defaultCodeSet: 'gso-2025' })).map((m) => m.id)).toEqual([undated.id, `${id}-5`]);
    });

    it('tells which of some ids are active members now: not a deactivated one, nor an unknown id', async () => {
      const [active, leaving, left] = [member(fresh('u')), member(fresh('u')), member(fresh('u'), { active: false })];
      for (const m of [active, leaving, left]) await staff.upsert(m);
      await staff.upsert({ ...leaving, active: false });
      const unknown = fresh('nobody');

      const found = await staff.activeAmong([unknown, left.id, active.id, leaving.id]);

      expect([...found]).toEqual([active.id]);
      expect([...(await staff.activeAmong([]))]).toEqual([]);
    });
  });
}

export function describeDecisionClaimsContract(adapter: string, factory: () => DecisionClaims): void {
  describe(`DecisionClaims contract: ${adapter}`, () => {
    let claims: DecisionClaims;
    beforeEach(() => {
      claims = factory();
    });

    it('reports nominations claimed by another decision, not by the same one', async () => {
      const [n1, n2, n3] = [randomUUID(), randomUUID(), randomUUID()];
      const [d1, d2] = [randomUUID(), randomUUID()];
      const unit = fresh('unit');
      await claims.withUnitLock('gso-2025', unit, (c) => c.claim(d1, [n1, n2]));

      const seen = await claims.withUnitLock('gso-2025', unit, async (c) => ({
        byOther: await c.claimedByOthers(d2, [n1, n2, n3]),
        bySame: await c.claimedByOthers(d1, [n1, n2, n3]),
      }));

      expect(seen.byOther.sort((a, b) => a.nominationId.localeCompare(b.nominationId))).toEqual(
        [{ nominationId: n1, decisionId: d1 }, { nominationId: n2, decisionId: d1 }].sort((a, b) => a.nominationId.localeCompare(b.nominationId)),
      );
      expect(seen.bySame).toEqual([]);
    });

    it('lets a later claim take a nomination over', async () => {
      const nomination = randomUUID();
      const [d1, d2, d3] = [randomUUID(), randomUUID(), randomUUID()];
      const unit = fresh('unit');
      await claims.withUnitLock('gso-2025', unit, (c) => c.claim(d1, [nomination]));
      await claims.withUnitLock('gso-2025', unit, (c) => c.claim(d2, [nomination]));

      const holders = await claims.withUnitLock('gso-2025', unit, (c) => c.claimedByOthers(d3, [nomination]));

      expect(holders).toEqual([{ nominationId: nomination, decisionId: d2 }]);
    });

    it('records which revocation holds a decision number, a later one taking it over', async () => {
      const [numberId, otherNumber, decision] = [randomUUID(), randomUUID(), randomUUID()];
      const [r1, r2] = [randomUUID(), randomUUID()];
      const unit = fresh('unit');
      expect(await claims.withUnitLock('gso-2025', unit, (c) => c.revocationNumberHolder(numberId))).toBeUndefined();
      await claims.withUnitLock('gso-2025', unit, (c) => c.takeRevocationNumber(numberId, { decisionId: decision, revocationId: r1 }));
      await claims.withUnitLock('gso-2025', unit, (c) => c.takeRevocationNumber(numberId, { decisionId: decision, revocationId: r2 }));

      const held = await claims.withUnitLock('gso-2025', unit, async (c) => [await c.revocationNumberHolder(numberId), await c.revocationNumberHolder(otherNumber)]);

      expect(held).toEqual([{ decisionId: decision, revocationId: r2 }, undefined]);
    });

    it('runs the work of one unit one at a time, and releases the lock when the work fails', async () => {
      const unit = fresh('unit');
      let inside = 0;
      let most = 0;
      const work = async (): Promise<void> => {
        inside++;
        most = Math.max(most, inside);
        for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
        inside--;
      };
      const failing = claims.withUnitLock('gso-2025', unit, async () => {
        await work();
        throw new Error('validation failed');
      });

      const outcomes = await Promise.allSettled([failing, ...Array.from({ length: 4 }, () => claims.withUnitLock('gso-2025', unit, work))]);

      expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
      expect(most).toBe(1);
    });

    it('runs a nomination guard with the claim that holds the nomination, if any', async () => {
      const [claimed, free, decision] = [randomUUID(), randomUUID(), randomUUID()];
      await claims.withUnitLock('gso-2025', fresh('unit'), (c) => c.claim(decision, [claimed]));
      expect(await claims.withNominationGuard(claimed, async (claim) => claim)).toEqual({ nominationId: claimed, decisionId: decision });
      expect(await claims.withNominationGuard(free, async (claim) => claim)).toBeUndefined();
      expect(await claims.withNominationGuard('not-a-uuid', async (claim) => claim)).toBeUndefined();
    });

    it('refuses a nomination guard at once while a decision holds the nomination, and lets it run after', async () => {
      const [held, other] = [randomUUID(), randomUUID()];
      let releaseDecision!: () => void;
      let holding!: () => void;
      const isHolding = new Promise<void>((resolve) => (holding = resolve));
      const decision = claims.withUnitLock('gso-2025', fresh('unit'), async (c) => {
        await c.holdNominations([held]);
        holding();
        await new Promise<void>((resolve) => (releaseDecision = resolve));
      });
      await isHolding;
      let ran = false;
      await expect(claims.withNominationGuard(held, async () => { ran = true; })).rejects.toBeInstanceOf(NominationLockBusy);
      expect(ran).toBe(false);
      expect(await claims.withNominationGuard(other, async () => 'ran')).toBe('ran');
      releaseDecision();
      await decision;
      expect(await claims.withNominationGuard(held, async () => 'ran')).toBe('ran');
    });

    it('makes a decision wait for a guard already running on a nomination it lists', async () => {
      const nomination = randomUUID();
      const order: string[] = [];
      let releaseGuard!: () => void;
      let guarding!: () => void;
      const isGuarding = new Promise<void>((resolve) => (guarding = resolve));
      const guard = claims.withNominationGuard(nomination, async () => {
        guarding();
        await new Promise<void>((resolve) => (releaseGuard = resolve));
        order.push('guard done');
      });
      await isGuarding;
      const decision = claims.withUnitLock('gso-2025', fresh('unit'), async (c) => {
        await c.holdNominations([nomination]);
        order.push('decision holds');
      });
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
      expect(order).toEqual([]);
      releaseGuard();
      await Promise.all([guard, decision]);
      expect(order).toEqual(['guard done', 'decision holds']);
    });

    it('does not hold up another unit, or the same unit code in another code set', async () => {
      const unit = fresh('unit');
      let releaseFirst!: () => void;
      const first = claims.withUnitLock('gso-2025', unit, () => new Promise<void>((resolve) => (releaseFirst = resolve)));
      // Would wait forever if these shared the first lock.
      await claims.withUnitLock('gso-2025', fresh('unit'), async () => undefined);
      await claims.withUnitLock('gso-2004', unit, async () => undefined);
      while (releaseFirst === undefined) await new Promise((resolve) => setImmediate(resolve));
      releaseFirst();
      await first;
    });
  });
}

export interface IdempotencyRecordsFixture {
  readonly records: IdempotencyRecords;
  /** Makes the record of (actorId, key) look as if it had been taken `days` days ago. */
  backdate(actorId: string, key: string, days: number): Promise<void>;
}

export function describeIdempotencyRecordsContract(adapter: string, factory: () => IdempotencyRecordsFixture): void {
  describe(`IdempotencyRecords contract: ${adapter}`, () => {
    let fixture: IdempotencyRecordsFixture;
    let records: IdempotencyRecords;
    beforeEach(() => {
      fixture = factory();
      records = fixture.records;
    });

    it('reserves a free key, then reports it taken with its request hash until it is answered', async () => {
      const [actor, key] = [fresh('actor'), fresh('key')];

      expect(await records.reserve(actor, key, 'hash-1')).toEqual({ status: 'reserved' });
      expect(await records.reserve(actor, key, 'hash-2')).toEqual({ status: 'taken', requestHash: 'hash-1' });
    });

    it('returns the stored answer as it was given, Vietnamese text included', async () => {
      const [actor, key] = [fresh('actor'), fresh('key')];
      const response = {
        statusCode: 201,
        headers: { etag: '"0"', location: '/nominations/1' },
        body: { id: '1', nominee: { name: 'Trường Tiểu học Chiềng Lao' }, amounts: [1.5, 0, -2], nothing: null },
      };
      await records.reserve(actor, key, 'hash');

      await records.complete(actor, key, response);

      expect(await records.reserve(actor, key, 'hash')).toEqual({ status: 'taken', requestHash: 'hash', response });
    });

    it('keeps keys apart per actor', async () => {
      const key = fresh('key');
      await records.reserve(fresh('actor'), key, 'a');
      expect(await records.reserve(fresh('actor'), key, 'b')).toEqual({ status: 'reserved' });
    });

    it('frees an unanswered key on release, and keeps an answered one', async () => {
      const [actor, open, answered] = [fresh('actor'), fresh('key'), fresh('key')];
      await records.reserve(actor, open, 'h');
      await records.reserve(actor, answered, 'h');
      await records.complete(actor, answered, { statusCode: 200, headers: {}, body: null });

      await records.release(actor, open);
      await records.release(actor, answered);

      expect(await records.reserve(actor, open, 'other')).toEqual({ status: 'reserved' });
      expect(await records.reserve(actor, answered, 'h')).toMatchObject({ status: 'taken', response: { statusCode: 200, body: null } });
    });

    it('purges keys taken longer ago than the retention, and only those', async () => {
      const [actor, old, recent] = [fresh('actor'), fresh('key'), fresh('key')];
      await records.reserve(actor, old, 'h');
      await records.reserve(actor, recent, 'h');
      await fixture.backdate(actor, old, 31);
      await fixture.backdate(actor, recent, 29);

      expect(await records.purgeOlderThan(30)).toBeGreaterThanOrEqual(1);

      expect(await records.reserve(actor, old, 'new')).toEqual({ status: 'reserved' });
      expect(await records.reserve(actor, recent, 'new')).toEqual({ status: 'taken', requestHash: 'h' });
    });
  });
}
