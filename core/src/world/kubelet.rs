//! The kubelets (issue 5): one per node. Each renews its node's Lease every 10 s, posts its
//! node's status when the Ready condition is not its own, and runs the pods bound to its node:
//! `ContainerCreating` while the image is pulled, `Running` and Ready once the container started;
//! a pod marked for deletion has its container stopped and is then deleted for good (grace 0).
//! A crashed kubelet does none of this; a partitioned one cannot reach the API servers.
//! Minimal but real: no probes, volumes, restarts of failed containers or eviction by pressure.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::factory::{FactoryEvent, Kubelet, KUBELET_LEASE_RENEW_US};
use super::{Event, World};
use crate::apiserver::{object, Informers, Object};
use crate::controllers::{EventType, Note, Write};
use crate::etcd::message::MemberId;
use crate::k8s::authn::Credential;
use crate::sim::US_PER_S;

impl Kubelet {
    pub(super) fn new(node: String, index: u8, control_planes: u8) -> Kubelet {
        Kubelet {
            control_plane: index < control_planes,
            rebooted: false,
            node,
            index,
            up: true,
            reachable: true,
            generation: 0,
            informer: crate::controllers::informer::Informer::new(&["pods", "nodes", "leases"]),
            server: index % control_planes.max(1) + 1,
            pods: Default::default(),
            next_ip: 100,
            images: BTreeSet::new(),
            lease_rv: None,
            lease_in_flight: false,
            status_in_flight: false,
            delivery_pending: false,
            restarts: 0,
        }
    }

    /// The pods whose containers this kubelet runs (or is starting, or still stopping) at
    /// `now_us`, as (`namespace/name`, uid): a crashed kubelet runs none (`lab check --factory`
    /// asks which node runs which pod).
    pub fn live_pods(&self, now_us: u64) -> Vec<(&str, &str)> {
        if !self.up {
            return Vec::new();
        }
        self.pods
            .iter()
            .filter(
                |(_, p)| !matches!(p.state, super::factory::Container::Stopping { done_at_us } if done_at_us <= now_us),
            )
            .map(|(k, p)| (k.as_str(), p.uid.as_str()))
            .collect()
    }

    fn credential(&self) -> Credential {
        Credential::ClientCert { cn: format!("system:node:{}", self.node), orgs: vec!["system:nodes".into()] }
    }

