// Says what differs between the recipe environment a hunt was started in and this one (the keyed variables, the
// scripts' contents): a hunt's verdicts hold for one recipe key, and a resume under another must name the change.
import type { RecipeEnvironment } from '../store/store-types.js';

/** A value as a shell would take it back; control characters (a newline) escaped so the message stays one line. */
function quoted(value: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[\x00-\x1f\x7f]/.test(value)) return `'${value.replace(/'/g, `'\\''`)}'`;
  const named: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r', "'": "\\'", '\\': '\\\\' };
  // eslint-disable-next-line no-control-regex
  return `$'${value.replace(/[\x00-\x1f\x7f'\\]/g, (char) => named[char] ?? `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`)}'`;
}

function variable(name: string, value: string | undefined): string {
  return value === undefined ? `${name} unset` : `${name}=${quoted(value)}`;
}

function script(file: string, sha: string | undefined): string {
  return sha === undefined ? `no script ${file}` : `${file} (sha256 ${sha.slice(0, 12)})`;
}

/**
 * "CFLAGS='A', now CFLAGS='B'": what the hunt was started with and what it would run with now, to follow
 * "hunt N was started with". A hunt stored before culprit kept its environment can only be said to differ.
 */
export function recipeChange(before: RecipeEnvironment | null, after: RecipeEnvironment): string {
  if (!before) return 'other keyed variables or script contents than these (this hunt was stored without them)';
  const then: string[] = [];
  const now: string[] = [];
  for (const name of [...new Set([...Object.keys(before.env), ...Object.keys(after.env)])].sort()) {
    const [was, is] = [before.env[name], after.env[name]];
    if (was === is) continue;
    if (name === 'PATH' && was !== undefined && is !== undefined) {
      // Two long PATHs side by side hide the change: only the entries that differ.
      const [earlier, later] = [was.split(':'), is.split(':')];
      const lost = earlier.filter((entry) => !later.includes(entry));
      const gained = later.filter((entry) => !earlier.includes(entry));
      const list = (entries: string[]): string => entries.map(quoted).join(' ');
      if (lost.length === 0 && gained.length === 0) {
        then.push('PATH in one order');
        now.push('PATH in another');
      } else {
        then.push(lost.length > 0 ? `PATH including ${list(lost)}` : `PATH without ${list(gained)}`);
        now.push(gained.length > 0 ? `PATH including ${list(gained)}` : `PATH without ${list(lost)}`);
      }
      continue;
    }
    then.push(variable(name, was));
    now.push(variable(name, is));
  }
  for (const file of [...new Set([...Object.keys(before.files), ...Object.keys(after.files)])].sort()) {
    if (before.files[file] === after.files[file]) continue;
    then.push(script(file, before.files[file]));
    now.push(script(file, after.files[file]));
  }
  if (then.length === 0) return 'another recipe than this one';
  return `${then.join(', ')}, now ${now.join(', ')}`;
}
