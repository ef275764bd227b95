//! The listing reads a dashboard needs, in the shapes of the service's recorded answers: Get Data Center
//! List, and Get Group with `?serverDetail=detailed` (the whole tree with its servers in full).

mod common;

use common::*;
use serde_json::Value;

/// The fixture's data centers of the demo account.
fn demo_data_centers() -> Vec<Value> {
    let fixture = fixture();
    let account = fixture["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["alias"] == ALIAS)
        .unwrap()
        .clone();
    account["dataCenters"].as_array().unwrap().clone()
}

fn rels(links: &Value) -> Vec<String> {
    links
        .as_array()
        .expect("links")
        .iter()
        .map(|l| l["rel"].as_str().expect("a rel").to_owned())
        .collect()
}

#[tokio::test]
async fn the_data_center_list_has_every_data_center_in_the_recorded_shape() {
    let sb = Sandbox::start(200).await;
    let token = sb.login().await;
    let seeded = demo_data_centers();
    let reply = sb.get(&format!("/v2/datacenters/{ALIAS}"), &token).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let list = reply.json();
    let list = list.as_array().expect("an array");
    assert_eq!(list.len(), seeded.len());
    for (dc, seed) in list.iter().zip(&seeded) {
        let mut keys: Vec<&String> = dc.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, ["id", "links", "name"], "{dc}");
        let id = seed["id"].as_str().unwrap().to_lowercase();
        assert_eq!(dc["id"], id.as_str(), "IDs are lower-cased as recorded");
        assert_eq!(dc["name"], seed["name"]);
        assert!(
            dc["name"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{} - ", id.to_uppercase())),
            "{dc}"
        );
        let self_link = &dc["links"][0];
        assert_eq!(self_link["rel"], "self");
        assert_eq!(self_link["href"], format!("/v2/datacenters/demo/{id}"));
        assert!(rels(&dc["links"]).contains(&"deploymentCapabilities".to_owned()));
        // Without groupLinks=true, no group links (the service's default).
        assert!(!rels(&dc["links"]).contains(&"group".to_owned()), "{dc}");
    }

    let with_groups = sb
        .get(&format!("/v2/datacenters/{ALIAS}?groupLinks=true"), &token)
        .await
        .json();
    for (dc, seed) in with_groups.as_array().unwrap().iter().zip(&seeded) {
        let group = dc["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "group")
            .unwrap_or_else(|| panic!("no group link in {dc}"));
        let root = &seed["rootGroup"];
        assert_eq!(group["id"], root["id"]);
        assert_eq!(group["name"], root["name"]);
        // The link leads to the data center's root group.
        let href = group["href"].as_str().unwrap();
        assert_eq!(
            sb.group(&token, href.rsplit('/').next().unwrap()).await["id"],
            root["id"]
        );
        assert_eq!(sb.get(href, &token).await.json()["id"], root["id"]);
    }
}

#[tokio::test]
async fn the_data_center_list_is_the_callers_account_only() {
    let sb = Sandbox::start(200).await;
    let demo = sb.login().await;
    let other = sb.login_as(OTHER_USER, OTHER_PASSWORD).await;
    let mine = sb
        .get(&format!("/v2/datacenters/{OTHER_ALIAS}"), &other)
        .await;
    assert_eq!(mine.status, 200, "{}", mine.text);
    let ids: Vec<Value> = mine
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].clone())
        .collect();
    assert_eq!(ids, [Value::from("wa1")]);
    let theirs = sb
        .get(&format!("/v2/datacenters/{OTHER_ALIAS}"), &demo)
        .await;
    assert_eq!(theirs.status, 403);
    let nobody = sb
        .send("GET", &format!("/v2/datacenters/{ALIAS}"), None, None)
        .await;
    assert_eq!(nobody.status, 401);
    assert_eq!(
        nobody.message(),
        "Authorization has been denied for this request."
    );
}

