// Sizes as users write them (--cache-size 500M) and as culprit prints them back.
// Every unit is binary (M = MiB), as du and ls -h count, so a limit and the sizes listed against it agree.
import { UsageError } from '../errors.js';

export const DEFAULT_CACHE_BYTES = 5 * 1024 ** 3;

const UNITS = ['', 'K', 'M', 'G', 'T'] as const;
const SIZE = /^(\d+(?:\.\d+)?|\.\d+)\s*([kmgt]?)(?:i?b)?$/i;

/** Bytes from `10000`, `500M`, `2G`, `1.5GiB`, `64KB`; anything else (or nothing at all) is a UsageError. */
export function parseSize(text: string): number {
  const match = SIZE.exec(text.trim());
  const bad = (): UsageError => new UsageError(`--cache-size must be a size such as 500M or 2G, got '${text}'`, 'give bytes or a number with K, M, G or T');
  if (!match) throw bad();
  const bytes = Math.floor(Number(match[1]) * 1024 ** UNITS.indexOf((match[2] ?? '').toUpperCase() as (typeof UNITS)[number]));
  if (!Number.isSafeInteger(bytes)) throw bad();
  if (bytes < 1) throw new UsageError(`--cache-size must be more than 0, got '${text}'`, 'to build every probe afresh, leave --artifacts out');
  return bytes;
}

/** `0 B`, `900 B`, `1.5 KiB`, `340 MiB`: three significant digits at most, so columns stay narrow. */
export function formatSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${bytes} B`;
  const shown = value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
  return `${shown.includes('.') ? shown.replace(/\.?0+$/, '') : shown} ${UNITS[unit]}iB`;
}
