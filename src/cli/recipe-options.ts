// Turns the recipe options shared by `run` and `probe` into a Recipe, validating every value first,
// so that bad input is reported before anything is created.
import type { Recipe } from '../probe/recipe.js';
import { buildCommand, choice, nonNegativeSeconds, positiveSeconds, testCommand } from './option-parsers.js';

export function recipeFromOptions(argv: readonly string[], options: Record<string, unknown>): Recipe {
  const text = (name: string): string | undefined => (typeof options[name] === 'string' ? (options[name] as string) : undefined);
  const test = testCommand(text('test'), argv);
  const build = buildCommand(text('build'));
  const timeoutSeconds = positiveSeconds('--timeout', text('timeout'));
  return {
    test,
    ...(build ? { build } : {}),
    ...(timeoutSeconds === undefined ? {} : { timeoutSeconds }),
    buildTimeoutSeconds: positiveSeconds('--build-timeout', text('buildTimeout')) ?? 3600,
    graceSeconds: nonNegativeSeconds('--grace', text('grace'), 5),
    onHang: choice('--on-hang', text('onHang'), ['bad', 'good', 'skip'] as const, 'bad'),
    onBuildFailure: choice('--on-build-failure', text('onBuildFailure'), ['skip', 'bad', 'abort'] as const, 'skip'),
  };
}
