import { describeEventStoreContract, testEvent, testStreamId } from '@app/event-store/testing';
import { EventStoreUnavailable, InMemoryEventStore } from '@app/event-store';

describeEventStoreContract('in memory', async () => {
  const store = new InMemoryEventStore();
  return { store, cleanup: () => store.close() };
});

describe('InMemoryEventStore', () => {
  it('hands out copies: changing what was read or appended does not change the log', async () => {
    const store = new InMemoryEventStore();
    const stream = testStreamId();
    const event = testEvent('Changed', { name: 'Nguyễn Văn A', tags: ['a'] });
    await store.append(stream, [event], 'no_stream');
    (event.data as { tags: string[] }).tags.push('appended later');
    const [read] = await store.readStream(stream);
    (read!.data as { tags: string[] }).tags.push('read later');

    expect((await store.readStream(stream))[0]!.data).toEqual({ name: 'Nguyễn Văn A', tags: ['a'] });
  });

  it('refuses every call once closed', async () => {
    const store = new InMemoryEventStore();
    await store.close();
    await expect(store.append(testStreamId(), [testEvent()], 'no_stream')).rejects.toBeInstanceOf(EventStoreUnavailable);
    await expect(store.ping()).rejects.toBeInstanceOf(EventStoreUnavailable);
  });
});
