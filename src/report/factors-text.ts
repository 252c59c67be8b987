// A hunt over factors in words, for the terminal and Markdown alike: the factors the failure needs (package changes
// with both versions), what had to come along to install them, how sure the answer is, and what to do next.
import { describeChange } from '../changes/lockfile-changes.js';
import type { FactorAnswer, FactorsResult } from '../model/stage-results.js';

type Factors = Omit<FactorsResult, 'stage'>;

export function factorText(factor: FactorAnswer): string {
  return factor.change ? describeChange({ name: factor.name, ...factor.change }) : factor.name;
}

function unit(factors: Factors, count: number): string {
  const noun = factors.space === 'deps' ? 'package change' : 'factor';
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** The answer's first line: how many of how many factors the failure needs, or that the answer is not proven. */
export function factorsHeadline(factors: Factors): string {
  const needs = factors.needed.length;
  if (!factors.verified) return `The smallest set seen failing holds ${unit(factors, needs)} of ${factors.total} (not proven minimal):`;
  if (needs === factors.total && needs > 1) return `The failure needs all ${unit(factors, needs)} together:`;
  return `The failure needs ${needs === 1 ? '' : 'these '}${unit(factors, needs)} of ${factors.total}:`;
}

/** What follows the list: the changes it came with, the releases between, the caveat, and the counts. */
export function factorsDetails(factors: Factors): string[] {
  const lines: string[] = [];
  if (factors.alongside.length > 0) lines.push(`Installed with ${factors.needed.length === 1 ? 'it' : 'them'}, because ${factors.needed.length === 1 ? 'it needs' : 'they need'} them: ${factors.alongside.map(factorText).join(', ')}`);
  const single = factors.needed.length === 1 ? factors.needed[0] : undefined;
  if (single?.change && factors.between && factors.between.length > 0) {
    const releases = factors.between.length === 1 ? '1 more release' : `${factors.between.length} more releases`;
    const next = factors.bisectVersions ? 'bisected for the first bad one' : 'culprit deps … --bisect-versions finds the first bad one';
    lines.push(`Between ${single.change.from ?? ''} and ${single.change.to ?? ''}, ${single.name} has ${releases} (${factors.between.join(', ')}): ${next}`);
  }
  if (factors.note) lines.push(`Note: ${factors.note}`);
  return lines;
}

/** How much it took: configurations probed, installs, and the ones that could not be tested. */
export function factorsCounts(factors: Factors): string {
  const installs = factors.space === 'deps' ? `, ${factors.installs} install${factors.installs === 1 ? '' : 's'}` : '';
  const unresolved = factors.unresolved > 0 ? `, ${factors.unresolved} could not be ${factors.space === 'deps' ? 'installed' : 'set up'} or tested` : '';
  return `${factors.tests} configuration${factors.tests === 1 ? '' : 's'} of ${factors.total} ${factors.space === 'deps' ? 'package changes' : 'factors'} probed${installs}${unresolved}`;
}

export function factorsMarkdown(factors: Factors): string[] {
  const out = ['', `### ${factors.space === 'deps' ? 'Package changes' : 'Factors'}`, '', factorsHeadline(factors), ''];
  if (factors.space === 'deps') {
    out.push('| package | good | bad |', '|---|---|---|');
    for (const factor of factors.needed) out.push(`| \`${factor.name}\`${factor.change?.under ? ` (in \`${factor.change.under}\`)` : ''} | ${factor.change?.from ?? '—'} | ${factor.change?.to ?? '—'} |`);
  } else for (const factor of factors.needed) out.push(`- \`${factor.name}\` at its bad side`);
  out.push('', ...factorsDetails(factors), `${factorsCounts(factors)}.`);
  return out;
}
