//! The Endpoints controller (KK `pkg/controller/endpoint/endpoints_controller.go`,
//! `pkg/api/v1/endpoints/util.go` `RepackSubsets`, `pkg/controller/util/endpoint/`
//! `controller_utils.go`, `trigger_time_tracker.go`).
//!
//! Every Service with a selector gets an Endpoints object of the same name listing the pods it
//! selects: ready pods under `addresses`, the others under `notReadyAddresses`, each with the
//! ports of the Service (a named `targetPort` resolved per pod against its containers' ports).
//! Addresses that offer the same ports share a subset. The controller writes only when the
//! result differs from what exists — so the fresh cluster's `kube-dns` endpoints are left as
//! they are, and `kubernetes` (no selector: its API servers keep it) is never touched.
//!
//! Ports within a subset are ordered as Kubernetes orders them: by the MD5 of their Go
//! `%#v` rendering (`portsByHash`), which is why `kube-dns` lists `dns-tcp` before `dns`.
//! The order of several subsets is the MD5 of structures holding pointers in Kubernetes, so
//! effectively arbitrary; the lab orders them by their ports' hashes.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::replicaset::{is_pod_ready, is_terminating, key_of, pod_condition, pod_phase, split_key};
use super::{Change, EventType, Note, Plan, Robot, Write};
use crate::apiserver::handler::Verb;
use crate::apiserver::object::{self, Object};
use crate::apiserver::Informers;
use crate::k8s::status::Status;

/// `maxCapacity`: addresses an Endpoints object holds at most (beyond: truncated, annotated).
pub const MAX_CAPACITY: usize = 1_000;
/// `v1.EndpointsLastChangeTriggerTime`.
pub const LAST_CHANGE_TRIGGER_TIME: &str = "endpoints.kubernetes.io/last-change-trigger-time";
/// `v1.EndpointsOverCapacity`.
pub const OVER_CAPACITY: &str = "endpoints.kubernetes.io/over-capacity";
/// `v1.IsHeadlessService`.
pub const HEADLESS: &str = "service.kubernetes.io/headless";
/// Services whose trigger times the controller remembers at most.
pub const SERVICES_MAX: usize = 10_000;

const WATCHES: &[&str] = &["services", "pods", "endpoints"];

// ---------------------------------------------------------------------------------------------
// MD5 (RFC 1321), for `portsByHash`.

fn md5(input: &[u8]) -> [u8; 16] {
    const S: [u32; 64] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14,
        20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6,
        10, 15, 21,
    ];
    // K[i] = floor(2^32 · |sin(i + 1)|), tabulated (no floats).
    const K: [u32; 64] = [
        0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501, 0x698098d8,
        0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340,
        0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6, 0xf4d50d87,
        0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c,
        0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039,
        0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92,
        0xffeff47d, 0x85845dd1, 0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb,
        0xeb86d391,
    ];
    let mut msg = input.to_vec();
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&((input.len() as u64).wrapping_mul(8)).to_le_bytes());
    let mut h: [u32; 4] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
    for chunk in msg.chunks_exact(64) {
        let m: Vec<u32> = chunk.chunks_exact(4).map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]])).collect();
        let [mut a, mut b, mut c, mut d] = h;
        for i in 0..64 {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let rotated = a.wrapping_add(f).wrapping_add(K[i]).wrapping_add(m[g]).rotate_left(S[i]);
            a = d;
            d = c;
            c = b;
            b = b.wrapping_add(rotated);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 16];
    for (i, word) in h.iter().enumerate() {
        out[4 * i..4 * i + 4].copy_from_slice(&word.to_le_bytes());
    }
    out
}

/// `portsByHash`'s key: MD5 of spew's `%#v` of a `v1.EndpointPort` (hashutil `DeepHashObject`).
fn port_hash(port: &Value) -> [u8; 16] {
    let app_protocol = match port.get("appProtocol").and_then(Value::as_str) {
        // Go prints the pointer's address here; the lab prints the value (deterministic).
        Some(p) => format!("(*string){p}"),
        None => "(*string)<nil>".to_string(),
    };
    let text = format!(
        "(v1.EndpointPort){{Name:(string){} Port:(int32){} Protocol:(v1.Protocol){} AppProtocol:{app_protocol}}}",
        object::str_at(port, "/name"),
        port.get("port").and_then(Value::as_i64).unwrap_or(0),
        object::str_at(port, "/protocol"),
    );
    md5(text.as_bytes())
}

// ---------------------------------------------------------------------------------------------
// Building the subsets.

/// `LessEndpointAddress`: by IP (as bytes), then by the target's UID.
fn address_order(a: &Value, b: &Value) -> std::cmp::Ordering {
    object::str_at(a, "/ip")
        .cmp(object::str_at(b, "/ip"))
        .then_with(|| object::str_at(a, "/targetRef/uid").cmp(object::str_at(b, "/targetRef/uid")))
}

