//! The Deployment controller driven by hand: an [`ObjectSet`] stands in for the API server
//! (writes applied with resourceVersion preconditions, generation bumps and the status
//! subresource's rules), a few lines stand in for the ReplicaSet controller and the kubelets
//! (pods made and removed to match `spec.replicas`, marked ready when a test says so).
//! Sources: KK v1.27 `pkg/controller/deployment/*_test.go` and KW
//! `concepts/workloads/controllers/deployment.md` for the expected numbers.

use serde_json::json;

use super::rollout::{describe_pod_template, rollout_history, rollout_status, rollout_undo, set_image, Undo};
use super::*;
use crate::apiserver::handler::merge_patch;
use crate::apiserver::{Informers, ObjectSet};
use crate::k8s::resources::resolve;
use crate::k8s::status::Status;
use crate::sim::US_PER_S;

const NS: &str = "default";

fn qualified(resource: &str) -> String {
    match resource {
        "deployments" | "replicasets" => format!("{resource}.apps"),
        r => r.to_string(),
    }
}

fn pod_ready(p: &Object) -> bool {
    p.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| cs.iter().any(|c| c["type"] == "Ready" && c["status"] == "True"))
}

/// The API server, the ReplicaSet controller and the kubelets, as little as a rollout needs.
struct Cluster {
    set: ObjectSet,
    rv: u64,
    now_us: u64,
    ctrl: DeploymentController,
    /// Every event recorded, as `Reason: message`.
    events: Vec<String>,
    pods_made: u64,
    /// Pods of a scaled-down ReplicaSet stay Terminating until `finish_terminating`.
    graceful: bool,
}

impl Cluster {
    fn new() -> Cluster {
        Cluster {
            set: ObjectSet::new(),
            rv: 1,
            now_us: 0,
            ctrl: DeploymentController::new(),
            events: Vec::new(),
            pods_made: 0,
            graceful: false,
        }
    }

    fn obj(&self, resource: &str, name: &str) -> Object {
        self.set.get(resource, NS, name).cloned().unwrap_or_else(|| panic!("{resource}/{name} exists"))
    }

    fn list(&self, resource: &str) -> Vec<Object> {
        self.set.list(resource, NS).into_iter().cloned().collect()
    }

    fn tick(&mut self) {
        self.now_us += US_PER_S;
    }

    fn create(&mut self, resource: &str, mut obj: Object) -> Result<Object, Status> {
        let name = object::name(&obj).to_string();
        if self.set.get(resource, NS, &name).is_some() {
            return Err(Status::already_exists(&qualified(resource), &name));
        }
        self.rv += 1;
        let material = format!("{resource}/{NS}/{name}/{}", self.rv);
        crate::apiserver::defaults::on_create(
            resolve(resource).expect("known"),
            &mut obj,
            NS,
            &material,
            object::unix_s(self.now_us),
        );
        object::set_resource_version(&mut obj, self.rv);
        self.set.insert(resource, obj.clone());
        Ok(obj)
    }

    /// What kube-apiserver does with a controller's write (registry strategies of apps/v1:
    /// an update keeps the status, a status update keeps spec and labels, a spec change bumps
    /// the generation; a stale resourceVersion is a 409).
    fn apply(&mut self, w: &Write) -> Result<Object, Status> {
        let q = qualified(w.resource);
        match w.verb {
            Verb::Create => self.create(w.resource, w.body.clone().expect("a body")),
            Verb::Delete => {
                let gone =
                    self.set.remove(w.resource, &w.namespace, &w.name).ok_or_else(|| Status::not_found(&q, &w.name))?;
                if w.resource == "replicasets" {
                    // The garbage collector removes the ReplicaSet's pods (background deletion).
                    for p in self.list("pods").iter().filter(|p| is_controlled_by(p, &gone)) {
                        self.set.remove("pods", NS, object::name(p));
                    }
                }
                Ok(gone)
            }
            Verb::Update | Verb::Patch => {
                let cur = self
                    .set
                    .get(w.resource, &w.namespace, &w.name)
                    .cloned()
                    .ok_or_else(|| Status::not_found(&q, &w.name))?;
                let body = w.body.clone().expect("a body");
                let mut new = if w.verb == Verb::Update {
                    let wanted = object::resource_version(&body);
                    if wanted != 0 && wanted != object::resource_version(&cur) {
                        return Err(Status::conflict(&q, &w.name));
                    }
                    body
                } else {
                    let mut o = cur.clone();
                    merge_patch(&mut o, &body);
                    o
                };
                for k in ["uid", "creationTimestamp", "generation"] {
                    if let Some(v) = cur.pointer(&format!("/metadata/{k}")) {
                        object::metadata_mut(&mut new).insert(k.into(), v.clone());
                    }
                }
                if w.subresource == "status" {
                    new["spec"] = cur["spec"].clone();
                    object::metadata_mut(&mut new).insert("labels".into(), cur["metadata"]["labels"].clone());
                } else {
                    if w.verb == Verb::Update {
                        new["status"] = cur["status"].clone();
                    }
                    if new.get("spec") != cur.get("spec") {
                        object::metadata_mut(&mut new).insert("generation".into(), json!(generation(&cur) + 1));
                    }
                }
                self.rv += 1;
                object::set_resource_version(&mut new, self.rv);
                self.set.insert(w.resource, new.clone());
                Ok(new)
            }
            v => panic!("controllers do not {v:?}"),
        }
    }

