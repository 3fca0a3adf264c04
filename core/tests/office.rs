//! The office's behaviour end to end in the core (issue 4): denied requests leave etcd as it
//! was, etcd without quorum makes writes time out while the watch cache still answers, tellers
//! crash and slow down, watches follow resourceVersion semantics.

use lab_core::i18n::Lang;
use lab_core::World;

/// The API servers alone: no controller-manager, scheduler or kubelets write meanwhile, so
/// etcd's revision and the load balancer's turn move only for the test's own requests.
fn cluster() -> World {
    World::with_kubernetes(1, 3).without_robots()
}

/// Submits and runs until the command finishes; returns its output (English).
fn run(w: &mut World, line: &str) -> String {
    let from = w.transcript().len();
    let id = w.submit(line);
    w.run_until_done(id);
    let out = w.render_transcript(from, Lang::En);
    out.split_once('\n').map_or(String::new(), |(_, rest)| rest.trim_end().to_string())
}

fn revisions(w: &World) -> Vec<u64> {
    w.members().iter().map(|m| m.store.revision()).collect()
}

/// KW authorization.md / admission-controllers.md: a request refused at any desk is never
/// written — etcd's revision does not move on any member.
#[test]
fn a_denied_request_changes_nothing_in_etcd() {
    let mut w = cluster();
    run(&mut w, "kubectl create quota q --hard=pods=0");
    run(&mut w, "lab webhook add deny-latest no-latest");
    w.run_until(w.now_us() + 1_000_000);
    let denials = [
        ("kubectl run x --image=nginx:1.25 --token bogus", "error: You must be logged in to the server (Unauthorized)"),
        (
            "kubectl run x --image=nginx:1.25 --as viewer",
            "Error from server (Forbidden): pods is forbidden: User \"viewer\" cannot create resource \"pods\"",
        ),
        ("kubectl run x --image=nginx:1.25", "exceeded quota: q"),
        ("kubectl run x --image=nginx:latest -n dev", "denied the request"),
        ("kubectl run Bad_Name --image=nginx:1.25 -n dev", "The Pod \"Bad_Name\" is invalid"),
        (
            "kubectl run x --image=nginx:1.25 -n nowhere",
            "Error from server (NotFound): namespaces \"nowhere\" not found",
        ),
        ("kubectl delete ns default", "this namespace may not be deleted"),
    ];
    for (line, want) in denials {
        let before = revisions(&w);
        let out = run(&mut w, line);
        assert!(out.contains(want), "{line}: {out}");
        w.run_until(w.now_us() + 500_000);
        assert_eq!(revisions(&w), before, "{line} changed etcd");
    }
}

/// With etcd's majority cut off from the API server kubectl reaches, a write waits for etcd's
/// request timeout (7 s) and fails as kubectl prints it; a consistent read times out too, while
/// `resourceVersion=0` is answered from the API server's watch cache.
#[test]
fn without_quorum_writes_time_out_and_the_cache_still_answers() {
    let mut w = cluster();
    run(&mut w, "kubectl run a --image=nginx:1.25");
    run(&mut w, "lab partition etcd-1 client | etcd-2 etcd-3");
    let t0 = w.now_us();
    let out = run(&mut w, "kubectl run c --image=nginx:1.25");
    assert_eq!(out, "Error from server: etcdserver: request timed out");
    let took_s = (w.now_us() - t0) / 1_000_000;
    assert!((7..=8).contains(&took_s), "took {took_s} s");
    let out = run(&mut w, "kubectl get pods");
    assert_eq!(out, "Error from server: etcdserver: request timed out");
    let out = run(&mut w, "kubectl get --raw /api/v1/namespaces/default/pods?resourceVersion=0");
    assert!(out.starts_with("{\"apiVersion\":\"v1\",\"items\":[{"), "{out}");
    assert!(out.contains("\"name\":\"a\""), "{out}");
    run(&mut w, "lab heal");
    w.run_until(w.now_us() + 3_000_000);
    assert_eq!(run(&mut w, "kubectl run d --image=nginx:1.25"), "pod/d created");
}

