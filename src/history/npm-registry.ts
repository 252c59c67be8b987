// An npm package's released versions, read through the user's own npm (its registry, auth and .npmrc, from the
// project directory): semver order, pre-releases only on request, and each version's recorded gitHead.
import { execFile } from 'node:child_process';
import semver from 'semver';
import { EnvironmentError, UsageError } from '../errors.js';

export interface PackageVersions {
  /** Oldest first. */
  versions: string[];
  /** The `gitHead` the registry recorded for a version, where it did. */
  gitHeads: Record<string, string>;
  registry: string;
}

interface NpmRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** npm answers from its cache or one registry request; a minute is plenty, and a hung npm must not hang the hunt. */
const NPM_TIMEOUT_MS = 60_000;

function npm(args: readonly string[], cwd: string): Promise<NpmRun> {
  return new Promise((resolve) => {
    execFile('npm', [...args], { cwd, timeout: NPM_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      if (error && typeof error.code === 'string') resolve({ code: 127, stdout: '', stderr: `${error.code}: ${error.message}` });
      else resolve({ code, stdout, stderr: error?.killed ? `npm did not answer within ${NPM_TIMEOUT_MS / 1000} s\n${stderr}` : stderr });
    });
  });
}

/** The npm error code of a failed run (`E404`, `ECONNREFUSED`), from its `--json` error document or its log lines. */
function npmErrorCode(run: NpmRun): string {
  try {
    const parsed = JSON.parse(run.stdout) as { error?: { code?: string } };
    if (parsed.error?.code) return parsed.error.code;
  } catch {
    // Not JSON: read the log lines.
  }
  return /npm (?:ERR!|error) code (\S+)/.exec(run.stderr)?.[1] ?? '';
}

function firstErrorLine(run: NpmRun): string {
  const line = run.stderr.split('\n').map((text) => text.replace(/^npm (?:ERR!|error)\s*/, '').trim()).find((text) => text && !/^code /.test(text) && !/^A complete log/.test(text));
  return line ?? `exit code ${run.code}`;
}

export async function registryOf(project: string): Promise<string> {
  const run = await npm(['config', 'get', 'registry'], project);
  if (run.code === 127) throw new UsageError(`npm is not installed or not on PATH (${run.stderr.trim()})`, 'install Node.js with npm, or use culprit versions with your own --install');
  return run.code === 0 && run.stdout.trim() ? run.stdout.trim() : 'https://registry.npmjs.org/';
}

const NETWORK_ERRORS = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ERR_SOCKET_TIMEOUT|FETCH_ERROR)\b/;

/** npm could not reach the registry: its error code says so, or (without one) its log does. */
function unreachable(code: string, run: NpmRun): boolean {
  return NETWORK_ERRORS.test(code) || NETWORK_ERRORS.test(run.stderr);
}

/** Every published version of `name` and its gitHead, from one `npm view`; errors name the registry tried. */
export async function packageVersions(name: string, project: string, options: { prereleases: boolean; keep: readonly string[] }): Promise<PackageVersions> {
  if (!/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(name)) throw new UsageError(`'${name}' is not an npm package name`, 'e.g. culprit npm left-pad or culprit npm @scope/name');
  const registry = await registryOf(project);
  const run = await npm(['view', name, 'versions', '--json', '--fetch-retries=0'], project);
  if (run.code !== 0) {
    const code = npmErrorCode(run);
    if (code === 'E404') throw new UsageError(`package ${name} is not in the npm registry ${registry}`, 'check the name, or the registry in your npm config (npm config get registry)');
    if (unreachable(code, run)) {
      throw new UsageError(`no npm registry reachable at ${registry} (${code || firstErrorLine(run)})`, 'check your network, or the registry in your npm config (npm config get registry)');
    }
    throw new EnvironmentError(`npm view ${name} failed in ${project}: ${firstErrorLine(run)}`, 'run it yourself to see why');
  }
  // A package with one version gives a bare string.
  const parsed: unknown = run.stdout.trim() ? JSON.parse(run.stdout) : [];
  const all = (Array.isArray(parsed) ? parsed : [parsed]).filter((version): version is string => typeof version === 'string' && semver.valid(version) !== null);
  const gitHeads = await publishedGitHeads(name, project);
  const versions = [...new Set(all)]
    .filter((version) => options.prereleases || semver.prerelease(version) === null || options.keep.includes(version))
    .sort(semver.compare);
  return { versions, gitHeads, registry };
}

/**
 * The gitHead of every release that recorded one: a range matches every release (not pre-releases, which a range
 * leaves out unless it names them); several versions give an array, one version an object. Missing is no error.
 */
async function publishedGitHeads(name: string, project: string): Promise<Record<string, string>> {
  const run = await npm(['view', `${name}@>=0.0.0-0`, 'version', 'gitHead', '--json', '--fetch-retries=0'], project);
  const gitHeads: Record<string, string> = {};
  if (run.code !== 0 || !run.stdout.trim()) return gitHeads;
  let parsed: unknown;
  try {
    parsed = JSON.parse(run.stdout);
  } catch {
    return gitHeads;
  }
  for (const entry of Array.isArray(parsed) ? parsed : [parsed]) {
    const { version, gitHead } = (entry ?? {}) as { version?: unknown; gitHead?: unknown };
    if (typeof version === 'string' && typeof gitHead === 'string' && gitHead) gitHeads[version] = gitHead;
  }
  return gitHeads;
}
