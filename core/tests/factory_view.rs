//! The factory's drawing reads the world truthfully (issue 5 "The factory, drawn"): the
//! controller-manager's Lease and who holds it, the watch feed arriving, each robot's queue,
//! workers and last reconcile (desired against current, and the writes it sent), the nodes with
//! their pods and phases — as the class's Part 3 runs: create a Deployment, scale it, lose a
//! node, lose the leader.

use lab_core::view::{FactoryView, PodPhase, RobotView};
use lab_core::World;

const S: u64 = 1_000_000;

fn run(w: &mut World, line: &str) {
    let id = w.submit(line);
    w.run_until_done(id);
    assert!(!w.commands()[id as usize].failed, "{line}");
}

fn view(w: &World) -> FactoryView {
    w.factory_view().expect("a world with Kubernetes has a factory")
}

fn robot<'a>(v: &'a FactoryView, name: &str) -> &'a RobotView {
    v.robots.iter().find(|r| r.name == name).unwrap_or_else(|| panic!("robot {name}"))
}

/// (node, pod status) of every `nginx-…` pod.
fn nginx_pods(v: &FactoryView) -> Vec<(String, String)> {
    v.nodes
        .iter()
        .flat_map(|n| n.pods.iter().map(move |p| (n.name.clone(), p)))
        .filter(|(_, p)| p.name.starts_with("nginx-"))
        .map(|(n, p)| (n, p.status.clone()))
        .collect()
}

#[test]
fn a_fresh_cluster_shows_the_leases_the_robots_and_the_nodes() {
    let w = World::with_kubernetes(1, 3);
    let v = view(&w);
    let kcm = &v.leases[0];
    assert_eq!(kcm.component, "kube-controller-manager");
    assert_eq!(kcm.holder_pod.as_deref(), Some("kube-controller-manager-challenge-cluster-control-plane"));
    assert_eq!(kcm.duration_us, 15 * S, "kind's kube-controller-manager: --leader-elect-lease-duration=15s");
    assert_eq!(v.leases[1].component, "kube-scheduler");
    assert_eq!(v.instances.len(), 6, "one controller-manager and one scheduler per control-plane node");
    assert_eq!(v.instances.iter().filter(|i| i.leading).count(), 2);
    let names: Vec<&str> = v.robots.iter().map(|r| r.name).collect();
    for name in ["deployment", "replicaset", "node-lifecycle", "garbagecollector", "endpoint", "scheduler"] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    assert!(v.robots.iter().all(|r| r.running && !r.workers.is_empty()));
    let nodes: Vec<(&str, bool, &str)> = v.nodes.iter().map(|n| (&*n.name, n.control_plane, n.ready)).collect();
    assert_eq!(
        nodes,
        [
            ("challenge-cluster-control-plane", true, "True"),
            ("challenge-cluster-control-plane2", true, "True"),
            ("challenge-cluster-control-plane3", true, "True"),
            ("challenge-cluster-worker", false, "True"),
            ("challenge-cluster-worker2", false, "True"),
        ]
    );
    // kubeadm taints the control planes; the workers run kube-proxy and kindnet.
    assert_eq!(v.nodes[0].taints, ["node-role.kubernetes.io/control-plane:NoSchedule"]);
    assert!(v.nodes[3].taints.is_empty() && v.nodes[3].system_pods == 2 && v.nodes[3].pods.is_empty());
    assert!(v.deployments.is_empty(), "CoreDNS and local-path-provisioner are the cluster's own");
}

