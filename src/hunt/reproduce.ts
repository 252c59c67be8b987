// The one-line command that reproduces the probe of a commit (or the last good and first bad version), printed with
// every result. It runs the same recipe in a private workspace, so pasting it never touches the user's checkout.
import { LISTED, type VersionsSpec } from '../model/versions-spec.js';
import { describeCommand, shellQuote, type Recipe } from '../probe/recipe.js';

export function reproduceCommand(repo: string, commit: string, recipe: Recipe, timeoutSeconds: number): string {
  const words = ['npx', 'culprit', 'probe', '--repo', shellQuote(repo), '--commit', commit];
  if (recipe.build) words.push('--build', shellQuote(describeCommand(recipe.build)));
  words.push('--timeout', String(timeoutSeconds));
  if (recipe.onHang !== 'bad') words.push('--on-hang', recipe.onHang);
  words.push(...testWords(recipe));
  return words.join(' ');
}

function testWords(recipe: Recipe): string[] {
  return 'shell' in recipe.test ? ['--test', shellQuote(recipe.test.shell)] : ['--', ...recipe.test.argv.map(shellQuote)];
}

/**
 * The two versions that matter, tested again (no verdict cache; their installs may come from the install cache): the
 * last good one must pass and the first bad one fail.
 */
export function reproduceVersionsCommand(spec: VersionsSpec, lastGood: string, firstBad: string, recipe: Recipe, timeoutSeconds: number): string {
  const words = ['npx', 'culprit'];
  if (spec.npm) words.push('npm', spec.origin, '--good', lastGood, '--bad', firstBad, ...(spec.project ? ['--project', shellQuote(spec.project)] : []));
  else {
    words.push('versions', ...(spec.origin === LISTED ? [] : ['--name', spec.origin]), '--list', shellQuote(`${lastGood} ${firstBad}`), '--install', shellQuote(spec.install));
    if (spec.build !== undefined) words.push('--build', shellQuote(spec.build));
    if (spec.project) words.push('--project', shellQuote(spec.project));
  }
  words.push('--timeout', String(timeoutSeconds));
  if (recipe.onHang !== 'bad') words.push('--on-hang', recipe.onHang);
  words.push('--no-cache', ...testWords(recipe));
  return words.join(' ');
}
