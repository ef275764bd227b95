//! The exported `Clc` class and its `requests` companion.
//!
//! Every network method validates its arguments synchronously, then returns a Promise; validation errors become
//! rejections (never synchronous throws) and no request is sent. The client state is immutable and shared with
//! each running call through an `Rc`, so a call keeps working even if the JS object is freed meanwhile.

use crate::prelude::*;

use alloc::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::convert::{self, string, CallOptions, ClientOptions};
use super::object::field;
use super::sender::{promise, rejected, run, Answer, Inner, Sender};
use super::wait_loop;
use crate::model::{Credentials, LoginResponse, Token};
use crate::request::{self, ApiRequest, Requests, ServerOp};
use crate::shape;
use crate::validate::{AccountAlias, DataCenterId, GroupId, ServerId, StatusId};
use crate::Error;

const OPERATIONS: Answer = Answer::Checked(&shape::SERVER_OPERATIONS);

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
}

/// The request each `Clc` method would send (method, absolute URL, headers, body), without sending it: for
/// callers who route calls through their own proxy or transport. The headers include the bearer token.
#[wasm_bindgen]
pub struct ClcRequests {
    inner: Rc<Inner>,
}

/// Reads `ids` + call options for a server operation.
fn server_op(
    inner: &Inner,
    op: ServerOp,
    ids: &JsValue,
    options: &JsValue,
) -> Result<(ApiRequest, CallOptions), Error> {
    let ids = convert::server_ids(ids)?;
    let options = CallOptions::read(options)?;
    Ok((inner.requests.server_operation(op, &ids), options))
}

fn snapshot(
    inner: &Inner,
    ids: &JsValue,
    options: &JsValue,
) -> Result<(ApiRequest, CallOptions), Error> {
    let ids = convert::server_ids(ids)?;
    if !options.is_object() {
        return Err(Error::validation(
            "options",
            "must be an object with expirationDays",
        ));
    }
    let days = convert::expiration_days(options)?;
    let call = CallOptions::read(options)?;
    Ok((inner.requests.create_snapshot(&ids, days), call))
}

/// Builds a request from one ID, given as the caller passed it; `Err` when the ID is refused.
type ById = fn(&Requests, &str) -> Result<ApiRequest, Error>;

fn archive_group(r: &Requests, id: &str) -> Result<ApiRequest, Error> {
    Ok(r.archive_group(&GroupId::parse(id)?))
}

fn get_status(r: &Requests, id: &str) -> Result<ApiRequest, Error> {
    Ok(r.get_status(&StatusId::parse(id)?))
}

fn get_server(r: &Requests, id: &str) -> Result<ApiRequest, Error> {
    Ok(r.get_server(&ServerId::parse(id)?))
}

fn get_group(r: &Requests, id: &str) -> Result<ApiRequest, Error> {
    Ok(r.get_group(&GroupId::parse(id)?))
}

fn get_data_center(r: &Requests, id: &str) -> Result<ApiRequest, Error> {
    Ok(r.get_data_center(&DataCenterId::parse(id)?))
}

/// Reads the ID argument `name` and the call options, and builds the request with `build`.
fn by_id(
    inner: &Inner,
    name: &str,
    build: ById,
    id: &JsValue,
    options: &JsValue,
) -> Result<(ApiRequest, CallOptions), Error> {
    let req = build(&inner.requests, &string(id, name)?)?;
    Ok((req, CallOptions::read(options)?))
}

/// A synchronous `requests.*` result: the request object, or a thrown `ClcError`.
fn describe(prepared: Result<(ApiRequest, CallOptions), Error>) -> Result<JsValue, JsValue> {
    prepared
        .map(|(req, _)| convert::request_to_js(&req))
        .map_err(JsValue::from)
}

/// Checks a token given to `new Clc`: a header value cannot hold whitespace or control characters.
fn token(value: &JsValue) -> Result<Token, Error> {
    let token = string(value, "token")?;
    if token.is_empty() {
        return Err(Error::validation("token", "must not be empty"));
    }
    if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
        // Never echo the value: it is a secret.
        return Err(Error::validation(
            "token",
            "must not contain whitespace or control characters",
        ));
    }
    Ok(Token::new(token))
}

