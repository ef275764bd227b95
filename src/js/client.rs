//! The exported `Clc` class and its `requests` companion.
//!
//! Every network method validates its arguments synchronously, then returns a Promise; validation errors become
//! rejections (never synchronous throws) and no request is sent. The client state is immutable and shared with
//! each running call through an `Rc`, so a call keeps working even if the JS object is freed meanwhile.

use crate::prelude::*;

use alloc::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::calls::*;
use super::convert::{self, string, CallOptions, ClientOptions};
use super::listing;
use super::object::field;
use super::sender::{js_promise, promise, rejected, Answer};
use super::session::Inner;
use super::transport;
use super::wait_loop::{self, Polling};
use crate::model::{Credentials, LoginResponse, Token};
use crate::request::{self, Requests, ServerOp};
use crate::response;
use crate::shape;
use crate::validate::AccountAlias;
use crate::Error;

/// A CenturyLink Cloud API v2 client.
///
/// ```js
/// const clc = await Clc.login({ username, password }, { baseUrl: "https://api.ctl.io" });
/// const ops = await clc.shutDownServer(["WA1ALIASWB01", "WA1ALIASWB02"]);
/// const result = await clc.wait(ops, { timeoutMs: 600_000, onProgress: (p) => console.log(p.pending) });
/// ```
#[wasm_bindgen]
pub struct Clc {
    inner: Rc<Inner>,
    polling: Rc<Polling>,
}

impl Clc {
    fn from_inner(inner: Rc<Inner>) -> Clc {
        Clc {
            polling: Polling::new(inner.clone()),
            inner,
        }
    }
}

/// The request each `Clc` method would send (method, absolute URL, headers, body), without sending it: for
/// callers who route calls through their own proxy or transport. The headers include the bearer token.
#[wasm_bindgen]
pub struct ClcRequests {
    inner: Rc<Inner>,
}

#[wasm_bindgen]
impl Clc {
    /// Logs in (`POST /v2/authentication/login`) and resolves to a client holding the bearer token.
    /// Rejects with a `ClcError` (kind `unauthorized`, status 400, for bad credentials); the password is never
    /// kept, and no login error carries text from the server (it could echo the password).
    #[wasm_bindgen(unchecked_return_type = "Promise<Clc>")]
    pub fn login(
        #[wasm_bindgen(unchecked_param_type = "Credentials")] credentials: JsValue,
        #[wasm_bindgen(unchecked_param_type = "ClientOptions & CallOptions")] options: JsValue,
    ) -> Promise {
        let prepared = (|| {
            if !credentials.is_object() {
                return Err(Error::validation(
                    "credentials",
                    "must be an object with username and password",
                ));
            }
            let username = string(&field(&credentials, "username")?, "username")?;
            let password = string(&field(&credentials, "password")?, "password")?;
            let creds = Credentials::new(&username, &password)?;
            let client = ClientOptions::read(&options)?;
            let call = CallOptions::read(&options)?;
            Ok((creds, client, call))
        })();
        let (creds, client, call) = match prepared {
            Ok(p) => p,
            Err(e) => return rejected(e),
        };
        promise(Box::pin(async move {
            let (base_url, sender, session_options) = parts(client);
            let req = request::login(&base_url, &creds);
            let secrets = [creds.password()];
            let fail = |e: Error| e.with_request(&req).without_secrets(&secrets);
            // Login is sent once, outside any client's line: there is no client yet, and nothing to refresh.
            let stop = sender.stopper(&call).map_err(fail)?;
            let reply = sender.send(&req, &stop, 1).await.map_err(fail)?;
            let answer = transport::with_body(&reply, |text, tree| {
                response::decode_login(reply.status, transport::body(text, tree.as_ref()))
                    .map(|value| LoginResponse::read(&value))
            });
            let (session, token) = answer.map_err(fail)?.into_parts();
            // A token that cannot be a header value would fail every later call with a misleading error.
            let token = Token::parse(token.expose()).map_err(|_| {
                fail(Error::decode(
                    "the login answer's bearerToken cannot be sent as a header value",
                ))
            })?;
            let alias = AccountAlias::parse(&session.account_alias)
                .map_err(|_| fail(Error::decode("the login answer has no valid accountAlias")))?;
            let requests = Requests::new(base_url, token, alias);
            let inner = Inner::new(requests, Some(session), sender, session_options);
            Ok(Clc::from_inner(inner).into())
        }))
    }

