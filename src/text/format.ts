// The small text helpers every renderer shares: short hashes, shell quoting, commands as a user types them,
// and column padding for terminal tables. Pure string functions.
import type { CommandSpec } from '../model/recipe.js';

/** The 12-character abbreviation culprit prints for a commit hash; a version or other name stays whole. */
export function short(commit: string): string {
  return /^[0-9a-f]{13,}$/.test(commit) ? commit.slice(0, 12) : commit;
}

/** Quotes a word for a POSIX shell, leaving plain words readable. */
export function shellQuote(word: string): string {
  if (/^[\w@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Quotes every word, plain or not: for files that other tools parse back (a bisect log), where uniform is safer. */
export function quoteAlways(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function describeCommand(command: CommandSpec): string {
  return 'shell' in command ? command.shell : command.argv.map(shellQuote).join(' ');
}

/** Rows as aligned columns (two spaces apart); the last column is not padded. */
export function padColumns(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ').trimEnd());
}

/** A Markdown code block that stays one block whatever backticks the text holds. */
export function fence(text: string, language: string): string {
  const ticks = /```/.test(text) ? '````' : '```';
  return `${ticks}${language}\n${text.replace(/\n$/, '')}\n${ticks}`;
}

/** A duration as progress shows it: seconds, minutes or hours, rounded (`45s`, `12m`, `1.5h`). */
export function roughDuration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))}s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)}m`;
  return `${(seconds / 3600).toFixed(1)}h`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** An ISO 8601 date with its offset, as `git log` shows it: `Sun Jan 12 09:13:19 2025 +0000`; anything else as given. */
export function gitDate(iso: string): string {
  const parts = /^(\d{4})-(\d\d)-(\d\d)T(\d\d:\d\d:\d\d)(?:\.\d+)?(Z|([+-])(\d\d):?(\d\d))$/.exec(iso);
  if (!parts) return iso;
  const [, year, month, day, time, zone, sign, zoneHours, zoneMinutes] = parts;
  // The wall-clock fields are the author's own: the weekday is that date's, whatever our time zone.
  const weekday = DAYS[new Date(Date.UTC(Number(year), Number(month) - 1, Number(day))).getUTCDay()] ?? '';
  const offset = zone === 'Z' ? '+0000' : `${sign ?? '+'}${zoneHours ?? '00'}${zoneMinutes ?? '00'}`;
  return `${weekday} ${MONTHS[Number(month) - 1] ?? ''} ${Number(day)} ${time ?? ''} ${year ?? ''} ${offset}`;
}
