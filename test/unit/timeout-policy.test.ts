// The default timeout: derived from the good endpoints so a hang is caught without configuration.
import { describe, expect, it } from 'vitest';
import { TimeoutPolicy } from '../../src/hunt/timeout-policy.js';

describe('TimeoutPolicy', () => {
  it('uses --timeout when given, whatever the good runs measured', () => {
    const policy = new TimeoutPolicy(7);
    policy.observeGood(100);
    expect(policy.seconds).toBe(7);
    expect(policy.derived).toBe(false);
  });

  it('derives 10x the slowest good run, at least 30 s', () => {
    const policy = new TimeoutPolicy();
    expect(policy.seconds).toBe(600);
    policy.observeGood(0.2);
    expect(policy.seconds).toBe(30);
    policy.observeGood(4.1);
    expect(policy.seconds).toBe(41);
    policy.observeGood(1);
    expect(policy.seconds).toBe(41);
    policy.observeGood(undefined);
    expect(policy.seconds).toBe(41);
  });

  it('tells subscribers when the derived timeout changes, and only then', () => {
    const policy = new TimeoutPolicy();
    const heard: number[] = [];
    const unsubscribe = policy.subscribe((seconds) => heard.push(seconds));
    policy.observeGood(0.2);
    policy.observeGood(0.3);
    policy.observeGood(5);
    unsubscribe();
    policy.observeGood(9);
    expect(heard).toEqual([30, 50]);
    const fixed = new TimeoutPolicy(7);
    fixed.subscribe((seconds) => heard.push(seconds));
    fixed.observeGood(100);
    expect(heard).toEqual([30, 50]);
  });
});
