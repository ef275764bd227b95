//! The TypeScript declarations of every input and output, appended to the generated `.d.ts`.
//!
//! The exported methods take and return `JsValue` (checked at run time in `convert`) and name these types with
//! `unchecked_param_type` / `unchecked_return_type`, so the public `.d.ts` has no `any`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** One server ID, or several (sent in one batch call). */
export type ServerIds = string | string[];

/** Options of a client (`Clc.login`, `new Clc`). */
export interface ClientOptions {
  /** The API root, e.g. `https://api.ctl.io` (absolute http(s) URL, no query or fragment). */
  baseUrl: string;
  /** A fetch replacing `globalThis.fetch` for every request (proxies, tests, old runtimes). */
  fetch?: typeof fetch;
  /** The default time limit of one request in ms (default 30000). */
  timeoutMs?: number;
}

/** Options of `new Clc`: a token kept from an earlier login. */
export interface TokenClientOptions extends ClientOptions {
  /** The bearer token (a secret). */
  token: string;
  /** The account alias, e.g. `ALIAS`. */
  accountAlias: string;
}

/** The login credentials; the password is only sent, never kept. */
export interface Credentials {
  username: string;
  password: string;
}

/** Options of one call. */
export interface CallOptions {
  /** Aborting it rejects the call with kind `aborted`, whatever the reason. */
  signal?: AbortSignal;
  /** This call's time limit in ms; rejects with kind `timeout`. */
  timeoutMs?: number;
}

/** Options of `createSnapshot`. */
export interface SnapshotOptions extends CallOptions {
  /** Days to keep the snapshot: an integer from 1 to 10. */
  expirationDays: number;
}

/** The logged-in user; never holds the token. */
export interface Session {
  userName: string;
  accountAlias: string;
  locationAlias?: string;
  roles: string[];
}

/** A link entity; when `verbs` is missing, GET is the only verb. */
export interface Link {
  rel: string;
  href: string;
  id?: string;
  name?: string;
  verbs?: string[];
}

/** A link to a queued job, for `getStatus` and `wait`. */
export interface StatusLink {
  rel: string;
  href: string;
  id?: string;
}

/** The result of a server operation for one server (names come back lower-cased, in any order). */
export interface ServerOperation {
  server: string;
  isQueued: boolean;
  links: Link[];
  errorMessage?: string;
}

/** A job's state; only `succeeded` and `failed` are final. */
export type JobStatus = "notStarted" | "executing" | "succeeded" | "failed" | "resumed" | "unknown" | (string & {});

export interface IpAddress {
  internal?: string;
  public?: string;
}

export interface Snapshot {
  name: string;
  links: Link[];
}

export interface ServerDetails {
  powerState?: string;
  inMaintenanceMode?: boolean;
  cpu?: number;
  memoryMB?: number;
  storageGB?: number;
  ipAddresses: IpAddress[];
  snapshots: Snapshot[];
}

/** A server, as `getServer` returns it. */
export interface Server {
  id: string;
  name: string;
  description?: string;
  groupId?: string;
  locationId?: string;
  osType?: string;
  status?: string;
  type?: string;
  storageType?: string;
  details?: ServerDetails;
  links: Link[];
}

/** A group, as `getGroup` returns it; servers appear as links with `rel: "server"`. */
export interface Group {
  id: string;
  name: string;
  description?: string;
  locationId?: string;
  type?: string;
  status?: string;
  serversCount?: number;
  groups: Group[];
  links: Link[];
}

/** A data center; its link with `rel: "group"` is the root group. */
export interface DataCenter {
  id: string;
  name: string;
  links: Link[];
}

/** A request as the SDK would send it (the headers include the bearer token). */
export interface ApiRequest {
  method: "GET" | "POST";
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** What `wait` can follow: a server operation's results, a status link, or a status ID. */
export type WaitTarget = ServerOperation[] | StatusLink | string;

/** Options of `wait`. */
export interface WaitOptions extends CallOptions {
  /** The whole wait's deadline in ms (default 900000); pending jobs then end as `timedOut`. */
  timeoutMs?: number;
  /** The first and the smallest delay between polls in ms (default 1000). */
  minPollMs?: number;
  /** The largest delay between polls in ms (default 15000). */
  maxPollMs?: number;
  /** Called after each round of polls. */
  onProgress?: (progress: WaitProgress) => void;
}

/** How one server's operation ended; `unknown`: queued but without a status link to follow. */
export type Outcome = "succeeded" | "failed" | "notQueued" | "timedOut" | "unknown";

export interface ServerOutcome {
  server: string;
  outcome: Outcome;
  jobId?: string;
  errorMessage?: string;
}

export interface JobOutcome {
  id: string;
  outcome: "succeeded" | "failed" | "timedOut";
  status?: JobStatus;
  polls: number;
  lastError?: string;
}

/** The result of `wait`: `ok` when every server (or the single job) succeeded. */
export interface WaitResult {
  ok: boolean;
  servers: ServerOutcome[];
  jobs: JobOutcome[];
}

/** Progress after a round of polls (counts per server for a batch, per job otherwise). */
export interface WaitProgress {
  round: number;
  total: number;
  succeeded: number;
  failed: number;
  notQueued: number;
  pending: number;
  jobs: { id: string; status?: JobStatus; polls: number }[];
}

/** The `kind` of a `ClcError`. */
export type ClcErrorKind =
  | "validation" | "http" | "unauthorized" | "forbidden" | "notFound" | "network" | "timeout" | "aborted" | "decode";
"#;
