//! The writes the robot factory's components make, through the whole office (authentication,
//! the Node and RBAC authorizers, admission, etcd): generated names, the `status`, `binding`,
//! `scale` and `eviction` subresources, graceful deletion of pods, finalizers and propagation
//! policies, delete preconditions, and what kubelets, the scheduler and the controllers may do.
//! Each request is sent with `World::api_call`, as a component on a control-plane node sends it.

use lab_core::apiserver::handler::{ApiCall, Response, Verb};
use lab_core::apiserver::object;
use lab_core::controllers::Propagation;
use lab_core::i18n::Lang;
use lab_core::k8s::authn::{mint_service_account_token, Credential};
use lab_core::k8s::kubeconfig::SA_KEY;
use lab_core::k8s::resources::resolve;
use lab_core::World;
use serde_json::{json, Value};

const WORKER: &str = "challenge-cluster-worker";
const WORKER2: &str = "challenge-cluster-worker2";

/// The API servers alone: no controller-manager, scheduler or kubelets write meanwhile, so
/// etcd's revision and the load balancer's turn move only for the test's own requests.
fn cluster() -> World {
    World::with_kubernetes(1, 3).without_robots()
}

fn admin() -> Credential {
    Credential::ClientCert { cn: "kubernetes-admin".into(), orgs: vec!["system:masters".into()] }
}

/// A kubelet's client certificate (KW `reference/access-authn-authz/node.md`).
fn kubelet(node: &str) -> Credential {
    Credential::ClientCert { cn: format!("system:node:{node}"), orgs: vec!["system:nodes".into()] }
}

fn scheduler() -> Credential {
    Credential::ClientCert { cn: "system:kube-scheduler".into(), orgs: vec![] }
}

/// A controller's service account token (`--use-service-account-credentials`).
fn controller(sa: &str) -> Credential {
    Credential::Bearer(mint_service_account_token(SA_KEY, "kube-system", sa, 365 * 24 * 3600))
}

fn call(verb: Verb, resource: &str, ns: &str, name: &str, cred: Credential) -> ApiCall {
    ApiCall::new(verb, resolve(resource).expect("known resource"), ns, name, cred)
}

/// Sends the call to apiserver-1 and runs the world until it is answered.
fn send(w: &mut World, c: ApiCall) -> Response {
    let id = w.api_call(1, c).expect("apiserver-1 exists");
    let deadline = w.now_us() + 30_000_000;
    loop {
        if let Some(r) = w.take_api_answer(id) {
            return r;
        }
        assert!(w.now_us() < deadline, "request {id} unanswered");
        w.run_until(w.now_us() + 10_000);
    }
}

fn object(r: Response) -> (u16, Value) {
    match r {
        Response::Object { code, object } => (code, object),
        other => panic!("expected an object, got {other:?}"),
    }
}

fn status(r: Response) -> (u16, String) {
    match r {
        Response::Status(s) => (s.code, s.message),
        other => panic!("expected a Status, got {other:?}"),
    }
}

fn get(w: &mut World, resource: &str, ns: &str, name: &str) -> Option<Value> {
    match send(w, call(Verb::Get, resource, ns, name, admin())) {
        Response::Object { object, .. } => Some(object),
        Response::Status(s) if s.code == 404 => None,
        other => panic!("get {resource}/{name}: {other:?}"),
    }
}

/// Runs a kubectl line; returns its output (English), without the command line.
fn run(w: &mut World, line: &str) -> String {
    let from = w.transcript().len();
    let id = w.submit(line);
    w.run_until_done(id);
    let out = w.render_transcript(from, Lang::En);
    out.split_once('\n').map_or(String::new(), |(_, rest)| rest.trim_end().to_string())
}

fn pod_body(name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"app": "web"}},
        "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]}})
}

/// A pod in `default`, bound to `node` by the scheduler.
fn bound_pod(w: &mut World, name: &str, node: &str) -> Value {
    let mut c = call(Verb::Create, "pods", "default", name, admin());
    c.body = Some(pod_body(name));
    assert_eq!(object(send(w, c)).0, 201);
    let (code, _) = object(send(w, binding(name, node, scheduler())));
    assert_eq!(code, 201);
    get(w, "pods", "default", name).expect("the pod")
}

fn binding(pod: &str, node: &str, cred: Credential) -> ApiCall {
    let mut c = call(Verb::Create, "pods", "default", pod, cred);
    c.subresource = "binding";
    c.body = Some(json!({"apiVersion": "v1", "kind": "Binding", "metadata": {"name": pod, "namespace": "default"},
        "target": {"apiVersion": "v1", "kind": "Node", "name": node}}));
    c
}

