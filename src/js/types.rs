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
  /**
   * Called when a request is answered 401 (the token expired or was revoked); resolves to a new bearer token.
   * Concurrent calls that meet the 401 share one call of it; each is then sent again, once, with the new token.
   * A 401 means the service did nothing, so this is the one case where a POST is sent twice.
   * Security: whatever this returns is sent as a bearer token to `baseUrl`; return only a token from the CLC login.
   * It may take up to 10 minutes (it may ask a person to log in again); waiting calls still end at their deadlines.
   */
  refreshToken?: () => Promise<string>;
  /** At most this many requests of this client in flight (default 6, a browser's per-host limit); the rest queue. */
  maxConcurrent?: number;
  /** Called once for every HTTP request when it settles (login, polls, refreshes and resends included). */
  trace?: (entry: TraceEntry) => void;
}

/** One HTTP request, as `trace` sees it: never headers, bodies or tokens. */
export interface TraceEntry {
  /** The HTTP method. */
  method: "GET" | "POST";
  /** The absolute URL (it never holds a secret). */
  url: string;
  /** The HTTP status, when the server answered. */
  status?: number;
  /** The error's kind, when the request failed. */
  kind?: ClcErrorKind;
  /** From sending to the end of the body, in ms. */
  durationMs: number;
  /** 1 for the first send; 2 for a resend after a token refresh or a `Retry-After`, and so on. */
  attempt: number;
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
  /** The portal user name (not empty, no control characters). */
  username: string;
  /** The password (a secret; not empty, no control characters). */
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

/** Options of `getGroup`. */
export interface GroupOptions extends CallOptions {
  /** `"detailed"`: every group of the tree carries its servers inline, as full `Server` objects. */
  serverDetail?: "detailed";
}

/** Options of `listServers`. */
export interface ListServersOptions extends CallOptions {
  /** The data centers to read (e.g. `["wa1", "va1"]`); default: all of the account's. */
  dataCenters?: string[];
}

/** The logged-in user; never holds the token. */
export interface Session {
  /** The portal user name. */
  userName: string;
  /** The account that holds the user, e.g. `ALIAS`. */
  accountAlias: string;
  /** The user's default data center, e.g. `WA1`. */
  locationAlias?: string;
  /** The user's roles, e.g. `["AccountAdmin"]`. */
  roles: string[];
}

/** A link entity; when `verbs` is missing, GET is the only verb. */
export interface Link {
  /** The link's relation, e.g. `self`, `status`, `server` or `group`. */
  rel: string;
  /** The path it points to, e.g. `/v2/servers/alias/WA1ALIASWB01`. */
  href: string;
  /** The target's ID, where the service gives it. */
  id?: string;
  /** The target's name, where the service gives it. */
  name?: string;
  /** The verbs allowed on the target, e.g. `["GET", "POST"]`. */
  verbs?: string[];
}

/** A link to a queued job, for `getStatus` and `wait`. */
export interface StatusLink {
  /** Always `status`. */
  rel: string;
  /** The job's path, e.g. `/v2/operations/alias/status/wa1-12345` (its alias lower-cased: prefer `id`). */
  href: string;
  /** The job (status) ID for `getStatus`, e.g. `wa1-12345`; when missing, the last segment of `href` is used. */
  id?: string;
}

/**
 * The result of a server operation for one server. The results come back in the order of the request, each
 * `server` spelled as the caller passed it (the service lower-cases and reorders them; they are matched
 * case-insensitively, as the service does).
 */
export interface ServerOperation {
  /** The server ID as the caller passed it, e.g. `WA1ALIASWB01` (unmatched entries keep the service's spelling). */
  server: string;
  /** Whether the operation was queued for this server. */
  isQueued: boolean;
  /** Its links; the one with `rel: "status"` carries the job ID for `getStatus` and `wait`. */
  links: Link[];
  /** Why the server was not queued, or what went wrong, when the service says. */
  errorMessage?: string;
}

/** A job's state; only `succeeded` and `failed` are final. */
export type JobStatus = "notStarted" | "executing" | "succeeded" | "failed" | "resumed" | "unknown" | (string & {});

/** A server's power state, as the service names it. */
export type PowerState = "started" | "stopped" | "paused" | (string & {});

/** A server's status, as the service names it. */
export type ServerStatus =
  | "active" | "archived" | "underConstruction" | "queuedForDelete" | "queuedForRestore" | (string & {});

/** A group's type: `default` for ordinary groups; `archive` holds archived servers. */
export type GroupType = "default" | "archive" | "templates" | (string & {});

/** One of a server's addresses. */
export interface IpAddress {
  /** The internal address, e.g. `10.0.0.12`. */
  internal?: string;
  /** The public address, when the server has one. */
  public?: string;
}

/** A server snapshot. */
export interface Snapshot {
  /** Its name, e.g. `2026-11-22.10:00:00`. */
  name: string;
  /** Its links (e.g. to delete or restore it). */
  links: Link[];
}

/** A server's live details (the service may leave any of them out, and sends more, passed through). */
export interface ServerDetails {
  /** `started`, `stopped` or `paused`. */
  powerState?: PowerState;
  /** Whether the server is in maintenance mode. */
  inMaintenanceMode?: boolean;
  /** Virtual CPUs. */
  cpu?: number;
  /** Memory in MB. */
  memoryMB?: number;
  /** Storage in GB. */
  storageGB?: number;
  /** Its addresses, internal and public. */
  ipAddresses: IpAddress[];
  /** Its snapshots (at most one on CLC). */
  snapshots: Snapshot[];
}

/** A server, as `getServer` and `listServers` return it. */
export interface Server {
  /** The server ID, e.g. `WA1ALIASWB01`. */
  id: string;
  /** The server name. */
  name: string;
  /** Its description. */
  description?: string;
  /** The ID of the group that holds it (32 hex digits). */
  groupId?: string;
  /** Its data center, e.g. `WA1`. */
  locationId?: string;
  /** Its operating system, as the service names it. */
  osType?: string;
  /** E.g. `active`, `archived` or `underConstruction`. */
  status?: ServerStatus;
  /** The server type, e.g. `standard` or `hyperscale`. */
  type?: string;
  /** The storage type, e.g. `standard` or `premium`. */
  storageType?: string;
  /** Power, maintenance, resources and snapshots (the service may leave it out). */
  details?: ServerDetails;
  /** Its links. */
  links: Link[];
}

/**
 * A group, as `getGroup` returns it; child groups nest. Servers appear as links with `rel: "server"`, and with
 * `serverDetail: "detailed"` also inline in `servers`, in every group of the tree.
 */
export interface Group {
  /** The group ID (32 hex digits), e.g. `2a5c0b9662cf4fc8bf6180f139facdc0`. */
  id: string;
  /** The group name. */
  name: string;
  /** Its description. */
  description?: string;
  /** Its data center, e.g. `WA1`. */
  locationId?: string;
  /** `default`, `archive` or `templates`. */
  type?: GroupType;
  /** The group's status, e.g. `active`. */
  status?: string;
  /** The number of servers the service counts in the group. */
  serversCount?: number;
  /** Its child groups. */
  groups: Group[];
  /** Its links; servers appear as links with `rel: "server"`. */
  links: Link[];
  /** The group's own servers (not its children's), with `serverDetail: "detailed"` only. */
  servers?: Server[];
}

/** A data center; its link with `rel: "group"` is the root group. */
export interface DataCenter {
  /** As the service sends it: lower-case in the list (`wa1`), as asked in `getDataCenter`. */
  id: string;
  /** E.g. `WA1 - US West (Seattle)`. */
  name: string;
  /** Its links, e.g. `self` and (the root group) `group`. */
  links: Link[];
}

/** One data center that `listServers` could not read: it rejects with these in `failures`. */
export interface DataCenterFailure {
  /** The data center, as listed or as passed in `dataCenters`, e.g. `wa1`. */
  dataCenter: string;
  /** Why it could not be read. */
  error: ClcError;
}

/** A request as the SDK would send it (the headers include the bearer token). */
export interface ApiRequest {
  /** The HTTP method. */
  method: "GET" | "POST";
  /** The absolute URL, e.g. `https://api.ctl.io/v2/operations/ALIAS/status/wa1-12345`. */
  url: string;
  /** Header names and values: `Accept`, `Content-Type` with a body, `Authorization` (the bearer token, a secret). */
  headers: Record<string, string>;
  /** The JSON body, for a POST that has one. */
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
  /** Called once before the first poll and after every round of polls. */
  onProgress?: (progress: WaitProgress) => void;
}

/**
 * How one server's operation (or one job) ended: `unknown`, queued but without a status link to follow;
 * `pending`, still running when the wait had to stop (in a rejected wait's `partial` only).
 */
export type Outcome = "succeeded" | "failed" | "notQueued" | "timedOut" | "unknown" | "pending";

/** The outcome for one server of a batch. */
export interface ServerOutcome {
  /** The server, as the caller passed it. */
  server: string;
  /** How it ended. */
  outcome: Outcome;
  /** The job that carried it, when it was queued. */
  jobId?: string;
  /** The service's reason for a server not queued, or why its job could not be followed. */
  errorMessage?: string;
}

/** The outcome of one job. */
export interface JobOutcome {
  /** The job (status) ID. */
  id: string;
  /** How it ended. */
  outcome: "succeeded" | "failed" | "timedOut" | "pending";
  /** The last status read, if any read succeeded. */
  status?: JobStatus;
  /** How many Get Status requests were sent for it. */
  polls: number;
  /** The last transient error while polling, if the last read failed. */
  lastError?: string;
}

/** The result of `wait`: `ok` when every server (or the single job) succeeded. */
export interface WaitResult {
  /** Whether every server (or the single job) succeeded. */
  ok: boolean;
  /** One outcome per server of a batch (empty when waiting on a status link or ID). */
  servers: ServerOutcome[];
  /** One outcome per distinct job. */
  jobs: JobOutcome[];
}

/**
 * Where a wait stands: once before the first poll and after every round. Counts are per server for a batch,
 * per job otherwise; `succeeded + failed + notQueued + timedOut + unknown + pending` is always `total`.
 */
export interface WaitProgress {
  /** Rounds of polls so far (0 before the first). */
  round: number;
  /** Servers (or jobs) in all. */
  total: number;
  /** Finished, and succeeded. */
  succeeded: number;
  /** Finished, and failed. */
  failed: number;
  /** Not queued by the service (see `errorMessage` in the result). */
  notQueued: number;
  /** Still running at the wait's deadline. */
  timedOut: number;
  /** Queued, but without a status link to follow. */
  unknown: number;
  /** Still running. */
  pending: number;
  /** Each job's last status and the polls sent for it. */
  jobs: { id: string; status?: JobStatus; polls: number }[];
}

/** The `kind` of a `ClcError`. */
export type ClcErrorKind =
  | "validation" | "http" | "unauthorized" | "forbidden" | "notFound" | "network" | "timeout" | "aborted" | "decode";

import type { ClcError } from "./errors.js";
"#;