/// Every group of a tree, depth first.
fn walk(group: &Value, out: &mut Vec<Value>) {
    out.push(group.clone());
    for child in group["groups"].as_array().expect("groups") {
        walk(child, out);
    }
}

#[tokio::test]
async fn a_detailed_group_carries_the_whole_tree_with_full_servers() {
    let sb = Sandbox::start(200).await;
    let token = sb.login().await;
    let path = format!("/v2/groups/{ALIAS}/{ROOT_WA1}?serverDetail=detailed");
    let reply = sb.get(&path, &token).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let mut detailed = Vec::new();
    walk(&reply.json(), &mut detailed);
    let mut plain = Vec::new();
    walk(&sb.group(&token, ROOT_WA1).await, &mut plain);
    assert_eq!(detailed.len(), plain.len());
    // All of the fixture's WA1 groups: root, Web, Database, Archive, Batch, Nightly, Reports.
    assert!(detailed.len() >= 6, "{}", detailed.len());

    let mut servers_seen = 0;
    for (group, flat) in detailed.iter().zip(&plain) {
        assert_eq!(group["id"], flat["id"]);
        assert_eq!(group["serversCount"], flat["serversCount"]);
        let seed = fixture_group(group["id"].as_str().unwrap());
        let seeded: Vec<&str> = seed["servers"]
            .as_array()
            .map(|s| s.iter().map(|s| s["id"].as_str().unwrap()).collect())
            .unwrap_or_default();
        let servers = group["servers"]
            .as_array()
            .unwrap_or_else(|| panic!("no servers in {}", group["name"]));
        let ids: Vec<&str> = servers.iter().map(|s| s["id"].as_str().unwrap()).collect();
        assert_eq!(ids, seeded, "servers of {}", group["name"]);
        for server in servers {
            // Exactly what Get Server answers, groupId included.
            let id = server["id"].as_str().unwrap();
            assert_eq!(*server, sb.server(&token, id).await);
            assert_eq!(server["groupId"], group["id"]);
            servers_seen += 1;
        }
        // Servers are inline, so not also links; the other links stay.
        let links = rels(&group["links"]);
        assert!(!links.contains(&"server".to_owned()), "{links:?}");
        assert!(links.contains(&"self".to_owned()));
        let flat_servers = rels(&flat["links"])
            .iter()
            .filter(|r| *r == "server")
            .count();
        assert_eq!(flat_servers, seeded.len());
        // Without the option, no servers key at all (unchanged).
        assert!(flat.get("servers").is_none(), "{flat}");
    }
    assert_eq!(detailed[0]["serversCount"], servers_seen);
}

#[tokio::test]
async fn a_detailed_tree_shows_what_jobs_did_and_any_subtree_can_be_read() {
    let sb = Sandbox::start(100).await;
    let token = sb.login().await;
    let job = sb.queue(&token, "shutDown", &[NGT01]).await;
    sb.advance(200).await;
    assert_eq!(sb.job_status(&token, &job).await, "succeeded");
    let path = format!("/v2/groups/{ALIAS}/{GROUP_BATCH}?serverDetail=detailed");
    let batch = sb.get(&path, &token).await.json();
    assert_eq!(batch["id"], GROUP_BATCH);
    assert_eq!(batch["servers"][0]["id"], BAT01);
    let nightly = &batch["groups"][0];
    assert_eq!(nightly["id"], GROUP_NIGHTLY);
    let ngt01 = nightly["servers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == NGT01)
        .expect("NGT01 in Nightly");
    assert_eq!(ngt01["details"]["powerState"], "stopped");
    // Other values of serverDetail leave the answer as it was.
    for query in ["", "?serverDetail=none", "?serverDetail="] {
        let path = format!("/v2/groups/{ALIAS}/{GROUP_BATCH}{query}");
        let group = sb.get(&path, &token).await.json();
        assert!(group.get("servers").is_none(), "{query}: {group}");
    }
}
