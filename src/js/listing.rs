//! `listServers`: the account's servers in a few reads (see `crate::listing`): the data center list (only when
//! none are named), then per data center Get Data Center and one detailed Get Group, all data centers at once.
//!
//! A data center that fails does not hide the others: the call then rejects with a `ClcError` whose `partial`
//! holds the servers that loaded and whose `failures` names each data center that did not, with its error.

use crate::prelude::*;

use alloc::rc::Rc;

use js_sys::{Array, Date, JsString, Object};
use wasm_bindgen::{JsCast, JsValue};

use super::convert::CallOptions;
use super::join::{join_all, Boxed};
use super::object::set;
use super::session::Inner;
use super::transport::{self, Reply};
use crate::listing;
use crate::request::ApiRequest;
use crate::shape;
use crate::validate::DataCenterId;
use crate::Error;

/// Reads every server of `data_centers` (default: all of the account's). `options.timeout_ms` bounds the whole
/// call, each read getting what is left of it.
pub(crate) async fn list_servers(
    inner: Rc<Inner>,
    data_centers: Option<Vec<DataCenterId>>,
    options: CallOptions,
) -> Result<JsValue, JsValue> {
    let deadline = Date::now() + options.timeout_ms.unwrap_or(inner.sender.timeout_ms);
    let data_centers = match data_centers {
        Some(dcs) => dcs,
        None => {
            let req = inner.build(|r| r.list_data_centers());
            let (reply, req) = read(&inner, req, &options, deadline).await?;
            inner.named(
                &req,
                transport::decode(&reply, &shape::DATA_CENTERS, |list| {
                    Ok(listing::data_center_ids(&&list))
                }),
            )?
        }
    };
    let loads: Vec<Boxed<Result<String, Error>>> = data_centers
        .iter()
        .map(|dc| {
            let (inner, options, dc) = (inner.clone(), options.clone(), dc.clone());
            Box::pin(async move { load(&inner, &dc, &options, deadline).await }) as Boxed<_>
        })
        .collect();
    let mut servers = String::from("[");
    let mut failed: Vec<(&str, Error)> = Vec::new();
    for (dc, loaded) in data_centers.iter().zip(join_all(loads).await) {
        match loaded {
            Ok(list) if list.is_empty() => {}
            Ok(list) => {
                if servers.len() > 1 {
                    servers.push(',');
                }
                servers.push_str(&list);
            }
            Err(e) => failed.push((dc.as_str(), e)),
        }
    }
    servers.push(']');
    let servers = transport::to_js(&JsString::from(servers))?;
    let Some((_, first)) = failed.first() else {
        return Ok(servers);
    };
    let refs: Vec<(&str, &Error)> = failed.iter().map(|(dc, e)| (*dc, e)).collect();
    let mut summary = first.clone();
    summary.message = listing::failure_message(&refs, data_centers.len());
    summary.details.clear();
    let error = JsValue::from(summary);
    let failures: Array = failed
        .into_iter()
        .map(|(dc, e)| {
            let entry = Object::new();
            set(&entry, "dataCenter", &dc.into());
            set(&entry, "error", &e.into());
            JsValue::from(entry)
        })
        .collect();
    set(error.unchecked_ref(), "partial", &servers);
    set(error.unchecked_ref(), "failures", &failures);
    Err(error)
}

/// One data center's servers, as JSON text (see `listing::servers_json`): its root group, then that group's
/// detailed tree.
async fn load(
    inner: &Rc<Inner>,
    dc: &DataCenterId,
    options: &CallOptions,
    deadline: f64,
) -> Result<String, Error> {
    let req = inner.build(|r| r.get_data_center(dc));
    let (reply, req) = read(inner, req, options, deadline).await?;
    let root = inner.named(
        &req,
        transport::decode(&reply, &shape::DATA_CENTER, |dc| {
            listing::root_group_id(&&dc).ok_or_else(|| {
                Error::decode("the data center's answer has no link to its root group")
            })
        }),
    )?;
    let req = inner.build(|r| r.get_group_detailed(&root));
    let (reply, req) = read(inner, req, options, deadline).await?;
    inner.named(
        &req,
        transport::decode(&reply, &shape::GROUP_DETAILED, |tree| {
            Ok(listing::servers_json(&tree))
        }),
    )
}

/// One read of the listing, with what is left of its deadline; the caller checks the reply and reads it in the
/// wasm, once.
async fn read(
    inner: &Rc<Inner>,
    req: ApiRequest,
    options: &CallOptions,
    deadline: f64,
) -> Result<(Reply, ApiRequest), Error> {
    let left = CallOptions {
        signal: options.signal.clone(),
        timeout_ms: Some((deadline - Date::now()).max(1.0)),
    };
    inner.exchange(req, &left).await
}
