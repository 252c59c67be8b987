// Realistic refactor commits for the narrowing benchmark (bench/narrow-refactor.js), generated from a seed.
//
// makeRefactorRepo({ language, changedLines, decisive, failure, seed, directory }) writes a git repository with a
// good commit (a small Python package or CommonJS library: several modules of functions and classes with nested
// blocks, a JSON config, a test script) and a child commit that refactors it: functions and methods renamed at
// their definition and at every call site and import (a part of it is a NameError / ReferenceError), bodies wrapped
// in try/if (re-indented), helpers extracted from bodies, loops rewritten, functions moved, config keys renamed,
// docstrings, messages and comments edited. Among these changes are `decisive` (1, or 2 needed together) edited
// lines that make the test fail: a hang (a loop whose progress the change takes away) or a wrong output (a constant,
// a regex, an operator). Every other change keeps the behaviour: the commit passes with only the decisive lines
// reverted. Most subsets of the commit's lines do not even compile; verifyRefactorRepo measures that share.
//
// The test (`python3 test_app.py` / `node test_app.js`, about 0.2 s) exits 0 when every result is the expected
// one, 1 with an `AssertionError: ...` line when a result is wrong, and 2 when the code does not load or raises
// (a SyntaxError, a NameError...), as pytest tells a failed test (1) from a collection error (2). A hang is a hang.
//
//   node bench/refactor-commits.js [--samples N] [--languages python,javascript] [--sizes 50,300,1000]
// generates every combination under a temporary directory, verifies it and prints the table.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { diffLines } from 'diff';

// ---------------------------------------------------------------------------------------------- randomness

/** mulberry32: a small seeded generator, the same numbers on every machine. */
function generator(seed) {
  let state = (Number(seed) >>> 0) ^ 0x9e3779b9;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (low, high) => low + Math.floor(next() * (high - low + 1));
  const pick = (list) => list[Math.floor(next() * list.length)];
  const shuffle = (list) => {
    const copy = [...list];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy;
  };
  return { next, int, pick, shuffle, chance: (p) => next() < p };
}

// ---------------------------------------------------------------------------------------------- names

const VERBS = ['compute', 'merge', 'scan', 'collect', 'resolve', 'score', 'parse', 'normalize', 'aggregate', 'render', 'filter', 'index', 'balance', 'encode', 'measure', 'fold', 'rank', 'split', 'weigh', 'trace'];
const NOUNS = ['tokens', 'weights', 'records', 'entries', 'batch', 'ranges', 'segments', 'headers', 'paths', 'keys', 'totals', 'buckets', 'samples', 'events', 'offsets', 'spans', 'rows', 'chunks', 'labels', 'deltas'];
const NEW_VERBS = ['tally', 'combine', 'sweep', 'gather', 'settle', 'grade', 'digest', 'canonicalize', 'accumulate', 'format', 'select', 'catalog', 'rebalance', 'pack', 'gauge', 'reduce', 'order', 'partition', 'assess', 'follow'];
const MODULES = ['parser', 'metrics', 'storage', 'routing', 'cache', 'reports', 'ingest', 'planner', 'indexer', 'ledger', 'schema', 'queueing', 'billing', 'search', 'session', 'exporter', 'tagging', 'pricing', 'quotas', 'alerts', 'catalog', 'history', 'loader', 'sampler'];
const CLASS_NOUNS = ['Cache', 'Table', 'Window', 'Pool', 'Registry', 'Buffer', 'Counter', 'Ledger', 'Planner', 'Tracker'];
const MESSAGES = ['negative accumulator', 'accumulator underflow', 'invalid state', 'corrupt checksum', 'unexpected sign'];
const NEW_MESSAGES = ['accumulator went negative', 'checksum below zero', 'state is not valid', 'checksum is corrupt', 'sign was not expected'];
const DOCS = ['Return the checksum of the items.', 'Fold the items into one number.', 'Combine the items with the seed.', 'Weigh every item and sum them up.'];
const NEW_DOCS = ['Return a stable checksum of ``items`` seeded with ``seed``.', 'Fold ``items`` into a single bounded integer.', 'Mix the items with the seed (modular arithmetic, no overflow).', 'Weigh each item; the result stays below the modulus.'];
const COMMENTS = ['keep the accumulator bounded', 'the order of the items matters here', 'same result as before, fewer branches', 'see the config for the factors', 'hot path: avoid allocations', 'the seed makes runs reproducible'];

const camel = (snake) => snake.replace(/_([a-z])/g, (_, c) => c.toUpperCase());

// ---------------------------------------------------------------------------------------------- the model

/**
 * A program: modules of functions (and one class of methods each), a config, a settings module and the core
 * module where the decisive lines are. Steps compute on `acc` from `items`, `seed` and `factor` only, so any run
 * of steps can be extracted into a helper, wrapped or moved without changing a result.
 */