    /// One sync of `default/<name>`: the batches in order, stopping at the first failure; each
    /// answer goes back to the controller. Returns the plan and the status codes received.
    fn sync(&mut self, name: &str) -> (Plan, Vec<u16>) {
        let key = format!("{NS}/{name}");
        let plan = self.ctrl.sync(&key, &self.set, self.now_us);
        self.events.extend(plan.notes.iter().map(|n| format!("{}: {}", n.reason, n.message)));
        let mut codes = Vec::new();
        'batches: for batch in &plan.batches {
            for w in batch {
                let r = self.apply(w);
                let answer = self.ctrl.answered(&key, w, r.as_ref(), self.now_us);
                self.events.extend(answer.notes.iter().map(|n| format!("{}: {}", n.reason, n.message)));
                codes.push(r.as_ref().map_or_else(|s| s.code, |_| 200));
                if r.is_err() {
                    break 'batches;
                }
            }
        }
        (plan, codes)
    }

    fn pods_of(&self, rs: &Object) -> Vec<Object> {
        self.list("pods").into_iter().filter(|p| is_controlled_by(p, rs)).collect()
    }

    /// The ReplicaSet controller and the kubelets: pods made (not ready) or removed (not ready
    /// ones first, then the newest) to match each ReplicaSet, its status recomputed. Returns
    /// whether anything changed.
    fn replicasets(&mut self) -> bool {
        let mut changed = false;
        for rs in self.list("replicasets") {
            let active: Vec<Object> = self.pods_of(&rs).into_iter().filter(|p| !being_deleted(p)).collect();
            let want = replicas(&rs) as usize;
            if active.len() < want {
                for _ in active.len()..want {
                    self.pods_made += 1;
                    let pod = json!({
                        "apiVersion": "v1", "kind": "Pod",
                        "metadata": {
                            "name": format!("{}-{:05}", object::name(&rs), self.pods_made),
                            "labels": rs.pointer("/spec/template/metadata/labels").cloned().unwrap_or(json!({})),
                            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": object::name(&rs),
                                "uid": uid(&rs), "controller": true, "blockOwnerDeletion": true}],
                        },
                        "spec": rs.pointer("/spec/template/spec").cloned().unwrap_or(json!({})),
                        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "False"}]},
                    });
                    self.create("pods", pod).expect("pod names are unique");
                }
                changed = true;
            } else if active.len() > want {
                let mut victims = active.clone();
                victims.sort_by(|a, b| pod_ready(a).cmp(&pod_ready(b)).then(object::name(b).cmp(object::name(a))));
                for p in victims.iter().take(active.len() - want) {
                    if self.graceful {
                        let mut t = p.clone();
                        t["metadata"]["deletionTimestamp"] = json!(object::rfc3339(object::unix_s(self.now_us)));
                        self.set.insert("pods", t);
                    } else {
                        self.set.remove("pods", NS, object::name(p));
                    }
                }
                changed = true;
            }
            changed |= self.refresh_status(object::name(&rs));
        }
        changed
    }

    fn refresh_status(&mut self, rs_name: &str) -> bool {
        let mut rs = self.obj("replicasets", rs_name);
        let active: Vec<Object> = self.pods_of(&rs).into_iter().filter(|p| !being_deleted(p)).collect();
        let ready = active.iter().filter(|p| pod_ready(p)).count();
        let mut status = json!({"observedGeneration": generation(&rs)});
        for (k, v) in [("replicas", active.len()), ("readyReplicas", ready), ("availableReplicas", ready)] {
            if v > 0 {
                status[k] = json!(v);
            }
        }
        if rs["status"] == status {
            return false;
        }
        rs["status"] = status;
        self.rv += 1;
        object::set_resource_version(&mut rs, self.rv);
        self.set.insert("replicasets", rs);
        true
    }

    /// The kubelets report up to `n` pods of `rs_prefix…` ReplicaSets Ready (oldest first).
    fn ready(&mut self, rs_prefix: &str, n: usize) -> usize {
        let mut done = 0;
        for mut p in self.list("pods") {
            if done == n {
                break;
            }
            let owner = controller_ref(&p).map(|r| object::str_at(r, "/name").to_string()).unwrap_or_default();
            if pod_ready(&p) || being_deleted(&p) || !owner.starts_with(rs_prefix) {
                continue;
            }
            p["status"]["conditions"] = json!([{"type": "Ready", "status": "True"}]);
            self.set.insert("pods", p);
            done += 1;
        }
        for rs in self.list("replicasets") {
            self.refresh_status(object::name(&rs));
        }
        done
    }

    /// Removes terminating pods; returns the keys the controller queued for each deletion.
    fn finish_terminating(&mut self) -> Vec<Vec<String>> {
        let mut keys = Vec::new();
        for p in self.list("pods").into_iter().filter(being_deleted) {
            self.set.remove("pods", NS, object::name(&p));
            let change = Change { resource: "pods", old: Some(&p), new: None };
            keys.push(self.ctrl.keys_for(change, &self.set, self.now_us));
        }
        keys
    }

    /// Sync, run the ReplicaSets, make every pod ready, until nothing moves (at most 100 rounds).
    fn settle(&mut self, name: &str) {
        for _ in 0..100 {
            self.tick();
            let (plan, _) = self.sync(name);
            let moved = self.replicasets() | (self.ready("", usize::MAX) > 0);
            if plan.batches.is_empty() && !moved {
                return;
            }
        }
        panic!("deployment {name} did not settle in 100 rounds");
    }

    fn set_image(&mut self, name: &str, image: &str) {
        let d = self.obj("deployments", name);
        let updated = set_image(&d, &[("nginx", image)]).expect("container nginx");
        self.apply(&Write::update("deployments", updated)).expect("update");
    }

    fn rs_names(&self) -> Vec<String> {
        self.list("replicasets").iter().map(|rs| object::name(rs).to_string()).collect()
    }

    fn active_pods(&self) -> Vec<Object> {
        self.list("pods").into_iter().filter(|p| !being_deleted(p)).collect()
    }
}

fn deployment(name: &str, replicas: i64, image: &str) -> Object {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": NS, "labels": {"app": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "nginx", "image": image, "ports": [{"containerPort": 80}]}]},
            },
        },
    })
}

fn rs_for(c: &Cluster, image: &str) -> Object {
    c.list("replicasets")
        .into_iter()
        .find(|rs| rs.pointer("/spec/template/spec/containers/0/image") == Some(&json!(image)))
        .unwrap_or_else(|| panic!("a ReplicaSet with {image}"))
}

// ---------------------------------------------------------------------------------------------
// Fenceposts, hashes, templates.

/// KK `util/deployment_util_test.go` `TestResolveFenceposts` and the fact sheet's examples:
/// surge rounds up, unavailable down, both zero ⇒ unavailable 1.
#[test]
fn fenceposts_round_surge_up_and_unavailable_down() {
    for (surge, unavailable, desired, want) in [
        (json!("25%"), json!("25%"), 3, (1, 0)),
        (json!("25%"), json!("25%"), 4, (1, 1)),
        (json!("25%"), json!("25%"), 10, (3, 2)),
        (json!("25%"), json!("25%"), 1, (1, 0)),
        (json!("0%"), json!("0%"), 10, (0, 1)),
        (json!(0), json!(0), 5, (0, 1)),
        (json!(2), json!(0), 5, (2, 0)),
        (json!("50%"), json!("50%"), 5, (3, 2)),
        (json!("100%"), json!(1), 7, (7, 1)),
    ] {
        assert_eq!(
            resolve_fenceposts(Some(&surge), Some(&unavailable), desired),
            Ok(want),
            "{surge} {unavailable} of {desired}"
        );
    }
    // A number written as a string is not a percentage: intstr refuses it (validation does too).
    let err = resolve_fenceposts(Some(&json!("2")), Some(&json!("0")), 5).unwrap_err();
    assert_eq!(err, "invalid value for IntOrString: invalid type: string is not a percentage");
}

#[test]
fn max_surge_and_unavailable_follow_the_strategy() {
    let mut d = deployment("nginx", 10, "nginx:1.24");
    assert_eq!((max_surge(&d), max_unavailable(&d)), (3, 2), "defaults 25%/25%");
    d["spec"]["replicas"] = json!(0);
    assert_eq!(max_unavailable(&d), 0, "no replicas, nothing unavailable");
    d["spec"]["strategy"] = json!({"type": "Recreate"});
    d["spec"]["replicas"] = json!(10);
    assert_eq!((max_surge(&d), max_unavailable(&d)), (0, 0), "Recreate has no fenceposts");
}

/// `rand.SafeEncodeString` of a decimal FNV-32 value gives names like the bootstrap's
/// `coredns-5d78c9869d` (every digit maps into `bcdfghjklmnpqrstvwxz2456789`).
#[test]
fn template_hashes_are_safe_encoded_fnv32() {
    assert_eq!(safe_encode("1834754258"), "5d78c9869d");
    let d = deployment("nginx", 3, "nginx:1.24");
    let t = d.pointer("/spec/template");
    let h = compute_hash(t, None);
    assert_eq!(h, compute_hash(t, None), "deterministic");
    assert!((1..=10).contains(&h.len()) && h.chars().all(|c| "456789bcdf".contains(c)), "{h}");
    assert_ne!(h, compute_hash(t, Some(1)), "the collision count changes the hash");
    let mut labelled = t.cloned().expect("template");
    labelled["metadata"]["labels"][POD_TEMPLATE_HASH_LABEL] = json!(h);
    assert_eq!(compute_hash(Some(&labelled), None), h, "the hash label is not hashed");
    let other = deployment("nginx", 3, "nginx:1.25");
    assert_ne!(compute_hash(other.pointer("/spec/template"), None), h);
}

