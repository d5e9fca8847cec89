import type { OutboxUnit, RecordedChain } from './notification.types';

/**
 * The admins of a notification (issue 12.14, as for every other read): those of its unit and of the
 * units above it **as recorded when the nomination was created**, never as the unit tree stands when
 * an admin lists it. A re-parented commune's older rows therefore stay with its old district's admin,
 * and its new district's admin never sees them.
 *
 * The row's unit (the staff recipient's, or the proposing unit for a nominee's own address) is almost
 * always on the nomination's recorded chain (a stage unit, the deciding unit, the unit above a stage,
 * the proposing unit): the row's chain is then the recorded chain from that unit up. A unit that is not
 * on it (a submitter since moved to another unit, a staff record of another code set) gets only itself:
 * its own admins see the row, nobody above it does (fails closed rather than consult today's tree).
 *
 * migrations/1765300000000_notification-outbox-ancestry.sql computes the same for rows written before.
 */
export function outboxAncestry(unit: OutboxUnit | null, chain: RecordedChain): readonly string[] {
  if (unit === null) return [];
  const at = unit.codeSet === chain.codeSet ? chain.units.indexOf(unit.code) : -1;
  return at < 0 ? [unit.code] : chain.units.slice(at);
}

/**
 * A daily digest repeats what every one of its items says, so only an admin who may see every item may
 * see it. Its unit is the latest (last) item's; its chain is that item's, keeping only the units on
 * every item's chain in the same code set. Empty (listed to nobody) when they have nothing in common.
 */
export function digestAncestry(items: readonly { readonly unit: OutboxUnit | null; readonly ancestry: readonly string[] }[]): readonly string[] {
  const latest = items[items.length - 1];
  if (latest === undefined || latest.unit === null) return [];
  const codeSet = latest.unit.codeSet;
  return latest.ancestry.filter((code) => items.every((item) => item.unit?.codeSet === codeSet && item.ancestry.includes(code)));
}