function makeProgram(rng, functionCount) {
  const used = new Set();
  const fresh = (make) => {
    for (let attempt = 0; attempt < 1000; attempt++) {
      const name = make(attempt);
      if (!used.has(name)) {
        used.add(name);
        return name;
      }
    }
    throw new Error('out of names');
  };
  const moduleCount = Math.max(3, Math.min(MODULES.length, Math.round(functionCount / 4)));
  const moduleNames = rng.shuffle(MODULES).slice(0, moduleCount);
  const configKeys = [];
  for (let i = 0; i < Math.max(4, Math.ceil(functionCount / 6)); i++) {
    configKeys.push({ section: rng.pick(['limits', 'weights', 'factors']), key: fresh(() => `${rng.pick(['max', 'base', 'step', 'span', 'bias', 'ratio'])}_${rng.pick(NOUNS)}`), value: rng.int(2, 97), newKey: null });
  }
  const modules = moduleNames.map((name) => ({ name, functions: [], klass: null, order: [] }));
  const all = [];
  const makeFunction = (module, isMethod) => {
    const verb = rng.pick(VERBS);
    const noun = rng.pick(NOUNS);
    const name = fresh((attempt) => (attempt < 20 ? `${verb}_${rng.pick(NOUNS)}` : `${verb}_${noun}_${attempt}`));
    const fn = {
      id: all.length,
      module,
      isMethod,
      name,
      newName: null,
      rootNoun: noun,
      factor: rng.int(2, 9),
      start: rng.int(1000, 9000),
      modulus: rng.pick([1000003, 999983, 65521, 1000033, 524287]),
      doc: rng.pick(DOCS),
      newDoc: null,
      steps: [],
      wrap: null,
      extract: null,
      comment: null,
      moved: false,
    };
    all.push(fn);
    return fn;
  };
  for (let i = 0; i < functionCount; i++) {
    const module = modules[i % moduleCount];
    module.functions.push(makeFunction(module, false));
  }
  for (const module of modules) {
    const noun = rng.pick(CLASS_NOUNS);
    const className = fresh((attempt) => `${rng.pick(['Token', 'Route', 'Batch', 'Index', 'Quota', 'Price', 'Event', 'Span'])}${noun}${attempt > 20 ? attempt : ''}`);
    module.klass = { name: className, factor: rng.int(2, 7), methods: [makeFunction(module, true), makeFunction(module, true)] };
  }
  // Steps: calls go to functions defined earlier (no cycles), from earlier modules or the same one.
  for (const fn of all) {
    const count = rng.int(3, 5);
    for (let s = 0; s < count; s++) {
      const kind = rng.pick(['mix', 'loop', 'loop', 'while', 'call', 'call', 'guard', 'config']);
      const m = rng.pick([1000003, 999983, 65521]);
      if (kind === 'mix') fn.steps.push({ kind, a: rng.int(3, 41), b: rng.int(1, 19), m, rewritten: false });
      else if (kind === 'loop') fn.steps.push({ kind, k: rng.int(2, 5), r: rng.int(0, 1), a: rng.int(2, 13), m, rewritten: false });
      else if (kind === 'while') fn.steps.push({ kind, s: rng.int(1, 3), a: rng.int(2, 17), m, rewritten: false, v: `i${s}` });
      else if (kind === 'guard') fn.steps.push({ kind, message: rng.pick(MESSAGES), newMessage: null });
      else if (kind === 'config') fn.steps.push({ kind, entry: rng.pick(configKeys), m });
      else {
        const moduleIndex = modules.indexOf(fn.module);
        // Calls nest at most two deep, or the run time would grow exponentially with the program.
        const targets = all.filter((other) => other.id < fn.id && !other.isMethod && (other.depth ?? 0) <= 1 && modules.indexOf(other.module) <= moduleIndex);
        if (targets.length === 0) fn.steps.push({ kind: 'mix', a: rng.int(3, 41), b: rng.int(1, 19), m, rewritten: false });
        else {
          const target = rng.pick(targets);
          fn.depth = Math.max(fn.depth ?? 0, (target.depth ?? 0) + 1);
          fn.steps.push({ kind, target, c: rng.int(1, 50), m });
        }
      }
    }
  }
  for (const module of modules) module.order = [...module.functions];
  return { modules, all, configKeys, extraConfig: false, core: null, settingsComment: false, runItems: Array.from({ length: 9 }, () => rng.int(1, 60)) };
}

// ---------------------------------------------------------------------------------------------- rendering

const pad = (depth, unit) => ' '.repeat(depth * unit);
const indent = (lines, depth, unit) => lines.map((line) => (line === '' ? '' : pad(depth, unit) + line));

/** The name a function or method has in the variant being rendered. */
const nameIn = (fn, refactored) => (refactored && fn.newName ? fn.newName : fn.name);
const helperName = (fn, refactored, py) => {
  const base = `${nameIn(fn, refactored)}_part`;
  return py ? `_${base}` : camel(base);
};

function stepLines(step, fn, language, refactored) {
  const py = language === 'python';
  const rewritten = refactored && step.rewritten;
  const callName = (target) => (py ? nameIn(target, refactored) : camel(nameIn(target, refactored)));
  switch (step.kind) {
    case 'mix':
      return rewritten ? [`acc = (${step.b} * factor + acc * ${step.a}) % ${step.m}${py ? '' : ';'}`] : [`acc = (acc * ${step.a} + ${step.b} * factor) % ${step.m}${py ? '' : ';'}`];
    case 'loop': {
      const body = py
        ? [`if x % ${step.k} == ${step.r}:`, `    acc = (acc + x * ${step.a}) % ${step.m}`, 'else:', `    acc = (acc ^ x) % ${step.m}`]
        : [`if (x % ${step.k} === ${step.r}) {`, `  acc = (acc + x * ${step.a}) % ${step.m};`, '} else {', `  acc = (acc ^ x) % ${step.m};`, '}'];
      if (py) return rewritten ? ['for index in range(len(items)):', '    x = items[index]', ...indent(body, 1, 4)] : ['for x in items:', ...indent(body, 1, 4)];
      return rewritten
        ? ['for (let index = 0; index < items.length; index++) {', '  const x = items[index];', ...indent(body, 1, 2), '}']
        : ['for (const x of items) {', ...indent(body, 1, 2), '}'];
    }
    case 'while': {
      const v = step.v;
      if (py) {
        return rewritten
          ? [`for ${v} in range(0, len(items), ${step.s}):`, `    acc = (acc + items[${v}] * ${step.a} + seed) % ${step.m}`]
          : [`${v} = 0`, `while ${v} < len(items):`, `    acc = (acc + items[${v}] * ${step.a} + seed) % ${step.m}`, `    ${v} += ${step.s}`];
      }
      return rewritten
        ? [`for (let ${v} = 0; ${v} < items.length; ${v} += ${step.s}) {`, `  acc = (acc + items[${v}] * ${step.a} + seed) % ${step.m};`, '}']
        : [`let ${v} = 0;`, `while (${v} < items.length) {`, `  acc = (acc + items[${v}] * ${step.a} + seed) % ${step.m};`, `  ${v} += ${step.s};`, '}'];
    }
    case 'guard': {
      const message = refactored && step.newMessage ? step.newMessage : step.message;
      return py ? ['if acc < 0:', `    raise ValueError("${message}")`] : ['if (acc < 0) {', `  throw new RangeError('${message}');`, '}'];
    }
    case 'config': {
      const key = refactored && step.entry.newKey ? step.entry.newKey : step.entry.key;
      return py ? [`acc = (acc + CONFIG["${step.entry.section}"]["${key}"] * factor) % ${step.m}`] : [`acc = (acc + CONFIG.${step.entry.section}.${camel(key)} * factor) % ${step.m};`];
    }
    case 'call':
      return [`acc = (acc + ${callName(step.target)}(items, seed + ${step.c})) % ${step.m}${py ? '' : ';'}`];
    default:
      throw new Error(`unknown step ${step.kind}`);
  }
}

