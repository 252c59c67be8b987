// Probe logs: one directory per hunt, the oldest pruned so logs of many hunts do not pile up.
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogDirectory } from '../../src/probe/log-directory.js';
import { tempDir } from '../fixtures/scripted-repo.js';

describe('createLogDirectory', () => {
  it('keeps the 50 newest hunts, counting the new one', () => {
    const cache = tempDir();
    for (let i = 0; i < 60; i++) mkdirSync(path.join(cache, 'logs', `2020-01-01T00-00-${String(i).padStart(2, '0')}-000Z-1`), { recursive: true });
    const directory = createLogDirectory(cache);
    const left = readdirSync(path.join(cache, 'logs')).sort();
    expect(left).toHaveLength(50);
    expect(left).toContain(path.basename(directory));
    expect(left).not.toContain('2020-01-01T00-00-10-000Z-1');
    expect(left).toContain('2020-01-01T00-00-11-000Z-1');
  });
});