/// KK `staging/src/k8s.io/apiserver/pkg/storage/names/generate.go`: an empty name with a
/// `generateName` becomes the prefix plus 5 characters of `bcdfghjklmnpqrstvwxz2456789`; the
/// same scenario draws the same names.
#[test]
fn generate_name_appends_five_safe_characters() {
    let names = |w: &mut World| {
        (0..2)
            .map(|_| {
                let mut c = call(Verb::Create, "pods", "default", "", controller("replicaset-controller"));
                c.body =
                    Some(json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"generateName": "web-7854ff8877-"},
                    "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]}}));
                let (code, pod) = object(send(w, c));
                assert_eq!(code, 201);
                object::name(&pod).to_string()
            })
            .collect::<Vec<_>>()
    };
    let mut w = cluster();
    let got = names(&mut w);
    for n in &got {
        let suffix = n.strip_prefix("web-7854ff8877-").expect("the prefix");
        assert_eq!(suffix.len(), 5, "{n}");
        assert!(suffix.bytes().all(|b| b"bcdfghjklmnpqrstvwxz2456789".contains(&b)), "{n}");
        assert!(get(&mut w, "pods", "default", n).is_some(), "{n} is stored under its generated name");
    }
    assert_ne!(got[0], got[1]);
    assert_eq!(names(&mut cluster()), got, "deterministic");
}

/// podStatusStrategy (KK `pkg/registry/core/pod/strategy.go`): a status update changes only the
/// status — the spec stays, the resourceVersion is a precondition, no generation moves — and
/// RBAC checks `pods/status`.
#[test]
fn status_updates_touch_only_the_status() {
    let mut w = cluster();
    let pod = bound_pod(&mut w, "web", WORKER);
    let mut body = pod.clone();
    body["status"]["phase"] = json!("Running");
    body["spec"]["nodeName"] = json!("somewhere-else");
    let mut c = call(Verb::Update, "pods", "default", "web", kubelet(WORKER));
    c.subresource = "status";
    c.body = Some(body.clone());
    let (code, stored) = object(send(&mut w, c.clone()));
    assert_eq!(code, 200);
    assert_eq!(object::str_at(&stored, "/status/phase"), "Running");
    assert_eq!(object::str_at(&stored, "/spec/nodeName"), WORKER, "the spec is the stored one");
    assert!(object::resource_version(&stored) > object::resource_version(&pod));
    // The same body again: its resourceVersion is stale now.
    assert_eq!(
        status(send(&mut w, c)),
        (409, "Operation cannot be fulfilled on pods \"web\": the object has been modified; please apply your changes to the latest version and try again".into())
    );
    // A status patch.
    let mut p = call(Verb::Patch, "pods", "default", "web", kubelet(WORKER));
    p.subresource = "status";
    p.body = Some(json!({"status": {"podIP": "10.244.3.7"}, "spec": {"nodeName": "x"}}));
    let (_, patched) = object(send(&mut w, p));
    assert_eq!(
        (object::str_at(&patched, "/status/podIP"), object::str_at(&patched, "/spec/nodeName")),
        ("10.244.3.7", WORKER)
    );
    // Deployments: a status update keeps spec and generation (deploymentStatusStrategy).
    let d = get(&mut w, "deployments", "kube-system", "coredns").expect("coredns");
    let mut body = d.clone();
    body["status"]["observedGeneration"] = d["metadata"]["generation"].clone();
    body["spec"]["replicas"] = json!(7);
    let mut c = call(Verb::Update, "deployments", "kube-system", "coredns", controller("deployment-controller"));
    c.subresource = "status";
    c.body = Some(body);
    let (_, stored) = object(send(&mut w, c));
    assert_eq!(
        (stored["spec"]["replicas"].clone(), stored["metadata"]["generation"].clone()),
        (json!(2), d["metadata"]["generation"].clone())
    );
    // RBAC: `edit` may update pods but not pods/status.
    run(&mut w, "kubectl run dev-pod --image=nginx:1.25 -n dev");
    let dev = Credential::ClientCert { cn: "developer".into(), orgs: vec!["dev-team".into()] };
    let mut c = call(Verb::Patch, "pods", "dev", "dev-pod", dev);
    c.subresource = "status";
    c.body = Some(json!({"status": {"phase": "Running"}}));
    assert_eq!(
        status(send(&mut w, c)),
        (403, "pods \"dev-pod\" is forbidden: User \"developer\" cannot patch resource \"pods/status\" in API group \"\" in the namespace \"dev\"".into())
    );
}