/// KK `TestEqualIgnoreHash`: only the pod-template-hash label may differ; defaults the API
/// server fills do not make templates differ.
#[test]
fn templates_equal_but_for_the_hash_label() {
    let d = deployment("nginx", 3, "nginx:1.24");
    let t = d.pointer("/spec/template").cloned().expect("template");
    let mut hashed = t.clone();
    hashed["metadata"]["labels"][POD_TEMPLATE_HASH_LABEL] = json!("5d78c9869d");
    assert!(equal_ignore_hash(Some(&t), Some(&hashed)));
    let mut defaulted = t.clone();
    defaulted["spec"]["restartPolicy"] = json!("Always");
    defaulted["spec"]["containers"][0]["imagePullPolicy"] = json!("IfNotPresent");
    assert!(equal_ignore_hash(Some(&t), Some(&defaulted)));
    let mut other = hashed.clone();
    other["metadata"]["labels"]["tier"] = json!("web");
    assert!(!equal_ignore_hash(Some(&t), Some(&other)), "another label is a different template");
    let mut image = t.clone();
    image["spec"]["containers"][0]["image"] = json!("nginx:1.25");
    assert!(!equal_ignore_hash(Some(&t), Some(&image)));
}

// ---------------------------------------------------------------------------------------------
// The first ReplicaSet.

/// `kubectl create deployment nginx --image=nginx:1.24 --replicas=3`: the first sync creates
/// `nginx-<hash>` at full size (maxTotal 4 ≥ 3), records revision 1 and NewReplicaSetCreated,
/// then writes the counts with the Deployment it read — a 409, as in a real cluster.
#[test]
fn the_first_sync_creates_the_replica_set() {
    let mut c = Cluster::new();
    c.create("deployments", deployment("nginx", 3, "nginx:1.24")).expect("create");
    let d = c.obj("deployments", "nginx");
    let hash = compute_hash(d.pointer("/spec/template"), None);
    let rs_name = format!("nginx-{hash}");
    let (plan, codes) = c.sync("nginx");
    assert_eq!(plan.batches.len(), 3);
    let create = &plan.batches[0][0];
    assert_eq!((create.verb, create.resource, create.name.as_str()), (Verb::Create, "replicasets", rs_name.as_str()));
    let rs = c.obj("replicasets", &rs_name);
    assert_eq!(rs["metadata"]["labels"], json!({"app": "nginx", "pod-template-hash": hash}));
    assert_eq!(rs["spec"]["selector"], json!({"matchLabels": {"app": "nginx", "pod-template-hash": hash}}));
    assert_eq!(rs["spec"]["template"]["metadata"]["labels"], rs["metadata"]["labels"]);
    assert_eq!(replicas(&rs), 3);
    assert_eq!(
        annotations(&rs).into_iter().collect::<Vec<_>>(),
        vec![
            (DESIRED_REPLICAS_ANNOTATION.to_string(), "3".to_string()),
            (MAX_REPLICAS_ANNOTATION.to_string(), "4".to_string()),
            (REVISION_ANNOTATION.to_string(), "1".to_string()),
        ]
    );
    assert_eq!(
        rs["metadata"]["ownerReferences"],
        json!([{
            "apiVersion": "apps/v1", "kind": "Deployment", "name": "nginx", "uid": uid(&d),
            "controller": true, "blockOwnerDeletion": true,
        }])
    );
    // The revision goes to the Deployment through the status write (annotations pass through
    // the status subresource), with the Progressing condition.
    let d = c.obj("deployments", "nginx");
    assert_eq!(annotation(&d, REVISION_ANNOTATION), Some("1"));
    let s = DeploymentStatus::of(&d);
    let p = s.condition("Progressing").expect("Progressing");
    assert_eq!((p.status.as_str(), p.reason.as_str()), ("True", NEW_RS_CREATED_REASON));
    assert_eq!(p.message, format!("Created new replica set \"{rs_name}\""));
    assert_eq!(p.last_update_time, object::rfc3339(object::unix_s(c.now_us)));
    assert_eq!(codes, vec![200, 200, 409], "the second status write carries a stale resourceVersion");
    assert_eq!(c.events, vec![format!("ScalingReplicaSet: Scaled up replica set {rs_name} to 3")]);
}

/// After the pods come up the Deployment reports them and its conditions read as
/// `kubectl describe` shows them: Available MinimumReplicasAvailable, Progressing
/// NewReplicaSetAvailable.
#[test]
fn a_new_deployment_becomes_available_and_complete() {
    let mut c = Cluster::new();
    c.create("deployments", deployment("nginx", 3, "nginx:1.24")).expect("create");
    c.settle("nginx");
    let d = c.obj("deployments", "nginx");
    let s = DeploymentStatus::of(&d);
    assert_eq!((s.replicas, s.updated_replicas, s.ready_replicas, s.available_replicas), (3, 3, 3, 3));
    assert_eq!((s.unavailable_replicas, s.observed_generation), (0, 1));
    let kinds: Vec<(&str, &str, &str)> =
        s.conditions.iter().map(|c| (c.kind.as_str(), c.status.as_str(), c.reason.as_str())).collect();
    assert_eq!(
        kinds,
        vec![("Available", "True", MIN_AVAILABLE_REASON), ("Progressing", "True", NEW_RS_AVAILABLE_REASON)]
    );
    let rs = &c.list("replicasets")[0];
    let msg = &s.condition("Progressing").expect("cond").message;
    assert_eq!(msg, &format!("ReplicaSet \"{}\" has successfully progressed.", object::name(rs)));
    assert_eq!(rollout_status(&d, None), Ok(("deployment \"nginx\" successfully rolled out".to_string(), true)));
    // Settled means settled: one more sync plans nothing.
    let (plan, _) = c.sync("nginx");
    assert!(plan.batches.is_empty(), "{:?}", plan.batches);
}

// ---------------------------------------------------------------------------------------------
// Rolling updates.