    /// A client for a token kept from an earlier login. Throws a `ClcError` (kind `validation`) on bad options.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "TokenClientOptions")] options: JsValue,
    ) -> Result<Clc, JsValue> {
        let build = || -> Result<Clc, Error> {
            let client = ClientOptions::read(&options)?;
            let token = Token::parse(&string(&field(&options, "token")?, "token")?)?;
            let alias =
                AccountAlias::parse(&string(&field(&options, "accountAlias")?, "accountAlias")?)?;
            let (base_url, sender, session_options) = parts(client);
            let requests = Requests::new(base_url, token, alias);
            Ok(Clc::from_inner(Inner::new(
                requests,
                None,
                sender,
                session_options,
            )))
        };
        build().map_err(JsValue::from)
    }

    /// The login session (user name, account alias, location alias, roles; never the token), or `undefined`
    /// for a client built from a token.
    #[wasm_bindgen(getter, unchecked_return_type = "Session | undefined")]
    pub fn session(&self) -> JsValue {
        self.inner
            .session
            .as_ref()
            .map_or(JsValue::UNDEFINED, convert::session_to_js)
    }

    /// The bearer token, to keep for `new Clc({ token, ... })`. Treat it as a secret.
    // Getters hand back a JS string (`JsValue`), not a Rust `String`: the glue for that is a third the size.
    #[wasm_bindgen(getter, unchecked_return_type = "string")]
    pub fn token(&self) -> JsValue {
        self.inner.token().expose().into()
    }

    /// When the token expires (its JWT `exp` claim), in epoch milliseconds; `null` when it is not a JWT.
    #[wasm_bindgen(getter, js_name = tokenExpiresAt, unchecked_return_type = "number | null")]
    pub fn token_expires_at(&self) -> JsValue {
        self.inner
            .token_expires_at()
            .map_or(JsValue::NULL, JsValue::from_f64)
    }

    /// The account alias every call uses.
    #[wasm_bindgen(getter, js_name = accountAlias, unchecked_return_type = "string")]
    pub fn account_alias(&self) -> JsValue {
        self.inner.build(|r| r.account_alias().as_str().into())
    }

    /// The API root (without a trailing slash).
    #[wasm_bindgen(getter, js_name = baseUrl, unchecked_return_type = "string")]
    pub fn base_url(&self) -> JsValue {
        self.inner.build(|r| r.base_url().as_str().into())
    }

    /// The state of the JS fast path of server operations, read once per client by the glue's nine methods
    /// (scripts/fast-methods.mjs writes them to try it first, and takes this method out of the class).
    #[wasm_bindgen(js_name = __fast, skip_typescript)]
    pub fn fast(&self) -> JsValue {
        self.inner.fast()
    }

    /// The requests each method would send, without sending them.
    #[wasm_bindgen(getter)]
    pub fn requests(&self) -> ClcRequests {
        ClcRequests {
            inner: self.inner.clone(),
        }
    }
}

#[wasm_bindgen]
extern "C" {
    /// `ApiRequest` in TypeScript: `{ method, url, headers, body? }`.
    #[wasm_bindgen(typescript_type = "ApiRequest")]
    pub type ApiRequestJs;
}

