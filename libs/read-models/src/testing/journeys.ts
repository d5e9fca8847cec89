import { randomUUID } from 'node:crypto';
import type { NominationEvent } from '@app/nomination';
import { cast, context, createCommand, history, type Step, steps } from '@app/nomination/testing';

/** Where a generated nomination ends up: every branch of the state machine the projections follow. */
const PATHS: readonly (() => Step[])[] = [
  () => steps.awarded(),
  () => steps.returnedAtDistrict(),
  () => [...steps.returnedAtDistrict(), [{ type: 'SubmitNomination' }, context(cast.proposerChiengLao)]],
  () => steps.approved(),
  () => steps.inReviewAtDistrict(),
  () => [...steps.inReviewAtCommune(), [{ type: 'WithdrawNomination', reason: 'Rút hồ sơ' }, context(cast.proposerChiengLao)]],
  () => [...steps.inReviewAtProvince(), [{ type: 'RejectNomination', reasonCode: 'standard_not_met', reason: 'Chưa đạt tiêu chuẩn' }, context(cast.officerSonLa)]],
  () => [...steps.created(), [{ type: 'UpdateNomination', year: 2021, nominee: { kind: 'individual', name: 'Nguyễn Thị Hằng Ánh', gender: 'female' } }, context(cast.proposerChiengLao)]],
];

export interface Journey {
  readonly id: string;
  readonly events: readonly NominationEvent[];
}

/** `n` nominations of Mường La, each walked down one of the paths (round robin), with fresh ids. */
export function journeys(n: number): Journey[] {
  return Array.from({ length: n }, (_, i) => {
    const path = PATHS[i % PATHS.length]!();
    const id = randomUUID();
    const [first, ...rest] = path;
    const renamed: Step[] = [[createCommand({ nominationId: id, nominee: { kind: 'collective', name: `Tổ dân phố số ${i}, xã Chiềng Lao` } }), first![1]], ...rest];
    return { id, events: history(renamed) };
  });
}
