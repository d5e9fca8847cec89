import { cast, context, history, steps } from '@app/nomination/testing';
import { consumedNomination } from '../testing/consumed-events';
import { journeys } from '../testing/journeys';
import { awardStatsProjection, evolveAwardFact } from './award-stats.projection';
import type { AwardFactRow } from './award-stats.row';

const fold = (events: ReturnType<typeof consumedNomination>): AwardFactRow | null => events.reduce<AwardFactRow | null>(evolveAwardFact, null);

describe('award statistics projection', () => {
  it('records an awarded nomination with every dimension, its bonus, and its unit chain as recorded at creation', () => {
    expect(fold(consumedNomination('n', history(steps.awarded())))).toEqual({
      codeSet: 'gso-2004', ruleSet: 'vn-2017', year: 2022, proposingUnit: '03814', level: 'commune', awardCode: 'BANG_KHEN_TINH',
      awardName: expect.any(String), nomineeKind: 'collective', gender: null, status: 'awarded', bonusAmount: 2_980_000, decisionId: 'dec-1',
      signedOn: '2023-03-20', ancestry: ['03814', '120', '14'],
    });
  });

  it('keeps pending ones open, and counts a revoked award as revoked', () => {
    expect(fold(consumedNomination('n', history(steps.approved())))).toMatchObject({ status: 'open', bonusAmount: 0 });
    const revoked = history([...steps.awarded(), [{
      type: 'RevokeAward', revocationId: 'r1', decisionId: 'dec-1', ground: 'false_declaration', reason: 'Kê khai không trung thực',
      number: '210/QĐ-UBND', signedOn: '2023-03-20', revokingUnit: { codeSet: 'gso-2004', unit: '14' },
    }, context(cast.deciderSonLa)]]);
    expect(fold(consumedNomination('n', revoked))).toMatchObject({ status: 'revoked' });
  });

  it('follows an edit of the nominee and the year', () => {
    const edited = history([...steps.created(), [{
      type: 'UpdateNomination', year: 2021, nominee: { kind: 'individual', name: 'Lò Thị Hoa', gender: 'female' },
    }, context(cast.proposerChiengLao)]]);
    expect(fold(consumedNomination('n', edited))).toMatchObject({ year: 2021, nomineeKind: 'individual', gender: 'female' });
  });

  it('drops a withdrawn nomination', () => {
    const withdrawn = history([...steps.created(), [{ type: 'WithdrawNomination', reason: 'Rút' }, context(cast.proposerChiengLao)]]);
    expect(fold(consumedNomination('n', withdrawn))).toBeNull();
  });

  it('is keyed only by the events that can change a row: any other leaves the row as it was', () => {
    let skipped = 0;
    for (const journey of journeys(16)) {
      let row: AwardFactRow | null = null;
      for (const e of consumedNomination(journey.id, journey.events)) {
        const next = evolveAwardFact(row, e);
        if (awardStatsProjection.keyOf(e) === null) {
          skipped++;
          expect(next).toBe(row);
        }
        row = next;
      }
    }
    expect(skipped).toBeGreaterThan(0);
  });
});
