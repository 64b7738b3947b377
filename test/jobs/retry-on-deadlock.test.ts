import { retryOnDeadlock } from '../../src/jobs/job-queue';

/** Queue setup by workers starting together: a statement that lost a deadlock runs again; other errors do not. */
describe('retryOnDeadlock', () => {
  const failing = (codes: string[]) => {
    let calls = 0;
    const run = async () => {
      const code = codes[calls++];
      if (code) throw Object.assign(new Error(`failed with ${code}`), { code });
      return 'done';
    };
    return { run, calls: () => calls };
  };

  it('runs a statement again after a deadlock or serialisation failure', async () => {
    const f = failing(['40P01', '40001']);
    await expect(retryOnDeadlock(f.run)).resolves.toBe('done');
    expect(f.calls()).toBe(3);
  });

  it('passes other errors on at once, and gives up after its attempts', async () => {
    const other = failing(['42P01']);
    await expect(retryOnDeadlock(other.run)).rejects.toThrow('failed with 42P01');
    expect(other.calls()).toBe(1);
    const always = failing(['40P01', '40P01', '40P01']);
    await expect(retryOnDeadlock(always.run, 3)).rejects.toThrow('failed with 40P01');
    expect(always.calls()).toBe(3);
  });
});
