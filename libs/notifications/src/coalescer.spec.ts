import { Coalescer } from './coalescer';

describe('Coalescer', () => {
  it('sends calls made together as one batch, and calls made during a batch as the next one', async () => {
    const batches: string[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const coalescer = new Coalescer<string, string>(async (keys) => {
      batches.push([...keys]);
      if (batches.length === 1) await gate;
      return keys.map((k) => k.toUpperCase());
    });
    const first = [coalescer.run('a'), coalescer.run('b')];
    await new Promise((resolve) => setImmediate(resolve));
    const second = [coalescer.run('c'), coalescer.run('d'), coalescer.run('e')];
    release();
    expect(await Promise.all([...first, ...second])).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(batches).toEqual([['a', 'b'], ['c', 'd', 'e']]);
  });

  it('rejects every call of a failed batch and goes on with the next', async () => {
    let calls = 0;
    const coalescer = new Coalescer<number, number>(async (keys) => {
      calls += 1;
      if (calls === 1) throw new Error('database down');
      return keys.map((k) => k * 2);
    });
    const failed = [coalescer.run(1), coalescer.run(2)].map((p) => p.catch((error: Error) => error.message));
    expect(await Promise.all(failed)).toEqual(['database down', 'database down']);
    expect(await coalescer.run(3)).toBe(6);
  });

  it('never sends more than its batch limit at once', async () => {
    const sizes: number[] = [];
    const coalescer = new Coalescer<number, number>(async (keys) => { sizes.push(keys.length); return [...keys]; }, 3);
    await Promise.all([1, 2, 3, 4, 5, 6, 7].map((n) => coalescer.run(n)));
    expect(sizes).toEqual([3, 3, 1]);
  });
});