/// `podutil.FindPort`: the container port a Service port's `targetPort` means for this pod.
fn find_port(pod: &Object, service_port: &Value) -> Option<i64> {
    let protocol = protocol_of(service_port);
    match service_port.get("targetPort") {
        Some(Value::String(name)) => pod
            .pointer("/spec/containers")?
            .as_array()?
            .iter()
            .flat_map(|c| c.get("ports").and_then(Value::as_array).into_iter().flatten())
            .find(|p| object::str_at(p, "/name") == name && protocol_of(p) == protocol)
            .and_then(|p| p.get("containerPort")?.as_i64()),
        Some(Value::Number(n)) if n.as_i64().is_some_and(|n| n > 0) => n.as_i64(),
        // Defaulting sets targetPort to the port; be as lenient when it is missing.
        _ => service_port.get("port").and_then(Value::as_i64),
    }
}

fn protocol_of(port: &Value) -> &str {
    match object::str_at(port, "/protocol") {
        "" => "TCP",
        p => p,
    }
}

/// `endpointPortFromServicePort`.
fn endpoint_port(service_port: &Value, port: i64) -> Value {
    let mut p = json!({"port": port, "protocol": protocol_of(service_port)});
    for field in ["name", "appProtocol"] {
        if let Some(v) = service_port.get(field).and_then(Value::as_str).filter(|v| !v.is_empty()) {
            p[field] = json!(v);
        }
    }
    p
}

/// `podToEndpointAddressForService`: the pod's IP of the Service's family, its node, itself.
fn pod_address(service: &Object, pod: &Object) -> Option<Value> {
    let ipv6 = object::str_at(service, "/spec/ipFamilies/0") == "IPv6";
    let ips = pod.pointer("/status/podIPs").and_then(Value::as_array);
    let ip = ips
        .into_iter()
        .flatten()
        .map(|p| object::str_at(p, "/ip"))
        .chain(std::iter::once(object::str_at(pod, "/status/podIP")))
        .find(|ip| !ip.is_empty() && ip.contains(':') == ipv6)?;
    let mut address = json!({
        "ip": ip,
        "nodeName": object::str_at(pod, "/spec/nodeName"),
        "targetRef": {"kind": "Pod", "namespace": object::namespace(pod), "name": object::name(pod),
                      "uid": object::str_at(pod, "/metadata/uid")},
    });
    // `ShouldSetHostname`.
    let hostname = object::str_at(pod, "/spec/hostname");
    if !hostname.is_empty()
        && object::str_at(pod, "/spec/subdomain") == object::name(service)
        && object::namespace(pod) == object::namespace(service)
    {
        address["hostname"] = json!(hostname);
    }
    Some(address)
}

/// `ShouldPodBeInEndpoints`: not finished, has an IP, and not terminating unless the Service
/// publishes not-ready addresses.
fn should_be_in_endpoints(pod: &Object, include_terminating: bool) -> bool {
    !matches!(pod_phase(pod), "Succeeded" | "Failed")
        && (!object::str_at(pod, "/status/podIP").is_empty()
            || pod.pointer("/status/podIPs").and_then(Value::as_array).is_some_and(|a| !a.is_empty()))
        && (include_terminating || !is_terminating(pod))
}

/// The subsets `syncService` computes then `RepackSubsets` packs: addresses grouped by the
/// set of ports they offer, each list sorted.
fn subsets_for(service: &Object, pods: &[&Object]) -> Vec<Value> {
    let publish_not_ready = service.pointer("/spec/publishNotReadyAddresses") == Some(&Value::Bool(true));
    let service_ports = service.pointer("/spec/ports").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
    let headless = object::str_at(service, "/spec/clusterIP") == "None";
    // (address, ready) → its ports.
    let mut offers: BTreeMap<(String, bool), (Value, Vec<Value>)> = BTreeMap::new();
    for pod in pods {
        if !should_be_in_endpoints(pod, publish_not_ready) {
            continue;
        }
        let Some(address) = pod_address(service, pod) else { continue };
        let ready = publish_not_ready || is_pod_ready(pod);
        let ports: Vec<Value> =
            service_ports.iter().filter_map(|sp| find_port(pod, sp).map(|n| endpoint_port(sp, n))).collect();
        if ports.is_empty() && !(service_ports.is_empty() && headless) {
            continue;
        }
        let id = format!("{}/{}", object::str_at(&address, "/ip"), object::str_at(&address, "/targetRef/uid"));
        let entry = offers.entry((id, ready)).or_insert_with(|| (address, Vec::new()));
        entry.1.extend(ports);
    }
    // Group addresses by their (sorted) port set.
    // Port hashes → (ready addresses, not-ready addresses, ports).
    type Group = (Vec<Value>, Vec<Value>, Vec<Value>);
    let mut groups: BTreeMap<Vec<[u8; 16]>, Group> = BTreeMap::new();
    for ((_, ready), (address, mut ports)) in offers {
        ports.sort_by_key(port_hash);
        ports.dedup();
        let group = groups.entry(ports.iter().map(port_hash).collect()).or_default();
        group.2 = ports;
        if ready {
            group.0.push(address);
        } else {
            group.1.push(address);
        }
    }
    groups
        .into_values()
        .map(|(mut ready, mut not_ready, ports)| {
            ready.sort_by(address_order);
            not_ready.sort_by(address_order);
            subset(ready, not_ready, ports)
        })
        .collect()
}

