// The one-line command that reproduces the probe of a commit, printed with every result.
// It runs the same recipe in a private workspace, so pasting it never touches the user's checkout.
import { describeCommand, shellQuote, type Recipe } from '../probe/recipe.js';

export function reproduceCommand(repo: string, commit: string, recipe: Recipe, timeoutSeconds: number): string {
  const words = ['npx', 'culprit', 'probe', '--repo', shellQuote(repo), '--commit', commit];
  if (recipe.build) words.push('--build', shellQuote(describeCommand(recipe.build)));
  words.push('--timeout', String(timeoutSeconds));
  if (recipe.onHang !== 'bad') words.push('--on-hang', recipe.onHang);
  if ('shell' in recipe.test) words.push('--test', shellQuote(recipe.test.shell));
  else words.push('--', ...recipe.test.argv.map(shellQuote));
  return words.join(' ');
}
