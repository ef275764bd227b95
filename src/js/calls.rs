//! Preparing the calls of the exported classes: each method's arguments read and checked into the request it
//! sends, and the runners that send it and shape its answer (batch results in the request's order).

use crate::prelude::*;

use alloc::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::JsValue;

use super::convert::{self, string, CallOptions, ClientOptions};
use super::object::{self, field};
use super::sender::{promise, rejected, Answer, Sender};
use super::session::{Inner, SessionOptions};
use crate::request::{ApiRequest, Requests, ServerOp};
use crate::shape;
use crate::validate::{BaseUrl, DataCenterId, GroupId, ServerId, StatusId};
use crate::Error;

/// Sends a prepared request (or rejects with the error that prevented building it) and decodes the answer.
pub(crate) fn run(
    inner: &Rc<Inner>,
    prepared: Result<(ApiRequest, CallOptions), Error>,
    answer: Answer,
) -> Promise {
    let (req, options) = match prepared {
        Ok(p) => p,
        Err(e) => return rejected(e),
    };
    call(inner, req, options, answer)
}

/// Sends a server operation; its results come in the request's order, each named as the caller spelled it.
pub(crate) fn run_batch(
    inner: &Rc<Inner>,
    prepared: Result<(ApiRequest, CallOptions, JsValue), Error>,
) -> Promise {
    let (req, options, ids) = match prepared {
        Ok(p) => p,
        Err(e) => return rejected(e),
    };
    call(inner, req, options, Answer::Batch(ids))
}

/// The call on the fast path if it can take it ([`Inner::try_fast`]), else as a future.
fn call(inner: &Rc<Inner>, req: ApiRequest, options: CallOptions, answer: Answer) -> Promise {
    match inner.try_fast(req, &options, answer) {
        Ok(pending) => pending,
        Err((req, answer)) => promise(Box::pin(inner.call(req, &options, answer))),
    }
}

// The exported methods that share a body are one line each, over these: an export's shim inlines its method's
// body, so a body written in each method was one copy per method (26 copies of 100 to 300 bytes).

/// A server operation method: its checks, then the call.
#[inline(never)]
pub(crate) fn batch_call(
    inner: &Rc<Inner>,
    op: ServerOp,
    ids: JsValue,
    options: JsValue,
) -> Promise {
    run_batch(inner, server_op(inner, op, &ids, &options))
}

/// A server operation's `requests.*` method.
#[inline(never)]
pub(crate) fn batch_request(inner: &Inner, op: ServerOp, ids: JsValue) -> Result<JsValue, JsValue> {
    describe(server_op(inner, op, &ids, &JsValue::UNDEFINED).map(|(req, _, _)| req))
}

/// A method that takes one ID: its checks, then the call.
#[inline(never)]
pub(crate) fn by_id_call(
    inner: &Rc<Inner>,
    name: &str,
    build: ById,
    id: JsValue,
    options: JsValue,
    answer: Answer,
) -> Promise {
    run(inner, by_id(inner, name, build, &id, &options), answer)
}

/// A one-ID method's `requests.*` method.
#[inline(never)]
pub(crate) fn by_id_request(
    inner: &Inner,
    name: &str,
    build: ById,
    id: JsValue,
) -> Result<JsValue, JsValue> {
    describe(by_id(inner, name, build, &id, &JsValue::UNDEFINED).map(|(req, _)| req))
}

/// Reads `ids` + call options for a server operation.
pub(crate) fn server_op(
    inner: &Inner,
    op: ServerOp,
    ids: &JsValue,
    options: &JsValue,
) -> Result<(ApiRequest, CallOptions, JsValue), Error> {
    let (ids, requested) = convert::server_ids(ids)?;
    let options = CallOptions::read(options)?;
    Ok((
        inner.build(|r| r.server_operation_array(op, ids)),
        options,
        requested,
    ))
}

pub(crate) fn snapshot(
    inner: &Inner,
    ids: &JsValue,
    options: &JsValue,
) -> Result<(ApiRequest, CallOptions, JsValue), Error> {
    let (ids, requested) = convert::server_ids(ids)?;
    if !options.is_object() {
        return Err(Error::validation(
            "options",
            "must be an object with expirationDays",
        ));
    }
    let days = convert::expiration_days(options)?;
    let call = CallOptions::read(options)?;
    Ok((
        inner.build(|r| r.create_snapshot_array(&ids, days)),
        call,
        requested,
    ))
}