/// KK `pkg/registry/core/pod/storage/storage.go` `BindingREST`: a binding sets `spec.nodeName`
/// (and PodScheduled) once and answers a `Status` of Success; a second binding is a 409 with
/// the registry's message. Only who may create `pods/binding` can bind: the scheduler, not a
/// kubelet.
#[test]
fn the_scheduler_binds_a_pod_once() {
    let mut w = cluster();
    let mut c = call(Verb::Create, "pods", "default", "web", admin());
    c.body = Some(pod_body("web"));
    send(&mut w, c);
    let (code, body) = object(send(&mut w, binding("web", WORKER, scheduler())));
    assert_eq!(code, 201);
    assert_eq!(body.to_string(), r#"{"apiVersion":"v1","code":201,"kind":"Status","metadata":{},"status":"Success"}"#);
    let pod = get(&mut w, "pods", "default", "web").expect("pod");
    assert_eq!(object::str_at(&pod, "/spec/nodeName"), WORKER);
    let scheduled = pod["status"]["conditions"]
        .as_array()
        .expect("conditions")
        .iter()
        .any(|c| c["type"] == "PodScheduled" && c["status"] == "True");
    assert!(scheduled);
    assert_eq!(
        status(send(&mut w, binding("web", WORKER2, scheduler()))),
        (409, format!("Operation cannot be fulfilled on pods/binding \"web\": pod web is already assigned to node \"{WORKER}\""))
    );
    assert_eq!(
        status(send(&mut w, binding("web", WORKER2, kubelet(WORKER2)))),
        (403, format!("pods \"web\" is forbidden: User \"system:node:{WORKER2}\" cannot create resource \"pods/binding\" in API group \"\" in the namespace \"default\""))
    );
    assert_eq!(status(send(&mut w, binding("nope", WORKER, scheduler()))).0, 404);
    let mut get_binding = call(Verb::Get, "pods", "default", "web", admin());
    get_binding.subresource = "binding";
    assert_eq!(status(send(&mut w, get_binding)).0, 405);
    let out = run(&mut w, "kubectl get pod web -o wide");
    assert!(out.contains(WORKER), "{out}");
}

/// KK `pkg/registry/apps/deployment/storage/storage.go` `ScaleREST`: an `autoscaling/v1` Scale
/// over `spec.replicas`; writing it moves the Deployment's replicas and generation. RBAC checks
/// `deployments/scale`.
#[test]
fn the_scale_subresource_reads_and_writes_replicas() {
    let mut w = cluster();
    let mut c = call(Verb::Get, "deployments", "kube-system", "coredns", admin());
    c.subresource = "scale";
    let (_, scale) = object(send(&mut w, c));
    assert_eq!((scale["kind"].clone(), scale["apiVersion"].clone()), (json!("Scale"), json!("autoscaling/v1")));
    assert_eq!(
        (scale["spec"]["replicas"].clone(), scale["status"]["selector"].clone()),
        (json!(2), json!("k8s-app=kube-dns"))
    );
    let before = get(&mut w, "deployments", "kube-system", "coredns").expect("coredns");
    let mut p = call(Verb::Patch, "deployments", "kube-system", "coredns", admin());
    p.subresource = "scale";
    p.body = Some(json!({"spec": {"replicas": 3}}));
    let (code, scale) = object(send(&mut w, p.clone()));
    assert_eq!((code, scale["spec"]["replicas"].clone()), (200, json!(3)));
    let after = get(&mut w, "deployments", "kube-system", "coredns").expect("coredns");
    assert_eq!(after["spec"]["replicas"], json!(3));
    assert_eq!(after["metadata"]["generation"].as_u64(), before["metadata"]["generation"].as_u64().map(|g| g + 1));
    assert_eq!(scale["metadata"]["resourceVersion"], after["metadata"]["resourceVersion"]);
    p.body = Some(json!({"spec": {"replicas": -1}}));
    assert_eq!(status(send(&mut w, p.clone())).0, 422);
    p.credential = Credential::ClientCert { cn: "viewer".into(), orgs: vec!["viewers".into()] };
    assert_eq!(
        status(send(&mut w, p)),
        (403, "deployments.apps \"coredns\" is forbidden: User \"viewer\" cannot patch resource \"deployments/scale\" in API group \"apps\" in the namespace \"kube-system\"".into())
    );
}

/// KW pod-lifecycle.md "Termination of Pods": deleting a pod a node runs marks it
/// (deletionTimestamp = now + 30 s, `Terminating`) and kubectl still prints `pod "x" deleted`;
/// deleting it again changes nothing; the kubelet's delete with grace 0 removes it. An unbound
/// pod goes at once.
#[test]
fn bound_pods_terminate_gracefully() {
    let mut w = cluster();
    bound_pod(&mut w, "web", WORKER);
    let t = w.now_us();
    assert_eq!(run(&mut w, "kubectl delete pod web"), "pod \"web\" deleted");
    let pod = get(&mut w, "pods", "default", "web").expect("still there");
    let deadline = object::parse_rfc3339(object::str_at(&pod, "/metadata/deletionTimestamp")).expect("marked");
    let sent_s = object::unix_s(t);
    assert!((sent_s + 30..=sent_s + 31).contains(&deadline), "{deadline} vs {sent_s}");
    assert_eq!(pod["metadata"]["deletionGracePeriodSeconds"], json!(30));
    assert!(run(&mut w, "kubectl get pod web").contains("Terminating"));
    // A second graceful delete answers the pod unchanged.
    let (code, again) = object(send(&mut w, call(Verb::Delete, "pods", "default", "web", admin())));
    assert_eq!((code, object::resource_version(&again)), (200, object::resource_version(&pod)));
    // Another node's kubelet may not delete it; its own kubelet deletes it with grace 0.
    let mut other = call(Verb::Delete, "pods", "default", "web", kubelet(WORKER2));
    other.delete.grace_period_s = Some(0);
    assert_eq!(
        status(send(&mut w, other)),
        (
            403,
            format!(
                "pods \"web\" is forbidden: node \"{WORKER2}\" can only delete pods with spec.nodeName set to itself"
            )
        )
    );
    let mut final_delete = call(Verb::Delete, "pods", "default", "web", kubelet(WORKER));
    final_delete.delete.grace_period_s = Some(0);
    assert!(matches!(send(&mut w, final_delete), Response::Deleted(_)));
    assert!(get(&mut w, "pods", "default", "web").is_none());
    // Unbound: removed at once.
    run(&mut w, "kubectl run lonely --image=nginx:1.25");
    assert_eq!(run(&mut w, "kubectl delete pod lonely"), "pod \"lonely\" deleted");
    assert!(get(&mut w, "pods", "default", "lonely").is_none());
}

/// KK `pkg/registry/core/pod/storage/eviction.go`: an eviction (no PodDisruptionBudgets in the
/// lab) deletes the pod gracefully and answers 201 Success; kubelets may evict only their own
/// node's pods (NodeRestriction).
#[test]
fn evictions_delete_gracefully() {
    let mut w = cluster();
    bound_pod(&mut w, "web", WORKER);
    let evict = |cred: Credential| {
        let mut c = call(Verb::Create, "pods", "default", "web", cred);
        c.subresource = "eviction";
        c.body = Some(
            json!({"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "web", "namespace": "default"}}),
        );
        c
    };
    assert_eq!(
        status(send(&mut w, evict(kubelet(WORKER2)))),
        (
            403,
            format!("pods \"web\" is forbidden: node {WORKER2} can only evict pods with spec.nodeName set to itself")
        )
    );
    let (code, body) = object(send(&mut w, evict(admin())));
    assert_eq!((code, body["status"].clone()), (201, json!("Success")));
    let pod = get(&mut w, "pods", "default", "web").expect("terminating, not gone");
    assert_eq!(pod["metadata"]["deletionGracePeriodSeconds"], json!(30));
}

/// KW garbage-collection.md, KK store.go `deletionFinalizersForGarbageCollection`: Foreground
/// and Orphan deletes only mark the owner (finalizer, deletionTimestamp, grace 0); the garbage
/// collector's update that removes the finalizer removes the object (`ShouldDeleteDuringUpdate`).
/// Background removes it at once.
#[test]
fn propagation_policies_and_finalizers() {
    let mut w = cluster();
    run(&mut w, "kubectl create deployment fg --image=nginx:1.25");
    run(&mut w, "kubectl create deployment orph --image=nginx:1.25");
    run(&mut w, "kubectl create deployment bg --image=nginx:1.25");
    for (name, policy, finalizer) in
        [("fg", Propagation::Foreground, "foregroundDeletion"), ("orph", Propagation::Orphan, "orphan")]
    {
        let mut c = call(Verb::Delete, "deployments", "default", name, admin());
        c.delete.propagation = Some(policy);
        let (code, d) = object(send(&mut w, c));
        assert_eq!(code, 200);
        assert_eq!(d["metadata"]["finalizers"], json!([finalizer]));
        assert_eq!(d["metadata"]["deletionGracePeriodSeconds"], json!(0));
        assert!(get(&mut w, "deployments", "default", name).is_some(), "{name} waits for the collector");
        let mut gc = call(Verb::Patch, "deployments", "default", name, controller("generic-garbage-collector"));
        gc.body = Some(json!({"metadata": {"finalizers": null}}));
        assert_eq!(object(send(&mut w, gc)).0, 200);
        assert!(get(&mut w, "deployments", "default", name).is_none(), "{name} went with its finalizer");
    }
    assert_eq!(run(&mut w, "kubectl delete deployment bg"), "deployment.apps \"bg\" deleted");
    assert!(get(&mut w, "deployments", "default", "bg").is_none());
    // Any finalizer holds an object; none can be added once it is being deleted.
    let mut c = call(Verb::Create, "configmaps", "default", "held", admin());
    c.body = Some(
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "held", "finalizers": ["example.com/keep"]}}),
    );
    send(&mut w, c);
    assert_eq!(run(&mut w, "kubectl delete cm held"), "configmap \"held\" deleted");
    assert!(get(&mut w, "configmaps", "default", "held").is_some());
    let mut add = call(Verb::Patch, "configmaps", "default", "held", admin());
    add.body = Some(json!({"metadata": {"finalizers": ["example.com/keep", "example.com/more"]}}));
    let (code, msg) = status(send(&mut w, add));
    assert_eq!(code, 422);
    assert!(msg.ends_with("metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\"example.com/more\"}"), "{msg}");
    let mut drop = call(Verb::Patch, "configmaps", "default", "held", admin());
    drop.body = Some(json!({"metadata": {"finalizers": []}}));
    send(&mut w, drop);
    assert!(get(&mut w, "configmaps", "default", "held").is_none());
}