/// The methods of `Clc` and `ClcRequests` but `login`, the getters and `free`, by the number the hidden `__call`
/// of each class takes: the nine server operations in [`ServerOp::ALL`]'s order, the four one-ID ones of
/// [`BY_ID`], then the rest. Each class has one export for them all, not one per method: an export's shim is 200 to
/// 260 bytes of code, so 34 of them were 900 B of the module gzipped. scripts/fast-methods.mjs reads this list and
/// writes the methods into the glue (`ClcRequests` has all but `listServers` and `wait`), and
/// [`METHOD_DECLARATIONS`] declares them.
pub const METHODS: [&str; 18] = [
    "archiveServer",
    "shutDownServer",
    "resetServer",
    "powerOnServer",
    "powerOffServer",
    "pauseServer",
    "rebootServer",
    "startMaintenance",
    "stopMaintenance",
    "archiveGroup",
    "getStatus",
    "getServer",
    "getDataCenter",
    "createSnapshot",
    "listDataCenters",
    "getGroup",
    "listServers",
    "wait",
];

/// A one-ID method: its argument's name (as errors give it), its check and request, and how the answer is decoded.
struct OneId {
    param: &'static str,
    build: ById,
    answer: fn() -> Answer,
}

/// The one-ID methods, at the end of [`METHODS`].
static BY_ID: [OneId; 4] = [
    OneId {
        param: "groupId",
        build: archive_group,
        answer: || Answer::Checked(&shape::STATUS_LINK),
    },
    OneId {
        param: "statusId",
        build: get_status,
        answer: || Answer::Status,
    },
    OneId {
        param: "serverId",
        build: get_server,
        answer: || Answer::Checked(&shape::SERVER),
    },
    OneId {
        param: "dataCenter",
        build: get_data_center,
        answer: || Answer::Checked(&shape::DATA_CENTER),
    },
];

