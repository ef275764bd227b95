//! Preparing the calls of the exported classes: each method's arguments read and checked into the request it
//! sends, and the runners that send it and shape its answer (batch results in the request's order).

use crate::prelude::*;

use alloc::rc::Rc;

use js_sys::{Array, Promise};
use wasm_bindgen::{JsCast, JsValue};

use super::convert::{self, string, CallOptions, ClientOptions};
use super::object::{self, field, get, set};
use super::sender::{promise, rejected, Answer, Sender};
use super::session::{Inner, SessionOptions};
use crate::request::{ApiRequest, Requests, ServerOp};
use crate::shape;
use crate::validate::{BaseUrl, DataCenterId, GroupId, ServerId, ServerIds, StatusId};
use crate::{order, Error};

pub(crate) const OPERATIONS: Answer = Answer::Checked(&shape::SERVER_OPERATIONS);

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
    let inner = inner.clone();
    promise(Box::pin(
        async move { inner.call(req, &options, answer).await },
    ))
}

/// Sends a server operation and puts its results in the request's order, each named as the caller spelled it.
pub(crate) fn run_batch(
    inner: &Rc<Inner>,
    prepared: Result<(ApiRequest, CallOptions, ServerIds), Error>,
) -> Promise {
    let (req, options, ids) = match prepared {
        Ok(p) => p,
        Err(e) => return rejected(e),
    };
    let inner = inner.clone();
    promise(Box::pin(async move {
        let answer = inner.call(req, &options, OPERATIONS).await?;
        Ok(in_request_order(&answer, &ids))
    }))
}

/// The service lower-cases server names and reorders them; the caller gets them back as sent (see
/// `crate::order`: matched case-insensitively, unmatched entries kept at the end).
pub(crate) fn in_request_order(answer: &JsValue, ids: &ServerIds) -> JsValue {
    let items = object::items(answer).unwrap_or_default();
    let returned: Vec<String> = items
        .iter()
        .map(|item| get(item, "server").as_string().unwrap_or_default())
        .collect();
    let returned: Vec<&str> = returned.iter().map(String::as_str).collect();
    let requested: Vec<&str> = ids.iter().map(ServerId::as_str).collect();
    let out = Array::new();
    for placed in order::request_order(&requested, &returned) {
        let Some(item) = items.get(placed.returned) else {
            continue;
        };
        if let Some(name) = placed.requested.and_then(|i| requested.get(i)) {
            set(item.unchecked_ref(), "server", &JsValue::from_str(name));
        }
        out.push(item);
    }
    out.into()
}

/// Reads `ids` + call options for a server operation.
pub(crate) fn server_op(
    inner: &Inner,
    op: ServerOp,
    ids: &JsValue,
    options: &JsValue,
) -> Result<(ApiRequest, CallOptions, ServerIds), Error> {
    let ids = convert::server_ids(ids)?;
    let options = CallOptions::read(options)?;
    Ok((inner.build(|r| r.server_operation(op, &ids)), options, ids))
}

pub(crate) fn snapshot(
    inner: &Inner,
    ids: &JsValue,
    options: &JsValue,
) -> Result<(ApiRequest, CallOptions, ServerIds), Error> {
    let ids = convert::server_ids(ids)?;
    if !options.is_object() {
        return Err(Error::validation(
            "options",
            "must be an object with expirationDays",
        ));
    }
    let days = convert::expiration_days(options)?;
    let call = CallOptions::read(options)?;
    Ok((inner.build(|r| r.create_snapshot(&ids, days)), call, ids))
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
