//! Probe (temporary).
use lab_core::check::factory::check_factory_seed;

#[test]
#[ignore]
fn probe() {
    for seed in 0..2 {
        let t = std::time::Instant::now();
        let o = check_factory_seed(seed, None);
        println!(
            "seed {seed}: {:?} simulated {} s samples {} writes {} rollouts {} rollout_samples {} faults {} evicted {} lag {}",
            t.elapsed(),
            o.simulated_us / 1_000_000,
            o.samples,
            o.writes_ok,
            o.rollouts,
            o.rollout_samples,
            o.faults,
            o.evicted,
            o.surge_lag_samples
        );
        for v in &o.violations {
            println!("  {} {}: {}", v.at_us / 1000, v.property, v.detail);
        }
    }
}

#[test]
#[ignore]
fn probe_mutant() {
    use lab_core::etcd::mutant::Mutant;
    use lab_core::etcd::raft::RaftConfig;
    use lab_core::World;
    let mut w = World::with_kubernetes_config(3, 3, RaftConfig { mutant: Some(Mutant::ReplicaSetIgnoresExpectations), ..RaftConfig::default() });
    println!("mutant {:?} enabled {}", w.mutant(), Mutant::ENABLED);
    let id = w.submit("kubectl create deployment web --image=nginx --replicas=1");
    w.run_until_done(id);
    w.run_until(w.now_us() + 20_000_000);
    let id = w.submit("kubectl scale deployment web --replicas=8");
    w.run_until_done(id);
    let mut last = String::new();
    for _ in 0..20_000 {
        w.run_until(w.now_us() + 1_000);
        let t = w.office().unwrap().tellers.iter().max_by_key(|t| t.cache.revision()).unwrap();
        let pods = t.cache.list_of(lab_core::k8s::resources::resolve("pods").unwrap(), Some("default"));
        let active = pods.iter().filter(|p| p.pointer("/metadata/deletionTimestamp").is_none()).count();
        let f = w.factory().unwrap();
        let i = f.instances.iter().find(|i| i.up && i.elector.leading && i.component == lab_core::world::Component::ControllerManager).unwrap();
        use lab_core::apiserver::Informers;
        let seen = i.informer.list("pods", "default").len();
        let rs_slot = i.slots.iter().find(|s| s.name().contains("replicaset")).unwrap();
        let busy: Vec<String> = rs_slot.workers.iter().filter_map(|w| w.key.clone()).collect();
        let s = format!("{} pods, {active} active; informer sees {seen}; rs workers {busy:?} syncs {}", pods.len(), rs_slot.syncs);
        if s != last {
            println!("{} ms: {s}", w.now_us() / 1000);
            last = s;
        }
    }
}