#[wasm_bindgen]
impl Clc {
    /// Logs in (`POST /v2/authentication/login`) and resolves to a client holding the bearer token.
    /// Rejects with a `ClcError` (kind `http` status 400 for bad credentials); the password is never kept.
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
            let req = request::login(&client.base_url, &creds);
            let sender = Sender {
                fetch: client.fetch,
                timeout_ms: client.timeout_ms,
            };
            let answer = sender
                .call(
                    &req,
                    &call,
                    Answer::Checked(&shape::LOGIN),
                    creds.password(),
                )
                .await?;
            let login = LoginResponse::read(&answer);
            let (session, token) = login.into_parts();
            let alias = AccountAlias::parse(&session.account_alias).map_err(|_| {
                Error::decode("the login answer has no valid accountAlias").with_request(&req)
            })?;
            let inner = Inner {
                requests: Requests::new(client.base_url, token, alias),
                session: Some(session),
                sender,
            };
            Ok(Clc {
                inner: Rc::new(inner),
            }
            .into())
        }))
    }

    /// A client for a token kept from an earlier login. Throws a `ClcError` (kind `validation`) on bad options.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "TokenClientOptions")] options: JsValue,
    ) -> Result<Clc, JsValue> {
        let build = || -> Result<Clc, Error> {
            let client = ClientOptions::read(&options)?;
            let token = token(&field(&options, "token")?)?;
            let alias =
                AccountAlias::parse(&string(&field(&options, "accountAlias")?, "accountAlias")?)?;
            Ok(Clc {
                inner: Rc::new(Inner {
                    requests: Requests::new(client.base_url, token, alias),
                    session: None,
                    sender: Sender {
                        fetch: client.fetch,
                        timeout_ms: client.timeout_ms,
                    },
                }),
            })
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
        self.inner.requests.token().expose().into()
    }

    /// The account alias every call uses.
    #[wasm_bindgen(getter, js_name = accountAlias, unchecked_return_type = "string")]
    pub fn account_alias(&self) -> JsValue {
        self.inner.requests.account_alias().as_str().into()
    }

    /// The API root (without a trailing slash).
    #[wasm_bindgen(getter, js_name = baseUrl, unchecked_return_type = "string")]
    pub fn base_url(&self) -> JsValue {
        self.inner.requests.base_url().as_str().into()
    }

    /// The requests each method would send, without sending them.
    #[wasm_bindgen(getter)]
    pub fn requests(&self) -> ClcRequests {
        ClcRequests {
            inner: self.inner.clone(),
        }
    }

    /// Create Snapshot: `POST /v2/operations/{alias}/servers/createSnapshot` with `expirationDays` (1 to 10).
    #[wasm_bindgen(js_name = createSnapshot, unchecked_return_type = "Promise<ServerOperation[]>")]
    pub fn create_snapshot(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ServerIds")] ids: JsValue,
        #[wasm_bindgen(unchecked_param_type = "SnapshotOptions")] options: JsValue,
    ) -> Promise {
        run(
            &self.inner,
            snapshot(&self.inner, &ids, &options),
            OPERATIONS,
        )
    }

    /// Waits until the jobs of a batch result, a status link or a status ID are final, polling each distinct job
    /// once per round with backoff and jitter. Resolves with per-server outcomes (`ok` when all succeeded);
    /// `timeoutMs` (default 15 min) ends the wait with `timedOut` outcomes rather than a rejection. Rejects at
    /// once on 401/403/404 and promptly on abort; network errors, 5xx and 429 are retried until the deadline.
    /// Exceptions thrown by `onProgress` are ignored, so a UI bug cannot abandon a running wait.
    #[wasm_bindgen(unchecked_return_type = "Promise<WaitResult>")]
    pub fn wait(
        &self,
        #[wasm_bindgen(unchecked_param_type = "WaitTarget")] target: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitOptions")] options: JsValue,
    ) -> Promise {
        let prepared = wait_loop::prepare(&target, &options);
        let prepared = match prepared {
            Ok(p) => p,
            Err(e) => return rejected(e),
        };
        let inner = self.inner.clone();
        promise(Box::pin(wait_loop::run(inner, prepared)))
    }
}

#[wasm_bindgen]
impl ClcRequests {
    /// The Create Snapshot request.
    #[wasm_bindgen(js_name = createSnapshot)]
    pub fn create_snapshot(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ServerIds")] ids: JsValue,
        #[wasm_bindgen(unchecked_param_type = "{ expirationDays: number }")] options: JsValue,
    ) -> Result<ApiRequestJs, JsValue> {
        describe(snapshot(&self.inner, &ids, &options)).map(JsCast::unchecked_into)
    }
}

#[wasm_bindgen]
extern "C" {
    /// `ApiRequest` in TypeScript: `{ method, url, headers, body? }`.
    #[wasm_bindgen(typescript_type = "ApiRequest")]
    pub type ApiRequestJs;
}

/// The nine operations that share the "array of server IDs" shape, on both classes.
macro_rules! server_operations {
    ($( $js:ident => $rust:ident, $op:ident, $doc:literal; )*) => {
        #[wasm_bindgen]
        impl Clc {
            $(
                #[doc = $doc]
                #[wasm_bindgen(js_name = $js, unchecked_return_type = "Promise<ServerOperation[]>")]
                pub fn $rust(
                    &self,
                    #[wasm_bindgen(unchecked_param_type = "ServerIds")] ids: JsValue,
                    #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
                ) -> Promise {
                    run(&self.inner, server_op(&self.inner, ServerOp::$op, &ids, &options), OPERATIONS)
                }
            )*
        }

        #[wasm_bindgen]
        impl ClcRequests {
            $(
                #[doc = $doc]
                #[wasm_bindgen(js_name = $js)]
                pub fn $rust(
                    &self,
                    #[wasm_bindgen(unchecked_param_type = "ServerIds")] ids: JsValue,
                ) -> Result<ApiRequestJs, JsValue> {
                    describe(server_op(&self.inner, ServerOp::$op, &ids, &JsValue::UNDEFINED))
                        .map(JsCast::unchecked_into)
                }
            )*
        }
    };
}

