// A stored hunt as its version-control system's own bisect session: a `git bisect log` file that
// `git bisect replay` accepts, or a shell script of `hg bisect` commands.
import { UsageError } from '../errors.js';
import type { HuntRow, ProbeRow } from '../store/store-types.js';
import { quoteAlways } from '../text/format.js';
import { finishedProbes } from './hunt-facts.js';


/** The probes that taught the search something: merge bases and bisection steps, in order (endpoints are the start). */
function searchProbes(probes: readonly ProbeRow[]): ProbeRow[] {
  return finishedProbes(probes).filter((probe) => (probe.phase === 'bisect' || probe.phase === 'merge-base') && probe.searchVerdict !== 'abort');
}

export function gitBisectLog(hunt: HuntRow, probes: readonly ProbeRow[]): string {
  const args = hunt.arguments;
  const subjects = new Map(probes.map((probe) => [probe.commit, probe.subject]));
  const lines = [`# bad: [${args.bad}] ${subjects.get(args.bad) ?? ''}`.trimEnd()];
  for (const good of args.goods) lines.push(`# good: [${good}] ${subjects.get(good) ?? ''}`.trimEnd());
  lines.push(`git bisect start ${[...(args.firstParent ? ['--first-parent'] : []), args.bad, ...args.goods].map(quoteAlways).join(' ')}`);
  for (const probe of searchProbes(probes)) {
    lines.push(`# ${probe.searchVerdict}: [${probe.commit}] ${probe.subject}`.trimEnd(), `git bisect ${probe.searchVerdict} ${probe.commit}`);
  }
  const first = hunt.result?.firstBad;
  if (first) lines.push(`# first bad commit: [${first.commit}] ${first.subject}`);
  return `${lines.join('\n')}\n`;
}

export function hgBisectScript(hunt: HuntRow, probes: readonly ProbeRow[]): string {
  const args = hunt.arguments;
  const lines = [`#!/bin/sh`, `# culprit hunt ${hunt.id} as hg bisect commands; run it in ${args.repo}`, 'set -e', 'hg bisect --reset'];
  lines.push(`hg bisect --noupdate --bad ${args.bad}`);
  for (const good of args.goods) lines.push(`hg bisect --noupdate --good ${good}`);
  for (const probe of searchProbes(probes)) lines.push(`hg bisect --noupdate --${probe.searchVerdict} ${probe.commit}  # ${probe.subject.replace(/\n/g, ' ')}`);
  return `${lines.join('\n')}\n`;
}

export function bisectLog(hunt: HuntRow, probes: readonly ProbeRow[], format: string | undefined): string {
  if (hunt.vcs === 'versions') throw new UsageError(`hunt ${hunt.id} bisected released versions, which no bisect command can replay`, `see culprit report ${hunt.id}`);
  if (hunt.vcs === 'factors') throw new UsageError(`hunt ${hunt.id} searched the factors between two setups, which no bisect command can replay`, `see culprit report ${hunt.id}`);
  const wanted = format ?? hunt.vcs;
  if (wanted !== 'git' && wanted !== 'hg') throw new UsageError(`--format must be git or hg, got '${wanted}'`);
  if (wanted !== hunt.vcs) {
    throw new UsageError(`hunt ${hunt.id} is on a ${hunt.vcs === 'git' ? 'git' : 'Mercurial'} repository, so it has no ${wanted} bisect log`, `use --format ${hunt.vcs}`);
  }
  return wanted === 'git' ? gitBisectLog(hunt, probes) : hgBisectScript(hunt, probes);
}
