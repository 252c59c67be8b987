// A git or hg command that failed where it should not (a damaged repository, a full disk): one line that says
// which command failed where, with the tool's own reason, and what to do about it.
import { statfsSync } from 'node:fs';
import { EnvironmentError } from '../errors.js';

/** Below this much free space a failed write is taken for a full disk (git does not always say why it failed). */
const NEARLY_FULL_BYTES = 4 * 1024 * 1024;

/** The free bytes of the file system holding `directory`, when that is next to nothing. */
function nearlyFull(directory: string): number | undefined {
  try {
    const stats = statfsSync(directory);
    const free = stats.bavail * stats.bsize;
    return free < NEARLY_FULL_BYTES ? free : undefined;
  } catch {
    return undefined;
  }
}

/** What git and hg say of a damaged object store, revlog or pack: unmistakable wherever it appears. */
const DAMAGE = /corrupt|packfile|does not match index|bad object|unable to read|could not read|inflate|loose object|integrity check|unknown compression|damaged/i;
/** Said of damage too, but also of a revision that is simply not there: only read as damage once a command has failed. */
const LIKELY_DAMAGE = /missing|bad tree|no node|no match found|revlog/i;
const NO_SPACE = /no space left on device/i;

function hintFor(tool: 'git' | 'hg', reason: string): string {
  const check = tool === 'git' ? 'git fsck' : 'hg verify';
  if (NO_SPACE.test(reason) || /disk quota exceeded|ENOSPC|EDQUOT/i.test(reason)) return 'free some disk space';
  if (/read-only file system|permission denied/i.test(reason)) return 'make that directory writable for culprit, or pass --workdir elsewhere';
  if (DAMAGE.test(reason) || LIKELY_DAMAGE.test(reason)) {
    return `the repository looks damaged: check it with ${check}`;
  }
  return `check the repository with ${check}; if it is sound, please report this line as a culprit bug`;
}

/**
 * Whether a tool's complaint is about the repository's storage rather than about what it was asked: used where a
 * failure is normally the user's input (an unknown revision), so only unmistakable damage counts.
 */
export function looksDamaged(stderr: string): boolean {
  return DAMAGE.test(stderr);
}

/** The first meaningful line of a tool's error output, without its `fatal:`/`abort:` prefix. */
export function firstReason(stderr: string): string {
  const line = stderr.split('\n').map((text) => text.trim()).find((text) => text !== '') ?? '';
  return line.replace(/^(fatal|error|abort|hg): /, '');
}

/** `what` names the command as a user would recognise it (`git checkout`), `where` the directory it ran in. */
export function toolFailure(tool: 'git' | 'hg', what: string, where: string, stderr: string): EnvironmentError {
  let reason = firstReason(stderr) || 'no message';
  // The reason may be on a later line (git prints `unable to write file` first), or not printed at all.
  if (!NO_SPACE.test(reason)) {
    if (NO_SPACE.test(stderr)) reason += ' (no space left on device)';
    else {
      const free = nearlyFull(where);
      if (free !== undefined) reason += ` (no space left on device: ${Math.floor(free / 1024)} KiB free there)`;
    }
  }
  return new EnvironmentError(`${what} failed in ${where}: ${reason}`, hintFor(tool, reason));
}
