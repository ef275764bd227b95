/** The `kind` of a {@link ClcError}. */
export type ClcErrorKind =
  | "validation" | "http" | "unauthorized" | "forbidden" | "notFound" | "network" | "timeout" | "aborted" | "decode";

/** One refused field (validation) or one ASP.NET `modelState` message. */
export interface ClcErrorDetail {
  field: string;
  message: string;
}

/**
 * Every rejection of clc-wasm. `instanceof ClcError` recognises any Error named "ClcError" with a string `kind`,
 * including those the wasm module creates. Never carries the token or the password.
 */
export declare class ClcError extends Error {
  constructor(
    message: string,
    fields?: { kind?: ClcErrorKind; status?: number; details?: ClcErrorDetail[]; method?: "GET" | "POST"; url?: string },
  );
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
  static [Symbol.hasInstance](value: unknown): boolean;
}

/** Type guard: whether `e` is an error thrown or rejected by clc-wasm. */
export declare function isClcError(e: unknown): e is ClcError;