/// A subset as Go serializes it (`omitempty` on all three lists).
fn subset(ready: Vec<Value>, not_ready: Vec<Value>, ports: Vec<Value>) -> Value {
    let mut s = Map::new();
    for (field, list) in [("addresses", ready), ("notReadyAddresses", not_ready), ("ports", ports)] {
        if !list.is_empty() {
            s.insert(field.into(), Value::Array(list));
        }
    }
    Value::Object(s)
}

/// Subsets in a canonical form for comparing (`endpointSubsetsEqualIgnoreResourceVersion`,
/// made order-insensitive where Kubernetes' order is arbitrary).
fn canonical(subsets: Option<&Value>) -> Vec<Value> {
    let list = |s: &Value, field: &str| s.get(field).and_then(Value::as_array).cloned().unwrap_or_default();
    let mut out: Vec<Value> = subsets
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|s| {
            let strip = |mut addrs: Vec<Value>| {
                for a in &mut addrs {
                    if let Some(r) = a.get_mut("targetRef").and_then(Value::as_object_mut) {
                        r.remove("resourceVersion");
                    }
                }
                addrs.sort_by(address_order);
                addrs
            };
            let mut ports = list(s, "ports");
            ports.sort_by_key(port_hash);
            subset(strip(list(s, "addresses")), strip(list(s, "notReadyAddresses")), ports)
        })
        .filter(|s| s.as_object().is_some_and(|m| !m.is_empty()))
        .collect();
    out.sort_by_key(|s| s.to_string());
    out
}

/// `truncateEndpoints`: beyond MAX_CAPACITY addresses, keep a share of each subset (not-ready
/// ones go first; ready ones only if they alone are too many). Returns whether it truncated.
fn truncate(subsets: &mut [Value]) -> bool {
    let count = |s: &Value, f: &str| s.get(f).and_then(Value::as_array).map_or(0, Vec::len);
    let ready: usize = subsets.iter().map(|s| count(s, "addresses")).sum();
    let not_ready: usize = subsets.iter().map(|s| count(s, "notReadyAddresses")).sum();
    if ready + not_ready <= MAX_CAPACITY {
        return false;
    }
    let truncate_ready = ready > MAX_CAPACITY;
    let (max, total, field) = if truncate_ready {
        (MAX_CAPACITY, ready, "addresses")
    } else {
        (MAX_CAPACITY - ready, not_ready, "notReadyAddresses")
    };
    let mut room = max;
    for s in subsets.iter_mut() {
        // The subset's share, rounded up (Go: math.Ceil of a float ratio).
        let keep = (count(s, field) * max).div_ceil(total).min(room);
        if let Some(list) = s.get_mut(field).and_then(Value::as_array_mut) {
            list.truncate(keep);
            room -= list.len();
        }
        if truncate_ready {
            s.as_object_mut().map(|m| m.remove("notReadyAddresses"));
        }
    }
    true
}

// ---------------------------------------------------------------------------------------------
// The controller.

/// `TriggerTimeTracker`'s memory of one Service (Unix seconds).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
struct Triggers {
    service_s: Option<u64>,
    pods_s: BTreeMap<String, u64>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct EndpointsController {
    /// (namespace, name) → what the last sync saw.
    triggers: BTreeMap<(String, String), Triggers>,
}

/// A Service's selector, if it has one (an empty map is stored as none).
fn selector(service: &Object) -> Option<&Map<String, Value>> {
    service.pointer("/spec/selector").and_then(Value::as_object).filter(|m| !m.is_empty())
}

fn selects(service: &Object, pod: &Object) -> bool {
    selector(service)
        .is_some_and(|sel| sel.iter().all(|(k, v)| pod.pointer("/metadata/labels").and_then(|l| l.get(k)) == Some(v)))
}

fn labels(obj: &Object) -> Map<String, Value> {
    obj.pointer("/metadata/labels").and_then(Value::as_object).cloned().unwrap_or_default()
}

impl EndpointsController {
    pub fn new() -> EndpointsController {
        EndpointsController::default()
    }

