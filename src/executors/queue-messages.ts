// What crosses the queue, as plain signed data: a probe job (the candidate with its file contents in base64, the
// recipe, the timeout, the variables the recipe depends on), the result a worker sends back with its log, and the
// coordinator's control messages (cancel a probe, a new test timeout). Every one is signed and checked.
import type { FileState } from '../changes/materialize.js';
import type { Materialization } from '../model/materialization.js';
import type { ProbeRecord } from '../model/probe-record.js';
import type { ProbeJob } from './executor.js';
import { sign, verifies } from './queue-signing.js';

type WireState = Omit<FileState, 'content'> & { content: string | null };
type WireCandidate = Exclude<Materialization, { kind: 'configuration' | 'environment' }> | (Omit<Extract<Materialization, { kind: 'configuration' }>, 'states'> & { states: WireState[] });
export type WireJob = Omit<ProbeJob, 'candidate'> & { candidate: WireCandidate };

export interface JobBody {
  v: 1;
  kind: 'probe';
  queue: string;
  /** The coordinator's run of a hunt: control messages name it. */
  hunt: string;
  /** Unique per job: a worker runs a nonce once (a stalled job handed to another worker is the same job). */
  nonce: string;
  /** Milliseconds since the epoch, on the coordinator's clock. */
  issuedAt: number;
  /** The Redis database it was sent to: a copy moved to another queue's database is refused. */
  db: number;
  /** Scripts the recipe names by absolute path, with their SHA-256: a worker must have the same files. */
  scripts: Record<string, string>;
  job: WireJob;
}

export interface ResultBody {
  v: 1;
  kind: 'result';
  queue: string;
  nonce: string;
  /** Which worker ran it: host and process. */
  worker: string;
  record: ProbeRecord;
  /** The probe's log (build and test output), its start cut when it was long. */
  log: string;
}

export interface ControlBody {
  v: 1;
  kind: 'cancel' | 'retime';
  queue: string;
  hunt: string;
  issuedAt: number;
  /** For `cancel`: the job whose probe to stop. */
  nonce?: string;
  /** For `retime`: the test timeout from now on. */
  seconds?: number;
}

export interface Signed<T> {
  body: T;
  signature: string;
}

export function signed<T>(key: Buffer, body: T): Signed<T> {
  return { body, signature: sign(key, body) };
}

/** The body, when the message is signed with this key and is of this kind and queue; undefined otherwise. */
export function opened<T extends { kind: string; queue: string; v: number }>(key: Buffer, message: unknown, kind: T['kind'], queue: string): T | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const { body, signature } = message as Partial<Signed<unknown>>;
  if (!verifies(key, body, signature)) return undefined;
  const typed = body as T;
  return typed.v === 1 && typed.kind === kind && typed.queue === queue ? typed : undefined;
}

export function toWire(job: ProbeJob): WireJob {
  const { candidate } = job;
  if (candidate.kind === 'version' || candidate.kind === 'environment') throw new Error(`internal: a ${candidate.kind} probe cannot run on a queue`);
  const wire: WireCandidate = candidate.kind === 'configuration' ? { ...candidate, states: candidate.states.map((state) => ({ ...state, content: state.content === null ? null : state.content.toString('base64') })) } : candidate;
  return { ...job, candidate: wire };
}

export function fromWire(wire: WireJob): ProbeJob {
  const { candidate } = wire;
  const materialization: Materialization = candidate.kind === 'configuration' ? { ...candidate, states: candidate.states.map((state) => ({ ...state, content: state.content === null ? null : Buffer.from(state.content, 'base64') })) } : candidate;
  return { ...wire, candidate: materialization };
}
