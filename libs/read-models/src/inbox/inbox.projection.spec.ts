import { cast, context, history, steps } from '@app/nomination/testing';
import { consumedNomination } from '../testing/consumed-events';
import { evolveInbox } from './inbox.projection';
import type { InboxRow } from './inbox.row';

const fold = (events: ReturnType<typeof consumedNomination>): InboxRow | null => events.reduce<InboxRow | null>(evolveInbox, null);

describe('inbox projection', () => {
  it('keeps a draft without anyone to act', () => {
    expect(fold(consumedNomination('n', history(steps.created())))).toMatchObject({ status: 'draft', waitingFor: null, unit: null });
  });

  it('waits for the officers of the current stage, due when the stage is', () => {
    const events = consumedNomination('n', history(steps.inReviewAtDistrict()));
    expect(fold(events)).toMatchObject({ status: 'in_review', waitingFor: 'officer', unit: '120', level: 'district', revision: 2 });
    expect(fold(events)!.dueOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('waits for the proposer when returned, and for the deciders of the deciding unit when approved', () => {
    expect(fold(consumedNomination('n', history(steps.returnedAtDistrict())))).toMatchObject({ waitingFor: 'proposer', unit: '03814', dueOn: null });
    expect(fold(consumedNomination('n', history(steps.approved())))).toMatchObject({ waitingFor: 'decider', unit: '14', status: 'approved' });
  });

  it('drops the nomination once nobody has anything left to do', () => {
    expect(fold(consumedNomination('n', history(steps.awarded())))).toBeNull();
    const withdrawn = history([...steps.inReviewAtCommune(), [{ type: 'WithdrawNomination', reason: 'Rút' }, context(cast.proposerChiengLao)]]);
    expect(fold(consumedNomination('n', withdrawn))).toBeNull();
  });
});
