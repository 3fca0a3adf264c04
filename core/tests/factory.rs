//! The robot factory end to end (issue 5): leader election, kubelets, scheduler, node lifecycle.

use lab_core::i18n::Lang;
use lab_core::World;

const S: u64 = 1_000_000;

fn run(w: &mut World, line: &str) -> String {
    let from = w.transcript().len();
    let id = w.submit(line);
    w.run_until_done(id);
    let out = w.render_transcript(from, Lang::En);
    out.split_once('\n').map_or(String::new(), |(_, rest)| rest.trim_end().to_string())
}

#[test]
fn explore() {
    let mut w = World::with_kubernetes(1, 3);
    w.run_until(w.now_us() + 30 * S);
    println!("{}", run(&mut w, "kubectl get nodes"));
    println!("{:?}", w.office().unwrap().responses_by_code);
    println!("{}", run(&mut w, "kubectl create deployment nginx --image=nginx --replicas=3"));
    w.run_until(w.now_us() + 15 * S);
    println!("{}", run(&mut w, "kubectl get deploy,rs,pods -o wide"));
    println!("{}", run(&mut w, "kubectl get events"));
    println!("{:?}", w.office().unwrap().responses_by_code);
    let f = w.factory().unwrap();
    for i in &f.instances {
        println!("{} leading={} log:", i.pod_name(), i.elector.leading);
        for l in i.log.iter().take(40) {
            println!("  {l}");
        }
    }
    println!("violations {:?}", f.violations);
}
