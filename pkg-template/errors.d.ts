import type { ClcErrorKind, DataCenterFailure, Server, WaitResult } from "./clc_wasm.js";
export type { ClcErrorKind };

/** One refused field (validation) or one ASP.NET `modelState` message. */
export interface ClcErrorDetail {
  /** The field, as the caller named it (`serverIds[2]`) or as the server did (`body.snapshotExpirationDays`). */
  field: string;
  /** Why it was refused, e.g. `must not be empty`. */
  message: string;
}

/**
 * Every rejection of clc-wasm. `instanceof ClcError` recognises any Error named "ClcError" with a string `kind`,
 * including those the wasm module creates. Never carries the token or the password.
 */
export declare class ClcError extends Error {
  /** Makes a `ClcError` from a message and its fields (`kind` defaults to `http`, `details` to `[]`). */
  constructor(
    message: string,
    fields?: { kind?: ClcErrorKind; status?: number; details?: ClcErrorDetail[]; method?: "GET" | "POST"; url?: string },
  );
  /** Always `"ClcError"`. */
  readonly name: "ClcError";
  /** What went wrong. */
  kind: ClcErrorKind;
  /** The HTTP status, when the server answered. */
  status?: number;
  /** Per-field details (validation errors, ASP.NET modelState). */
  details: ClcErrorDetail[];
  /** The method of the request that failed. */
  method?: "GET" | "POST";
  /** The absolute URL of the request that failed (never holds a secret). */
  url?: string;
  /**
   * What was done before the call had to stop: for `wait`, the result so far (servers still running are
   * `pending`); for `listServers`, the servers of the data centers that loaded.
   */
  partial?: WaitResult | Server[];
  /** For `listServers`: each data center that could not be read, with its error. */
  failures?: DataCenterFailure[];
  /** True for any Error named `"ClcError"` with a string `kind` (errors made by the wasm module included). */
  static [Symbol.hasInstance](value: unknown): boolean;
}

/** Type guard: whether `e` is an error thrown or rejected by clc-wasm. */
export declare function isClcError(e: unknown): e is ClcError;