/** A function's (or method's) lines, with its extracted helper before it when the refactor made one. */
function functionLines(fn, language, refactored) {
  const py = language === 'python';
  const unit = py ? 4 : 2;
  const name = py ? nameIn(fn, refactored) : camel(nameIn(fn, refactored));
  const doc = refactored && fn.newDoc ? fn.newDoc : fn.doc;
  const steps = [];
  const extract = refactored ? fn.extract : null;
  fn.steps.forEach((step, index) => {
    if (extract && index === extract.from) {
      const helper = helperName(fn, true, py);
      steps.push(py ? `acc = ${helper}(acc, items, seed, factor)` : `acc = ${helper}(acc, items, seed, factor);`);
    }
    if (extract && index >= extract.from && index < extract.to) return;
    if (refactored && fn.comment && fn.comment.before === index) steps.push(`${py ? '#' : '//'} ${fn.comment.text}`);
    steps.push(...stepLines(step, fn, language, refactored));
  });
  let body = steps;
  if (refactored && fn.wrap) {
    if (py) {
      body = fn.wrap === 'try' ? ['try:', ...indent(steps, 1, unit), 'except ArithmeticError:', '    raise'] : ['if items is not None:', ...indent(steps, 1, unit)];
    } else {
      body = fn.wrap === 'try' ? ['try {', ...indent(steps, 1, unit), '} catch (error) {', '  throw error;', '}'] : ['if (items !== null) {', ...indent(steps, 1, unit), '}'];
    }
  }
  const factorLine = fn.isMethod ? (py ? 'factor = self.factor' : 'const factor = this.factor;') : py ? `factor = ${fn.factor}` : `const factor = ${fn.factor};`;
  const lines = [];
  if (extract) {
    const helper = helperName(fn, true, py);
    const inner = fn.steps.slice(extract.from, extract.to).flatMap((step) => stepLines(step, fn, language, true));
    if (py) lines.push(`def ${helper}(acc, items, seed, factor):`, `    """Part of ${name}, extracted."""`, ...indent(inner, 1, unit), '    return acc', '', '');
    else lines.push(`/** Part of ${name}, extracted. */`, `function ${helper}(acc, items, seed, factor) {`, ...indent(inner, 1, unit), '  return acc;', '}', '');
    if (fn.isMethod) throw new Error('methods are not extracted');
  }
  if (py) {
    lines.push(fn.isMethod ? `def ${name}(self, items, seed):` : `def ${name}(items, seed):`, `    """${doc}"""`, `    ${factorLine}`, `    acc = seed % ${fn.modulus}`, ...indent(body, 1, unit), '    return acc');
  } else {
    lines.push(`/** ${doc.replaceAll('``', '`')} */`, fn.isMethod ? `${name}(items, seed) {` : `function ${name}(items, seed) {`, `  ${factorLine}`, `  let acc = seed % ${fn.modulus};`, ...indent(body, 1, unit), '  return acc;', '}');
  }
  return lines;
}

/** Which names a module imports from which earlier module, in the variant rendered. */
function importsOf(module, program, refactored) {
  const wanted = new Map();
  for (const fn of [...module.functions, ...module.klass.methods]) {
    for (const step of fn.steps) {
      if (step.kind !== 'call' || step.target.module === module) continue;
      const list = wanted.get(step.target.module.name) ?? new Set();
      list.add(step.target);
      wanted.set(step.target.module.name, list);
    }
  }
  return program.modules.filter((other) => wanted.has(other.name)).map((other) => ({ module: other.name, names: [...wanted.get(other.name)].sort((a, b) => a.id - b.id).map((fn) => nameIn(fn, refactored)) }));
}

function moduleFile(module, program, language, refactored) {
  const py = language === 'python';
  const lines = [];
  const order = refactored ? module.order : module.functions;
  const usesConfig = [...module.functions, ...module.klass.methods].some((fn) => fn.steps.some((step) => step.kind === 'config'));
  if (py) {
    lines.push(`"""The ${module.name} part of the app."""`, '');
    if (usesConfig) lines.push('from .settings import CONFIG');
    for (const entry of importsOf(module, program, refactored)) lines.push(`from .${entry.module} import ${entry.names.join(', ')}`);
    lines.push('', '');
    for (const fn of order) lines.push(...functionLines(fn, language, refactored), '', '');
    const klass = module.klass;
    lines.push(`class ${klass.name}:`, `    """State for the ${module.name} checks."""`, '', '    def __init__(self, factor):', '        self.factor = factor', '');
    klass.methods.forEach((method, index) => {
      lines.push(...indent(functionLines(method, language, refactored), 1, 4));
      if (index < klass.methods.length - 1) lines.push('');
    });
    lines.push('', '', `def run_${module.name}():`, `    items = [${program.runItems.join(', ')}]`, '    results = {}');
    module.functions.forEach((fn, index) => lines.push(`    results["${module.name}.${fn.name}"] = ${nameIn(fn, refactored)}(items, ${index + 3})`));
    lines.push(`    state = ${klass.name}(${klass.factor})`);
    klass.methods.forEach((method, index) => lines.push(`    results["${module.name}.${klass.name}.${method.name}"] = state.${nameIn(method, refactored)}(items, ${index + 5})`));
    lines.push('    return results');
  } else {
    lines.push(`// The ${module.name} part of the app.`, "'use strict';", '');
    if (usesConfig) lines.push("const CONFIG = require('./config.json');");
    for (const entry of importsOf(module, program, refactored)) lines.push(`const { ${entry.names.map(camel).join(', ')} } = require('./${entry.module}');`);
    lines.push('');
    for (const fn of order) lines.push(...functionLines(fn, language, refactored), '');
    const klass = module.klass;
    lines.push(`/** State for the ${module.name} checks. */`, `class ${klass.name} {`, '  constructor(factor) {', '    this.factor = factor;', '  }', '');
    klass.methods.forEach((method, index) => {
      lines.push(...indent(functionLines(method, language, refactored), 1, 2));
      if (index < klass.methods.length - 1) lines.push('');
    });
    lines.push('}', '', `function run${camel(`_${module.name}`)}() {`, `  const items = [${program.runItems.join(', ')}];`, '  const results = {};');
    module.functions.forEach((fn, index) => lines.push(`  results['${module.name}.${fn.name}'] = ${camel(nameIn(fn, refactored))}(items, ${index + 3});`));
    lines.push(`  const state = new ${klass.name}(${klass.factor});`);
    klass.methods.forEach((method, index) => lines.push(`  results['${module.name}.${klass.name}.${method.name}'] = state.${camel(nameIn(method, refactored))}(items, ${index + 5});`));
    lines.push('  return results;', '}', '');
    const exported = [...order.map((fn) => camel(nameIn(fn, refactored))), klass.name, `run${camel(`_${module.name}`)}`];
    lines.push(`module.exports = { ${exported.join(', ')} };`);
  }
  return `${lines.join('\n').replace(/\n{3,}$/, '\n')}\n`;
}

