// The complete JSON document of a stored hunt (`culprit show --json`, `culprit report --format json`):
// arguments, status, result, narrowing and every probe, for scripts and dashboards.
import type { HuntRow, ProbeRow } from '../store/store-types.js';
import { buildText, statusOf, testText } from './hunt-facts.js';

export function probeJson(probe: ProbeRow): Record<string, unknown> {
  return {
    step: probe.step,
    phase: probe.phase,
    commit: probe.commit,
    configuration: probe.configuration,
    subject: probe.subject,
    verdict: probe.endedAt === null ? 'in flight' : probe.verdict,
    searchVerdict: probe.endedAt === null ? null : probe.searchVerdict,
    exitCode: probe.exitCode,
    signal: probe.signal,
    seconds: Math.round(probe.seconds * 1000) / 1000,
    source: probe.source,
    cachedFrom: probe.cachedFrom,
    log: probe.logPath,
    startedAt: probe.startedAt,
    endedAt: probe.endedAt,
  };
}

export function huntJson(hunt: HuntRow, probes: readonly ProbeRow[]): Record<string, unknown> {
  const result = hunt.result;
  return {
    hunt: hunt.id,
    status: statusOf(hunt),
    repo: hunt.repo,
    vcs: hunt.vcs,
    goods: hunt.arguments.goods,
    bad: hunt.arguments.bad,
    goodNames: hunt.arguments.goodNames,
    badName: hunt.arguments.badName,
    test: testText(hunt),
    build: buildText(hunt),
    firstParent: hunt.arguments.firstParent,
    candidatesAtStart: hunt.candidates,
    firstBad: result?.firstBad ? { commit: result.firstBad.commit, subject: result.firstBad.subject, author: result.firstBad.author, date: result.firstBad.date } : null,
    candidates: result?.candidates ?? [],
    changedFiles: result?.firstBad?.files ?? [],
    reproduce: result?.reproduce ?? null,
    narrowed: result?.narrowing ?? null,
    probes: probes.map(probeJson),
    createdAt: hunt.createdAt,
    finishedAt: hunt.finishedAt,
    error: hunt.error,
  };
}