/// Rolls `replicas` pods from nginx:1.24 to nginx:1.25, making `ready_per_step` new pods ready
/// after each sync, and checks after every step that no more than replicas + maxSurge pods
/// exist and no fewer than replicas − maxUnavailable are available (issue 5's rollout
/// invariant). Returns the number of steps.
fn roll(replicas_n: i64, ready_per_step: usize) -> (Cluster, usize) {
    let mut c = Cluster::new();
    c.create("deployments", deployment("nginx", replicas_n, "nginx:1.24")).expect("create");
    c.settle("nginx");
    let d = c.obj("deployments", "nginx");
    let (surge, unavailable) = (max_surge(&d), max_unavailable(&d));
    c.events.clear();
    c.set_image("nginx", "nginx:1.25");
    for step in 0..200 {
        c.tick();
        c.sync("nginx");
        c.replicasets();
        let pods = c.active_pods();
        let available = pods.iter().filter(|p| pod_ready(p)).count() as i64;
        assert!(pods.len() as i64 <= replicas_n + surge, "step {step}: {} pods > {replicas_n} + {surge}", pods.len());
        assert!(
            available >= replicas_n - unavailable,
            "step {step}: {available} available < {replicas_n} - {unavailable}"
        );
        let new_rs = c
            .list("replicasets")
            .into_iter()
            .find(|rs| rs["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.25");
        if let Some(rs) = new_rs {
            c.ready(object::name(&rs), ready_per_step);
        }
        let d = c.obj("deployments", "nginx");
        if rollout_status(&d, None).is_ok_and(|(_, done)| done) {
            return (c, step);
        }
    }
    panic!("the rollout of {replicas_n} did not finish");
}

#[test]
fn a_rolling_update_stays_within_surge_and_unavailability() {
    for (replicas_n, ready_per_step) in [(3, 1), (4, 1), (4, 2), (10, 1), (10, 3), (1, 1), (2, 1)] {
        let (c, _) = roll(replicas_n, ready_per_step);
        let (old, new) = (rs_for(&c, "nginx:1.24"), rs_for(&c, "nginx:1.25"));
        assert_eq!((replicas(&old), replicas(&new)), (0, replicas_n), "{replicas_n}");
        assert_eq!(c.active_pods().len() as i64, replicas_n);
    }
}

/// The event sequence of a 4-replica rollout (maxSurge 1, maxUnavailable 1), one new pod ready
/// per step, in v1.27 wording: the first sync creates the new ReplicaSet at 1 and, 4 + 1 pods
/// allowing it, takes one old pod at once; each ready new pod then lets the next step through
/// (new 2 → old 1, as 3 of 5 must stay available; new 4 → old 0). Revisions go 1 → 2.
#[test]
fn a_rolling_update_scales_in_turns_and_bumps_the_revision() {
    let (c, _) = roll(4, 1);
    let (old, new) = (rs_for(&c, "nginx:1.24"), rs_for(&c, "nginx:1.25"));
    let (o, n) = (object::name(&old), object::name(&new));
    assert_eq!(
        c.events,
        vec![
            format!("ScalingReplicaSet: Scaled up replica set {n} to 1"),
            format!("ScalingReplicaSet: Scaled down replica set {o} to 3 from 4"),
            format!("ScalingReplicaSet: Scaled up replica set {n} to 2 from 1"),
            format!("ScalingReplicaSet: Scaled down replica set {o} to 1 from 3"),
            format!("ScalingReplicaSet: Scaled up replica set {n} to 4 from 2"),
            format!("ScalingReplicaSet: Scaled down replica set {o} to 0 from 1"),
        ]
    );
    assert_eq!(annotation(&old, REVISION_ANNOTATION), Some("1"));
    assert_eq!(annotation(&new, REVISION_ANNOTATION), Some("2"));
    assert_eq!(annotation(&c.obj("deployments", "nginx"), REVISION_ANNOTATION), Some("2"));
}

/// While the rollout waits, `kubectl rollout status` reads the Deployment's counts.
#[test]
fn rollout_status_follows_a_rollout() {
    let mut c = Cluster::new();
    c.create("deployments", deployment("nginx", 3, "nginx:1.24")).expect("create");
    c.settle("nginx");
    c.set_image("nginx", "nginx:1.25");
    let d = c.obj("deployments", "nginx");
    assert_eq!(rollout_status(&d, None), Ok(("Waiting for deployment spec update to be observed...".into(), false)));
    let mut seen = Vec::new();
    for _ in 0..40 {
        c.tick();
        c.sync("nginx");
        c.replicasets();
        c.ready(object::name(&rs_for(&c, "nginx:1.25")), 1);
        let (line, done) = rollout_status(&c.obj("deployments", "nginx"), None).expect("no error");
        if seen.last() != Some(&line) {
            seen.push(line);
        }
        if done {
            break;
        }
    }
    assert!(
        seen.contains(
            &"Waiting for deployment \"nginx\" rollout to finish: 1 out of 3 new replicas have been updated...".into()
        ),
        "{seen:?}"
    );
    assert!(
        seen.contains(
            &"Waiting for deployment \"nginx\" rollout to finish: 1 old replicas are pending termination...".into()
        ),
        "{seen:?}"
    );
    assert_eq!(seen.last().map(String::as_str), Some("deployment \"nginx\" successfully rolled out"));
}

/// kubectl's `DeploymentStatusViewer` messages, one by one (KK `rollout_status_test.go`).
#[test]
fn rollout_status_words_every_state() {
    let status = |generation: i64, observed: i64, spec: i64, total: i64, updated: i64, available: i64| {
        json!({"metadata": {"name": "nginx", "generation": generation},
            "spec": {"replicas": spec},
            "status": {"observedGeneration": observed, "replicas": total, "updatedReplicas": updated, "availableReplicas": available}})
    };
    let cases = [
        (status(2, 1, 3, 3, 3, 3), "Waiting for deployment spec update to be observed...", false),
        (
            status(1, 1, 3, 3, 2, 2),
            "Waiting for deployment \"nginx\" rollout to finish: 2 out of 3 new replicas have been updated...",
            false,
        ),
        (
            status(1, 1, 3, 4, 3, 3),
            "Waiting for deployment \"nginx\" rollout to finish: 1 old replicas are pending termination...",
            false,
        ),
        (
            status(1, 1, 3, 3, 3, 2),
            "Waiting for deployment \"nginx\" rollout to finish: 2 of 3 updated replicas are available...",
            false,
        ),
        (status(1, 1, 3, 3, 3, 3), "deployment \"nginx\" successfully rolled out", true),
    ];
    for (d, line, done) in cases {
        assert_eq!(rollout_status(&d, None), Ok((line.to_string(), done)));
    }
    let mut d = status(1, 1, 3, 3, 3, 3);
    d["metadata"]["annotations"] = json!({REVISION_ANNOTATION: "2"});
    assert_eq!(
        rollout_status(&d, Some(3)),
        Err("error: desired revision (3) is different from the running revision (2)".into())
    );
    assert!(rollout_status(&d, Some(2)).is_ok());
    d["status"]["conditions"] = json!([{"type": "Progressing", "status": "False", "reason": TIMED_OUT_REASON}]);
    assert_eq!(rollout_status(&d, None), Err("error: deployment \"nginx\" exceeded its progress deadline".into()));
}

// ---------------------------------------------------------------------------------------------
// History, undo.

fn rollout_to(c: &mut Cluster, image: &str) {
    c.set_image("nginx", image);
    c.settle("nginx");
}

/// revisionHistoryLimit 2: after four rollouts only the two latest old ReplicaSets remain
/// (the oldest revisions go first), each with no replicas.
#[test]
fn old_replica_sets_beyond_the_history_limit_are_deleted() {
    let mut c = Cluster::new();
    let mut d = deployment("nginx", 2, "nginx:1.21");
    d["spec"]["revisionHistoryLimit"] = json!(2);
    c.create("deployments", d).expect("create");
    c.settle("nginx");
    for image in ["nginx:1.22", "nginx:1.23", "nginx:1.24", "nginx:1.25"] {
        rollout_to(&mut c, image);
    }
    let mut revisions: Vec<(String, i64)> = c
        .list("replicasets")
        .iter()
        .map(|rs| {
            (rs["spec"]["template"]["spec"]["containers"][0]["image"].as_str().unwrap_or("").to_string(), replicas(rs))
        })
        .collect();
    revisions.sort();
    assert_eq!(revisions, vec![("nginx:1.23".into(), 0), ("nginx:1.24".into(), 0), ("nginx:1.25".into(), 2)]);
    assert_eq!(annotation(&rs_for(&c, "nginx:1.25"), REVISION_ANNOTATION), Some("5"));
}

/// The default limit is 10: eleven rollouts keep ten old ReplicaSets.
#[test]
fn the_default_history_limit_keeps_ten() {
    let mut c = Cluster::new();
    c.create("deployments", deployment("nginx", 1, "nginx:1.0")).expect("create");
    c.settle("nginx");
    for i in 1..=11 {
        rollout_to(&mut c, &format!("nginx:1.{i}"));
    }
    assert_eq!(c.list("replicasets").len(), 11, "the new one and ten old");
}

/// `kubectl rollout history` (KK `history.go`): the table, a revision's template, and the
/// errors; a change-cause annotation on the Deployment is copied to its new ReplicaSet.
#[test]
fn rollout_history_lists_revisions_and_describes_one() {
    let mut c = Cluster::new();
    c.create("deployments", deployment("nginx", 1, "nginx:1.24")).expect("create");
    c.settle("nginx");
    let mut d = c.obj("deployments", "nginx");
    d["metadata"]["annotations"][CHANGE_CAUSE_ANNOTATION] =
        json!("kubectl set image deployment/nginx nginx=nginx:1.25");
    d = set_image(&d, &[("nginx", "nginx:1.25")]).expect("found");
    c.apply(&Write::update("deployments", d)).expect("update");
    c.settle("nginx");
    let d = c.obj("deployments", "nginx");
    let rss = c.list("replicasets");
    let refs: Vec<&Object> = rss.iter().collect();
    assert_eq!(
        rollout_history(&d, &refs, None).expect("history"),
        vec![
            "deployment.apps/nginx ",
            "REVISION  CHANGE-CAUSE",
            "1         <none>",
            "2         kubectl set image deployment/nginx nginx=nginx:1.25",
            "",
        ]
    );
    let hash = object::str_at(&rs_for(&c, "nginx:1.24"), "/metadata/labels/pod-template-hash").to_string();
    assert_eq!(
        rollout_history(&d, &refs, Some(1)).expect("revision 1"),
        vec![
            "deployment.apps/nginx with revision #1".to_string(),
            "Pod Template:".into(),
            "  Labels:       app=nginx".into(),
            format!("        pod-template-hash={hash}"),
            "  Containers:".into(),
            "   nginx:".into(),
            "    Image:      nginx:1.24".into(),
            "    Port:       80/TCP".into(),
            "    Host Port:  0/TCP".into(),
            "    Environment:        <none>".into(),
            "    Mounts:     <none>".into(),
            "  Volumes:      <none>".into(),
            String::new(),
        ]
    );
    let two = rollout_history(&d, &refs, Some(2)).expect("revision 2");
    assert_eq!(
        two[4],
        "  Annotations:  kubernetes.io/change-cause: kubectl set image deployment/nginx nginx=nginx:1.25"
    );
    assert_eq!(rollout_history(&d, &refs, Some(7)), Err("error: unable to find the specified revision".into()));
    assert_eq!(
        rollout_history(&d, &[], None).expect("empty"),
        vec!["deployment.apps/nginx ", "No rollout history found."]
    );
}

/// `describe` of the bootstrap's CoreDNS template: args, limits/requests, probes, mounts and
/// volumes (KK `describe.go`), its raw tabs expanded to 8-column stops as a terminal shows them.
#[test]
fn the_coredns_template_describes_like_kubectl() {
    let objs = crate::apiserver::bootstrap::cluster_objects(1, 0);
    let dns = objs
        .iter()
        .find(|(r, o)| *r == "deployments" && object::name(o) == "coredns")
        .map(|(_, o)| o)
        .expect("coredns");
    let lines = describe_pod_template(dns.pointer("/spec/template"));
    let want = [
        "Pod Template:",
        "  Labels:       k8s-app=kube-dns",
        "  Service Account:      coredns",
        "  Containers:",
        "   coredns:",
        "    Image:      registry.k8s.io/coredns/coredns:v1.10.1",
        "    Ports:      53/UDP, 53/TCP, 9153/TCP",
        "    Host Ports: 0/UDP, 0/TCP, 0/TCP",
        "    Args:",
        "      -conf",
        "      /etc/coredns/Corefile",
        "    Limits:",
        "      memory:   170Mi",
        "    Requests:",
        "      cpu:      100m",
        "      memory:   70Mi",
        "    Liveness:   http-get http://:8080/health delay=60s timeout=5s period=10s #success=1 #failure=5",
        "    Readiness:  http-get http://:8181/ready delay=0s timeout=1s period=10s #success=1 #failure=3",
        "    Environment:        <none>",
        "    Mounts:",
        "      /etc/coredns from config-volume (ro)",
        "  Volumes:",
        "   config-volume:",
        "    Type:       ConfigMap (a volume populated by a ConfigMap)",
        "    Name:       coredns",
        "    Optional:   false",
        "  Priority Class Name:  system-cluster-critical",
    ];
    assert_eq!(lines, want);
}

/// `kubectl rollout undo`: back to revision 1 reuses its ReplicaSet (no new one), which becomes
/// revision 3 with revision-history 1; the errors and the skip are kubectl's (KK `rollback.go`).
#[test]
fn undo_restores_an_old_template() {
    let mut c = Cluster::new();
    c.create("deployments", deployment("nginx", 2, "nginx:1.24")).expect("create");
    c.settle("nginx");
    rollout_to(&mut c, "nginx:1.25");
    let d = c.obj("deployments", "nginx");
    let rss = c.list("replicasets");
    let refs: Vec<&Object> = rss.iter().collect();
    assert_eq!(rollout_undo(&d, &refs, 7), Err("error: unable to find specified revision 7 in history".into()));
    assert_eq!(
        rollout_undo(&d, &refs, 2),
        Ok(Undo::Skipped { message: "skipped rollback (current template already matches revision 2)".into() })
    );
    let mut paused = d.clone();
    paused["spec"]["paused"] = json!(true);
    assert!(rollout_undo(&paused, &refs, 1).unwrap_err().starts_with("error: you cannot rollback a paused deployment"));
    let undo = rollout_undo(&d, &refs, 0).expect("previous revision");
    assert_eq!(undo.message(), "rolled back");
    let Undo::RolledBack { patch } = undo else { panic!("a patch") };
    assert_eq!(patch["spec"]["template"]["spec"]["containers"][0]["image"], json!("nginx:1.24"));
    assert!(patch.pointer("/spec/template/metadata/labels/pod-template-hash").is_none(), "the hash label stays off");
    let write = Write {
        verb: Verb::Patch,
        resource: "deployments",
        subresource: "",
        namespace: NS.into(),
        name: "nginx".into(),
        body: Some(patch),
        propagation: None,
        grace_period_s: None,
        uid: None,
    };
    c.apply(&write).expect("patch");
    let patched = c.obj("deployments", "nginx");
    assert!(equal_ignore_hash(patched.pointer("/spec/template"), rs_for(&c, "nginx:1.24").pointer("/spec/template")));
    assert_eq!(annotation(&patched, REVISION_ANNOTATION), Some("2"), "kubectl keeps the Deployment's revision");
    c.settle("nginx");
    assert_eq!(c.list("replicasets").len(), 2, "no new ReplicaSet");
    let back = rs_for(&c, "nginx:1.24");
    assert_eq!(replicas(&back), 2);
    assert_eq!(annotation(&back, REVISION_ANNOTATION), Some("3"));
    assert_eq!(annotation(&back, REVISION_HISTORY_ANNOTATION), Some("1"));
    assert_eq!(annotation(&c.obj("deployments", "nginx"), REVISION_ANNOTATION), Some("3"));
    assert_eq!(replicas(&rs_for(&c, "nginx:1.25")), 0);
}

/// `kubectl set image` (KK `set_image.go`): by name, `*` for all, unknown names refused.
#[test]
fn set_image_replaces_images_by_container_name() {
    let mut d = deployment("nginx", 1, "nginx:1.24");
    d["spec"]["template"]["spec"]["containers"] =
        json!([{"name": "nginx", "image": "nginx:1.24"}, {"name": "sidecar", "image": "busybox:1.36"}]);
    d["spec"]["template"]["spec"]["initContainers"] = json!([{"name": "init", "image": "busybox:1.36"}]);
    let one = set_image(&d, &[("nginx", "nginx:1.25")]).expect("nginx");
    assert_eq!(one.pointer("/spec/template/spec/containers/0/image"), Some(&json!("nginx:1.25")));
    assert_eq!(one.pointer("/spec/template/spec/containers/1/image"), Some(&json!("busybox:1.36")));
    let init = set_image(&d, &[("init", "busybox:1.37")]).expect("init");
    assert_eq!(init.pointer("/spec/template/spec/initContainers/0/image"), Some(&json!("busybox:1.37")));
    let all = set_image(&d, &[("*", "alpine:3")]).expect("all");
    for p in [
        "/spec/template/spec/containers/0/image",
        "/spec/template/spec/containers/1/image",
        "/spec/template/spec/initContainers/0/image",
    ] {
        assert_eq!(all.pointer(p), Some(&json!("alpine:3")), "{p}");
    }
    assert_eq!(set_image(&d, &[("x", "nginx")]), Err("error: unable to find container named \"x\"".into()));
    assert_eq!(
        set_image(&d, &[("x", "a"), ("y", "b")]),
        Err("error: unable to find container named \"x\"\nerror: unable to find container named \"y\"".into())
    );
    assert_eq!(set_image(&d, &[("nginx", "nginx:1.24")]).expect("same"), d, "nothing to patch");
    let pod = json!({"kind": "Pod", "spec": {"containers": [{"name": "web", "image": "nginx"}]}});
    assert_eq!(set_image(&pod, &[("web", "httpd")]).expect("pod")["spec"]["containers"][0]["image"], "httpd");
}

// ---------------------------------------------------------------------------------------------
// Scaling.

/// KW deployment.md "Proportional scaling": 10 replicas, maxSurge 3, maxUnavailable 2, a
/// rollout stuck with 8 old and 5 new pods; scaled to 15, the 5 extra replicas split 3 to the
/// old ReplicaSet and 2 to the new one (11 and 7).
#[test]
fn scaling_mid_rollout_is_proportional() {
    let mut c = Cluster::new();
    let mut d = deployment("nginx", 10, "nginx:1.24");
    d["spec"]["strategy"] = json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 3, "maxUnavailable": 2}});
    c.create("deployments", d).expect("create");
    c.settle("nginx");
    c.set_image("nginx", "nginx:sometag"); // its pods never become ready
    for _ in 0..10 {
        c.tick();
        c.sync("nginx");
        c.replicasets();
    }
    let (old, new) = (rs_for(&c, "nginx:1.24"), rs_for(&c, "nginx:sometag"));
    assert_eq!((replicas(&old), replicas(&new)), (8, 5), "stuck at the fenceposts");
    c.events.clear();
    let mut d = c.obj("deployments", "nginx");
    d["spec"]["replicas"] = json!(15);
    c.apply(&Write::update("deployments", d)).expect("scale");
    c.tick();
    c.sync("nginx");
    let (old, new) = (rs_for(&c, "nginx:1.24"), rs_for(&c, "nginx:sometag"));
    assert_eq!((replicas(&old), replicas(&new)), (11, 7));
    for rs in [&old, &new] {
        assert_eq!(annotation(rs, DESIRED_REPLICAS_ANNOTATION), Some("15"));
        assert_eq!(annotation(rs, MAX_REPLICAS_ANNOTATION), Some("18"));
    }
    let (o, n) = (object::name(&old), object::name(&new));
    assert_eq!(
        c.events,
        vec![
            format!("ScalingReplicaSet: Scaled up replica set {o} to 11 from 8"),
            format!("ScalingReplicaSet: Scaled up replica set {n} to 7 from 5"),
        ]
    );
}

