// The one JSON document `--json` prints on stdout, for a result and for an error alike.
// Its shape is a contract with scripts: status, firstBad, candidates, probes (endpoints included, in order).
import type { HuntProbe, HuntResult } from '../hunt/hunt-types.js';
import type { Narrowing } from '../hunt/narrow.js';

export interface JsonProbe {
  commit: string;
  verdict: 'good' | 'bad' | 'skip' | 'hang';
  exitCode: number | null;
  signal: string | null;
  seconds: number;
  /** `run` now, `cached` from another hunt's verdict, `resumed` from this hunt's run before it was stopped. */
  source: 'run' | 'cached' | 'resumed';
}

export function jsonProbe(probe: HuntProbe): JsonProbe {
  return { commit: probe.commit, verdict: probe.verdict, exitCode: probe.exitCode, signal: probe.signal, seconds: Math.round(probe.seconds * 1000) / 1000, source: probe.source };
}

export function resultDocument(result: HuntResult): string {
  const bad = result.firstBad;
  return JSON.stringify({
    hunt: result.hunt,
    status: result.status,
    firstBad: bad ? { commit: bad.commit, subject: bad.subject, author: bad.author, date: bad.date } : null,
    candidates: result.candidates,
    probes: result.probes.map(jsonProbe),
    rounds: result.rounds,
    changedFiles: bad ? bad.files : [],
    reproduce: result.reproduce,
    narrowed: result.narrowing ? narrowedDocument(result.narrowing) : null,
    ...(result.descent ? { descent: result.descent } : {}),
  });
}

function narrowedDocument(narrowing: Narrowing): Record<string, unknown> {
  return {
    status: narrowing.status,
    parent: narrowing.parent,
    commit: narrowing.commit,
    signature: narrowing.signature,
    level: narrowing.level,
    diff: narrowing.diff,
    changes: narrowing.changes,
    tests: narrowing.tests,
    levels: narrowing.levels,
    verification: narrowing.verification,
    ...(narrowing.note === undefined ? {} : { note: narrowing.note }),
  };
}

export function errorDocument(message: string, probes: readonly HuntProbe[], hunt?: number): string {
  return JSON.stringify({ hunt: hunt ?? null, status: 'error', firstBad: null, candidates: [], probes: probes.map(jsonProbe), error: message });
}