    /// `ComputeEndpointLastChangeTriggerTime`: the earliest trigger (a pod's Ready transition,
    /// the Service's creation) that changed since the last sync; a Service seen for the first
    /// time gives its creation time.
    fn trigger_time_s(&mut self, service: &Object, pods: &[&Object]) -> Option<u64> {
        let key = (object::namespace(service).to_string(), object::name(service).to_string());
        if !self.triggers.contains_key(&key) && self.triggers.len() >= SERVICES_MAX {
            return None;
        }
        let known = self.triggers.contains_key(&key);
        let state = self.triggers.entry(key).or_default();
        let created_s = object::parse_rfc3339(object::str_at(service, "/metadata/creationTimestamp"));
        let mut min_changed: Option<u64> = None;
        let mut pods_s = BTreeMap::new();
        for pod in pods {
            let ready_change = pod_condition(pod, "Ready")
                .and_then(|c| object::parse_rfc3339(object::str_at(c, "/lastTransitionTime")));
            if let Some(t) = ready_change {
                pods_s.insert(object::name(pod).to_string(), t);
                if state.pods_s.get(object::name(pod)).is_none_or(|&last| t > last) {
                    min_changed = Some(min_changed.map_or(t, |m| m.min(t)));
                }
            }
        }
        if let Some(t) = created_s.filter(|&t| state.service_s.is_none_or(|last| t > last)) {
            min_changed = Some(min_changed.map_or(t, |m| m.min(t)));
        }
        state.pods_s = pods_s;
        state.service_s = created_s;
        if known {
            min_changed
        } else {
            created_s
        }
    }

    /// `GetPodServiceMemberships`: keys of the Services in the pod's namespace selecting it.
    fn memberships(cache: &dyn Informers, pod: &Object) -> Vec<String> {
        cache.list("services", object::namespace(pod)).into_iter().filter(|s| selects(s, pod)).map(key_of).collect()
    }

    /// `podEndpointsChanged` → (pod changed, labels changed).
    fn pod_changes(old: &Object, new: &Object) -> (bool, bool) {
        let at = |o: &Object, p: &str| o.pointer(p).cloned();
        let labels_changed = at(old, "/metadata/labels") != at(new, "/metadata/labels")
            || at(old, "/spec/hostname") != at(new, "/spec/hostname")
            || at(old, "/spec/subdomain") != at(new, "/spec/subdomain");
        let pod_changed = at(old, "/metadata/deletionTimestamp") != at(new, "/metadata/deletionTimestamp")
            || is_pod_ready(old) != is_pod_ready(new)
            || at(old, "/status/podIPs") != at(new, "/status/podIPs")
            || at(old, "/status/podIP") != at(new, "/status/podIP");
        (pod_changed, labels_changed)
    }
}

impl Robot for EndpointsController {
    fn name(&self) -> &'static str {
        "endpoint"
    }