/// KK rolling.go's own example (`reconcileOldReplicaSets`, "case 1"): 10 replicas, maxSurge 3,
/// maxUnavailable 2, the new pods crash-loop, 8 old + 5 new. An old pod goes unready: 13 − 8 − 5
/// = 0, so nothing is scaled down (availability must not drop further). `rollout undo` makes the
/// old ReplicaSet new again: 13 − 8 − 1 = 4 crash-looping pods go, then the old one grows to 10.
#[test]
fn unavailable_new_pods_block_scaling_down_until_rolled_back() {
    let mut c = Cluster::new();
    let mut d = deployment("nginx", 10, "nginx:1.24");
    d["spec"]["strategy"] = json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 3, "maxUnavailable": 2}});
    c.create("deployments", d).expect("create");
    c.settle("nginx");
    c.set_image("nginx", "nginx:crashloop");
    for _ in 0..10 {
        c.tick();
        c.sync("nginx");
        c.replicasets();
    }
    let good = rs_for(&c, "nginx:1.24");
    assert_eq!((replicas(&good), replicas(&rs_for(&c, "nginx:crashloop"))), (8, 5));
    // A node fails: one old pod is no longer ready.
    let mut pod = c.pods_of(&good).into_iter().next().expect("an old pod");
    pod["status"]["conditions"] = json!([{"type": "Ready", "status": "False"}]);
    c.set.insert("pods", pod);
    c.refresh_status(object::name(&good));
    c.tick();
    let (plan, _) = c.sync("nginx");
    assert!(!plan.batches.iter().flatten().any(|w| w.resource == "replicasets"), "{:?}", plan.batches);
    let rss = c.list("replicasets");
    let refs: Vec<&Object> = rss.iter().collect();
    let Ok(Undo::RolledBack { patch }) = rollout_undo(&c.obj("deployments", "nginx"), &refs, 0) else { panic!("undo") };
    let write = Write {
        verb: Verb::Patch,
        resource: "deployments",
        subresource: "",
        namespace: NS.into(),
        name: "nginx".into(),
        body: Some(patch),
        propagation: None,
        grace_period_s: None,
        uid: None,
    };
    c.apply(&write).expect("patch");
    // The first sync writes the good ReplicaSet's new revision twice, the second time from the
    // informer's stale copy: 409, requeue (as KK does); the next one scales the crash-loopers down.
    c.tick();
    let (_, codes) = c.sync("nginx");
    assert_eq!(codes, vec![200, 409]);
    c.tick();
    c.sync("nginx");
    assert_eq!(replicas(&rs_for(&c, "nginx:crashloop")), 1, "13 - 8 - 1 = 4 scaled down");
    assert_eq!(replicas(&rs_for(&c, "nginx:1.24")), 8);
    c.replicasets();
    c.tick();
    c.sync("nginx");
    assert_eq!(replicas(&rs_for(&c, "nginx:1.24")), 10, "9 pods left, the good ReplicaSet grows to 10");
}

