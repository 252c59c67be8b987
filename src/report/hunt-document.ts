// The one JSON document of a hunt, for `run --json`, `resume --json`, `show --json` and `report --format json`
// alike: what was asked, what each stage found, and every probe. Errors get the same shape with status "error".
import { descentOf, factorsOf, narrowingOf, type Narrowing } from '../model/stage-results.js';
import { describeCommand } from '../text/format.js';
import type { HuntProbe, HuntRow, ProbeRow } from '../store/store-types.js';
import { statusOf } from './hunt-facts.js';

export function probeDocument(probe: HuntProbe | ProbeRow): Record<string, unknown> {
  return {
    step: probe.step,
    phase: probe.phase,
    commit: probe.commit,
    configuration: probe.configuration,
    subject: probe.subject,
    verdict: probe.endedAt === null ? 'in flight' : probe.verdict,
    searchVerdict: probe.endedAt === null ? null : probe.searchVerdict,
    /** What the run did (`passed`, `failed`, `hung`, `build-failed` — an install, for a version — …). */
    outcome: probe.endedAt === null ? null : probe.outcome.kind,
    /** Whether the build (a version's install) ran or was restored from the cache; null without one. */
    build: probe.build ?? null,
    exitCode: probe.exitCode,
    signal: probe.signal,
    seconds: Math.round(probe.seconds * 1000) / 1000,
    /** `run` now, `cached` from another hunt's verdict, `resumed` from this hunt's run before it was stopped. */
    source: probe.source,
    cachedFrom: probe.cachedFrom,
    log: probe.logPath,
    startedAt: probe.startedAt,
    endedAt: probe.endedAt,
  };
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
    // Older hunts predate these: their search always ran to the end, and verification was not judged.
    minimal: narrowing.minimal ?? true,
    ...(narrowing.stoppedAfter === undefined ? {} : { stoppedAfter: narrowing.stoppedAfter }),
    ...(narrowing.verified === undefined ? {} : { verified: narrowing.verified }),
    ...(narrowing.rejected === undefined ? {} : { rejected: narrowing.rejected }),
    ...(narrowing.checks === undefined ? {} : { checks: narrowing.checks }),
    ...(narrowing.note === undefined ? {} : { note: narrowing.note }),
  };
}

export interface DocumentSource {
  /** The stored hunt; absent when a hunt stopped on bad input before (or without) being kept. */
  hunt: HuntRow | undefined;
  /** The hunt's id when its record is not at hand (an error document of a kept hunt). */
  huntId?: number;
  /** Its probes in step order (a live hunt's carry `resumed`); narrowing's configurations are listed apart. */
  probes: ReadonlyArray<HuntProbe | ProbeRow>;
  /** Set when the command failed: the document says `status: "error"` with this line. */
  error?: string;
}

export function huntDocument(source: DocumentSource): Record<string, unknown> {
  const { hunt, error } = source;
  const result = hunt?.result ?? null;
  const args = hunt?.arguments;
  const stages = result?.stages ?? [];
  const narrowing = narrowingOf(stages);
  const descent = descentOf(stages);
  const factors = factorsOf(stages);
  const first = result?.firstBad ?? null;
  return {
    hunt: hunt?.id ?? source.huntId ?? null,
    status: error !== undefined ? 'error' : hunt ? statusOf(hunt) : 'error',
    repo: hunt?.repo ?? null,
    vcs: hunt?.vcs ?? null,
    goods: args?.goods ?? [],
    bad: args?.bad ?? null,
    goodNames: args?.goodNames ?? [],
    badName: args?.badName ?? null,
    test: args ? describeCommand(args.recipe.test) : null,
    build: args?.recipe.build ? describeCommand(args.recipe.build) : null,
    firstParent: args?.firstParent ?? false,
    candidatesAtStart: hunt?.candidates ?? null,
    firstBad: first ? { commit: first.commit, subject: first.subject, author: first.author, date: first.date } : null,
    candidates: result?.candidates ?? [],
    changedFiles: first?.files ?? [],
    reproduce: result?.reproduce ?? null,
    rounds: result?.rounds ?? null,
    narrowed: narrowing ? narrowedDocument(narrowing) : null,
    ...(descent ? { descent } : {}),
    ...(factors ? { factors } : {}),
    stages,
    probes: source.probes.filter((probe) => probe.configuration === null).map(probeDocument),
    narrowingProbes: source.probes.filter((probe) => probe.configuration !== null).map(probeDocument),
    createdAt: hunt?.createdAt ?? null,
    finishedAt: hunt?.finishedAt ?? null,
    error: error ?? hunt?.error ?? null,
  };
}