/// Fact sheet §5: the Deployment robot makes a ReplicaSet, the ReplicaSet robot creates pods,
/// the scheduler binds them, the kubelets start them — each step drawn.
#[test]
fn creating_and_scaling_a_deployment_is_drawn_step_by_step() {
    let mut w = World::with_kubernetes(1, 3);
    run(&mut w, "kubectl create deployment nginx --image=nginx --replicas=3");
    w.run_until(w.now_us() + 100_000);
    let v = view(&w);
    assert!(
        v.feed.iter().any(|f| f.resource == "deployments" && f.kind == "ADDED" && f.key == "default/nginx"),
        "the watch feed shows the Deployment arriving: {:?}",
        v.feed
    );
    assert!(v.feed.windows(2).all(|p| p[0].seq < p[1].seq), "oldest first");
    assert!(v.feed.iter().all(|f| f.resource != "leases"), "heartbeats are only counted");
    assert!(v.feed_heartbeats > 0 && v.feed_total > v.feed_heartbeats + v.feed.len() as u64 - 1);
    let d = robot(&v, "deployment").last.clone().expect("the deployment robot reconciled");
    assert_eq!(d.key, "default/nginx");
    assert!(d.actions.iter().any(|a| a.verb == "create" && a.resource == "replicasets"), "{d:?}");

    w.run_until(w.now_us() + 15 * S);
    let v = view(&w);
    let rs = robot(&v, "replicaset").last.clone().expect("the replicaset robot reconciled");
    let created: Vec<_> = rs.actions.iter().filter(|a| a.verb == "create" && a.resource == "pods").collect();
    assert!(!created.is_empty(), "{rs:?}");
    assert!(created.iter().all(|a| a.code == Some(201) && a.name.starts_with("nginx-")), "{created:?}");
    let diff = rs.diff.expect("a diff");
    assert_eq!((diff.what.as_str(), diff.desired.as_str()), ("replicas", "3"));
    let sched = robot(&v, "scheduler").last.clone().expect("the scheduler bound pods");
    assert!(sched.actions.iter().all(|a| a.subresource == "binding"), "{sched:?}");
    let pods = nginx_pods(&v);
    assert_eq!(pods.len(), 3, "{pods:?}");
    assert!(pods.iter().all(|(n, s)| n.contains("worker") && s == "Running"), "{pods:?}");
    assert_eq!(v.deployments.iter().map(|d| (&*d.name, d.replicas, d.ready)).collect::<Vec<_>>(), [("nginx", 3, 3)]);
    assert!(v.robots.iter().all(|r| r.workers.iter().all(|w| w.key.is_none())), "all idle once in sync");

    run(&mut w, "kubectl scale deployment nginx --replicas=4");
    w.run_until(w.now_us() + 10 * S);
    let v = view(&w);
    assert_eq!(nginx_pods(&v).iter().filter(|(_, s)| s == "Running").count(), 4);
    let d = robot(&v, "deployment").last.clone().unwrap();
    assert!(d.actions.iter().any(|a| a.resource == "replicasets"), "scaled its ReplicaSet: {d:?}");
    assert_eq!(w.factory().unwrap().violations, Vec::<String>::new());
}

/// Fact sheet §5 "Node lifecycle": the drawing shows the truth (the kubelet stopped) at once,
/// the API server's view (Ready → Unknown, the unreachable taints) after the grace period,
/// and the pods evicted and replaced after the toleration.
#[test]
fn a_crashed_worker_is_drawn_before_and_after_the_api_server_notices() {
    let mut w = World::with_kubernetes(2, 3);
    run(&mut w, "kubectl create deployment nginx --image=nginx --replicas=4");
    w.run_until(w.now_us() + 20 * S);
    run(&mut w, "lab node crash challenge-cluster-worker");
    let t0 = w.now_us();
    let v = view(&w);
    let node = v.nodes.iter().find(|n| n.name == "challenge-cluster-worker").unwrap();
    assert!(!node.kubelet_up && node.ready == "True", "the lab knows; the API server does not yet");
    w.run_until(t0 + 60 * S);
    let v = view(&w);
    let node = v.nodes.iter().find(|n| n.name == "challenge-cluster-worker").unwrap();
    assert_eq!(node.ready, "Unknown", "Kubelet stopped posting node status");
    assert!(node.taints.iter().any(|t| t == "node.kubernetes.io/unreachable:NoExecute"), "{:?}", node.taints);
    let lifecycle = robot(&v, "node-lifecycle").last.clone().unwrap();
    assert_eq!(lifecycle.key, "challenge-cluster-worker");
    w.run_until(t0 + 400 * S);
    let v = view(&w);
    let pods = nginx_pods(&v);
    let running: Vec<_> = pods.iter().filter(|(_, s)| s == "Running").collect();
    assert_eq!(running.len(), 4, "{pods:?}");
    assert!(running.iter().all(|(n, _)| n == "challenge-cluster-worker2"), "{pods:?}");
    let node = v.nodes.iter().find(|n| n.name == "challenge-cluster-worker").unwrap();
    assert!(node.pods.iter().all(|p| p.phase == PodPhase::Terminating), "{:?}", node.pods);
}