/// Right after an old ReplicaSet is scaled down its status still counts the pods it had: the
/// sync that sees 1 desired but 3 available must not "clean up" −2 unhealthy replicas (KK
/// returns an error there and scales nothing down in that sync).
#[test]
fn a_stale_old_status_scales_nothing_down() {
    let mut c = Cluster::new();
    let mut d = deployment("nginx", 3, "nginx:1.24");
    d["spec"]["strategy"] = json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 1}});
    c.create("deployments", d).expect("create");
    c.settle("nginx");
    c.set_image("nginx", "nginx:1.25");
    c.tick();
    c.sync("nginx");
    c.replicasets();
    let mut old = rs_for(&c, "nginx:1.24");
    // The Deployment lowers the old spec (as a scale-down would) before the ReplicaSet
    // controller has counted its pods again; a new pod is ready meanwhile.
    old["spec"]["replicas"] = json!(1);
    old["status"]["replicas"] = json!(3);
    old["status"]["availableReplicas"] = json!(3);
    c.set.insert("replicasets", old.clone());
    c.ready(object::name(&rs_for(&c, "nginx:1.25")), 1);
    c.tick();
    let (plan, _) = c.sync("nginx");
    let old_writes: Vec<&Write> =
        plan.batches.iter().flatten().filter(|w| w.name == object::name(&old) && w.resource == "replicasets").collect();
    assert!(old_writes.is_empty(), "{old_writes:?}");
}