/// Builds a request from one ID, given as the caller passed it; `Err` when the ID is refused.
pub(crate) type ById = fn(&Requests, &str) -> Result<ApiRequest, Error>;

pub(crate) fn archive_group(r: &Requests, id: &str) -> Result<ApiRequest, Error> {
    Ok(r.archive_group(&GroupId::parse(id)?))
}

pub(crate) fn get_status(r: &Requests, id: &str) -> Result<ApiRequest, Error> {
    Ok(r.get_status(&StatusId::parse(id)?))
}

pub(crate) fn get_server(r: &Requests, id: &str) -> Result<ApiRequest, Error> {
    Ok(r.get_server(&ServerId::parse(id)?))
}

pub(crate) fn get_data_center(r: &Requests, id: &str) -> Result<ApiRequest, Error> {
    Ok(r.get_data_center(&DataCenterId::parse(id)?))
}

/// Reads the ID argument `name` and the call options, and builds the request with `build`.
pub(crate) fn by_id(
    inner: &Inner,
    name: &str,
    build: ById,
    id: &JsValue,
    options: &JsValue,
) -> Result<(ApiRequest, CallOptions), Error> {
    let id = string(id, name)?;
    let req = inner.build(|r| build(r, &id))?;
    Ok((req, CallOptions::read(options)?))
}

/// Reads Get Group's ID and options (`serverDetail`, and the call options): the request, and how its answer is
/// checked (a detailed tree holds servers in every group).
pub(crate) fn group(
    inner: &Inner,
    id: &JsValue,
    options: &JsValue,
) -> Result<(ApiRequest, CallOptions, Answer), Error> {
    let id = GroupId::parse(&string(id, "groupId")?)?;
    let checked = convert::options(options, "options")?;
    let detail = field(&checked, "serverDetail")?;
    let detailed = if detail.is_undefined() {
        false
    } else if detail.as_string().as_deref() == Some("detailed") {
        true
    } else {
        return Err(Error::validation(
            "serverDetail",
            "must be \"detailed\" or absent",
        ));
    };
    let (req, shape) = inner.build(|r| {
        if detailed {
            (r.get_group_detailed(&id), &shape::GROUP_DETAILED)
        } else {
            (r.get_group(&id), &shape::GROUP)
        }
    });
    Ok((req, CallOptions::read(options)?, Answer::Checked(shape)))
}

/// Reads `listServers`' options: `dataCenters` (an array of aliases, or absent) and the call options.
pub(crate) fn list_servers(
    options: &JsValue,
) -> Result<(Option<Vec<DataCenterId>>, CallOptions), Error> {
    let checked = convert::options(options, "options")?;
    let list = field(&checked, "dataCenters")?;
    let data_centers = if list.is_undefined() {
        None
    } else {
        let refused =
            || Error::validation("dataCenters", "must be an array of data center aliases");
        if !object::is_array(&list) {
            return Err(refused());
        }
        let items = object::items(&list).ok_or_else(|| object::unreadable("dataCenters"))?;
        let ids = items
            .iter()
            .map(|item| DataCenterId::parse(&item.as_string().ok_or_else(refused)?))
            .collect::<Result<Vec<_>, Error>>()?;
        Some(ids)
    };
    Ok((data_centers, CallOptions::read(options)?))
}

/// A synchronous `requests.*` result: the request object, or a thrown `ClcError`.
pub(crate) fn describe(req: Result<ApiRequest, Error>) -> Result<JsValue, JsValue> {
    req.map(|req| convert::request_to_js(&req))
        .map_err(JsValue::from)
}

/// The sender and session options of a client, from its checked options.
pub(crate) fn parts(client: ClientOptions) -> (BaseUrl, Sender, SessionOptions) {
    let sender = Sender {
        fetch: client.fetch,
        timeout_ms: client.timeout_ms,
        trace: client.trace,
    };
    let session = SessionOptions {
        refresh_token: client.refresh_token,
        max_concurrent: client.max_concurrent,
    };
    (client.base_url, sender, session)
}