    fn host_ip(&self) -> String {
        self.informer
            .get("nodes", "", &self.node)
            .and_then(|n| n.pointer("/status/addresses/0/address"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    }
}

fn container_names(pod: &Object) -> Vec<(String, String)> {
    pod.pointer("/spec/containers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|c| (c["name"].as_str().unwrap_or("").to_string(), c["image"].as_str().unwrap_or("").to_string()))
        .collect()
}

/// `docker.io/library/nginx:latest` for `nginx` (containerd's normalized reference).
fn image_ref(image: &str) -> String {
    let with_tag = if image.rsplit('/').next().is_some_and(|last| last.contains(':') || last.contains('@')) {
        image.to_string()
    } else {
        format!("{image}:latest")
    };
    match with_tag.split('/').count() {
        1 => format!("docker.io/library/{with_tag}"),
        2 if !with_tag.split('/').next().is_some_and(|h| h.contains('.') || h.contains(':')) => {
            format!("docker.io/{with_tag}")
        }
        _ => with_tag,
    }
}

fn hex64(material: &str) -> String {
    let a = crate::hash::fnv1a(material.as_bytes());
    let b = crate::hash::fnv1a(format!("{material}/2").as_bytes());
    let c = crate::hash::fnv1a(format!("{material}/3").as_bytes());
    let d = crate::hash::fnv1a(format!("{material}/4").as_bytes());
    format!("{a:016x}{b:016x}{c:016x}{d:016x}")
}

/// The pod's status while its images are pulled (`ContainerCreating`).
fn status_creating(pod: &Object, host_ip: &str, now_us: u64) -> Value {
    let now = object::rfc3339(object::unix_s(now_us));
    let names: Vec<String> = container_names(pod).into_iter().map(|(n, _)| n).collect();
    let unready = format!("containers with unready status: [{}]", names.join(" "));
    let statuses: Vec<Value> = container_names(pod)
        .into_iter()
        .map(|(name, image)| {
            json!({"image": image, "imageID": "", "lastState": {}, "name": name, "ready": false,
                   "restartCount": 0, "started": false, "state": {"waiting": {"reason": "ContainerCreating"}}})
        })
        .collect();
    let mut status = pod.get("status").cloned().unwrap_or_else(|| json!({}));
    status["conditions"] = json!([
        {"lastProbeTime": null, "lastTransitionTime": now, "status": "True", "type": "Initialized"},
        {"lastProbeTime": null, "lastTransitionTime": now, "message": unready, "reason": "ContainersNotReady", "status": "False", "type": "Ready"},
        {"lastProbeTime": null, "lastTransitionTime": now, "message": unready, "reason": "ContainersNotReady", "status": "False", "type": "ContainersReady"},
        {"lastProbeTime": null, "lastTransitionTime": pod_scheduled_time(pod, &now), "status": "True", "type": "PodScheduled"},
    ]);
    status["containerStatuses"] = Value::Array(statuses);
    status["hostIP"] = json!(host_ip);
    status["phase"] = json!("Pending");
    status["startTime"] = json!(now);
    status
}

fn pod_scheduled_time(pod: &Object, now: &str) -> String {
    pod.pointer("/status/conditions")
        .and_then(Value::as_array)
        .and_then(|cs| cs.iter().find(|c| c["type"] == "PodScheduled"))
        .and_then(|c| c["lastTransitionTime"].as_str())
        .unwrap_or(now)
        .to_string()
}

/// The pod's status once its containers run and are ready.
fn status_running(pod: &Object, ip: &str, restarts: u64, now_us: u64) -> Value {
    let now = object::rfc3339(object::unix_s(now_us));
    let uid = object::str_at(pod, "/metadata/uid");
    let statuses: Vec<Value> = container_names(pod)
        .into_iter()
        .map(|(name, image)| {
            let r = image_ref(&image);
            let repo = r.rsplit_once(':').map(|(a, _)| a).unwrap_or(&r).to_string();
            json!({
                "containerID": format!("containerd://{}", hex64(&format!("{uid}/{name}/{restarts}"))),
                "image": r, "imageID": format!("{repo}@sha256:{}", hex64(&format!("image/{image}"))),
                "lastState": {}, "name": name, "ready": true, "restartCount": restarts, "started": true,
                "state": {"running": {"startedAt": now}},
            })
        })
        .collect();
    let mut status = pod.get("status").cloned().unwrap_or_else(|| json!({}));
    let conds = status["conditions"].as_array().cloned().unwrap_or_default();
    let keep = |kind: &str| {
        conds
            .iter()
            .find(|c| c["type"] == kind)
            .and_then(|c| c["lastTransitionTime"].as_str())
            .unwrap_or(&now)
            .to_string()
    };
    status["conditions"] = json!([
        {"lastProbeTime": null, "lastTransitionTime": keep("Initialized"), "status": "True", "type": "Initialized"},
        {"lastProbeTime": null, "lastTransitionTime": now, "status": "True", "type": "Ready"},
        {"lastProbeTime": null, "lastTransitionTime": now, "status": "True", "type": "ContainersReady"},
        {"lastProbeTime": null, "lastTransitionTime": keep("PodScheduled"), "status": "True", "type": "PodScheduled"},
    ]);
    status["containerStatuses"] = Value::Array(statuses);
    status["phase"] = json!("Running");
    status["podIP"] = json!(ip);
    status["podIPs"] = json!([{"ip": ip}]);
    status
}

/// The pod's status once the kubelet has stopped its containers for a deletion: each container
/// terminated (exit 0, `Completed`: nginx exits cleanly on SIGTERM), the pod not ready.
fn status_stopped(pod: &Object, now_us: u64) -> Value {
    let now = object::rfc3339(object::unix_s(now_us));
    let mut status = pod.get("status").cloned().unwrap_or_else(|| json!({}));
    if let Some(cs) = status["containerStatuses"].as_array_mut() {
        for c in cs {
            let started = c.pointer("/state/running/startedAt").cloned().unwrap_or_else(|| json!(now));
            let id = c["containerID"].clone();
            c["ready"] = json!(false);
            c["started"] = json!(false);
            c["state"] = json!({"terminated": {"containerID": id, "exitCode": 0, "finishedAt": now,
                "reason": "Completed", "startedAt": started}});
        }
    }
    let names: Vec<String> = container_names(pod).into_iter().map(|(n, _)| n).collect();
    let message = format!("containers with unready status: [{}]", names.join(" "));
    if let Some(conds) = status["conditions"].as_array_mut() {
        for c in conds.iter_mut().filter(|c| c["type"] == "Ready" || c["type"] == "ContainersReady") {
            *c = json!({"lastProbeTime": null, "lastTransitionTime": now, "message": message,
                "reason": "ContainersNotReady", "status": "False", "type": c["type"].clone()});
        }
    }
    status
}

fn is_ready(pod: &Object) -> bool {
    pod.pointer("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|c| c["type"] == "Ready" && c["status"] == "True")
}

impl World {
    pub(super) fn kubelet_mut(&mut self, k: usize, generation: u32) -> Option<&mut Kubelet> {
        self.factory.as_mut()?.kubelets.get_mut(k).filter(|k| k.up && k.generation == generation)
    }

    /// The kubelet's request goes through kind's load balancer (`None`: it cannot get through).
    fn kubelet_server(&mut self, k: usize) -> Option<MemberId> {
        let reachable = self.factory.as_ref()?.kubelets[k].reachable;
        if !reachable {
            return None;
        }
        self.pick_teller_any()
    }

    fn kubelet_send(&mut self, k: usize, w: &Write, waiter: super::factory::Waiter) -> bool {
        let Some(server) = self.kubelet_server(k) else { return false };
        let cred = self.factory.as_ref().map(|f| f.kubelets[k].credential()).unwrap_or(Credential::None);
        self.factory_send(server, cred, w, waiter);
        true
    }

    /// Every 10 s: renew the Lease; post the node's status if the Ready condition is not the
    /// kubelet's.
    pub(super) fn kubelet_beat(&mut self, k: usize, generation: u32) {
        let now = self.now_us;
        if self.kubelet_mut(k, generation).is_none() {
            return;
        }
        self.queue
            .push(now + KUBELET_LEASE_RENEW_US, Event::Factory(FactoryEvent::KubeletBeat { kubelet: k, generation }));
        let kl = &self.factory.as_ref().expect("factory").kubelets[k];
        if !kl.informer.has_synced() {
            return;
        }
        let node = kl.node.clone();
        let lease = kl.informer.get("leases", "kube-node-lease", &node).cloned();
        let lease_rv = kl.lease_rv;
        let lease_busy = kl.lease_in_flight;
        let node_obj = kl.informer.get("nodes", "", &node).cloned();
        let status_busy = kl.status_in_flight;
        if !lease_busy {
            let w = match lease {
                Some(mut l) => {
                    if let Some(rv) = lease_rv.filter(|&rv| rv > object::resource_version(&l)) {
                        object::set_resource_version(&mut l, rv);
                    }
                    l["spec"]["renewTime"] = json!(object::rfc3339_micro(now));
                    Write::update("leases", l)
                }
                None => {
                    let uid =
                        node_obj.as_ref().map(|n| object::str_at(n, "/metadata/uid").to_string()).unwrap_or_default();
                    let l = json!({
                        "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                        "metadata": {"name": node, "namespace": "kube-node-lease",
                            "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": node, "uid": uid}]},
                        "spec": {"holderIdentity": node, "leaseDurationSeconds": 40, "renewTime": object::rfc3339_micro(now)},
                    });
                    Write::create("leases", "kube-node-lease", l)
                }
            };
            if self.kubelet_send(k, &w, super::factory::Waiter::KubeletLease { kubelet: k, generation }) {
                if let Some(kl) = self.kubelet_mut(k, generation) {
                    kl.lease_in_flight = true;
                }
            }
        }
        let Some(node_obj) = node_obj else {
            // A new node: the kubelet registers it (`registerWithAPIServer`).
            if status_busy {
                return;
            }
            let control_planes = {
                let f = self.factory.as_ref().expect("factory");
                f.kubelets.iter().filter(|k| k.control_plane).count() as u8
            };
            let Some(n) = crate::apiserver::bootstrap::registering_node(control_planes, &node) else { return };
            let w = Write::create("nodes", "", n);
            if self.kubelet_send(k, &w, super::factory::Waiter::KubeletStatus { kubelet: k, generation }) {
                if let Some(kl) = self.kubelet_mut(k, generation) {
                    kl.status_in_flight = true;
                }
            }
            return;
        };
        let ready = node_obj
            .pointer("/status/conditions")
            .and_then(Value::as_array)
            .and_then(|cs| cs.iter().find(|c| c["type"] == "Ready"));
        let ours = ready.is_some_and(|c| c["status"] == "True" && c["reason"] == "KubeletReady");
        // `tryUpdateNodeStatus`: an unchanged status is still posted once per
        // nodeStatusReportFrequency (5 m; KW reference/node/node-status.md), with new heartbeats.
        let reported_s = ready.and_then(|c| c["lastHeartbeatTime"].as_str()).and_then(object::parse_rfc3339);
        let stale = reported_s.is_none_or(|s| object::unix_s(now) >= s + NODE_STATUS_REPORT_S);
        if (ours && !stale) || status_busy {
            return;
        }
        let mut n = node_obj.clone();
        let stamp = object::rfc3339(object::unix_s(now));
        if let Some(conds) = n.pointer_mut("/status/conditions").and_then(Value::as_array_mut) {
            for c in conds {
                let (status, reason, message) = match c["type"].as_str() {
                    Some("MemoryPressure") => {
                        ("False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available")
                    }
                    Some("DiskPressure") => ("False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                    Some("PIDPressure") => ("False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                    Some("Ready") => ("True", "KubeletReady", "kubelet is posting ready status"),
                    _ => continue,
                };
                if c["status"] != status {
                    c["lastTransitionTime"] = json!(stamp);
                }
                c["status"] = json!(status);
                c["reason"] = json!(reason);
                c["message"] = json!(message);
                c["lastHeartbeatTime"] = json!(stamp);
            }
        }
        let w = Write::update_status("nodes", n);
        if self.kubelet_send(k, &w, super::factory::Waiter::KubeletStatus { kubelet: k, generation }) {
            if let Some(kl) = self.kubelet_mut(k, generation) {
                kl.status_in_flight = true;
            }
        }
    }

    /// The kubelet's watch delivers; it starts pods newly bound to its node and stops those
    /// marked for deletion.
    pub(super) fn kubelet_deliver(&mut self, k: usize, generation: u32) {
        let now = self.now_us;
        let up_tellers: Vec<MemberId> = self
            .office
            .as_ref()
            .map(|o| o.tellers.iter().filter(|t| t.up).map(|t| t.node).collect())
            .unwrap_or_default();
        let pull_us = 2 * US_PER_S + self.rng.below(2 * US_PER_S);
        let again_us = 400_000 + self.rng.below(500_000);
        let (Some(f), Some(office)) = (self.factory.as_mut(), self.office.as_ref()) else { return };
        let Some(kl) = f.kubelets.get_mut(k).filter(|kl| kl.up && kl.generation == generation) else { return };
        kl.delivery_pending = false;
        if !kl.reachable {
            return;
        }
        if !office.tellers[(kl.server - 1) as usize].up {
            // The watch broke: reconnect through the load balancer, and list again.
            let Some(&other) = up_tellers.first() else { return };
            kl.server = other;
            kl.informer.stop();
        }
        let t = &office.tellers[(kl.server - 1) as usize];
        let first = !kl.informer.has_synced();
        let deltas = kl.informer.watch(&t.cache, now);
        let node = kl.node.clone();
        let on_node = |p: &Object| object::str_at(p, "/spec/nodeName") == node;
        let key_of = |p: &Object| format!("{}/{}", object::namespace(p), object::name(p));
        // The kubelet watches only its node's pods (`spec.nodeName=` field selector): after a
        // (re)list it takes them all, then only the changes.
        let mine: Vec<std::rc::Rc<Object>> = if first {
            let all: Vec<_> = kl.informer.all_shared("pods").into_iter().filter(|p| on_node(p)).collect();
            let names: BTreeSet<String> = all.iter().map(|p| key_of(p)).collect();
            kl.pods.retain(|key, _| names.contains(key));
            all
        } else {
            let mut changed = Vec::new();
            for d in deltas.iter().filter(|d| d.resource == "pods") {
                match (d.old.as_deref(), &d.new) {
                    (_, Some(new)) if on_node(new) => changed.push(new.clone()),
                    (Some(old), _) if on_node(old) => {
                        kl.pods.remove(&key_of(old));
                    }
                    _ => {}
                }
            }
            changed
        };
        let mut notes = Vec::new();
        for pod in &mine {
            let pod: &Object = pod;
            let key = format!("{}/{}", object::namespace(pod), object::name(pod));
            let uid = object::str_at(pod, "/metadata/uid").to_string();
            let terminating = pod.pointer("/metadata/deletionTimestamp").is_some();
            match kl.pods.get_mut(&key) {
                Some(run) if run.uid == uid => {
                    if terminating && !matches!(run.state, super::factory::Container::Stopping { .. }) {
                        run.state = super::factory::Container::Stopping { done_at_us: now + CONTAINER_STOP };
                        run.status_posted = false;
                        for (c, _) in container_names(pod) {
                            notes.push(kubelet_note(
                                pod,
                                EventType::Normal,
                                "Killing",
                                format!("Stopping container {c}"),
                            ));
                        }
                    }
                }
                _ => {
                    let running = object::str_at(pod, "/status/phase") == "Running" && is_ready(pod);
                    let ip = object::str_at(pod, "/status/podIP").to_string();
                    let (state, ip) = if terminating {
                        (super::factory::Container::Stopping { done_at_us: now + CONTAINER_STOP }, ip)
                    } else if first && running && !kl.rebooted {
                        // Already running when this kubelet (re)connected.
                        (super::factory::Container::Running, ip)
                    } else {
                        kl.next_ip += 1;
                        let ip = format!("10.244.{}.{}", kl.index, kl.next_ip % 250 + 2);
                        let images: Vec<String> = container_names(pod).into_iter().map(|(_, i)| i).collect();
                        let known = images.iter().all(|i| kl.images.contains(i));
                        let start_at_us = now + if known { again_us } else { pull_us };
                        for i in &images {
                            notes.push(kubelet_note(
                                pod,
                                EventType::Normal,
                                "Pulling",
                                format!("Pulling image \"{i}\""),
                            ));
                        }
                        (super::factory::Container::Creating { start_at_us }, ip)
                    };
                    // After a reboot the containers start again: one more restart each.
                    let restarts =
                        pod.pointer("/status/containerStatuses/0/restartCount").and_then(Value::as_u64).unwrap_or(0)
                            + u64::from(kl.rebooted && running);
                    kl.pods.insert(
                        key,
                        super::factory::PodRun {
                            uid,
                            state,
                            ip,
                            restarts,
                            busy: false,
                            written: None,
                            started_us: now,
                            status_posted: false,
                        },
                    );
                }
            }
        }
        if first {
            kl.rebooted = false;
        }
        let node_name = kl.node.clone();
        for n in notes {
            self.kubelet_event(k, &node_name, n);
        }
        // Nothing of this node's changed: its pods' timers are already set (`KubeletPods`).
        if first || !mine.is_empty() {
            self.kubelet_pods(k, generation);
        }
    }

    /// Pod work that is due: status writes, container starts and stops, final deletes.
    pub(super) fn kubelet_pods(&mut self, k: usize, generation: u32) {
        use super::factory::Container;
        let now = self.now_us;
        let Some(kl) = self.kubelet_mut(k, generation) else { return };
        if !kl.reachable {
            return;
        }
        let host_ip = kl.host_ip();
        let node = kl.node.clone();
        let mut writes: Vec<(String, Write)> = Vec::new();
        let mut notes = Vec::new();
        let mut next_us: Option<u64> = None;
        let keys: Vec<String> = kl.pods.keys().cloned().collect();
        for key in keys {
            let (ns, name) = key.split_once('/').unwrap_or(("", &key));
            let Some(pod) = kl.informer.get_shared("pods", ns, name) else { continue };
            let run = kl.pods.get_mut(&key).expect("listed above");
            if run.busy {
                continue;
            }
            let with_rv = |mut p: Object| {
                if let Some(rv) = run.written.filter(|&rv| rv > object::resource_version(&p)) {
                    object::set_resource_version(&mut p, rv);
                }
                p
            };
            match run.state {
                Container::Creating { start_at_us } if !run.status_posted => {
                    let mut p = with_rv(Object::clone(&pod));
                    p["status"] = status_creating(&pod, &host_ip, now);
                    writes.push((key.clone(), Write::update_status("pods", p)));
                    run.status_posted = true;
                    next_us = Some(next_us.map_or(start_at_us, |n| n.min(start_at_us)));
                }
                Container::Creating { start_at_us } if start_at_us <= now => {
                    let mut p = with_rv(Object::clone(&pod));
                    p["status"] = status_running(&pod, &run.ip, run.restarts, now);
                    writes.push((key.clone(), Write::update_status("pods", p)));
                    run.state = Container::Running;
                    let pulled_us = now - run.started_us;
                    for (c, image) in container_names(&pod) {
                        let d = crate::etcd::client::go_duration_us(pulled_us / 1000 * 1000);
                        notes.push(kubelet_note(
                            &pod,
                            EventType::Normal,
                            "Pulled",
                            format!("Successfully pulled image \"{image}\" in {d} ({d} including waiting)"),
                        ));
                        notes.push(kubelet_note(&pod, EventType::Normal, "Created", format!("Created container {c}")));
                        notes.push(kubelet_note(&pod, EventType::Normal, "Started", format!("Started container {c}")));
                        kl.images.insert(image);
                    }
                }
                Container::Creating { start_at_us } => {
                    next_us = Some(next_us.map_or(start_at_us, |n| n.min(start_at_us)))
                }
                Container::Running => {
                    // The node controller marked it not ready while this kubelet was away.
                    if !is_ready(&pod) && pod.pointer("/metadata/deletionTimestamp").is_none() {
                        let mut p = with_rv(Object::clone(&pod));
                        p["status"] = status_running(&pod, &run.ip, run.restarts, now);
                        writes.push((key.clone(), Write::update_status("pods", p)));
                    }
                }
                Container::Stopping { done_at_us } if done_at_us <= now && !run.status_posted && is_ready(&pod) => {
                    // `syncTerminatingPod`: the stopped containers' status first (READY 0/1, still
                    // Terminating in `kubectl get pods -w`), then the final delete.
                    let mut p = with_rv(Object::clone(&pod));
                    p["status"] = status_stopped(&pod, now);
                    writes.push((key.clone(), Write::update_status("pods", p)));
                    run.status_posted = true;
                }
                Container::Stopping { done_at_us } if done_at_us <= now => {
                    let mut w = Write::delete("pods", ns, name);
                    w.grace_period_s = Some(0);
                    w.uid = Some(run.uid.clone());
                    writes.push((key.clone(), w));
                }
                Container::Stopping { done_at_us } => next_us = Some(next_us.map_or(done_at_us, |n| n.min(done_at_us))),
            }
        }
        for (key, w) in writes {
            let waiter = super::factory::Waiter::KubeletPod { kubelet: k, generation, pod: key.clone() };
            if self.kubelet_send(k, &w, waiter) {
                if let Some(run) = self.kubelet_mut(k, generation).and_then(|kl| kl.pods.get_mut(&key)) {
                    run.busy = true;
                }
            }
        }
        for n in notes {
            self.kubelet_event(k, &node, n);
        }
        if let Some(at) = next_us {
            self.queue.push(at.max(now), Event::Factory(FactoryEvent::KubeletPods { kubelet: k, generation }));
        }
    }

    fn kubelet_event(&mut self, k: usize, node: &str, n: Note) {
        let Some(server) = self.kubelet_server(k) else { return };
        let cred = self.factory.as_ref().map(|f| f.kubelets[k].credential()).unwrap_or(Credential::None);
        self.send_event(server, cred, &n, "kubelet", node);
    }
}

/// The kubelet's `nodeStatusReportFrequency`: an unchanged node status is posted this often.
const NODE_STATUS_REPORT_S: u64 = 5 * 60;

/// A kubelet stops a container this long after its pod is marked for deletion.
const CONTAINER_STOP: u64 = 600_000;

fn kubelet_note(pod: &Object, kind: EventType, reason: &str, message: String) -> Note {
    Note::about("pods", pod, kind, reason, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// containerd normalizes short image names (`nginx` → `docker.io/library/nginx:latest`).
    #[test]
    fn image_references_are_normalized_like_containerd() {
        assert_eq!(image_ref("nginx"), "docker.io/library/nginx:latest");
        assert_eq!(image_ref("nginx:1.25"), "docker.io/library/nginx:1.25");
        assert_eq!(image_ref("bitnami/nginx"), "docker.io/bitnami/nginx:latest");
        assert_eq!(image_ref("registry.k8s.io/pause:3.9"), "registry.k8s.io/pause:3.9");
    }

    /// KK `pkg/kubelet/kubelet.go` `syncTerminatingPod`: a pod deleted gracefully shows its
    /// stopped containers (READY 0/1, still Terminating) before the kubelet's final delete.
    #[test]
    fn a_deleted_pod_shows_its_stopped_containers_before_it_goes() {
        let mut w = World::with_kubernetes(1, 3);
        for line in
            ["kubectl run web --image=nginx", "sleep 6", "kubectl get pods -w", "kubectl delete pod web", "sleep 3"]
        {
            let id = w.submit(line);
            w.run_until_done(id);
        }
        let out = w.render_transcript(0, crate::i18n::Lang::En);
        let rows: Vec<&str> = out.lines().filter(|l| l.starts_with("web ")).collect();
        let ready = |r: &str| r.split_whitespace().nth(1).unwrap_or("").to_string();
        let status = |r: &str| r.split_whitespace().nth(2).unwrap_or("").to_string();
        assert_eq!(
            rows.iter().map(|r| status(r)).collect::<Vec<_>>(),
            ["Running", "Terminating", "Terminating", "Terminating"],
            "{out}"
        );
        assert_eq!(rows.iter().map(|r| ready(r)).collect::<Vec<_>>(), ["1/1", "1/1", "0/1", "0/1"], "{out}");
    }

    /// KW `reference/node/node-status.md`: besides the Lease every 10 s, a kubelet posts its
    /// unchanged node status every `nodeStatusReportFrequency` (5 m), so `describe node` never
    /// shows a heartbeat older than that.
    #[test]
    fn an_unchanged_node_status_is_reported_every_five_minutes() {
        let mut w = World::with_kubernetes(1, 3);
        for minutes in [1, 6, 12] {
            w.run_until(minutes * 60 * US_PER_S);
            let now_s = object::unix_s(w.now_us());
            let cache = w.office_cache().expect("an API server");
            let nodes = crate::apiserver::Informers::list(cache, "nodes", "");
            assert_eq!(nodes.len(), 5);
            for n in nodes {
                let ready =
                    n["status"]["conditions"].as_array().and_then(|cs| cs.iter().find(|c| c["type"] == "Ready"));
                let beat = ready.and_then(|c| c["lastHeartbeatTime"].as_str()).and_then(object::parse_rfc3339);
                let age_s = now_s - beat.expect("a heartbeat");
                assert!(age_s <= NODE_STATUS_REPORT_S + 12, "{}: {age_s}s old at minute {minutes}", object::name(n));
            }
        }
    }
}