/// `kubectl scale deployment nginx --replicas=5` with one ReplicaSet: the scaling event resizes
/// it directly.
#[test]
fn scaling_a_settled_deployment_resizes_its_replica_set() {
    let mut c = Cluster::new();
    c.create("deployments", deployment("nginx", 3, "nginx:1.24")).expect("create");
    c.settle("nginx");
    c.events.clear();
    let mut d = c.obj("deployments", "nginx");
    d["spec"]["replicas"] = json!(5);
    c.apply(&Write::update("deployments", d)).expect("scale");
    c.settle("nginx");
    let rs = &c.list("replicasets")[0];
    assert_eq!((replicas(rs), annotation(rs, DESIRED_REPLICAS_ANNOTATION)), (5, Some("5")));
    assert_eq!(c.events, vec![format!("ScalingReplicaSet: Scaled up replica set {} to 5 from 3", object::name(rs))]);
    let s = DeploymentStatus::of(&c.obj("deployments", "nginx"));
    assert_eq!((s.replicas, s.available_replicas, s.observed_generation), (5, 5, 2));
}

// ---------------------------------------------------------------------------------------------
// Recreate, pause, deadline.

/// Recreate: old pods scaled to 0 first; no new ReplicaSet while any old pod is Terminating;
/// the last pod's deletion queues the Deployment, whose sync creates the new ReplicaSet full size.
#[test]
fn recreate_waits_for_old_pods_to_be_gone() {
    let mut c = Cluster::new();
    c.graceful = true;
    let mut d = deployment("nginx", 2, "nginx:1.24");
    d["spec"]["strategy"] = json!({"type": "Recreate"});
    c.create("deployments", d).expect("create");
    c.settle("nginx");
    c.events.clear();
    c.set_image("nginx", "nginx:1.25");
    c.tick();
    c.sync("nginx");
    let old = rs_for(&c, "nginx:1.24");
    assert_eq!(replicas(&old), 0);
    c.replicasets();
    assert_eq!(c.list("pods").iter().filter(|p| being_deleted(p)).count(), 2, "both Terminating");
    c.tick();
    let (plan, _) = c.sync("nginx");
    assert!(plan.batches.iter().flatten().all(|w| w.resource == "deployments"), "only status while pods terminate");
    assert_eq!(c.list("replicasets").len(), 1);
    let keys = c.finish_terminating();
    assert_eq!(keys, vec![Vec::<String>::new(), vec!["default/nginx".to_string()]], "queued when the last pod is gone");
    c.tick();
    c.sync("nginx");
    let new = rs_for(&c, "nginx:1.25");
    assert_eq!(replicas(&new), 2);
    assert_eq!(
        c.events,
        vec![
            format!("ScalingReplicaSet: Scaled down replica set {} to 0 from 2", object::name(&old)),
            format!("ScalingReplicaSet: Scaled up replica set {} to 2", object::name(&new)),
        ]
    );
}

/// A paused Deployment records DeploymentPaused and does not roll a changed template; resumed,
/// it rolls.
#[test]
fn a_paused_deployment_does_not_roll() {
    let mut c = Cluster::new();
    c.create("deployments", deployment("nginx", 2, "nginx:1.24")).expect("create");
    c.settle("nginx");
    let mut d = c.obj("deployments", "nginx");
    d["spec"]["paused"] = json!(true);
    c.apply(&Write::update("deployments", d)).expect("pause");
    c.set_image("nginx", "nginx:1.25");
    c.settle("nginx");
    assert_eq!(c.list("replicasets").len(), 1, "no new ReplicaSet while paused");
    let s = DeploymentStatus::of(&c.obj("deployments", "nginx"));
    let p = s.condition("Progressing").expect("Progressing");
    assert_eq!(
        (p.status.as_str(), p.reason.as_str(), p.message.as_str()),
        ("Unknown", PAUSED_REASON, "Deployment is paused")
    );
    let mut d = c.obj("deployments", "nginx");
    d["spec"]["paused"] = json!(false);
    c.apply(&Write::update("deployments", d)).expect("resume");
    c.settle("nginx");
    assert_eq!(replicas(&rs_for(&c, "nginx:1.25")), 2);
}

/// progressDeadlineSeconds 60 and pods that never become ready: the controller asks to be
/// woken at the deadline, then marks Progressing False ProgressDeadlineExceeded.
#[test]
fn a_stuck_rollout_times_out() {
    let mut c = Cluster::new();
    let mut d = deployment("nginx", 2, "nginx:1.24");
    d["spec"]["progressDeadlineSeconds"] = json!(60);
    c.create("deployments", d).expect("create");
    c.settle("nginx");
    c.set_image("nginx", "nginx:broken");
    for _ in 0..5 {
        c.tick();
        c.sync("nginx");
        c.replicasets();
    }
    let (plan, _) = c.sync("nginx");
    let requeue = plan.requeue_after_us.expect("woken for the deadline check");
    assert!((50 * US_PER_S..=62 * US_PER_S).contains(&requeue), "{requeue}");
    c.now_us += requeue;
    c.sync("nginx");
    let d = c.obj("deployments", "nginx");
    let p = DeploymentStatus::of(&d).condition("Progressing").cloned().expect("Progressing");
    assert_eq!((p.status.as_str(), p.reason.as_str()), ("False", TIMED_OUT_REASON));
    let new = rs_for(&c, "nginx:broken");
    assert_eq!(p.message, format!("ReplicaSet \"{}\" has timed out progressing.", object::name(&new)));
    assert_eq!(rollout_status(&d, None), Err("error: deployment \"nginx\" exceeded its progress deadline".into()));
}

// ---------------------------------------------------------------------------------------------
// Adoption, informer handlers, the fresh cluster.