/// kind's load balancer sends requests to the API servers in turn; a crashed one gets none,
/// and a slow one delays only the requests it handles.
#[test]
fn tellers_crash_restart_and_slow_down() {
    let mut w = cluster();
    run(&mut w, "lab apiserver crash apiserver-2");
    for i in 0..4 {
        assert_eq!(run(&mut w, &format!("kubectl run p{i} --image=nginx:1.25")), format!("pod/p{i} created"));
    }
    let office = w.office().expect("office");
    assert!(office.requests().filter(|r| r.cmd != u32::MAX).all(|r| r.server != 2));
    run(&mut w, "lab apiserver restart apiserver-2");
    run(&mut w, "lab apiserver slow apiserver-1 2s");
    let mut slow = 0;
    for _ in 0..3 {
        let t0 = w.now_us();
        run(&mut w, "kubectl get pods");
        if w.now_us() - t0 >= 2_000_000 {
            slow += 1;
        }
    }
    assert_eq!(slow, 1, "one request in three lands on the slow API server");
}

/// An API server slower than its own request timeout (`--request-timeout`, 1 minute) answers
/// 504 after that minute — while the write it was handling did happen.
#[test]
fn a_request_slower_than_the_request_timeout_gets_504() {
    let mut w = cluster();
    for n in 1..=3 {
        run(&mut w, &format!("lab apiserver slow apiserver-{n} 60s"));
    }
    let t0 = w.now_us();
    let out = run(&mut w, "kubectl run late --image=nginx:1.25");
    assert_eq!(
        out,
        "Error from server (Timeout): the server was unable to return a response in the time allotted, but may still be processing the request"
    );
    assert!(w.now_us() - t0 >= 60_000_000);
    let out = run(
        &mut w,
        "kubectl exec -n kube-system etcd-control-plane -- etcdctl get /registry/pods/default/late --keys-only",
    );
    assert!(out.contains("/registry/pods/default/late"), "{out}");
}

/// API Priority and Fairness (KW flow-control.md): an API server with every seat taken refuses
/// more with 429 at its desk, after authentication and before authorization.
#[test]
fn an_api_server_out_of_seats_answers_429() {
    let mut w = cluster();
    run(&mut w, "lab apiserver crash apiserver-2");
    run(&mut w, "lab apiserver crash apiserver-3");
    run(&mut w, "kubectl proxy --port=8080");
    let first = w.commands().len();
    for _ in 0..650 {
        w.submit("curl http://localhost:8080/api/v1/namespaces/default/pods");
    }
    w.run_until(w.now_us() + 5_000_000);
    let all = w.render_transcript(0, Lang::En);
    let refused = all.matches("\"reason\": \"TooManyRequests\"").count();
    assert!(refused >= 50, "{refused} refused");
    assert!(w.commands()[first..].iter().all(|c| c.done_at_us.is_some()));
    let office = w.office().expect("office");
    let r = office.requests().find(|r| r.code == Some(429)).expect("a refused request");
    let desks: Vec<&str> = r.steps.iter().map(|s| s.desk.as_str()).collect();
    assert_eq!(desks, ["authentication", "priority and fairness"]);
}

/// api-concepts.md "Semantics for watch": a watch from a resourceVersion older than the
/// cache's window ends with a 410 ERROR event.
#[test]
fn a_watch_from_a_compacted_revision_gets_410() {
    let mut w = cluster();
    run(&mut w, "kubectl proxy --port=8080");
    let out = run(&mut w, "curl http://localhost:8080/api/v1/namespaces/default/pods?watch=1&resourceVersion=5");
    assert!(
        out.starts_with("{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"too old resource version: 5 ("),
        "{out}"
    );
    assert!(out.ends_with("\"reason\":\"Expired\",\"code\":410}}"), "{out}");
    // From the list's resourceVersion the watch streams what follows.
    run(&mut w, "curl http://localhost:8080/api/v1/namespaces/default/pods?watch=1");
    run(&mut w, "kubectl run fresh --image=nginx:1.25");
    w.run_until(w.now_us() + 100_000);
    assert!(w.render_transcript(0, Lang::En).contains(
        "{\"type\":\"ADDED\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"creationTimestamp\""
    ));
}