// ---------------------------------------------------------------------------------------------- core and decisive lines

/**
 * The core module: a drain loop (the hang) and a scorer (the wrong output). `core.variant` says which lines are
 * decisive; each has an old (good) and a new (bad) text, and the refactor leaves those lines alone.
 */
function makeCore(rng, failure, decisive) {
  const variants = failure === 'hang' ? (decisive === 1 ? ['progress', 'guard', 'bound'] : ['guard-divisor']) : decisive === 1 ? ['constant', 'regex', 'operator'] : ['strict-depth'];
  return { failure, decisive, variant: rng.pick(variants), docChanged: true, commentAdded: true, wrapRun: true };
}

/** The decisive switches of the core: which of its decisive edits are applied (by index). */
function coreLines(core, language, refactored, applied) {
  const py = language === 'python';
  const on = (index) => applied.has(index);
  const v = core.variant;
  const L = [];
  const semi = py ? '' : ';';
  // Lines that are decisive in some variant, in their old and new forms.
  const step = v === 'guard' || v === 'guard-divisor' ? (on(0) ? (py ? 'step = chunk' : 'const step = chunk;') : py ? 'step = max(1, chunk)' : 'const step = Math.max(1, chunk);') : py ? 'step = max(1, chunk)' : 'const step = Math.max(1, chunk);';
  const taken = v === 'progress' && on(0) ? (py ? 'taken = min(step, pending - 1)' : 'const taken = Math.min(step, pending - 1);') : py ? 'taken = min(step, pending)' : 'const taken = Math.min(step, pending);';
  const loop = v === 'bound' && on(0) ? (py ? 'while pending >= 0:' : 'while (pending >= 0) {') : py ? 'while pending > 0:' : 'while (pending > 0) {';
  const multiplier = v === 'constant' && on(0) ? 31 : 33;
  const regex = v === 'regex' && on(0) ? '[a-z]*' : '[a-z]+';
  const comparison = v === 'operator' && on(0) ? '>=' : '>';
  const depthLimit = v === 'strict-depth' && on(1) ? 3 : 8;
  const drainName = refactored ? 'drain_queue' : 'drain';
  const scoreName = refactored ? 'score_words' : 'score';
  if (py) {
    L.push('"""Core loops: draining a queue in batches, scoring words."""', '', 'import re', '', `from .settings import DRAIN_DIVISOR, STRICT_MODE`, '', `TOKEN = re.compile(r"${regex}")`, `MAX_DEPTH = ${depthLimit}`, '', '');
    L.push(`def ${drainName}(size, divisor):`, refactored ? '    """Take batches off a queue of ``size`` items until none are left; return how many were taken."""' : '    """Drain a queue of size items in batches."""');
    L.push('    chunk = size // divisor', `    ${step}`, '    pending = size', '    processed = 0');
    if (refactored) L.push('    # every batch takes at least one item, so the loop ends');
    L.push(`    ${loop}`, `        ${taken}`, '        pending -= taken', '        processed += taken', '    return processed', '', '');
    L.push(`def ${scoreName}(words, depth):`, refactored ? '    """A rolling score of the words; strict mode halves it past MAX_DEPTH."""' : '    """Score words."""', '    total = 0', '    for word in words:');
    L.push(`        bonus = 1 if len(word) ${comparison} 4 else 0`, `        total = (total * ${multiplier} + len(TOKEN.findall(word)) + bonus + 7) % 1000003`, '    if STRICT_MODE and depth > MAX_DEPTH:', '        total = total // 2', '    return total', '', '');
    const body = [`results = {"core.drain": [${drainName}(n, DRAIN_DIVISOR) for n in (3, 5, 9, 14)]}`];
    if (v === 'guard') body.push(`results["core.drain_small"] = ${drainName}(3, 4)`);
    body.push(`results["core.score"] = ${scoreName}(["alpha", "beta", "gamma_delta", "x9"], 5)`, 'return results');
    L.push('def run_core():');
    L.push(...(refactored ? indent(['try:', ...indent(body, 1, 4), 'except RecursionError:', '    raise'], 1, 4) : indent(body, 1, 4)));
  } else {
    L.push('// Core loops: draining a queue in batches, scoring words.', "'use strict';", '', "const { DRAIN_DIVISOR, STRICT_MODE } = require('./settings');", '', `const TOKEN = /${regex}/g;`, `const MAX_DEPTH = ${depthLimit};`, '');
    L.push(refactored ? '/** Take batches off a queue of `size` items until none are left; return how many were taken. */' : '/** Drain a queue of size items in batches. */', `function ${camel(drainName)}(size, divisor) {`);
    L.push('  const chunk = Math.floor(size / divisor);', `  ${step}`, '  let pending = size;', '  let processed = 0;');
    if (refactored) L.push('  // every batch takes at least one item, so the loop ends');
    L.push(`  ${loop}`, `    ${taken}`, '    pending -= taken;', '    processed += taken;', '  }', '  return processed;', '}', '');
    L.push(refactored ? '/** A rolling score of the words; strict mode halves it past MAX_DEPTH. */' : '/** Score words. */', `function ${camel(scoreName)}(words, depth) {`, '  let total = 0;', '  for (const word of words) {');
    L.push(`    const bonus = word.length ${comparison} 4 ? 1 : 0;`, `    total = (total * ${multiplier} + (word.match(TOKEN) || []).length + bonus + 7) % 1000003;`, '  }', '  if (STRICT_MODE && depth > MAX_DEPTH) {', '    total = Math.floor(total / 2);', '  }', '  return total;', '}', '');
    const body = [`const results = { 'core.drain': [3, 5, 9, 14].map((n) => ${camel(drainName)}(n, DRAIN_DIVISOR)) };`];
    if (v === 'guard') body.push(`results['core.drain_small'] = ${camel(drainName)}(3, 4);`);
    body.push(`results['core.score'] = ${camel(scoreName)}(['alpha', 'beta', 'gamma_delta', 'x9'], 5);`, 'return results;');
    L.push('function runCore() {');
    L.push(...(refactored ? indent(['try {', ...indent(body, 1, 2), '} catch (error) {', '  throw error;', '}'], 1, 2) : indent(body, 1, 2)), '}', '');
    L.push(`module.exports = { ${camel(drainName)}, ${camel(scoreName)}, runCore };`);
  }
  void semi;
  return `${L.join('\n')}\n`;
}