/// An orphan ReplicaSet the Deployment selects and whose template matches is adopted (patched
/// with the Deployment as controller) and used as the new ReplicaSet — no second one.
#[test]
fn an_orphan_replica_set_is_adopted() {
    let mut c = Cluster::new();
    c.create("deployments", deployment("nginx", 2, "nginx:1.24")).expect("create");
    let d = c.obj("deployments", "nginx");
    let mut orphan = new_replica_set(&d, "7854ff8877", 2, 1);
    object::metadata_mut(&mut orphan).remove("ownerReferences");
    c.create("replicasets", orphan.clone()).expect("orphan");
    let orphan = c.obj("replicasets", "nginx-7854ff8877");
    let change = Change { resource: "replicasets", old: None, new: Some(&orphan) };
    assert_eq!(c.ctrl.keys_for(change, &c.set, c.now_us), vec!["default/nginx".to_string()]);
    let (plan, _) = c.sync("nginx");
    let adopt = &plan.batches[0][0];
    assert_eq!((adopt.verb, adopt.name.as_str()), (Verb::Patch, "nginx-7854ff8877"));
    assert_eq!(adopt.body, Some(json!({"metadata": {"ownerReferences": [owner_ref(&d)]}})));
    assert!(!plan.batches.iter().flatten().any(|w| w.verb == Verb::Create), "no new ReplicaSet");
    c.settle("nginx");
    assert_eq!(c.rs_names(), vec!["nginx-7854ff8877".to_string()]);
    assert!(is_controlled_by(&c.obj("replicasets", "nginx-7854ff8877"), &d));
}

/// KK's informer handlers: a ReplicaSet change queues its controller (matched by name and uid),
/// a resync (same resourceVersion) nothing, a pod deletion nothing for RollingUpdate.
#[test]
fn replica_set_changes_queue_their_deployment() {
    let mut c = Cluster::new();
    c.create("deployments", deployment("nginx", 1, "nginx:1.24")).expect("create");
    c.settle("nginx");
    let rs = c.list("replicasets")[0].clone();
    let key = vec!["default/nginx".to_string()];
    let add = Change { resource: "replicasets", old: None, new: Some(&rs) };
    assert_eq!(c.ctrl.keys_for(add, &c.set, 0), key);
    let resync = Change { resource: "replicasets", old: Some(&rs), new: Some(&rs) };
    assert!(c.ctrl.keys_for(resync, &c.set, 0).is_empty());
    let mut newer = rs.clone();
    object::set_resource_version(&mut newer, 999);
    let update = Change { resource: "replicasets", old: Some(&rs), new: Some(&newer) };
    assert_eq!(c.ctrl.keys_for(update, &c.set, 0), key);
    let delete = Change { resource: "replicasets", old: Some(&rs), new: None };
    assert_eq!(c.ctrl.keys_for(delete, &c.set, 0), key);
    let mut stranger = rs.clone();
    stranger["metadata"]["ownerReferences"][0]["uid"] = json!("another-uid");
    let other = Change { resource: "replicasets", old: None, new: Some(&stranger) };
    assert!(c.ctrl.keys_for(other, &c.set, 0).is_empty(), "a same-named Deployment with another uid is not the owner");
    let pod = c.list("pods")[0].clone();
    c.set.remove("pods", NS, object::name(&pod));
    let gone = Change { resource: "pods", old: Some(&pod), new: None };
    assert!(c.ctrl.keys_for(gone, &c.set, 0).is_empty(), "RollingUpdate does not wait for pods");
    let d = c.obj("deployments", "nginx");
    let dchange = Change { resource: "deployments", old: None, new: Some(&d) };
    assert_eq!(c.ctrl.keys_for(dchange, &c.set, 0), key);
}

/// The fresh cluster's CoreDNS and local-path-provisioner Deployments (bootstrap.rs: the RS
/// names kind v1.27.3 really shows, `coredns-5d78c9869d`) are recognised as rolled out: their
/// ReplicaSets match by template (the lab's own hash would name them differently), so a sync
/// plans no ReplicaSet, no scaling and no status change — nothing at all.
#[test]
fn the_bootstrap_deployments_are_in_sync() {
    let mut set = ObjectSet::new();
    for (i, (key, value)) in crate::apiserver::bootstrap::etcd_entries(3, 2).into_iter().enumerate() {
        let res = crate::k8s::storage::resource_of_key(&key).expect("a known resource");
        set.insert(res.name, object::from_storage(&value, 2 + i as u64).expect("stored JSON"));
    }
    let mut ctrl = DeploymentController::new();
    for (key, rs_name) in [
        ("kube-system/coredns", "coredns-5d78c9869d"),
        ("local-path-storage/local-path-provisioner", "local-path-provisioner-6bc4bddd6b"),
    ] {
        let plan = ctrl.sync(key, &set, 0);
        assert!(plan.batches.is_empty(), "{key}: {:#?}", plan.batches);
        assert!(plan.notes.is_empty(), "{key}: {:?}", plan.notes);
        assert_eq!(plan.requeue_after_us, None);
        assert_eq!(plan.diff.as_ref().map(|d| (d.what.as_str(), d.desired == d.current)), Some(("replicas", true)));
        let (ns, _) = key.split_once('/').expect("ns/name");
        let rs = set.get("replicasets", ns, rs_name).expect("bootstrap RS");
        let d = set.get("deployments", ns, key.split_once('/').expect("ns/name").1).expect("deployment");
        assert!(equal_ignore_hash(rs.pointer("/spec/template"), d.pointer("/spec/template")));
        assert_ne!(compute_hash(d.pointer("/spec/template"), None), rs_name.rsplit('-').next().unwrap_or(""));
        let add = Change { resource: "replicasets", old: None, new: Some(rs) };
        assert_eq!(ctrl.keys_for(add, &set, 0), vec![key.to_string()]);
    }
}

/// A hash collision (another object already has `nginx-<hash>`) bumps status.collisionCount
/// instead of creating; the next sync creates under the new hash.
#[test]
fn a_hash_collision_bumps_the_collision_count() {
    let mut c = Cluster::new();
    c.create("deployments", deployment("nginx", 1, "nginx:1.24")).expect("create");
    let d = c.obj("deployments", "nginx");
    let hash = compute_hash(d.pointer("/spec/template"), None);
    let squatter = json!({"apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": format!("nginx-{hash}"), "labels": {"app": "other"}},
        "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "other"}},
            "template": {"metadata": {"labels": {"app": "other"}}, "spec": {"containers": [{"name": "x", "image": "x"}]}}}});
    c.create("replicasets", squatter).expect("squatter");
    let (plan, _) = c.sync("nginx");
    assert_eq!(plan.batches.len(), 1);
    assert_eq!(DeploymentStatus::of(&c.obj("deployments", "nginx")).collision_count, Some(1));
    c.sync("nginx");
    let hash1 = compute_hash(d.pointer("/spec/template"), Some(1));
    assert!(c.rs_names().contains(&format!("nginx-{hash1}")), "{:?}", c.rs_names());
}

/// The status JSON omits zero counts, as Go's `omitempty` does.
#[test]
fn status_json_omits_zeros() {
    let s = DeploymentStatus { observed_generation: 1, replicas: 2, ..DeploymentStatus::default() };
    assert_eq!(s.to_value(), json!({"observedGeneration": 1, "replicas": 2}));
    let d = json!({"status": s.to_value()});
    assert_eq!(DeploymentStatus::of(&d), s);
}
