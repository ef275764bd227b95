// Uses the whole public API of clc-wasm the way a TypeScript app would; `tsc --noEmit --strict` must accept it
// (scripts/test.sh, stage "TypeScript API"). It is type-checked only, never run: the wasm suites and the package
// tests run the same calls for real.
import {
  Clc,
  ClcError,
  isClcError,
  type ApiRequest,
  type ClcErrorKind,
  type DataCenter,
  type Group,
  type JobStatus,
  type Outcome,
  type Server,
  type ServerOperation,
  type Session,
  type StatusLink,
  type TraceEntry,
  type WaitProgress,
  type WaitResult,
} from "clc-wasm";
import init, { Clc as ClcFromInit, initSync } from "clc-wasm/init";

export async function everything(signal: AbortSignal): Promise<void> {
  const clc: Clc = await Clc.login(
    { username: "demo", password: "demo-password" },
    { baseUrl: "http://127.0.0.1:8787", timeoutMs: 10_000, fetch: globalThis.fetch },
  );
  const session: Session | undefined = clc.session;
  const roles: string[] = session?.roles ?? [];
  const token: string = clc.token;
  const again = new Clc({ token, accountAlias: clc.accountAlias, baseUrl: clc.baseUrl });

  const ids = ["WA1DEMOWEB01", "WA1DEMOWEB02"];
  const call = { signal, timeoutMs: 5_000 };
  const batches: ServerOperation[][] = [
    await clc.archiveServer(ids, call),
    await clc.shutDownServer(ids),
    await clc.resetServer("WA1DEMOWEB01"),
    await clc.createSnapshot(ids, { expirationDays: 7, signal }),
    await clc.powerOnServer(ids),
    await clc.powerOffServer(ids),
    await clc.pauseServer(ids),
    await clc.rebootServer(ids),
    await clc.startMaintenance(ids),
    await clc.stopMaintenance(ids),
  ];
  for (const op of batches.flat()) {
    const queued: boolean = op.isQueued;
    const why: string | undefined = op.errorMessage;
    const job: string | undefined = op.links.find((l) => l.rel === "status")?.id;
    void [queued, why, job];
  }

  const link: StatusLink = await again.archiveGroup("2a5c0b9662cf4fc8bf6180f139facdc4", call);
  const status: JobStatus = await clc.getStatus(link.id ?? "", call);
  const final: boolean = status === "succeeded" || status === "failed";
  const server: Server = await clc.getServer("WA1DEMOWEB01");
  const power: string | undefined = server.details?.powerState;
  const group: Group = await clc.getGroup("8a1c0b9662cf4fc8bf6180f139fa0001");
  const children: string[] = group.groups.map((g) => g.name);
  const dc: DataCenter = await clc.getDataCenter("WA1");
  void [roles, final, power, children, dc.links];

  // Dashboard sessions: the account in a few reads, a token that refreshes itself, a bounded queue, a trace.
  const traced: TraceEntry[] = [];
  const dashboard = await Clc.login(
    { username: "demo", password: "demo-password" },
    {
      baseUrl: "http://127.0.0.1:8787",
      refreshToken: async () => (await Clc.login({ username: "demo", password: "demo-password" }, { baseUrl: "http://127.0.0.1:8787" })).token,
      maxConcurrent: 4,
      trace: (entry: TraceEntry) => traced.push(entry),
    },
  );
  const centers: DataCenter[] = await dashboard.listDataCenters({ signal });
  const everything: Server[] = await dashboard.listServers({ dataCenters: centers.map((c) => c.id), timeoutMs: 60_000 });
  const tree: Group = await dashboard.getGroup("8a1c0b9662cf4fc8bf6180f139fa0001", { serverDetail: "detailed" });
  const inline: Server[] = tree.servers ?? [];
  const expires: number | null = dashboard.tokenExpiresAt;
  const state: "started" | "stopped" | "paused" | (string & {}) | undefined = everything[0]?.details?.powerState;
  try {
    await dashboard.listServers();
  } catch (e: unknown) {
    if (isClcError(e)) {
      const loaded = e.partial;
      const failed: string[] = (e.failures ?? []).map((f) => `${f.dataCenter}: ${f.error.kind}`);
      void [loaded, failed];
    }
  }
  void [inline, expires, state, traced.map((t) => `${t.method} ${t.url} ${t.status ?? t.kind} ${t.durationMs} ${t.attempt}`)];

  const result: WaitResult = await clc.wait(batches[1], {
    timeoutMs: 600_000,
    minPollMs: 500,
    maxPollMs: 10_000,
    signal,
    onProgress: (p: WaitProgress) =>
      console.log(`${p.succeeded + p.failed + p.notQueued + p.timedOut + p.unknown}/${p.total}`, p.pending),
  });
  for (const s of result.servers) {
    const outcome: Outcome = s.outcome;
    if (outcome === "notQueued") console.log(s.server, s.errorMessage);
  }
  await clc.wait(link);
  await clc.wait("wa1-81351");

  const req: ApiRequest = clc.requests.shutDownServer(ids);
  const sent: Response = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body });
  void sent;
  for (const r of [
    clc.requests.archiveServer(ids),
    clc.requests.resetServer(ids),
    clc.requests.createSnapshot(ids, { expirationDays: 3 }),
    clc.requests.powerOnServer(ids),
    clc.requests.powerOffServer(ids),
    clc.requests.pauseServer(ids),
    clc.requests.rebootServer(ids),
    clc.requests.startMaintenance(ids),
    clc.requests.stopMaintenance(ids),
    clc.requests.archiveGroup("2a5c0b9662cf4fc8bf6180f139facdc4"),
    clc.requests.getStatus("wa1-81351"),
    clc.requests.getServer("WA1DEMOWEB01"),
    clc.requests.getGroup("8a1c0b9662cf4fc8bf6180f139fa0001"),
    clc.requests.getDataCenter("WA1"),
  ]) {
    const method: "GET" | "POST" = r.method;
    const auth: string | undefined = r.headers["Authorization"];
    void [method, auth];
  }

  try {
    await clc.createSnapshot(ids, { expirationDays: 11 });
  } catch (e: unknown) {
    if (isClcError(e)) {
      const kind: ClcErrorKind = e.kind;
      const status: number | undefined = e.status;
      const fields: string[] = e.details.map((d) => d.field);
      const where: string | undefined = e.method && e.url ? `${e.method} ${e.url}` : undefined;
      void [kind, status, fields, where, e.message];
    }
    if (e instanceof ClcError) console.log(e.kind);
  }
}

// The no-auto-init entry: the app loads the wasm itself.
export async function manual(bytes: BufferSource): Promise<ClcFromInit> {
  await init({ module_or_path: "/assets/clc_wasm_bg.wasm" });
  initSync({ module: bytes });
  return new ClcFromInit({ token: "t", accountAlias: "DEMO", baseUrl: "https://api.ctl.io" });
}