function settingsFile(program, language, refactored, applied) {
  const py = language === 'python';
  const v = program.core.variant;
  const divisor = v === 'guard-divisor' && applied.has(1) ? 8 : 2;
  const strict = v === 'strict-depth' && applied.has(0);
  if (py) {
    const lines = ['"""Settings shared by the modules."""', '', 'import json', 'from pathlib import Path', ''];
    if (refactored) lines.push('# the config sits beside this file; it is read once, at import');
    lines.push('CONFIG = json.loads((Path(__file__).parent / "config.json").read_text())', `DRAIN_DIVISOR = ${divisor}`, `STRICT_MODE = ${strict ? 'True' : 'False'}`);
    return `${lines.join('\n')}\n`;
  }
  const lines = ['// Settings shared by the modules.', "'use strict';", ''];
  if (refactored) lines.push('// the config sits beside this file; it is read once, at load');
  lines.push(`const DRAIN_DIVISOR = ${divisor};`, `const STRICT_MODE = ${strict ? 'true' : 'false'};`, '', 'module.exports = { DRAIN_DIVISOR, STRICT_MODE };');
  return `${lines.join('\n')}\n`;
}

function configFile(program, language, refactored) {
  const config = { name: 'app', version: refactored ? '1.4.0' : '1.3.2' };
  for (const entry of program.configKeys) {
    const key = refactored && entry.newKey ? entry.newKey : entry.key;
    config[entry.section] ??= {};
    config[entry.section][language === 'python' ? key : camel(key)] = entry.value;
  }
  if (refactored && program.extraConfig) config.logging = { level: 'warning', format: 'plain' };
  return `${JSON.stringify(config, null, 2)}\n`;
}

function mainFile(program, language) {
  const names = program.modules.map((module) => module.name);
  if (language === 'python') {
    return `${['"""Runs every part of the app and collects the results."""', '', `from . import core, ${names.join(', ')}`, '', '', 'def run():', '    results = {}', ...names.map((name) => `    results.update(${name}.run_${name}())`), '    results.update(core.run_core())', '    return results'].join('\n')}\n`;
  }
  return `${["// Runs every part of the app and collects the results.", "'use strict';", '', ...names.map((name) => `const ${camel(name)} = require('./${name}');`), "const core = require('./core');", '', 'function run() {', '  return {', ...names.map((name) => `    ...${camel(name)}.run${camel(`_${name}`)}(),`), '    ...core.runCore(),', '  };', '}', '', 'module.exports = { run };'].join('\n')}\n`;
}

/** Every file of one variant: good (not refactored, nothing applied), refactored with some decisive edits applied. */
function renderFiles(program, language, refactored, applied) {
  const py = language === 'python';
  const dir = py ? 'app' : 'lib';
  const ext = py ? 'py' : 'js';
  const files = new Map();
  if (py) files.set('app/__init__.py', '"""A small app: modules of checks over a list of numbers."""\n');
  files.set(`${dir}/config.json`, configFile(program, language, refactored));
  files.set(`${dir}/settings.${ext}`, settingsFile(program, language, refactored, applied));
  files.set(`${dir}/core.${ext}`, coreLines(program.core, language, refactored, applied));
  files.set(`${dir}/main.${ext}`, mainFile(program, language));
  for (const module of program.modules) files.set(`${dir}/${module.name}.${ext}`, moduleFile(module, program, language, refactored));
  return files;
}

