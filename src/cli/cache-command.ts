// `culprit cache list` and `culprit cache clear`: the build-artifact cache under culprit's cache directory.
// Read and cleared without a limit: the limit belongs to a hunt's --cache-size, not to the cache itself.
import path from 'node:path';
import { ArtifactCache, DEFAULT_CACHE_BYTES, formatSize, type ArtifactEntry } from '../probe/artifact-cache.js';
import { cacheDirectory } from '../probe/cache-directory.js';
import { pruneLogs } from '../probe/log-directory.js';
import { padColumns, short } from '../text/format.js';

function artifactCache(options: Record<string, unknown>): ArtifactCache {
  const root = path.join(cacheDirectory(typeof options.workdir === 'string' ? options.workdir : undefined), 'artifacts');
  // The limit only matters when saving, which these commands never do.
  return new ArtifactCache(root, DEFAULT_CACHE_BYTES);
}

export function cacheListText(entries: readonly ArtifactEntry[]): string {
  if (entries.length === 0) return 'No build artifacts cached: a hunt run with --artifacts saves them.\n';
  const rows = [['KEY', 'COMMIT', 'SIZE', 'FILES', 'LAST USED', 'REPOSITORY']];
  for (const entry of entries) {
    rows.push([short(entry.key), short(entry.commit), formatSize(entry.bytes), String(entry.files), entry.lastUsedAt.replace('T', ' ').slice(0, 16), entry.repo]);
  }
  const total = entries.reduce((sum, entry) => sum + entry.bytes, 0);
  return `${padColumns(rows).join('\n')}\n${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}, ${formatSize(total)} in total\n`;
}

export async function cacheListCommand(options: Record<string, unknown>): Promise<number> {
  const entries = await artifactCache(options).list();
  process.stdout.write(options.json === true ? `${JSON.stringify(entries)}\n` : cacheListText(entries));
  return 0;
}

export async function cacheClearCommand(options: Record<string, unknown>): Promise<number> {
  const removed = await artifactCache(options).clear();
  // Probe logs live in the cache too: all of them go, but those of hunts still running.
  const logs = pruneLogs(cacheDirectory(typeof options.workdir === 'string' ? options.workdir : undefined), 0, 0);
  process.stdout.write(
    options.json === true
      ? `${JSON.stringify({ ...removed, logs: logs.removed, logBytes: logs.bytes })}\n`
      : `removed ${removed.entries} ${removed.entries === 1 ? 'entry' : 'entries'} (${formatSize(removed.bytes)}) and the logs of ${logs.removed} hunt${logs.removed === 1 ? '' : 's'} (${formatSize(logs.bytes)})\n`,
  );
  return 0;
}