/// KK `staging/src/k8s.io/apiserver/pkg/registry/rest/delete.go` `BeforeDelete`: a delete whose
/// UID precondition names another object (deleted and recreated meanwhile) is a 409.
#[test]
fn a_delete_with_a_stale_uid_is_refused() {
    let mut w = cluster();
    run(&mut w, "kubectl run web --image=nginx:1.25");
    let pod = get(&mut w, "pods", "default", "web").expect("pod");
    let uid = object::str_at(&pod, "/metadata/uid").to_string();
    let mut c = call(Verb::Delete, "pods", "default", "web", controller("replicaset-controller"));
    c.delete.uid = Some("0000-stale".into());
    assert_eq!(
        status(send(&mut w, c.clone())),
        (409, format!("Operation cannot be fulfilled on Pod \"web\": the UID in the precondition (0000-stale) does not match the UID in record ({uid}). The object might have been deleted and then recreated"))
    );
    c.delete.uid = Some(uid);
    assert!(matches!(send(&mut w, c), Response::Deleted(_)));
}

/// KW node.md: the Node authorizer and NodeRestriction let a kubelet read nodes and pods, write
/// its own Node, node status and Lease, and record events — and nothing of other nodes'.
#[test]
fn kubelets_write_only_their_own_things() {
    let mut w = cluster();
    let me = kubelet(WORKER);
    for (resource, ns, name) in [("nodes", "", WORKER2), ("pods", "kube-system", "")] {
        let verb = if name.is_empty() { Verb::List } else { Verb::Get };
        assert!(!matches!(send(&mut w, call(verb, resource, ns, name, me.clone())), Response::Status(_)), "{resource}");
    }
    let mut p = call(Verb::Patch, "nodes", "", WORKER, me.clone());
    p.subresource = "status";
    p.body = Some(json!({"status": {"conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}]}}));
    assert_eq!(object(send(&mut w, p.clone())).0, 200);
    p.name = WORKER2.into();
    assert_eq!(
        status(send(&mut w, p)),
        (
            403,
            format!("nodes \"{WORKER2}\" is forbidden: node \"{WORKER}\" is not allowed to modify node \"{WORKER2}\"")
        )
    );
    let mut lease = call(Verb::Patch, "leases", "kube-node-lease", WORKER, me.clone());
    lease.body = Some(json!({"spec": {"renewTime": "2026-11-27T09:00:10.000000Z"}}));
    assert_eq!(object(send(&mut w, lease.clone())).0, 200);
    lease.name = WORKER2.into();
    assert_eq!(
        status(send(&mut w, lease)),
        (403, format!("leases.coordination.k8s.io \"{WORKER2}\" is forbidden: User \"system:node:{WORKER}\" cannot patch resource \"leases\" in API group \"coordination.k8s.io\" in the namespace \"kube-node-lease\": can only access node lease with the same name as the requesting node"))
    );
    let mut ev = call(Verb::Create, "events", "default", "", me.clone());
    ev.body = Some(json!({"apiVersion": "v1", "kind": "Event", "metadata": {"name": "web.17a2b3c4d5e6f708"},
        "involvedObject": {"kind": "Pod", "name": "web", "namespace": "default"}, "reason": "Pulled", "type": "Normal"}));
    assert_eq!(object(send(&mut w, ev)).0, 201);
    // A kubelet cannot create ordinary pods (only mirror pods of its node).
    let mut c = call(Verb::Create, "pods", "default", "x", me);
    c.body = Some(pod_body("x"));
    assert_eq!(
        status(send(&mut w, c)),
        (403, format!("pods \"x\" is forbidden: pod does not have \"kubernetes.io/config.mirror\" annotation, node \"{WORKER}\" can only create mirror pods"))
    );
    // What kubectl auth can-i says for a kubelet asks the Node authorizer too.
    let as_kubelet = format!("--as system:node:{WORKER} --as-group system:nodes");
    assert_eq!(run(&mut w, &format!("kubectl auth can-i get nodes {as_kubelet}")), "yes");
    assert_eq!(run(&mut w, &format!("kubectl auth can-i create deployments {as_kubelet}")), "no");
}

/// KK `plugin/pkg/auth/authorizer/rbac/bootstrappolicy/controller_policy.go`: each controller
/// can do its own job and no other (the ReplicaSet controller creates pods, the Deployment
/// controller does not); kube-controller-manager and the scheduler renew their leader Leases.
#[test]
fn controllers_have_their_bootstrap_roles() {
    let mut w = cluster();
    let create_pod = |cred: Credential| {
        let mut c = call(Verb::Create, "pods", "default", "", cred);
        c.body = Some(json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"generateName": "web-"},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]}}));
        c
    };
    assert_eq!(object(send(&mut w, create_pod(controller("replicaset-controller")))).0, 201);
    assert_eq!(
        status(send(&mut w, create_pod(controller("deployment-controller")))),
        (403, "pods is forbidden: User \"system:serviceaccount:kube-system:deployment-controller\" cannot create resource \"pods\" in API group \"\" in the namespace \"default\"".into())
    );
    let mut rs = call(Verb::Create, "replicasets", "default", "web-abc", controller("deployment-controller"));
    rs.body = Some(json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web-abc"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]}}}}));
    assert_eq!(object(send(&mut w, rs)).0, 201);
    let mut node_taint = call(Verb::Patch, "nodes", "", WORKER, controller("node-controller"));
    node_taint.body =
        Some(json!({"spec": {"taints": [{"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"}]}}));
    assert_eq!(object(send(&mut w, node_taint)).0, 200);
    for (user, lease) in
        [("system:kube-controller-manager", "kube-controller-manager"), ("system:kube-scheduler", "kube-scheduler")]
    {
        // client-go's leader election reads the Lease and updates it (`get`, `update` on its
        // own Lease by name; no `patch`).
        let cred = Credential::ClientCert { cn: user.into(), orgs: vec![] };
        let (_, mut held) = object(send(&mut w, call(Verb::Get, "leases", "kube-system", lease, cred.clone())));
        held["spec"]["renewTime"] = json!("2026-11-27T09:00:02.000000Z");
        let mut renew = call(Verb::Update, "leases", "kube-system", lease, cred.clone());
        renew.body = Some(held);
        assert_eq!(object(send(&mut w, renew.clone())).0, 200, "{user}");
        renew.verb = Verb::Patch;
        renew.body = Some(json!({"spec": {}}));
        assert_eq!(status(send(&mut w, renew)).0, 403, "{user} has no patch");
        let other = if lease == "kube-scheduler" { "kube-controller-manager" } else { "kube-scheduler" };
        assert_eq!(
            status(send(&mut w, call(Verb::Get, "leases", "kube-system", other, cred))).0,
            403,
            "{user} only reads its own lease"
        );
    }
}
