// `culprit hunts`: the recorded hunts as a table, newest first, or as JSON for scripts.
import type { HuntRow } from '../store/store-types.js';
import { padColumns } from '../text/format.js';
import { rangeText, resultText, statusOf } from './hunt-facts.js';


export function huntListText(hunts: readonly HuntRow[]): string {
  if (hunts.length === 0) return 'No hunts recorded yet: start one with culprit run.\n';
  const rows = [['ID', 'STATUS', 'STARTED', 'PROBES', 'REPOSITORY', 'RANGE', 'RESULT']];
  for (const hunt of hunts) {
    // How the range was searched, when not plainly: following first parents, or one change narrowed as given.
    const how = hunt.arguments.firstParent ? ' (--first-parent)' : hunt.arguments.narrowOnly ? ' (narrow)' : '';
    rows.push([String(hunt.id), statusOf(hunt), hunt.createdAt.replace('T', ' ').slice(0, 16), String(hunt.probeCount), hunt.repo, `${rangeText(hunt)}${how}`, resultText(hunt)]);
  }
  return `${padColumns(rows).join('\n')}\n`;
}

export function huntListJson(hunts: readonly HuntRow[]): unknown[] {
  return hunts.map((hunt) => ({
    hunt: hunt.id,
    status: statusOf(hunt),
    repo: hunt.repo,
    vcs: hunt.vcs,
    goods: hunt.arguments.goods,
    bad: hunt.arguments.bad,
    firstParent: hunt.arguments.firstParent,
    createdAt: hunt.createdAt,
    finishedAt: hunt.finishedAt,
    probes: hunt.probeCount,
    firstBad: hunt.result?.firstBad?.commit ?? null,
    error: hunt.error,
  }));
}
