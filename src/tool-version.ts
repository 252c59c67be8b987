// culprit's own version, read once from its package.json: `--version` prints it and every hunt records it,
// so a report says which culprit found its answer.
import { readFileSync } from 'node:fs';

function packageVersion(): string {
  try {
    // dist/tool-version.js and src/tool-version.ts both sit one level below the package root.
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

export const CULPRIT_VERSION = packageVersion();