/// Leader election (15 s / 10 s / 2 s): while nobody leads, the robots are drawn stopped and
/// the Lease ages; then another instance holds it and its robots run.
#[test]
fn the_lease_changes_hands_when_the_leader_dies() {
    let mut w = World::with_kubernetes(3, 3);
    w.run_until(12 * S);
    let renewed = view(&w).leases[0].renewed_ago_us.expect("a renewTime");
    assert!(renewed <= 4 * S, "the leader renews every 2 s: {renewed}");
    run(&mut w, "lab controller-manager crash 1");
    w.run_until(w.now_us() + 3 * S);
    let v = view(&w);
    assert!(v.robots.iter().filter(|r| r.component == "kube-controller-manager").all(|r| !r.running));
    assert!(v.feed.is_empty(), "nobody watches for the factory");
    let lease = &v.leases[0];
    assert_eq!(lease.holder_pod.as_deref(), Some("kube-controller-manager-challenge-cluster-control-plane"));
    let age = lease.renewed_ago_us.unwrap();
    assert!((3 * S..8 * S).contains(&age), "the Lease ages: {age}");
    w.run_until(w.now_us() + 25 * S);
    let v = view(&w);
    let holder = v.leases[0].holder_pod.clone().unwrap();
    assert_ne!(holder, "kube-controller-manager-challenge-cluster-control-plane");
    let leader = v.instances.iter().find(|i| i.leading && i.component == "kube-controller-manager").unwrap();
    assert_eq!(leader.pod, holder);
    assert!(v.robots.iter().all(|r| r.running));
    assert!(!v.instances[0].up);
}

/// The view is built every frame: it must stay cheap while the factory works.
#[test]
fn building_the_view_is_cheap() {
    let mut w = World::with_kubernetes(1, 3);
    run(&mut w, "kubectl create deployment nginx --image=nginx --replicas=20");
    w.run_until(w.now_us() + 2 * S);
    let n = 200;
    let t = std::time::Instant::now();
    for _ in 0..n {
        std::hint::black_box(w.factory_view());
    }
    let per_view_us = t.elapsed().as_micros() / n;
    println!("factory_view: {per_view_us} µs per call");
    // A frame is 16 ms and the whole view (vaults, office, factory) must fit in it many times
    // over; about 0.1 ms here natively (the bound is loose: the test machines are shared).
    assert!(per_view_us < 5_000, "{per_view_us} µs");
}

/// client-go's queue (CG `util/workqueue/queue.go`): a key that changes while a worker holds it
/// is only marked dirty, and every further change folds into the one sync that follows. While
/// a ReplicaSet's five pods start, the drawing shows its worker with the key changed meanwhile.
#[test]
fn changes_during_a_sync_are_drawn_folded_into_one_more_sync() {
    let mut w = World::with_kubernetes(1, 3);
    run(&mut w, "kubectl create deployment nginx --image=nginx --replicas=5");
    let end = w.now_us() + 20 * S;
    let mut most_merged = 0;
    while w.now_us() < end && w.step_event() {
        let v = view(&w);
        for r in v.robots.iter().filter(|r| r.name == "replicaset") {
            for wk in &r.workers {
                assert!(wk.dirty || wk.merged == 0, "{wk:?}");
                assert!(wk.key.is_some() || !wk.dirty, "{wk:?}");
                most_merged = most_merged.max(wk.merged);
            }
        }
    }
    assert!(most_merged >= 2, "several pod changes folded into one sync: {most_merged}");
}
