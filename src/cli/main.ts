// The culprit command line: parses arguments with commander and hands them to the hunt, nothing more; a command's
// module loads only when it runs. Exit codes: 0 found, 1 no single culprit, 2 bad input, 3 aborted by the test, 130 interrupted.
import { Command, CommanderError } from 'commander';
import { CulpritError, EXIT, oneLine } from '../errors.js';
import { CULPRIT_VERSION } from '../tool-version.js';
import { checkCreatableDirectory, checkFileDirectory } from '../system/directory-check.js';

/** The commands whose --json prints a hunt document (on errors too). */
const HUNT_COMMANDS = new Set(['run', 'narrow', 'resume', 'versions', 'npm', 'deps', 'factors']);
/** Set when the up-front path checks refused a hunting command run with --json. */
let refusedHunt = false;

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Build reuse: saved outputs per tree, incremental builds in kept workspaces, or neither. */
function buildReuse(command: Command): Command {
  return command
    .option('--artifacts <globs...>', 'build outputs to keep per tree and restore instead of rebuilding (globs in the workspace)')
    .option('--cache-size <size>', 'size limit of the build cache, least recently used first out (default: 5G)')
    .option('--clean-build', 'remove ignored files (old build outputs) at each checkout: no incremental builds');
}

function program(setExit: (code: number) => void): Command {
  const root = new Command('culprit')
    .description('Find the change that broke something: bisects commits unattended, with hangs caught and processes cleaned up.')
    .version(CULPRIT_VERSION)
    .showHelpAfterError(false)
    .exitOverride()
    // commander echoes what was typed (an unknown option with a newline in it): its error stays one line too.
    .configureOutput({ writeErr: (text) => process.stderr.write(text.startsWith('error:') ? `culprit: ${oneLine(text.slice(7).replace(/\n$/, ''))}\n` : text) })
    // Where culprit's own files go is checked before any command runs: a wrong path is one line, nothing created.
    .hook('preAction', (_root, action) => {
      const options = action.opts();
      try {
        if (typeof options.workdir === 'string') checkCreatableDirectory(options.workdir, '--workdir');
        if (typeof options.store === 'string') checkFileDirectory(options.store, '--store');
      } catch (error) {
        // A hunting command with --json owes its caller a document even when refused before it ran.
        refusedHunt = options.json === true && HUNT_COMMANDS.has(action.name());
        throw error;
      }
    });

  const shared = (command: Command): Command =>
    command
      .option('--repo <dir>', 'the repository to search', '.')
      .option('--vcs <kind>', 'git or hg (default: detected)')
      .option('--build <cmd>', 'shell command that builds a candidate (runs in the workspace before the test)')
      .option('--test <cmd>', 'shell command that tells good (exit 0) from bad (1-127), 125 = skip')
      .option('--timeout <seconds>', 'a test run longer than this is a hang (default: 10x the good run, at least 30 s)')
      .option('--build-timeout <seconds>', 'a build longer than this fails (default: 3600)')
      .option('--grace <seconds>', 'after SIGTERM, wait this long before SIGKILL (default: 5)')
      .option('--on-hang <meaning>', 'what a hang means: bad, good or skip (default: bad)')
      .option('--on-build-failure <meaning>', 'what a failed build means: skip, bad or abort (default: skip)')
      .option('--workdir <dir>', "culprit's cache directory for workspaces and logs (default: XDG cache dir)")
      .argument('[command...]', 'the test as an argv, after --, like git bisect run');

  const runCommand = shared(root.command('run'));
  runCommand
    .description('hunt the first bad commit between good and bad revisions')
    .option('--good <rev>', 'a revision where the test passes (repeatable)', collect)
    .option('--bad <rev>', 'a revision where the test fails', 'HEAD')
    .option('--first-parent', 'follow only the first parent of merges')
    .option('--jobs <n>', 'probe n candidates at once, each in its own workspace (default: 1, the same probes as git bisect)')
    .option('--no-verify', 'do not test the good and bad revisions before bisecting')
    .option('--no-cache', "do not reuse verdicts other hunts found for the same tree and recipe")
    .option('--store <file>', 'the hunt store (default: $XDG_DATA_HOME/culprit/hunts.sqlite)')
    .option('--narrow <level>', 'narrow the first bad commit down to none, file, hunk, block, line or token (default: token)')
    .option('--signature <regex>', 'while narrowing, only output matching this counts as the failure')
    .option('--narrow-check <cmd>', 'while narrowing, run this cheap check (e.g. tsc --noEmit) before building and testing each configuration; failing, the configuration is unresolved')
    .option('--no-narrow-check', 'no checks before narrowing tests (default: Python compiled, JavaScript and JSON parsed)')
    .option('--narrow-budget <budget>', "stop narrowing with the smallest failing change found so far after this many tests or this long: 200, 15m, '200,1h' or none (default: 15m)")
    .option('--repeat <n>', 'run the test up to n times per probe, each run stored (default: 1)')
    .option('--policy <policy>', 'with --repeat: any-fail (one failing run makes it bad) or majority (default: any-fail)')
    .option('--flaky', 'the test fails only some of the time on a bad commit: search with a model of that, to a stated confidence')
    .option('--confidence <p>', 'with --flaky: how sure the answer must be (default: 0.99)')
    .option('--flake-rate <q>', 'with --flaky: how often a bad commit passes (default: learnt, starting from 10 runs of --bad)')
    .option('--metric <regex>', 'a performance regression: the test prints a number (the regex\'s first group); each probe samples until it is like good or like bad')
    .option('--worse <direction>', 'with --metric: higher or lower numbers are worse (default: higher)')
    .option('--json', 'print one JSON document on stdout')
    .option('--report <file>', 'when the hunt ends (or stops), write its HTML report to this file')
    .option('--executor <url>', 'run the probes on culprit workers through this Redis queue: redis://[user[:password]@]host:port/db, rediss:// for TLS')
    .option('--queue <name>', 'with --executor: the queue the workers listen on (default: probes)')
    .option('--key-file <file>', 'with --executor: the key jobs are signed with (default: $CULPRIT_QUEUE_KEY)')
    .action(async (argv: string[], options: Record<string, unknown>) => setExit(await (await import('./run-command.js')).runCommandLine(argv, options)));
  buildReuse(runCommand);

  const narrowCommand = shared(root.command('narrow'));
  buildReuse(narrowCommand);
  narrowCommand
    .description("find the minimal part of a change (files, hunks, lines, tokens) that still makes the test fail")
    .requiredOption('--good <rev>', 'the revision before the change, where the test passes (usually C~1)', collect)
    .requiredOption('--bad <rev>', 'the revision with the change, where the test fails')
    .option('--narrow <level>', 'how deep to go: file, hunk, block, line or token (default: token)')
    .option('--signature <regex>', 'only output matching this counts as the failure')
    .option('--narrow-check <cmd>', 'while narrowing, run this cheap check (e.g. tsc --noEmit) before building and testing each configuration; failing, the configuration is unresolved')
    .option('--no-narrow-check', 'no checks before narrowing tests (default: Python compiled, JavaScript and JSON parsed)')
    .option('--narrow-budget <budget>', "stop narrowing with the smallest failing change found so far after this many tests or this long: 200, 15m, '200,1h' or none (default: 15m)")
    .option('--repeat <n>', 'run the test up to n times per configuration, each run stored (default: 1)')
    .option('--policy <policy>', 'with --repeat: any-fail or majority (default: any-fail)')
    .option('--no-verify', 'do not test the good and bad revisions first')
    .option('--no-cache', "do not reuse verdicts of other hunts")
    .option('--store <file>', 'the hunt store (default: $XDG_DATA_HOME/culprit/hunts.sqlite)')
    .option('--json', 'print one JSON document on stdout')
    .option('--report <file>', 'when the hunt ends (or stops), write its HTML report to this file')
    .option('--executor <url>', 'run the probes on culprit workers through this Redis queue: redis://[user[:password]@]host:port/db, rediss:// for TLS')
    .option('--queue <name>', 'with --executor: the queue the workers listen on (default: probes)')
    .option('--key-file <file>', 'with --executor: the key jobs are signed with (default: $CULPRIT_QUEUE_KEY)')
    .action(async (argv: string[], options: Record<string, unknown>) => setExit(await (await import('./run-command.js')).narrowCommandLine(argv, options)));

  /** Options both version hunts share: endpoints, the hand-off to the source, and how hard to search. */
  const versionHunt = (command: Command): Command =>
    command
      .option('--test <cmd>', 'shell command that tells good (exit 0) from bad (1-127), 125 = skip; runs in the workspace')
      .option('--timeout <seconds>', 'a test run longer than this is a hang (default: 10x the good run, at least 30 s)')
      .option('--build-timeout <seconds>', 'an install (and build) longer than this fails (default: 3600)')
      .option('--grace <seconds>', 'after SIGTERM, wait this long before SIGKILL (default: 5)')
      .option('--on-hang <meaning>', 'what a hang means: bad, good or skip (default: bad)')
      .option('--jobs <n>', 'probe n versions (later: commits) at once, each in its own workspace')
      .option('--no-verify', 'do not test the good and bad versions first')
      .option('--no-cache', 'do not reuse verdicts of other hunts (installs are still reused)')
      .option('--workdir <dir>', "culprit's cache directory for workspaces, installs and logs (default: XDG cache dir)")
      .option('--store <file>', 'the hunt store (default: $XDG_DATA_HOME/culprit/hunts.sqlite)')
      .option('--source <dir>', 'then bisect the commits between the last good and the first bad version in this git or hg clone')
      .option('--tag <pattern>', "how a version is tagged in the source, {version} replaced (repeatable; default: v{version}, then {version})", collect)
      .option('--source-vcs <kind>', 'git or hg (default: detected)')
      .option('--source-build <cmd>', 'builds a checkout of the source before its test')
      .option('--source-test <cmd>', 'the test for checkouts of the source (default: --test, run in the checkout)')
      .option('--first-parent', 'in the source, follow only the first parent of merges')
      .option('--narrow <level>', 'narrow the first bad commit of the source down to none, file, hunk, block, line or token (default: token)')
      .option('--signature <regex>', 'while narrowing, only output matching this counts as the failure')
      .option('--narrow-check <cmd>', 'while narrowing, a cheap check before each configuration is built and tested')
      .option('--no-narrow-check', 'no checks before narrowing tests')
      .option('--narrow-budget <budget>', 'stop narrowing with the smallest failing change so far after this: 200, 15m, 200,1h or none (default: 15m)')
      .option('--json', 'print one JSON document on stdout')
      .option('--report <file>', 'when the hunt ends (or stops), write its HTML report to this file');

  versionHunt(root.command('versions'))
    .argument('[command...]', 'the test as an argv, after --')
    .description('find the first bad version among released versions (installed one by one), then hand off to the source')
    .option('--list <versions>', "the versions, oldest first: '2.6.7 2.7 2.7.1 2.7.2'")
    .option('--list-file <file>', 'a file with one version a line, oldest first')
    .option('--list-cmd <cmd>', 'a command that prints the versions, one a line, oldest first')
    .option('--name <name>', 'what the versions are of (python, mylib), for messages and reports')
    .option('--good <version>', 'a version where the test passes (default: the first)')
    .option('--bad <version>', 'a version where the test fails (default: the last)')
    .option('--install <cmd>', 'puts {version} into {workspace} ($CULPRIT_VERSION, $CULPRIT_WORKSPACE); cached per version')
    .option('--build <cmd>', 'runs after the install, in the workspace')
    .option('--project <dir>', 'copy this directory into each workspace before the install (never written to)')
    .action(async (argv: string[], options: Record<string, unknown>) => setExit(await (await import('./versions-command.js')).versionsCommandLine(argv, options)));

  versionHunt(root.command('npm'))
    .description("find the first bad version of an npm package your project depends on, then hand off to the package's source")
    .argument('<package>', 'the package whose versions to search')
    .argument('[command...]', 'the test as an argv, after --')
    .option('--good <version>', 'a version where the test passes')
    .option('--bad <version>', 'a version where the test fails')
    .option('--project <dir>', 'your project (default: the current directory); each version is installed into a copy of it', '.')
    .option('--prereleases', 'search pre-release versions too')
    .option('--build <cmd>', '(not taken: culprit npm installs each version itself)')
    .action(async (name: string, argv: string[], options: Record<string, unknown>) => setExit(await (await import('./versions-command.js')).npmCommandLine(name, argv, options)));

  /** Options both hunts over factors share: the test, its limits, and the hunt's store and caches. */
  const factorHunt = (command: Command): Command =>
    command
      .argument('[command...]', 'the test as an argv, after --')
      .option('--test <cmd>', 'shell command that tells good (exit 0) from bad (1-127), 125 = skip; runs in the workspace')
      .option('--build <cmd>', 'runs after the install (or the setups), in the workspace')
      .option('--timeout <seconds>', 'a test run longer than this is a hang (default: 10x the good run, at least 30 s)')
      .option('--build-timeout <seconds>', 'an install (and build) longer than this fails (default: 3600)')
      .option('--grace <seconds>', 'after SIGTERM, wait this long before SIGKILL (default: 5)')
      .option('--on-hang <meaning>', 'what a hang means: bad, good or skip (default: bad)')
      .option('--no-verify', 'do not test the good setup first')
      .option('--no-cache', 'do not reuse verdicts of other hunts (installs are still reused)')
      .option('--workdir <dir>', "culprit's cache directory for workspaces, installs and logs (default: XDG cache dir)")
      .option('--store <file>', 'the hunt store (default: $XDG_DATA_HOME/culprit/hunts.sqlite)')
      .option('--json', 'print one JSON document on stdout')
      .option('--report <file>', 'when the hunt ends (or stops), write its HTML report to this file');

  factorHunt(root.command('deps'))
    .description('find which of the package changes between two package-lock.json files breaks the test (each set installed with npm ci)')
    .option('--good-lock <file>', 'the package-lock.json of a setup where the test passes')
    .option('--bad-lock <file>', "the package-lock.json where it fails (default: the project's own)")
    .option('--project <dir>', 'your project (default: the current directory); each configuration is installed into a copy of it', '.')
    .option('--bisect-versions', 'when one package upgrade is to blame, then find its first bad release')
    .action(async (argv: string[], options: Record<string, unknown>) => setExit(await (await import('./factors-command.js')).depsCommandLine(argv, options)));

  factorHunt(root.command('factors'))
    .description('find which of the named differences between a working and a broken environment breaks the test')
    .option('--factors <file>', 'JSON or YAML: each factor with a good and a bad side (a setup command, variables, or both)')
    .option('--project <dir>', 'copy this directory into each workspace before the setups (never written to)')
    .action(async (argv: string[], options: Record<string, unknown>) => setExit(await (await import('./factors-command.js')).factorsCommandLine(argv, options)));

  root
    .command('resume')
    .description("continue a stopped hunt, repeating none of its finished probes (default: the repository's newest unfinished hunt)")
    .argument('[id]', 'the hunt to resume (see culprit hunts)')
    .option('--repo <dir>', 'the repository whose newest unfinished hunt to resume', '.')
    .option('--vcs <kind>', 'git or hg (default: detected)')
    .option('--workdir <dir>', "culprit's cache directory (default: the one the hunt used)")
    .option('--jobs <n>', 'probe n candidates at once (default: as the hunt was started)')
    .option('--executor <url>', 'run the probes on culprit workers through this Redis queue (default: here)')
    .option('--queue <name>', 'with --executor: the queue the workers listen on (default: probes)')
    .option('--key-file <file>', 'with --executor: the key jobs are signed with (default: $CULPRIT_QUEUE_KEY)')
    .option('--narrow-budget <budget>', 'narrowing budget for this run (default: as the hunt was started; none when continuing a narrowing its budget stopped)')
    .option('--force-recipe', 'resume even though the keyed variables (CFLAGS, PATH, …) or the scripts differ from when the hunt started: its verdicts mix')
    .option('--store <file>', 'the hunt store (default: $XDG_DATA_HOME/culprit/hunts.sqlite)')
    .option('--json', 'print one JSON document on stdout')
    .option('--report <file>', 'when the hunt ends (or stops), write its HTML report to this file')
    .action(async (id: string | undefined, options: Record<string, unknown>) => setExit(await (await import('./resume-command.js')).resumeCommandLine(id, options)));

  root
    .command('worker')
    .description("run a distributed hunt's probes: take signed jobs from a Redis queue, probe in private workspaces, send the verdicts back")
    .option('--executor <url>', 'the Redis queue: redis://[user[:password]@]host:port/db, rediss:// for TLS (or $CULPRIT_REDIS_PASSWORD)')
    .option('--repo <url>', 'where to clone the hunted repository from (a URL or a path); fetched again for new commits')
    .option('--vcs <kind>', 'git or hg (default: detected)')
    .option('--concurrency <k>', 'probes at once, each in its own workspace (default: 1)')
    .option('--queue <name>', 'the queue to listen on (default: probes)')
    .option('--lock-seconds <s>', 'a job whose worker stops answering (killed, cut off) goes to another worker after this long (default: 10)')
    .option('--key-file <file>', 'the key jobs must be signed with (default: $CULPRIT_QUEUE_KEY); never on the command line')
    .option('--workdir <dir>', "this worker's cache directory: clone, workspaces, build cache, logs (default: XDG cache dir)")
    .action(async (options: Record<string, unknown>) => setExit(await (await import('./worker-command.js')).workerCommand(options)));

  shared(root.command('probe'))
    .description('run the build and test on one commit, in a private workspace; exits 0 good, 1 bad, 125 skip')
    .requiredOption('--commit <rev>', 'the commit to probe')
    .action(async (argv: string[], options: Record<string, unknown>) => setExit(await (await import('./probe-command.js')).probeCommand(argv, options)));

  const STORE = ['--store <file>', 'the hunt store (default: $XDG_DATA_HOME/culprit/hunts.sqlite)'] as const;
  root
    .command('hunts')
    .description('list the recorded hunts, newest first')
    .option('--repo <dir>', 'only the hunts of this repository')
    .option('--vcs <kind>', 'git or hg (default: detected)')
    .option(...STORE)
    .option('--json', 'print a JSON array')
    .action(async (options: Record<string, unknown>) => setExit(await (await import('./stored-hunt-commands.js')).huntsCommand(options)));
  root
    .command('show')
    .description("a recorded hunt: arguments, status, result and every probe")
    .argument('<id>', 'the hunt (see culprit hunts)')
    .option(...STORE)
    .option('--json', 'print one JSON document')
    .action(async (id: string, options: Record<string, unknown>) => setExit(await (await import('./stored-hunt-commands.js')).showCommand(id, options)));
  root
    .command('log')
    .description('a recorded hunt as a bisect log: git bisect replay accepts the git format; the hg format is a script of hg bisect commands')
    .argument('<id>', 'the hunt (see culprit hunts)')
    .option('--format <vcs>', "git or hg (default: the hunt's repository)")
    .option(...STORE)
    .action(async (id: string, options: Record<string, unknown>) => setExit(await (await import('./stored-hunt-commands.js')).logCommand(id, options)));
  root
    .command('report')
    .description('a recorded hunt as a report to paste into an issue (markdown), to share as one self-contained page (html) or to feed a script (json)')
    .argument('<id>', 'the hunt (see culprit hunts)')
    .option('--format <format>', 'markdown, html or json (default: markdown)')
    .option('-o, --output <file>', 'write the report to this file instead of stdout')
    .option(...STORE)
    .action(async (id: string, options: Record<string, unknown>) => setExit(await (await import('./stored-hunt-commands.js')).reportCommand(id, options)));

  root
    .command('forget')
    .description('remove recorded hunts, with their probes and the verdicts they put in the cache (not while one runs)')
    .argument('<id...>', 'the hunts (see culprit hunts)')
    .option(...STORE)
    .action(async (ids: string[], options: Record<string, unknown>) => setExit(await (await import('./stored-hunt-commands.js')).forgetCommand(ids, options)));

  root
    .command('serve')
    .description("a hunt's HTML report served on 127.0.0.1, refreshing as its verdicts arrive (for a hunt that is running)")
    .argument('<id>', 'the hunt (see culprit hunts)')
    .option('--port <n>', 'the port on 127.0.0.1 (default: 0, a free one; the URL is printed)')
    .option(...STORE)
    .action(async (id: string, options: Record<string, unknown>) => setExit(await (await import('./serve-command.js')).serveCommand(id, options)));

  const cache = root.command('cache').description('the build cache that --artifacts fills: list or clear it');
  cache
    .command('list')
    .description('cached builds, most recently used first')
    .option('--workdir <dir>', "culprit's cache directory (default: XDG cache dir)")
    .option('--json', 'print a JSON array')
    .action(async (options: Record<string, unknown>) => setExit(await (await import('./cache-command.js')).cacheListCommand(options)));
  cache
    .command('clear')
    .description('delete every cached build, and the probe logs of hunts no longer running')
    .option('--workdir <dir>', "culprit's cache directory (default: XDG cache dir)")
    .option('--json', 'print {"entries":N,"bytes":B,"logs":H,"logBytes":L}')
    .action(async (options: Record<string, unknown>) => setExit(await (await import('./cache-command.js')).cacheClearCommand(options)));

  root
    .command('demo')
    .description('build a demo repository with a planted hang and hunt it, end to end')
    .option('--versions', 'start from its released versions: first bad release, then the commit, then the token')
    .option('--workdir <dir>', "culprit's cache directory")
    .option('--store <file>', 'the hunt store (default: $XDG_DATA_HOME/culprit/hunts.sqlite)')
    .action(async (options: Record<string, unknown>) => setExit(await (await import('./demo-command.js')).demoCommand(options)));

  return root;
}

export async function main(argv: readonly string[]): Promise<number> {
  let exitCode = 0;
  try {
    await program((code) => (exitCode = code)).parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
      return EXIT.usage;
    }
    if (error instanceof CulpritError) {
      process.stderr.write(`culprit: ${error.line}\n`);
      // Refused before the command ran (a --workdir or --store checked up front): --json still gets its document.
      if (refusedHunt) {
        const { huntDocument } = await import('../report/hunt-document.js');
        process.stdout.write(`${JSON.stringify(huntDocument({ hunt: undefined, probes: [], error: error.line }))}\n`);
      }
      return error.exitCode;
    }
    process.stderr.write(`culprit: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}
