import { spawnSync } from 'node:child_process';
import { PYTHON, TRAINING_DIR } from './python';

/** The trainer's own tests (training/tests, Python unittest) as part of `npm test`. */
describe('PyTorch trainer (python3 -m unittest)', () => {
  it('passes its unit tests: learning, masking, frame draw, split, manifest, bad input', () => {
    const result = spawnSync(PYTHON, ['-m', 'unittest', 'discover', '-s', 'tests', '-t', '.'], {
      cwd: TRAINING_DIR,
      encoding: 'utf8',
      timeout: 170_000,
      env: { ...process.env, OMP_NUM_THREADS: '1' },
    });
    if (result.status !== 0) throw new Error(result.stderr);
    expect(result.stderr).toMatch(/Ran \d+ tests[\s\S]*OK/);
  }, 180_000);
});