/// [`METHODS`]`[i]`.
enum Method {
    Batch(ServerOp),
    ById(&'static OneId),
    Snapshot,
    ListDataCenters,
    GetGroup,
    ListServers,
    Wait,
}

impl Method {
    fn of(i: u32) -> Option<Method> {
        let i = i as usize;
        if let Some(&op) = ServerOp::ALL.get(i) {
            return Some(Method::Batch(op));
        }
        let i = i - ServerOp::ALL.len();
        if let Some(m) = BY_ID.get(i) {
            return Some(Method::ById(m));
        }
        Some(match i - BY_ID.len() {
            0 => Method::Snapshot,
            1 => Method::ListDataCenters,
            2 => Method::GetGroup,
            3 => Method::ListServers,
            4 => Method::Wait,
            _ => return None,
        })
    }
}

/// The error for a `__call` number outside [`METHODS`] (only a caller of the hidden method can give one).
fn no_method() -> Error {
    Error::validation("method", "is not a method of this client")
}

#[wasm_bindgen]
impl Clc {
    /// [`METHODS`]`[method](arg, options)`: the glue's methods call it (and the wasm tests).
    #[wasm_bindgen(js_name = __call, skip_typescript)]
    pub fn call(&self, method: u32, arg: JsValue, options: JsValue) -> Promise {
        let inner = &self.inner;
        match Method::of(method) {
            Some(Method::Batch(op)) => batch_call(inner, op, arg, options),
            Some(Method::ById(m)) => {
                by_id_call(inner, m.param, m.build, arg, options, (m.answer)())
            }
            Some(Method::Snapshot) => run_batch(inner, snapshot(inner, &arg, &options)),
            Some(Method::ListDataCenters) => {
                let prepared = CallOptions::read(&options)
                    .map(|options| (inner.build(|r| r.list_data_centers()), options));
                run(inner, prepared, Answer::Checked(&shape::DATA_CENTERS))
            }
            Some(Method::GetGroup) => match group(inner, &arg, &options) {
                Ok((req, options, answer)) => run(inner, Ok((req, options)), answer),
                Err(e) => rejected(e),
            },
            Some(Method::ListServers) => match list_servers(&options) {
                Ok((data_centers, options)) => js_promise(Box::pin(listing::list_servers(
                    inner.clone(),
                    data_centers,
                    options,
                ))),
                Err(e) => rejected(e),
            },
            Some(Method::Wait) => match wait_loop::prepare(&arg, &options) {
                Ok(prepared) => {
                    let polling = self.polling.clone();
                    js_promise(Box::pin(async move { polling.wait(prepared).await }))
                }
                Err(e) => rejected(e),
            },
            None => rejected(no_method()),
        }
    }
}

#[wasm_bindgen]
impl ClcRequests {
    /// The request of [`METHODS`]`[method](arg, options)` (not `listServers` or `wait`, which send several): the
    /// glue's methods call it (and the wasm tests).
    #[wasm_bindgen(js_name = __call, skip_typescript)]
    pub fn call(
        &self,
        method: u32,
        arg: JsValue,
        options: JsValue,
    ) -> Result<ApiRequestJs, JsValue> {
        let inner = &self.inner;
        match Method::of(method) {
            Some(Method::Batch(op)) => batch_request(inner, op, arg),
            Some(Method::ById(m)) => by_id_request(inner, m.param, m.build, arg),
            Some(Method::Snapshot) => {
                describe(snapshot(inner, &arg, &options).map(|(req, _, _)| req))
            }
            Some(Method::ListDataCenters) => describe(Ok(inner.build(|r| r.list_data_centers()))),
            Some(Method::GetGroup) => describe(group(inner, &arg, &options).map(|(req, _, _)| req)),
            Some(Method::ListServers | Method::Wait) | None => describe(Err(no_method())),
        }
        .map(JsCast::unchecked_into)
    }
}

/// The declarations of [`METHODS`], which wasm-bindgen cannot write for methods it does not export:
/// scripts/finish-dts.mjs moves each interface's members into its class.
#[wasm_bindgen(typescript_custom_section)]
const METHOD_DECLARATIONS: &str = r#"
export interface Clc {
    /**
     * Archive Server: `POST /v2/operations/{alias}/servers/archive`; one result per server.
     */
    archiveServer(ids: ServerIds, options?: CallOptions): Promise<ServerOperation[]>;
    /**
     * Shut Down Server: `POST /v2/operations/{alias}/servers/shutDown`; one result per server.
     */
    shutDownServer(ids: ServerIds, options?: CallOptions): Promise<ServerOperation[]>;
    /**
     * Reset Server: `POST /v2/operations/{alias}/servers/reset`; one result per server.
     */
    resetServer(ids: ServerIds, options?: CallOptions): Promise<ServerOperation[]>;
    /**
     * Power On Server: `POST /v2/operations/{alias}/servers/powerOn`; one result per server.
     */
    powerOnServer(ids: ServerIds, options?: CallOptions): Promise<ServerOperation[]>;
    /**
     * Power Off Server: `POST /v2/operations/{alias}/servers/powerOff`; one result per server.
     */
    powerOffServer(ids: ServerIds, options?: CallOptions): Promise<ServerOperation[]>;
    /**
     * Pause Server: `POST /v2/operations/{alias}/servers/pause`; one result per server.
     */
    pauseServer(ids: ServerIds, options?: CallOptions): Promise<ServerOperation[]>;
    /**
     * Reboot Server: `POST /v2/operations/{alias}/servers/reboot`; one result per server.
     */
    rebootServer(ids: ServerIds, options?: CallOptions): Promise<ServerOperation[]>;
    /**
     * Start Maintenance Mode: `POST /v2/operations/{alias}/servers/startMaintenance`; one result per server.
     */
    startMaintenance(ids: ServerIds, options?: CallOptions): Promise<ServerOperation[]>;
    /**
     * Stop Maintenance Mode: `POST /v2/operations/{alias}/servers/stopMaintenance`; one result per server.
     */
    stopMaintenance(ids: ServerIds, options?: CallOptions): Promise<ServerOperation[]>;
    /**
     * Archive Group: `POST /v2/groups/{alias}/{groupId}/archive` (the group, its groups and servers).
     * Resolves to the status link to `wait` on.
     */
    archiveGroup(groupId: string, options?: CallOptions): Promise<StatusLink>;
    /**
     * Get Status: `GET /v2/operations/{alias}/status/{statusId}`; resolves to the job's status string.
     */
    getStatus(statusId: string, options?: CallOptions): Promise<JobStatus>;
    /**
     * Get Server: `GET /v2/servers/{alias}/{serverId}`.
     */
    getServer(serverId: string, options?: CallOptions): Promise<Server>;
    /**
     * Get Data Center: `GET /v2/datacenters/{alias}/{dataCenter}?groupLinks=true` (its `group` link is the
     * root group).
     */
    getDataCenter(dataCenter: string, options?: CallOptions): Promise<DataCenter>;
    /**
     * Create Snapshot: `POST /v2/operations/{alias}/servers/createSnapshot` with `expirationDays` (1 to 10).
     */
    createSnapshot(ids: ServerIds, options: SnapshotOptions): Promise<ServerOperation[]>;
    /**
     * Get Data Center List: `GET /v2/datacenters/{alias}`; the account's data centers, as sent.
     */
    listDataCenters(options?: CallOptions): Promise<DataCenter[]>;
    /**
     * Get Group: `GET /v2/groups/{alias}/{groupId}` (child groups inline, servers as links); with
     * `serverDetail: "detailed"`, every group of the tree also holds its servers, as full `Server` objects.
     */
    getGroup(groupId: string, options?: GroupOptions): Promise<Group>;
    /**
     * Every server of the given data centers (default: all of the account's), each with its `groupId`: one
     * Data Center List (only without `dataCenters`), then per data center Get Data Center and one detailed Get
     * Group; never a Get Server per server. If some data centers fail, rejects with a `ClcError` whose
     * `partial` holds the servers that loaded and whose `failures` lists each failed data center and its error.
     */
    listServers(options?: ListServersOptions): Promise<Server[]>;
    /**
     * Waits until the jobs of a batch result, a status link or a status ID are final, polling each distinct job
     * once per round with backoff and jitter. Resolves with per-server outcomes (`ok` when all succeeded);
     * `timeoutMs` (default 15 min) ends the wait with `timedOut` outcomes rather than a rejection. Rejects at
     * once on 401/403/404 and promptly on abort; network errors, 5xx and 429 are retried until the deadline.
     * Exceptions thrown by `onProgress` are ignored, so a UI bug cannot abandon a running wait.
     */
    wait(target: WaitTarget, options?: WaitOptions): Promise<WaitResult>;
}
export interface ClcRequests {
    /** The Archive Server request. */
    archiveServer(ids: ServerIds): ApiRequest;
    /** The Shut Down Server request. */
    shutDownServer(ids: ServerIds): ApiRequest;
    /** The Reset Server request. */
    resetServer(ids: ServerIds): ApiRequest;
    /** The Power On Server request. */
    powerOnServer(ids: ServerIds): ApiRequest;
    /** The Power Off Server request. */
    powerOffServer(ids: ServerIds): ApiRequest;
    /** The Pause Server request. */
    pauseServer(ids: ServerIds): ApiRequest;
    /** The Reboot Server request. */
    rebootServer(ids: ServerIds): ApiRequest;
    /** The Start Maintenance Mode request. */
    startMaintenance(ids: ServerIds): ApiRequest;
    /** The Stop Maintenance Mode request. */
    stopMaintenance(ids: ServerIds): ApiRequest;
    /** The Archive Group request. */
    archiveGroup(groupId: string): ApiRequest;
    /** The Get Status request. */
    getStatus(statusId: string): ApiRequest;
    /** The Get Server request. */
    getServer(serverId: string): ApiRequest;
    /** The Get Data Center request. */
    getDataCenter(dataCenter: string): ApiRequest;
    /** The Create Snapshot request. */
    createSnapshot(ids: ServerIds, options: { expirationDays: number }): ApiRequest;
    /** The Get Data Center List request. */
    listDataCenters(): ApiRequest;
    /** The Get Group request (with `serverDetail: "detailed"`, the detailed one). */
    getGroup(groupId: string, options?: { serverDetail?: "detailed" }): ApiRequest;
}
"#;
