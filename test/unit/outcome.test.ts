// The exit-code contract of git bisect run, and how --on-hang and --on-build-failure change verdicts.
import { describe, expect, it } from 'vitest';
import { classifyBuild, classifyTest, reportedVerdict, searchVerdict } from '../../src/probe/outcome.js';
import type { RunResult } from '../../src/probe/process-runner.js';
import type { Recipe } from '../../src/probe/recipe.js';

const run = (overrides: Partial<RunResult>): RunResult => ({
  exitCode: 0, signal: null, timedOut: false, interrupted: false, killedByUs: false, seconds: 0.1, outputTail: '', strays: 0, ...overrides,
});
const recipe: Recipe = { test: { shell: 'true' }, buildTimeoutSeconds: 60, graceSeconds: 1, onHang: 'bad', onBuildFailure: 'skip' };

describe('classifying runs', () => {
  it('follows git bisect run: 0 good, 125 skip, 1-127 bad, 128+ aborts', () => {
    const verdicts = new Map<number, string>();
    for (let code = 0; code <= 255; code++) verdicts.set(code, searchVerdict(classifyTest(run({ exitCode: code })), recipe));
    expect(verdicts.get(0)).toBe('good');
    expect(verdicts.get(125)).toBe('skip');
    for (let code = 1; code <= 127; code++) if (code !== 125) expect(verdicts.get(code)).toBe('bad');
    for (let code = 128; code <= 255; code++) expect(verdicts.get(code)).toBe('abort');
  });

  it('aborts on a signal culprit did not send, and calls a timeout a hang', () => {
    expect(searchVerdict(classifyTest(run({ exitCode: null, signal: 'SIGSEGV' })), recipe)).toBe('abort');
    const hang = classifyTest(run({ exitCode: null, signal: 'SIGTERM', timedOut: true, killedByUs: true }));
    expect(hang.kind).toBe('hung');
    for (const onHang of ['bad', 'good', 'skip'] as const) {
      const verdict = searchVerdict(hang, { ...recipe, onHang });
      expect(verdict).toBe(onHang);
      expect(reportedVerdict(hang, verdict)).toBe('hang');
    }
  });

  it('marks 126 and 127 as not-found, counted bad once the endpoints are verified', () => {
    expect(classifyTest(run({ exitCode: 127 })).kind).toBe('not-found');
    expect(searchVerdict(classifyTest(run({ exitCode: 126 })), recipe)).toBe('bad');
  });

  it('maps a failed build through --on-build-failure', () => {
    expect(classifyBuild(run({ exitCode: 0 }))).toBeUndefined();
    const failed = classifyBuild(run({ exitCode: 2 }))!;
    expect(searchVerdict(failed, recipe)).toBe('skip');
    expect(searchVerdict(failed, { ...recipe, onBuildFailure: 'bad' })).toBe('bad');
    expect(searchVerdict(failed, { ...recipe, onBuildFailure: 'abort' })).toBe('abort');
    expect(classifyBuild(run({ exitCode: null, timedOut: true }))?.kind).toBe('build-failed');
  });
});