server_operations! {
    archiveServer => archive_server, Archive,
        "Archive Server: `POST /v2/operations/{alias}/servers/archive`; one result per server.";
    shutDownServer => shut_down_server, ShutDown,
        "Shut Down Server: `POST /v2/operations/{alias}/servers/shutDown`; one result per server.";
    resetServer => reset_server, Reset,
        "Reset Server: `POST /v2/operations/{alias}/servers/reset`; one result per server.";
    powerOnServer => power_on_server, PowerOn,
        "Power On Server: `POST /v2/operations/{alias}/servers/powerOn`; one result per server.";
    powerOffServer => power_off_server, PowerOff,
        "Power Off Server: `POST /v2/operations/{alias}/servers/powerOff`; one result per server.";
    pauseServer => pause_server, Pause,
        "Pause Server: `POST /v2/operations/{alias}/servers/pause`; one result per server.";
    rebootServer => reboot_server, Reboot,
        "Reboot Server: `POST /v2/operations/{alias}/servers/reboot`; one result per server.";
    startMaintenance => start_maintenance, StartMaintenance,
        "Start Maintenance Mode: `POST /v2/operations/{alias}/servers/startMaintenance`; one result per server.";
    stopMaintenance => stop_maintenance, StopMaintenance,
        "Stop Maintenance Mode: `POST /v2/operations/{alias}/servers/stopMaintenance`; one result per server.";
}

/// The five operations that take one ID, on both classes. Each doc is given as its lines (wasm-bindgen copies a
/// doc attribute's literal as written, escapes included, and skips a `concat!`).
macro_rules! by_id_operations {
    ($( $js:ident => $rust:ident($param:ident: $rust_param:ident), $build:ident, $answer:expr, $returns:literal,
        [$($doc:literal)+], $request_doc:literal; )*) => {
        #[wasm_bindgen]
        impl Clc {
            $(
                $(#[doc = $doc])+
                #[wasm_bindgen(js_name = $js, unchecked_return_type = $returns)]
                pub fn $rust(
                    &self,
                    #[wasm_bindgen(js_name = $param, unchecked_param_type = "string")] $rust_param: JsValue,
                    #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: JsValue,
                ) -> Promise {
                    let prepared = by_id(&self.inner, stringify!($param), $build, &$rust_param, &options);
                    run(&self.inner, prepared, $answer)
                }
            )*
        }

        #[wasm_bindgen]
        impl ClcRequests {
            $(
                #[doc = $request_doc]
                #[wasm_bindgen(js_name = $js)]
                pub fn $rust(
                    &self,
                    #[wasm_bindgen(js_name = $param, unchecked_param_type = "string")] $rust_param: JsValue,
                ) -> Result<ApiRequestJs, JsValue> {
                    describe(by_id(&self.inner, stringify!($param), $build, &$rust_param, &JsValue::UNDEFINED))
                        .map(JsCast::unchecked_into)
                }
            )*
        }
    };
}

by_id_operations! {
    archiveGroup => archive_group(groupId: group_id), archive_group, Answer::Checked(&shape::STATUS_LINK),
        "Promise<StatusLink>",
        [" Archive Group: `POST /v2/groups/{alias}/{groupId}/archive` (the group, its groups and servers)."
         " Resolves to the status link to `wait` on."],
        " The Archive Group request.";
    getStatus => get_status(statusId: status_id), get_status, Answer::Status, "Promise<JobStatus>",
        [" Get Status: `GET /v2/operations/{alias}/status/{statusId}`; resolves to the job's status string."],
        " The Get Status request.";
    getServer => get_server(serverId: server_id), get_server, Answer::Checked(&shape::SERVER), "Promise<Server>",
        [" Get Server: `GET /v2/servers/{alias}/{serverId}`."],
        " The Get Server request.";
    getGroup => get_group(groupId: group_id), get_group, Answer::Checked(&shape::GROUP), "Promise<Group>",
        [" Get Group: `GET /v2/groups/{alias}/{groupId}` (child groups inline, servers as links)."],
        " The Get Group request.";
    getDataCenter => get_data_center(dataCenter: data_center), get_data_center,
        Answer::Checked(&shape::DATA_CENTER), "Promise<DataCenter>",
        [" Get Data Center: `GET /v2/datacenters/{alias}/{dataCenter}?groupLinks=true` (its `group` link is the"
         " root group)."],
        " The Get Data Center request.";
}
