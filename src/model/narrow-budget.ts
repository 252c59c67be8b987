// How much narrowing may spend before it stops with its best answer so far: a number of tests, a wall time, or
// both (whichever runs out first). Plain data, parsed from `--narrow-budget 200`, `15m`, `200,15m` or `none`.

export interface NarrowBudget {
  tests?: number;
  seconds?: number;
}

/** What a default hunt gets: narrowing on a real project should end in about a quarter of an hour. */
export const DEFAULT_NARROW_BUDGET: NarrowBudget = { seconds: 15 * 60 };

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600 };

/** Parses a budget; undefined when the text is not one (the caller says what is wrong), `{}` for none. */
export function parseNarrowBudget(text: string): NarrowBudget | undefined {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'none' || trimmed === 'unlimited') return {};
  const budget: NarrowBudget = {};
  for (const part of trimmed.split(',')) {
    const match = /^(\d+(?:\.\d+)?)\s*([smh]?)$/.exec(part.trim());
    if (!match) return undefined;
    const value = Number(match[1]);
    if (match[2]) {
      if (budget.seconds !== undefined || value <= 0) return undefined;
      budget.seconds = value * (UNITS[match[2]] ?? 1);
    } else {
      if (budget.tests !== undefined || !Number.isInteger(value) || value < 1) return undefined;
      budget.tests = value;
    }
  }
  return budget;
}

export function describeNarrowBudget(budget: NarrowBudget): string {
  const parts: string[] = [];
  if (budget.tests !== undefined) parts.push(`${budget.tests} tests`);
  if (budget.seconds !== undefined) parts.push(budget.seconds % 60 === 0 ? `${budget.seconds / 60} min` : `${budget.seconds} s`);
  return parts.length === 0 ? 'no budget' : parts.join(' or ');
}
