// The factors file of `culprit factors`: JSON or YAML, each named factor with its good and its bad side (a setup
// command, variables, or both), checked whole so that a wrong file is one line saying where, before anything runs.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../errors.js';
import type { Factor, FactorSide } from '../model/factors-spec.js';

const EXAMPLE = 'e.g. factors: [{ name: python, good: "ln -s /opt/py26/bin/python bin/", bad: "ln -s /opt/py27/bin/python bin/" }, { name: LANG, good: { env: { LANG: C } }, bad: { env: { LANG: en_US.UTF-8 } } }]';
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sideOf(value: unknown, where: string): FactorSide {
  if (value === undefined || value === null) throw new UsageError(`${where} is missing`, 'give both sides of every factor: good (as it works) and bad (as it breaks)');
  if (typeof value === 'string') {
    if (value.trim() === '') throw new UsageError(`${where} is an empty command`, 'give a setup command, or { env: { NAME: value } }');
    return { run: value };
  }
  if (!isObject(value)) throw new UsageError(`${where} is neither a setup command nor { run, env }`, EXAMPLE);
  const unknown = Object.keys(value).filter((key) => key !== 'run' && key !== 'env');
  if (unknown.length > 0) throw new UsageError(`${where} has ${unknown.map((key) => `"${key}"`).join(', ')}, which culprit does not know`, 'a side has a setup command (run) and variables (env)');
  const side: FactorSide = {};
  if (value.run !== undefined) {
    if (typeof value.run !== 'string' || value.run.trim() === '') throw new UsageError(`${where}.run is not a command`, 'give the setup as one shell line');
    side.run = value.run;
  }
  if (value.env !== undefined) {
    if (!isObject(value.env)) throw new UsageError(`${where}.env is not a map of variables`, 'e.g. env: { LANG: C }');
    side.env = {};
    for (const [name, raw] of Object.entries(value.env)) {
      if (!VARIABLE.test(name)) throw new UsageError(`${where}.env has ${JSON.stringify(name)}, which is not a variable name`, 'use letters, digits and _');
      if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') throw new UsageError(`${where}.env.${name} is not a plain value`, 'give a string or a number');
      side.env[name] = String(raw);
    }
  }
  if (side.run === undefined && side.env === undefined) throw new UsageError(`${where} says nothing`, 'give a setup command (run), variables (env), or both');
  return side;
}

/** The factors of a parsed file: `{ factors: [{ name, good, bad }] }`, or a map from each name to `{ good, bad }`. */
export function factorsOf(document: unknown, file: string): Factor[] {
  let entries: Array<[string, unknown]>;
  if (isObject(document) && Array.isArray(document.factors)) {
    entries = document.factors.map((item, index) => {
      if (!isObject(item) || typeof item.name !== 'string' || item.name.trim() === '') throw new UsageError(`${file}: factor ${index + 1} has no name`, EXAMPLE);
      return [item.name.trim(), item];
    });
  } else if (isObject(document) && !('factors' in document)) {
    entries = Object.entries(document).map(([name, item]) => {
      if (name.trim() === '') throw new UsageError(`${file}: a factor has an empty name`, EXAMPLE);
      return [name.trim(), item];
    });
  } else throw new UsageError(`${file} lists no factors`, EXAMPLE);
  if (entries.length === 0) throw new UsageError(`${file} lists no factors`, EXAMPLE);
  const seen = new Set<string>();
  return entries.map(([name, item]) => {
    if (seen.has(name)) throw new UsageError(`${file}: factor ${name} is listed twice`, 'give each factor once, with a name of its own');
    seen.add(name);
    if (!isObject(item)) throw new UsageError(`${file}: factor ${name} is not a map with good and bad`, EXAMPLE);
    const unknown = Object.keys(item).filter((key) => !['name', 'good', 'bad'].includes(key));
    if (unknown.length > 0) throw new UsageError(`${file}: factor ${name} has ${unknown.map((key) => `"${key}"`).join(', ')}, which culprit does not know`, 'a factor has a name, a good side and a bad side');
    const good = sideOf(item.good, `${file}: factor ${name}'s good side`);
    const bad = sideOf(item.bad, `${file}: factor ${name}'s bad side`);
    if (JSON.stringify(good) === JSON.stringify(bad)) throw new UsageError(`${file}: factor ${name} is the same on both sides`, 'a factor is something that differs between the good and the bad environment');
    return { name, good, bad };
  });
}

export function readFactorsFile(file: string): Factor[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`--factors ${file} ${code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? String(error)})`}`, 'name a JSON or YAML file of factors');
  }
  let document: unknown;
  try {
    // YAML is a superset of JSON: one parser reads both. Every scalar stays the text it was (3.10 is not 3.1).
    document = parseYaml(text, { schema: 'failsafe' });
  } catch (error) {
    const first = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
    throw new UsageError(`--factors ${file} is neither JSON nor YAML: ${first}`, EXAMPLE);
  }
  return factorsOf(document, file);
}
