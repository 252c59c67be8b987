// The small text helpers: dates as git log shows them.
import { describe, expect, it } from 'vitest';
import { gitDate } from '../../src/text/format.js';

describe('gitDate', () => {
  it('shows an ISO date with its offset as git log does, in the author\'s own time', () => {
    expect(gitDate('2025-01-12T09:13:19+00:00')).toBe('Sun Jan 12 09:13:19 2025 +0000');
    expect(gitDate('2024-02-29T23:59:59-05:30')).toBe('Thu Feb 29 23:59:59 2024 -0530');
    expect(gitDate('2026-12-05T01:02:03Z')).toBe('Sat Dec 5 01:02:03 2026 +0000');
    expect(gitDate('yesterday')).toBe('yesterday');
  });
});
