import type { EventStore } from '@app/event-store';
import { decisionCodec } from '@app/nomination';
import type { RevocationNumberHolder, UnitClaims } from '@app/records';
import { decisionStream } from './decision-view';
import { readOrEmpty } from './stream-command';

/**
 * The revocation recorded in the log that holds the decision number `numberId` (the id an award decision
 * of the unit with that number in that year would have): a revocation is a decision of its own, so award
 * decisions and revocations of a unit share one numbering per year. A holder whose revocation was never
 * written (the process died before its DecisionRevoked) holds nothing; so does `ownRevocationId`, a
 * retry of the same revocation.
 */
export async function revocationHoldingNumber(
  store: EventStore,
  claims: UnitClaims,
  numberId: string,
  ownRevocationId?: string,
): Promise<RevocationNumberHolder | undefined> {
  const holder = await claims.revocationNumberHolder(numberId);
  if (holder === undefined || holder.revocationId === ownRevocationId) return undefined;
  const recorded = (await readOrEmpty(store, decisionStream(holder.decisionId))).some((event) => {
    const decoded = decisionCodec.decode(event);
    return decoded.type === 'DecisionRevoked' && decoded.data.revocationId === holder.revocationId;
  });
  return recorded ? holder : undefined;
}

/**
 * Who holds a decision number under any of these ids (decisionIdFor of one unit's records across code
 * sets, UnitDirectory.sameUnitAcrossCodeSets): the award decision of that id, or a revocation that
 * took it. Undefined when the number is free.
 */
export async function decisionNumberHolder(
  store: EventStore,
  claims: UnitClaims,
  numberIds: readonly string[],
  ownRevocationId?: string,
): Promise<{ readonly decisionId: string } | undefined> {
  for (const numberId of numberIds) {
    if ((await readOrEmpty(store, decisionStream(numberId))).length > 0) return { decisionId: numberId };
    const revocation = await revocationHoldingNumber(store, claims, numberId, ownRevocationId);
    if (revocation !== undefined) return revocation;
  }
  return undefined;
}