function testFile(language, expected) {
  if (language === 'python') {
    return `${[
      '"""Checks every result of the app against the known good values (exit 1: a wrong result, 2: the app does not run)."""',
      'import json',
      'import os',
      'import sys',
      'import time',
      'import traceback',
      '',
      'sys.dont_write_bytecode = True',
      '',
      '',
      'def seconds_since_start():',
      '    """How long this process has run (Linux): the test takes about 0.2 s however slow the start."""',
      '    try:',
      '        with open("/proc/self/stat") as stat, open("/proc/uptime") as uptime:',
      '            started = int(stat.read().rsplit(")", 1)[1].split()[19]) / os.sysconf("SC_CLK_TCK")',
      '            return float(uptime.read().split()[0]) - started',
      '    except (OSError, ValueError, IndexError):',
      '        return 0.05',
      '',
      '',
      'time.sleep(max(0.0, 0.2 - seconds_since_start()))',
      `EXPECTED = json.loads(${JSON.stringify(JSON.stringify(expected))})`,
      '',
      'try:',
      '    from app import main',
      '    results = json.loads(json.dumps(main.run()))',
      'except Exception:',
      '    traceback.print_exc()',
      '    print("ERROR: the app could not run", file=sys.stderr)',
      '    sys.exit(2)',
      '',
      'for key, value in EXPECTED.items():',
      '    if results.get(key) != value:',
      '        print(f"AssertionError: {key}: expected {value!r}, got {results.get(key)!r}")',
      '        sys.exit(1)',
      'print(f"ok: {len(EXPECTED)} results")',
    ].join('\n')}\n`;
  }
  return `${[
    '// Checks every result of the app against the known good values (exit 1: a wrong result, 2: the app does not run).',
    "'use strict';",
    '',
    '// About 0.2 s in all, however slow the start.',
    'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.max(0, 200 - process.uptime() * 1000));',
    `const EXPECTED = ${JSON.stringify(expected)};`,
    '',
    'let results;',
    'try {',
    "  results = JSON.parse(JSON.stringify(require('./lib/main.js').run()));",
    '} catch (error) {',
    '  console.error((error && error.stack) || error);',
    "  console.error('ERROR: the app could not run');",
    '  process.exit(2);',
    '}',
    'for (const [key, value] of Object.entries(EXPECTED)) {',
    '  if (JSON.stringify(results[key]) !== JSON.stringify(value)) {',
    '    console.log(`AssertionError: ${key}: expected ${JSON.stringify(value)}, got ${JSON.stringify(results[key])}`);',
    '    process.exit(1);',
    '  }',
    '}',
    'console.log(`ok: ${Object.keys(EXPECTED).length} results`);',
  ].join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------- the refactor

function changedLineCount(before, after) {
  let count = 0;
  for (const [file, text] of after) {
    for (const part of diffLines(before.get(file) ?? '', text)) if (part.added || part.removed) count += part.count;
  }
  return count;
}

/** Every refactoring the program allows, in a seeded order; the first ones are one of each kind. */
function refactorings(rng, program, language) {
  const fns = rng.shuffle(program.all);
  const ops = [];
  for (const fn of fns) {
    ops.push({ kind: 'rename', fn });
    ops.push({ kind: 'doc', fn });
    ops.push({ kind: 'comment', fn });
    if (fn.steps.length >= 3) ops.push({ kind: 'wrap', fn });
    if (!fn.isMethod && fn.steps.length >= 3) ops.push({ kind: 'extract', fn });
    if (!fn.isMethod) ops.push({ kind: 'move', fn });
    fn.steps.forEach((step, index) => {
      if (['mix', 'loop', 'while'].includes(step.kind)) ops.push({ kind: 'rewrite', fn, index });
      if (step.kind === 'guard') ops.push({ kind: 'message', fn, index });
    });
  }
  for (const entry of program.configKeys) ops.push({ kind: 'config-key', entry });
  ops.push({ kind: 'config-extra' });
  // Cross-file renames first (a partial rename is a NameError), then one of each other kind, then the rest mixed.
  const called = new Set(program.all.flatMap((fn) => fn.steps.filter((step) => step.kind === 'call' && step.target.module !== fn.module).map((step) => step.target)));
  const first = [];
  const takeFirst = (predicate) => {
    const index = ops.findIndex(predicate);
    if (index >= 0) first.push(...ops.splice(index, 1));
  };
  takeFirst((op) => op.kind === 'rename' && called.has(op.fn));
  for (const kind of ['wrap', 'extract', 'rewrite', 'config-key', 'message', 'rename', 'move', 'doc']) takeFirst((op) => op.kind === kind);
  void language;
  return [...first, ...rng.shuffle(ops)];
}

function applyRefactoring(rng, op, program, newNames) {
  const fn = op.fn;
  switch (op.kind) {
    case 'rename': {
      if (fn.newName) return false;
      const noun = fn.name.split('_').slice(1).join('_');
      for (let attempt = 0; attempt < 50; attempt++) {
        const candidate = attempt < 25 ? `${rng.pick(NEW_VERBS)}_${noun}` : `${rng.pick(NEW_VERBS)}_${noun}_${attempt}`;
        if (!newNames.has(candidate)) {
          newNames.add(candidate);
          fn.newName = candidate;
          return true;
        }
      }
      return false;
    }
    case 'doc':
      if (fn.newDoc) return false;
      fn.newDoc = NEW_DOCS[DOCS.indexOf(fn.doc)] ?? rng.pick(NEW_DOCS);
      return true;
    case 'comment':
      if (fn.comment || fn.extract) return false;
      fn.comment = { before: rng.int(0, fn.steps.length - 1), text: rng.pick(COMMENTS) };
      return true;
    case 'wrap':
      if (fn.wrap) return false;
      fn.wrap = rng.pick(['try', 'try', 'if']);
      return true;
    case 'extract': {
      if (fn.extract) return false;
      const from = rng.int(0, fn.steps.length - 2);
      const to = Math.min(fn.steps.length, from + rng.int(2, 3));
      if (fn.comment && fn.comment.before >= from && fn.comment.before < to) fn.comment = null;
      fn.extract = { from, to };
      return true;
    }
    case 'move': {
      const order = fn.module.order;
      if (fn.moved || order.length < 2) return false;
      fn.moved = true;
      order.splice(order.indexOf(fn), 1);
      order.push(fn);
      return true;
    }
    case 'rewrite':
      if (fn.steps[op.index].rewritten) return false;
      fn.steps[op.index].rewritten = true;
      return true;
    case 'message':
      if (fn.steps[op.index].newMessage) return false;
      fn.steps[op.index].newMessage = NEW_MESSAGES[MESSAGES.indexOf(fn.steps[op.index].message)];
      return true;
    case 'config-key': {
      if (op.entry.newKey) return false;
      const [head, ...rest] = op.entry.key.split('_');
      op.entry.newKey = `${rest.join('_')}_${head === 'max' ? 'ceiling' : head === 'base' ? 'floor' : `${head}_value`}`;
      if (program.configKeys.some((other) => other !== op.entry && (other.key === op.entry.newKey || other.newKey === op.entry.newKey))) {
        op.entry.newKey = null;
        return false;
      }
      return true;
    }
    case 'config-extra':
      if (program.extraConfig) return false;
      program.extraConfig = true;
      return true;
    default:
      throw new Error(`unknown refactoring ${op.kind}`);
  }
}

// ---------------------------------------------------------------------------------------------- repositories

const GIT_ENV = { GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'bench@example.org', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'bench@example.org', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
const git = (cwd, args, date) => execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...GIT_ENV, ...(date ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : {}) }, stdio: ['ignore', 'pipe', 'pipe'] }).trim();

function writeTree(directory, files) {
  for (const [file, text] of files) {
    mkdirSync(path.dirname(path.join(directory, file)), { recursive: true });
    writeFileSync(path.join(directory, file), text);
  }
}

const testCommand = (language) => (language === 'python' ? 'python3 test_app.py' : 'node test_app.js');

/** Runs the test in `directory`: { status, signal, timedOut, output }. */
function runTest(directory, language, timeoutSeconds = 5) {
  const [command, ...args] = testCommand(language).split(' ');
  const run = spawnSync(command, args, { cwd: directory, encoding: 'utf8', timeout: timeoutSeconds * 1000, killSignal: 'SIGKILL' });
  const timedOut = run.error?.code === 'ETIMEDOUT' || (run.signal === 'SIGKILL' && run.status === null);
  return { status: run.status, signal: run.signal, timedOut, output: `${run.stdout ?? ''}${run.stderr ?? ''}` };
}

function resultsOf(directory, language) {
  const script = language === 'python' ? ['python3', ['-c', 'import sys, json\nsys.dont_write_bytecode = True\nfrom app import main\nprint(json.dumps(main.run()))']] : ['node', ['-e', "console.log(JSON.stringify(require('./lib/main.js').run()))"]];
  const run = spawnSync(script[0], script[1], { cwd: directory, encoding: 'utf8', timeout: 20_000 });
  if (run.status !== 0) throw new Error(`the good program does not run:\n${run.stdout}${run.stderr}`);
  return JSON.parse(run.stdout);
}

/**
 * Writes the repository: a good commit and its refactor child. Returns { repo, good, bad, test, decisive,
 * decisiveOld, changed, files, language, failure, variant }: decisive are the exact added lines (trimmed) that make
 * the test fail, decisiveOld the lines they replace (the commit with those put back passes).
 */
export function makeRefactorRepo({ language, changedLines, decisive, failure, seed, directory }) {
  if (!['python', 'javascript'].includes(language)) throw new Error(`language must be python or javascript, not ${language}`);
  if (![1, 2].includes(decisive)) throw new Error('decisive must be 1 or 2');
  if (!['hang', 'wrong-output'].includes(failure)) throw new Error(`failure must be hang or wrong-output, not ${failure}`);
  const target = Number(changedLines);
  let functionCount = Math.max(8, Math.round(target / 9));
  let program;
  let good;
  let refactored;
  // Grow the program until refactoring part of it reaches the target (a few rounds at most).
  for (let round = 0; ; round++) {
    const rng = generator(`${seed}`.split('').reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0, 2166136261) ^ (target * 131 + decisive * 7 + (failure === 'hang' ? 1 : 0) + (language === 'python' ? 3 : 5)));
    program = makeProgram(rng, functionCount);
    program.core = makeCore(rng, failure, decisive);
    const all = decisive === 1 ? new Set([0]) : new Set([0, 1]);
    good = renderFiles(program, language, false, new Set());
    const newNames = new Set(program.all.map((fn) => fn.name));
    const ops = refactorings(rng, program, language);
    refactored = renderFiles(program, language, true, all);
    let count = changedLineCount(good, refactored);
    for (const op of ops) {
      if (count >= target) break;
      if (!applyRefactoring(rng, op, program, newNames)) continue;
      refactored = renderFiles(program, language, true, all);
      count = changedLineCount(good, refactored);
    }
    if (count >= target * 0.9 || round >= 4) break;
    functionCount = Math.ceil(functionCount * 1.6);
  }
  const applied = decisive === 1 ? new Set([0]) : new Set([0, 1]);
  const bad = renderFiles(program, language, true, applied);
  // The decisive lines: where the bad tree differs from the refactor without them.
  const decisiveLines = [];
  const decisiveOld = [];
  for (const index of [...applied]) {
    const without = renderFiles(program, language, true, new Set([...applied].filter((other) => other !== index)));
    for (const [file, text] of bad) {
      const parts = diffLines(without.get(file), text);
      for (const part of parts) {
        if (part.added) decisiveLines.push({ file, text: part.value.replace(/\n$/, '') });
        if (part.removed) decisiveOld.push({ file, text: part.value.replace(/\n$/, '') });
      }
    }
  }
  if (decisiveLines.length !== decisive || decisiveLines.some((line) => line.text.includes('\n'))) throw new Error(`expected ${decisive} decisive line(s), found ${JSON.stringify(decisiveLines)}`);

  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  git(directory, ['init', '--quiet', '--initial-branch=main', '.']);
  writeTree(directory, good);
  writeFileSync(path.join(directory, '.gitignore'), language === 'python' ? '__pycache__/\n*.pyc\n' : 'node_modules/\n');
  const expected = resultsOf(directory, language);
  writeFileSync(path.join(directory, language === 'python' ? 'test_app.py' : 'test_app.js'), testFile(language, expected));
  git(directory, ['add', '--all']);
  git(directory, ['commit', '--quiet', '--no-gpg-sign', '-m', `${language === 'python' ? 'app' : 'lib'}: checks over a list of numbers`], '1700000000 +0000');
  const goodCommit = git(directory, ['rev-parse', 'HEAD']);
  writeTree(directory, bad);
  git(directory, ['add', '--all']);
  git(directory, ['commit', '--quiet', '--no-gpg-sign', '-m', 'Refactor: clearer names, helpers extracted from long bodies, config keys renamed'], '1700000100 +0000');
  const badCommit = git(directory, ['rev-parse', 'HEAD']);
  const numstat = git(directory, ['diff', '--numstat', goodCommit, badCommit]);
  const changed = numstat.split('\n').filter(Boolean).reduce((sum, line) => sum + Number(line.split('\t')[0]) + Number(line.split('\t')[1]), 0);
  return {
    repo: directory,
    good: goodCommit,
    bad: badCommit,
    test: testCommand(language),
    decisive: decisiveLines.map((line) => line.text.trim()),
    decisiveOld: decisiveOld.map((line) => line.text.trim()),
    decisiveFiles: decisiveLines.map((line) => line.file),
    changed,
    files: numstat.split('\n').filter(Boolean).length,
    language,
    failure,
    variant: program.core.variant,
  };
}

// ---------------------------------------------------------------------------------------------- verification

/** The trees of the two commits, file by file. */
function treeOf(repo, commit) {
  const files = new Map();
  for (const file of git(repo, ['ls-tree', '-r', '--name-only', commit]).split('\n').filter(Boolean)) files.set(file, git(repo, ['show', `${commit}:${file}`]) + '\n');
  return files;
}

/**
 * A random subset of the commit's changed lines applied to the good tree: per diff part, each removed line is
 * removed and each added line added with probability 1/2 (kept removed lines first, then the chosen added ones).
 */
function subsetTree(goodFiles, badFiles, rng) {
  const result = new Map();
  const touched = [];
  for (const [file, after] of badFiles) {
    const before = goodFiles.get(file) ?? '';
    if (before === after) {
      result.set(file, after);
      continue;
    }
    touched.push(file);
    const out = [];
    const parts = diffLines(before, after);
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      const lines = part.value.replace(/\n$/, '').split('\n');
      if (!part.added && !part.removed) out.push(...lines);
      else if (part.removed) {
        const next = parts[i + 1];
        out.push(...lines.filter(() => !rng.chance(0.5)));
        if (next?.added) {
          out.push(...next.value.replace(/\n$/, '').split('\n').filter(() => rng.chance(0.5)));
          i++;
        }
      } else out.push(...lines.filter(() => rng.chance(0.5)));
    }
    result.set(file, `${out.join('\n')}\n`);
  }
  return { files: result, touched };
}

/** Whether each sample's touched files compile: python3's py_compile in one process, node --check per file. */
function compileFailures(language, samples) {
  const jsonBroken = (sample) =>
    sample.touched.some((file) => {
      if (!file.endsWith('.json')) return false;
      try {
        JSON.parse(sample.files.get(file));
        return false;
      } catch {
        return true;
      }
    });
  if (language === 'python') {
    const list = samples.map((sample) => sample.touched.filter((file) => file.endsWith('.py')).map((file) => path.join(sample.directory, file)));
    const script = 'import json, py_compile, sys\nout = []\nfor files in json.load(sys.stdin):\n    ok = True\n    for f in files:\n        try:\n            py_compile.compile(f, cfile=f + ".pyc-check", doraise=True)\n        except py_compile.PyCompileError:\n            ok = False\n            break\n    out.append(ok)\nprint(json.dumps(out))';
    const run = spawnSync('python3', ['-c', script], { input: JSON.stringify(list), encoding: 'utf8' });
    if (run.status !== 0) throw new Error(run.stderr);
    return JSON.parse(run.stdout).map((ok, i) => !ok || jsonBroken(samples[i]));
  }
  return samples.map((sample) => {
    if (jsonBroken(sample)) return true;
    for (const file of sample.touched) {
      if (file.endsWith('.json')) continue;
      if (spawnSync('node', ['--check', path.join(sample.directory, file)]).status !== 0) return true;
    }
    return false;
  });
}

/**
 * Checks a generated repository: the test passes at good, fails at bad (hangs / exit 1 with an AssertionError),
 * passes at bad with the decisive lines reverted (each one alone too, for a pair: both are needed), and measures
 * the share of random line subsets that do not compile (and, of `runSamples` of them, that the test cannot run: exit 2).
 */
export function verifyRefactorRepo(made, { samples = 200, runSamples = 0, seed = 1 } = {}) {
  const { repo, good, bad, language, failure } = made;
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'refactor-verify-'));
  const problems = [];
  try {
    const goodFiles = treeOf(repo, good);
    const badFiles = treeOf(repo, bad);
    const check = (name, files, expect) => {
      const directory = path.join(scratch, name);
      writeTree(directory, files);
      const started = process.hrtime.bigint();
      const result = runTest(directory, language, failure === 'hang' ? 4 : 20);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (expect === 'pass' && seconds > 1) problems.push(`${name}: the test took ${seconds.toFixed(2)} s (meant to take about 0.2 s)`);
      const ok = expect === 'pass' ? result.status === 0 : expect === 'hang' ? result.timedOut : result.status === 1 && /AssertionError/.test(result.output);
      if (!ok) problems.push(`${name}: expected ${expect}, got ${result.timedOut ? 'a hang' : `exit ${result.status}`}: ${result.output.trim().split('\n').slice(-2).join(' / ')}`);
      return ok;
    };
    check('good', goodFiles, 'pass');
    check('bad', badFiles, failure === 'hang' ? 'hang' : 'fail');
    const revert = (indices) => {
      const files = new Map(badFiles);
      for (const index of indices) {
        const file = made.decisiveFiles[index];
        const lines = files.get(file).split('\n');
        const at = lines.map((line, i) => (line.trim() === made.decisive[index] ? i : -1)).filter((i) => i >= 0);
        if (at.length !== 1) problems.push(`decisive line ${JSON.stringify(made.decisive[index])} occurs ${at.length} times in ${file}`);
        for (const i of at) lines[i] = lines[i].replace(made.decisive[index], made.decisiveOld[index]);
        files.set(file, lines.join('\n'));
      }
      return files;
    };
    check('bad-minus-decisive', revert(made.decisive.map((_, i) => i)), 'pass');
    if (made.decisive.length === 2) {
      check('bad-minus-first', revert([0]), 'pass');
      check('bad-minus-second', revert([1]), 'pass');
    }
    const rng = generator(seed);
    const list = [];
    for (let i = 0; i < samples; i++) {
      const subset = subsetTree(goodFiles, badFiles, rng);
      const directory = path.join(scratch, `subset-${i}`);
      writeTree(directory, subset.files);
      list.push({ ...subset, directory });
    }
    const failures = compileFailures(language, list);
    const compileShare = failures.filter(Boolean).length / samples;
    let runShare = null;
    let runCounts = null;
    if (runSamples > 0) {
      runCounts = { pass: 0, fail: 0, error: 0, hang: 0 };
      for (const sample of list.slice(0, runSamples)) {
        const result = runTest(sample.directory, language, 3);
        if (result.timedOut) runCounts.hang++;
        else if (result.status === 0) runCounts.pass++;
        else if (result.status === 1) runCounts.fail++;
        else runCounts.error++;
      }
      runShare = runCounts.error / runSamples;
    }
    return { ok: problems.length === 0, problems, compileShare, runShare, runCounts };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------- command line

/** The benchmark's cases: both languages, each size, one and two decisive lines, hangs and wrong outputs mixed. */
export function benchCases(sizes = [50, 300, 1000], languages = ['python', 'javascript']) {
  const cases = [];
  for (const changedLines of sizes) {
    for (const language of languages) {
      for (const decisive of [1, 2]) {
        // Python: one decisive line is a wrong output, a pair a hang; JavaScript the other way round.
        const failure = (language === 'python') === (decisive === 1) ? 'wrong-output' : 'hang';
        cases.push({ language, changedLines, decisive, failure, seed: 7 + changedLines, name: `${language} ${changedLines} lines, ${decisive} decisive, ${failure}` });
      }
    }
  }
  return cases;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const option = (flag, fallback) => {
    const at = argv.indexOf(flag);
    return at >= 0 ? argv[at + 1] : fallback;
  };
  const samples = Number(option('--samples', '200'));
  const runSamples = Number(option('--run-samples', '20'));
  const sizes = option('--sizes', '50,300,1000').split(',').map(Number);
  const languages = option('--languages', 'python,javascript').split(',');
  const root = mkdtempSync(path.join(os.tmpdir(), 'refactor-commits-'));
  console.log('| case | variant | changed lines | files | checks | subsets that do not compile | subsets the test cannot run (exit 2) / pass / exit 1 / hang |');
  console.log('|---|---|---:|---:|---|---:|---|');
  let failed = false;
  for (const item of benchCases(sizes, languages)) {
    const made = makeRefactorRepo({ ...item, directory: path.join(root, item.name.replace(/[^a-z0-9]+/gi, '-')) });
    const verdict = verifyRefactorRepo(made, { samples, runSamples });
    failed ||= !verdict.ok;
    const run = verdict.runCounts ? `${(verdict.runShare * 100).toFixed(0)} % (${verdict.runCounts.error}/${verdict.runCounts.pass}/${verdict.runCounts.fail}/${verdict.runCounts.hang} of ${runSamples})` : '-';
    console.log(`| ${item.name} | ${made.variant}: \`${made.decisive.join('` + `')}\` | ${made.changed} | ${made.files} | ${verdict.ok ? 'ok' : verdict.problems.join('; ')} | ${(verdict.compileShare * 100).toFixed(0)} % of ${samples} | ${run} |`);
  }
  if (!argv.includes('--keep')) rmSync(root, { recursive: true, force: true });
  else console.log(`repositories kept in ${root}`);
  if (failed) process.exitCode = 1;
}
