// git bisect.c's small arithmetic: approx_halfway, estimate_bisect_steps and skip_away's pseudo-random index.
// Transcribed with C's 32-bit and single-precision quirks, since git's choices depend on them bit for bit.

/** git's PRN_MODULO in bisect.c: skip_away's pseudo-random numbers lie in [0, 32768). */
const PRN_MODULO = 32768;

/** bisect.c approx_halfway: within one of half, or within ~0.1% of half for large sets. */
export function approxHalfway(weight: number, nr: number): boolean {
  const diff = 2 * weight - nr;
  if (diff >= -1 && diff <= 1) return true;
  return Math.abs(diff) < Math.trunc(nr / 1024);
}

/** bisect.c estimate_bisect_steps. */
export function estimateBisectSteps(all: number): number {
  if (all < 3) return 0;
  let n = 0;
  for (let v = all; v > 1; v >>= 1) n++;
  const e = 1 << n;
  const x = all - e;
  return e < 3 * x ? n : n - 1;
}

/** bisect.c get_prn: an LCG step on an unsigned 32-bit seed. */
export function getPrn(count: number): number {
  const next = (Math.imul(count, 1103515245) + 12345) >>> 0;
  return Math.floor(next / 65536) % PRN_MODULO;
}

/** bisect.c sqrti: Newton's method in single precision, truncated. */
export function sqrti(value: number): number {
  if (value === 0) return 0;
  const f = Math.fround;
  const v = f(value);
  let x = v;
  let d: number;
  do {
    const y = f(f(x + f(v / x)) / 2);
    d = y > x ? f(y - x) : f(x - y);
    x = y;
  } while (d >= 0.5);
  return Math.trunc(x);
}

/**
 * bisect.c skip_away's index, with C's 32-bit int arithmetic and truncating division. From about 65,537
 * non-skipped candidates on, count * prn overflows (undefined behaviour in C); a gcc -O2 build then rounds
 * some negative results differently by one, but every negative index means "take the first", as here.
 */
export function skipAwayIndex(count: number): number {
  const prn = getPrn(count);
  const scaled = Math.trunc(Math.imul(count, prn) / PRN_MODULO);
  return Math.trunc(Math.imul(scaled, sqrti(prn)) / sqrti(PRN_MODULO));
}

/** hg's estimate (commands.py): the number of doublings of 2 that stay at or below `changesets`. */
export function estimateHgTests(changesets: number): number {
  let tests = 0;
  for (let size = 2; size <= changesets; size *= 2) tests++;
  return tests;
}

/** Both strategies refuse ids outside their graph with the same error. */
export function checkId(graph: { size: number }, id: number, role: string): void {
  if (!Number.isInteger(id) || id < 0 || id >= graph.size) throw new RangeError(`${role} commit id ${String(id)} is not in the graph`);
}