    fn service_account(&self) -> &'static str {
        "endpoint-controller"
    }

    fn watches(&self) -> &'static [&'static str] {
        WATCHES
    }

    /// `--concurrent-endpoint-syncs` default.
    fn workers(&self) -> usize {
        5
    }

    fn keys_for(&mut self, change: Change<'_>, cache: &dyn Informers, _now_us: u64) -> Vec<String> {
        let mut keys = match (change.resource, change.old, change.new) {
            ("services", _, Some(s)) | ("services", Some(s), None) => vec![key_of(s)],
            // `onEndpointsDelete`: put back what was deleted (or delete the rest if the Service went).
            ("endpoints", Some(e), None) => vec![key_of(e)],
            ("pods", None, Some(pod)) | ("pods", Some(pod), None) => Self::memberships(cache, pod),
            ("pods", Some(old), Some(new)) => {
                // `GetServicesToUpdateOnPodChange`.
                if object::resource_version(old) == object::resource_version(new) {
                    return Vec::new();
                }
                let (pod_changed, labels_changed) = Self::pod_changes(old, new);
                let now = Self::memberships(cache, new);
                if labels_changed {
                    let before = Self::memberships(cache, old);
                    if pod_changed {
                        now.into_iter().chain(before).collect()
                    } else {
                        // Only the Services it joined or left.
                        let left = before.iter().filter(|k| !now.contains(k)).cloned().collect::<Vec<_>>();
                        now.iter().filter(|k| !before.contains(k)).cloned().chain(left).collect()
                    }
                } else if pod_changed {
                    now
                } else {
                    Vec::new()
                }
            }
            _ => Vec::new(),
        };
        keys.sort();
        keys.dedup();
        keys
    }

    /// `syncService`.
    fn sync(&mut self, key: &str, cache: &dyn Informers, _now_us: u64) -> Plan {
        let (namespace, name) = split_key(key);
        let mut plan = Plan::default();
        let Some(service) = cache.get("services", namespace, name) else {
            // The Service is gone: so are its endpoints (a 404 is fine).
            self.triggers.remove(&(namespace.to_string(), name.to_string()));
            plan.batches.push(vec![Write::delete("endpoints", namespace, name)]);
            return plan;
        };
        if object::str_at(service, "/spec/type") == "ExternalName" || selector(service).is_none() {
            return plan;
        }
        let pods: Vec<&Object> = cache.list("pods", namespace).into_iter().filter(|p| selects(service, p)).collect();
        let trigger_s = self.trigger_time_s(service, &pods);
        let mut subsets = subsets_for(service, &pods);

        let current = cache.get("endpoints", namespace, name);
        let mut service_labels = labels(service);
        let mut current_labels = current.map(labels).unwrap_or_default();
        current_labels.remove(HEADLESS);
        let annotations = current.and_then(|e| e.pointer("/metadata/annotations")).and_then(Value::as_object);
        let total: usize = subsets
            .iter()
            .map(|s| {
                ["addresses", "notReadyAddresses"]
                    .iter()
                    .filter_map(|f| s.get(*f)?.as_array())
                    .map(Vec::len)
                    .sum::<usize>()
            })
            .sum();
        let capacity_annotation_ok =
            total <= MAX_CAPACITY && annotations.is_none_or(|a| !a.contains_key(OVER_CAPACITY));
        if let Some(current) = current {
            if canonical(current.get("subsets")) == canonical(Some(&Value::Array(subsets.clone())))
                && current_labels == service_labels
                && capacity_annotation_ok
            {
                return plan;
            }
        }

        let mut endpoints = current.cloned().unwrap_or_else(
            || json!({"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": name, "namespace": namespace}}),
        );
        let truncated = truncate(&mut subsets);
        if object::str_at(service, "/spec/clusterIP") == "None" {
            service_labels.insert(HEADLESS.into(), json!(""));
        }
        let meta = object::metadata_mut(&mut endpoints);
        if service_labels.is_empty() {
            meta.remove("labels");
        } else {
            meta.insert("labels".into(), Value::Object(service_labels));
        }
        let mut annotations = meta.get("annotations").and_then(Value::as_object).cloned().unwrap_or_default();
        match trigger_s {
            Some(t) => annotations.insert(LAST_CHANGE_TRIGGER_TIME.into(), json!(object::rfc3339(t))),
            None => annotations.remove(LAST_CHANGE_TRIGGER_TIME),
        };
        if truncated {
            annotations.insert(OVER_CAPACITY.into(), json!("truncated"));
        } else {
            annotations.remove(OVER_CAPACITY);
        }
        if annotations.is_empty() {
            meta.remove("annotations");
        } else {
            meta.insert("annotations".into(), Value::Object(annotations));
        }
        let body = endpoints.as_object_mut().expect("built as a map");
        if subsets.is_empty() {
            body.remove("subsets");
        } else {
            body.insert("subsets".into(), Value::Array(subsets));
        }
        let write = match current {
            None => Write::create("endpoints", namespace, endpoints),
            // With the resourceVersion read: a concurrent writer makes this a 409 and a retry.
            Some(_) => Write::update("endpoints", endpoints),
        };
        plan.batches.push(vec![write]);
        plan
    }

    /// `FailedToCreateEndpoint` / `FailedToUpdateEndpoint` (Warning), about the Endpoints.
    fn answered(&mut self, key: &str, write: &Write, result: Result<&Object, &Status>, _now_us: u64) -> Plan {
        let mut plan = Plan::default();
        let Err(status) = result else { return plan };
        let (namespace, name) = split_key(key);
        let (reason, message) = match write.verb {
            Verb::Create => {
                let terminating_ns = status
                    .details
                    .as_ref()
                    .is_some_and(|d| d.causes.iter().any(|c| c.reason == "NamespaceTerminating"));
                if status.code == 403 && terminating_ns {
                    return plan;
                }
                (
                    "FailedToCreateEndpoint",
                    format!("Failed to create endpoint for service {namespace}/{name}: {}", status.message),
                )
            }
            Verb::Update => {
                ("FailedToUpdateEndpoint", format!("Failed to update endpoint {namespace}/{name}: {}", status.message))
            }
            _ => return plan,
        };
        let uid = write.body.as_ref().map(|b| object::str_at(b, "/metadata/uid").to_string()).unwrap_or_default();
        plan.notes.push(Note {
            resource: "endpoints",
            namespace: namespace.to_string(),
            name: name.to_string(),
            uid,
            kind: EventType::Warning,
            reason: reason.to_string(),
            message,
        });
        plan
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::ObjectSet;
    use crate::sim::US_PER_S;

    const NS: &str = "default";

    fn ts(s: u64) -> String {
        object::rfc3339(object::EPOCH_UNIX_S + s)
    }

    fn service(ports: Value) -> Object {
        json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "web", "namespace": NS, "uid": "svc-uid", "labels": {"app": "web"},
                         "creationTimestamp": ts(100), "resourceVersion": "5"},
            "spec": {"selector": {"app": "web"}, "clusterIP": "10.96.10.10", "ipFamilies": ["IPv4"], "ports": ports},
        })
    }

    fn pod(name: &str, ip: &str, ready: bool) -> Object {
        json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": NS, "uid": format!("uid-{name}"), "labels": {"app": "web"},
                         "resourceVersion": "9"},
            "spec": {"nodeName": "challenge-cluster-worker", "containers": [
                {"name": "nginx", "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}]}]},
            "status": {"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}],
                       "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" },
                                       "lastTransitionTime": ts(200)}]},
        })
    }

    fn cache(objs: Vec<(&str, Object)>) -> ObjectSet {
        let mut s = ObjectSet::new();
        for (r, o) in objs {
            s.insert(r, o);
        }
        s
    }

    fn only_write(plan: &Plan) -> &Write {
        assert_eq!(plan.batches.len(), 1);
        assert_eq!(plan.batches[0].len(), 1);
        &plan.batches[0][0]
    }

    /// RFC 1321's test suite.
    #[test]
    fn md5_matches_rfc_1321() {
        let hex = |d: [u8; 16]| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
        assert_eq!(hex(md5(b"")), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(hex(md5(b"abc")), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(hex(md5(b"message digest")), "f96b697d7cb7938d525a2f31aaf161d0");
        assert_eq!(
            hex(md5(b"12345678901234567890123456789012345678901234567890123456789012345678901234567890")),
            "57edf4a22be3c955ac49da2e2107b67a"
        );
    }

    /// `portsByHash` puts kube-dns's ports in the order a real cluster (and the lab's bootstrap)
    /// shows: dns-tcp, dns, metrics.
    #[test]
    fn ports_are_ordered_by_hash_like_kubernetes() {
        let mut ports = [
            json!({"name": "dns", "port": 53, "protocol": "UDP"}),
            json!({"name": "dns-tcp", "port": 53, "protocol": "TCP"}),
            json!({"name": "metrics", "port": 9153, "protocol": "TCP"}),
        ];
        ports.sort_by_key(port_hash);
        let names: Vec<&str> = ports.iter().map(|p| object::str_at(p, "/name")).collect();
        assert_eq!(names, ["dns-tcp", "dns", "metrics"]);
    }

    /// `kubectl expose`: a new Service gets Endpoints with ready pods under addresses, the
    /// others under notReadyAddresses, the named targetPort resolved, sorted by IP.
    #[test]
    fn a_new_service_gets_endpoints_for_its_pods() {
        let svc = service(json!([{"name": "http", "port": 80, "protocol": "TCP", "targetPort": "http"}]));
        let mut terminating = pod("c", "10.244.1.4", true);
        terminating["metadata"]["deletionTimestamp"] = json!(ts(300));
        let mut finished = pod("d", "10.244.1.5", false);
        finished["status"]["phase"] = json!("Succeeded");
        let mut other = pod("e", "10.244.1.6", true);
        other["metadata"]["labels"] = json!({"app": "db"});
        let c = cache(vec![
            ("services", svc),
            ("pods", pod("a", "10.244.2.7", true)),
            ("pods", pod("b", "10.244.1.3", true)),
            ("pods", pod("z", "10.244.1.9", false)),
            ("pods", pod("pending", "", false)),
            ("pods", terminating),
            ("pods", finished),
            ("pods", other),
        ]);
        let mut ctl = EndpointsController::new();
        let plan = ctl.sync("default/web", &c, 3_600 * US_PER_S);
        let w = only_write(&plan);
        assert_eq!((w.verb, w.resource, w.namespace.as_str(), w.name.as_str()), (Verb::Create, "endpoints", NS, "web"));
        let addr = |name: &str, ip: &str| {
            json!({"ip": ip, "nodeName": "challenge-cluster-worker",
                   "targetRef": {"kind": "Pod", "namespace": NS, "name": name, "uid": format!("uid-{name}")}})
        };
        assert_eq!(
            w.body.as_ref().expect("endpoints"),
            &json!({
                "apiVersion": "v1", "kind": "Endpoints",
                "metadata": {"name": "web", "namespace": NS, "labels": {"app": "web"},
                             "annotations": {LAST_CHANGE_TRIGGER_TIME: ts(100)}},
                "subsets": [{
                    "addresses": [addr("b", "10.244.1.3"), addr("a", "10.244.2.7")],
                    "notReadyAddresses": [addr("z", "10.244.1.9")],
                    "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
                }],
            })
        );
    }

    /// The fresh cluster: kube-dns's endpoints are already right and `kubernetes` has no
    /// selector — the controller writes nothing.
    #[test]
    fn the_fresh_clusters_endpoints_are_left_alone() {
        let mut c = ObjectSet::new();
        for (r, o) in crate::apiserver::bootstrap::cluster_objects(3, 2) {
            c.insert(r, o);
        }
        let mut ctl = EndpointsController::new();
        let services: Vec<String> = c.list("services", "").into_iter().map(key_of).collect();
        assert!(services.contains(&"kube-system/kube-dns".to_string()));
        assert!(services.contains(&"default/kubernetes".to_string()));
        for key in services {
            let plan = ctl.sync(&key, &c, 0);
            assert!(plan.batches.is_empty(), "{key}: {:?}", plan.batches);
        }
        // Had it been wrong, it would be rewritten in the same shape.
        let mut stale = c.get("endpoints", "kube-system", "kube-dns").cloned().expect("bootstrapped");
        let want = stale.clone();
        if let Some(a) = stale["subsets"][0]["addresses"].as_array_mut() {
            a.truncate(1);
        }
        stale["metadata"]["resourceVersion"] = json!("77");
        c.insert("endpoints", stale);
        let plan = ctl.sync("kube-system/kube-dns", &c, 0);
        let w = only_write(&plan);
        assert_eq!(w.verb, Verb::Update);
        let body = w.body.as_ref().expect("endpoints");
        assert_eq!(body["subsets"], want["subsets"]);
        assert_eq!(body["metadata"]["resourceVersion"], "77", "an update carries the resourceVersion read");
    }

    /// A pod going not-ready moves to notReadyAddresses, with the trigger time of that change.
    #[test]
    fn readiness_changes_move_addresses_and_stamp_the_trigger_time() {
        let svc = service(json!([{"port": 80, "protocol": "TCP", "targetPort": 8080}]));
        let mut c = cache(vec![("services", svc), ("pods", pod("a", "10.244.1.3", true))]);
        let mut ctl = EndpointsController::new();
        let created = only_write(&ctl.sync("default/web", &c, 0)).body.clone().expect("endpoints");
        assert_eq!(created["subsets"][0]["ports"], json!([{"port": 8080, "protocol": "TCP"}]), "no name: omitted");
        let mut stored = created.clone();
        stored["metadata"]["resourceVersion"] = json!("12");
        c.insert("endpoints", stored);
        assert!(ctl.sync("default/web", &c, 0).is_empty(), "equal: no write");
        let old = c.get("pods", NS, "a").cloned().expect("there");
        let mut sick = pod("a", "10.244.1.3", false);
        sick["metadata"]["resourceVersion"] = json!("10");
        sick["status"]["conditions"][0]["lastTransitionTime"] = json!(ts(500));
        c.insert("pods", sick.clone());
        assert_eq!(
            ctl.keys_for(Change { resource: "pods", old: Some(&old), new: Some(&sick) }, &c, 0),
            ["default/web"]
        );
        let body = only_write(&ctl.sync("default/web", &c, 0)).body.clone().expect("endpoints");
        assert!(body["subsets"][0].get("addresses").is_none());
        assert_eq!(body["subsets"][0]["notReadyAddresses"][0]["ip"], "10.244.1.3");
        assert_eq!(body["metadata"]["annotations"][LAST_CHANGE_TRIGGER_TIME], ts(500));
    }

    /// `GetServicesToUpdateOnPodChange`: label changes wake the Services joined or left; an
    /// irrelevant change (an annotation) wakes none.
    #[test]
    fn pod_changes_wake_the_services_that_select_it_before_or_after() {
        let web = service(json!([]));
        let mut db = service(json!([]));
        db["metadata"]["name"] = json!("db");
        db["spec"]["selector"] = json!({"app": "db"});
        let mut no_selector = service(json!([]));
        no_selector["metadata"]["name"] = json!("manual");
        no_selector["spec"].as_object_mut().map(|s| s.remove("selector"));
        let c = cache(vec![("services", web), ("services", db), ("services", no_selector)]);
        let mut ctl = EndpointsController::new();
        let a = pod("a", "10.244.1.3", true);
        assert_eq!(ctl.keys_for(Change { resource: "pods", old: None, new: Some(&a) }, &c, 0), ["default/web"]);
        let mut moved = a.clone();
        moved["metadata"]["labels"] = json!({"app": "db"});
        moved["metadata"]["resourceVersion"] = json!("10");
        assert_eq!(
            ctl.keys_for(Change { resource: "pods", old: Some(&a), new: Some(&moved) }, &c, 0),
            ["default/db", "default/web"]
        );
        let mut annotated = a.clone();
        annotated["metadata"]["annotations"] = json!({"note": "x"});
        annotated["metadata"]["resourceVersion"] = json!("11");
        assert!(ctl.keys_for(Change { resource: "pods", old: Some(&a), new: Some(&annotated) }, &c, 0).is_empty());
        assert_eq!(ctl.keys_for(Change { resource: "pods", old: Some(&a), new: None }, &c, 0), ["default/web"]);
    }

    /// A deleted Service takes its Endpoints with it; a Service without selector is left to
    /// whoever manages its endpoints.
    #[test]
    fn a_deleted_service_deletes_its_endpoints() {
        let mut ctl = EndpointsController::new();
        let plan = ctl.sync("default/web", &ObjectSet::new(), 0);
        let w = only_write(&plan);
        assert_eq!((w.verb, w.resource, w.name.as_str()), (Verb::Delete, "endpoints", "web"));
        let mut manual = service(json!([{"port": 80}]));
        manual["spec"].as_object_mut().map(|s| s.remove("selector"));
        assert!(ctl.sync("default/web", &cache(vec![("services", manual)]), 0).is_empty());
    }

    /// Pods offering different ports (a named targetPort only some define) form two subsets;
    /// a headless Service is labelled so.
    #[test]
    fn addresses_with_different_ports_get_separate_subsets() {
        let mut svc = service(json!([
            {"name": "http", "port": 80, "protocol": "TCP", "targetPort": "http"},
            {"name": "admin", "port": 9000, "protocol": "TCP", "targetPort": 9000},
        ]));
        svc["spec"]["clusterIP"] = json!("None");
        let mut plain = pod("b", "10.244.1.4", true);
        plain["spec"]["containers"][0].as_object_mut().map(|c| c.remove("ports"));
        let c = cache(vec![("services", svc), ("pods", pod("a", "10.244.1.3", true)), ("pods", plain)]);
        let plan = EndpointsController::new().sync("default/web", &c, 0);
        let body = only_write(&plan).body.clone().expect("endpoints");
        let subsets = body["subsets"].as_array().expect("subsets");
        assert_eq!(subsets.len(), 2);
        let ports_of = |ip: &str| {
            subsets.iter().find(|s| s["addresses"][0]["ip"] == ip).map(|s| s["ports"].as_array().map_or(0, Vec::len))
        };
        assert_eq!(ports_of("10.244.1.3"), Some(2));
        assert_eq!(ports_of("10.244.1.4"), Some(1));
        assert_eq!(body["metadata"]["labels"][HEADLESS], "");
    }

    /// Over MAX_CAPACITY addresses: truncated and annotated.
    #[test]
    fn more_than_1000_addresses_are_truncated() {
        let mut objs = vec![("services", service(json!([{"port": 80, "targetPort": 8080}])))];
        for i in 0..1_100u32 {
            objs.push(("pods", pod(&format!("p{i:04}"), &format!("10.244.{}.{}", i / 250, i % 250), true)));
        }
        let plan = EndpointsController::new().sync("default/web", &cache(objs), 0);
        let body = only_write(&plan).body.clone().expect("endpoints");
        assert_eq!(body["subsets"][0]["addresses"].as_array().map(Vec::len), Some(MAX_CAPACITY));
        assert_eq!(body["metadata"]["annotations"][OVER_CAPACITY], "truncated");
    }

    #[test]
    fn a_failed_update_is_a_warning_event() {
        let mut ctl = EndpointsController::new();
        let w = Write::update("endpoints", json!({"metadata": {"name": "web", "namespace": NS, "uid": "ep-uid"}}));
        let conflict = Status {
            code: 409,
            reason: "Conflict",
            message: "Operation cannot be fulfilled on endpoints \"web\": the object has been modified; please apply \
                      your changes to the latest version and try again"
                .into(),
            details: None,
        };
        let notes = ctl.answered("default/web", &w, Err(&conflict), 0).notes;
        assert_eq!(notes.len(), 1);
        assert_eq!((notes[0].kind, notes[0].reason.as_str()), (EventType::Warning, "FailedToUpdateEndpoint"));
        assert_eq!(notes[0].message, format!("Failed to update endpoint default/web: {}", conflict.message));
        assert!(ctl.answered("default/web", &w, Ok(&json!({})), 0).notes.is_empty());
    }
}
