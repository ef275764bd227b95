// The error type of clc-wasm. Every rejection of the SDK is an Error whose name is "ClcError" and which carries
// a string `kind` (plus status, message, details, method, url). The wasm module builds these errors itself, so
// `instanceof ClcError` is answered structurally by Symbol.hasInstance: it recognises any such Error, whichever
// realm or module copy created it. `new ClcError(...)` also works, for code that wants to raise the same shape.

export class ClcError extends Error {
  /**
   * @param {string} message
   * @param {{ kind?: string, status?: number, details?: {field: string, message: string}[], method?: string, url?: string }} [fields]
   */
  constructor(message, fields = {}) {
    super(message);
    this.name = "ClcError";
    this.kind = typeof fields.kind === "string" ? fields.kind : "http";
    this.status = fields.status;
    this.details = Array.isArray(fields.details) ? fields.details : [];
    this.method = fields.method;
    this.url = fields.url;
  }

  /** True for any Error named "ClcError" with a string `kind` (errors made by the wasm module included). */
  static [Symbol.hasInstance](value) {
    return isClcError(value);
  }
}

/**
 * Type guard: whether `e` is an error thrown or rejected by clc-wasm.
 * @param {unknown} e
 * @returns {e is ClcError}
 */
export function isClcError(e) {
  return e instanceof Error && e.name === "ClcError" && typeof e.kind === "string";
}
