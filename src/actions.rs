//! The command lines the member controls submit: the same lines a person would type in the
//! terminal, so a share link replays the clicks (DESIGN.md: everything is a command).

use lab_core::etcd::client::member_id;

/// The fsync latency "slow disk" sets (etcd warns when a WAL fsync takes over 1 s; half a second
/// already makes every write visibly wait).
pub const SLOW_DISK: &str = "500ms";
/// The watch the class starts: every pod in the `default` namespace (handout Part 2).
pub const PODS_PREFIX: &str = "/registry/pods/default/";
/// Snapshot intervals offered (`lab set snapshot-count N`); the lab's default is 50.
pub const SNAPSHOT_COUNTS: [u64; 4] = [5, 10, 50, 100];
/// Longest key or value the controls accept.
pub const WORD_BYTES_MAX: usize = 64;

/// A key or value the controls put on a command line as it is: letters, digits and `/ _ . : -`,
/// so nothing typed can change what the line means (no quotes, spaces or flags).
pub fn is_plain_word(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= WORD_BYTES_MAX
        && !s.starts_with('-')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '.' | ':' | '-'))
}

/// `lab disk etcd-2 500ms` / `lab disk etcd-2 normal`.
pub fn disk_command(id: u8, slow: bool) -> String {
    format!("lab disk etcd-{id} {}", if slow { SLOW_DISK } else { "normal" })
}

/// `lab stop etcd-2`: a graceful stop (a leader hands leadership over first).
pub fn stop_command(id: u8) -> String {
    format!("lab stop etcd-{id}")
}

/// `etcdctl --endpoints=etcd-1 move-leader 07181d9c95384bbc`: asked of the leader (etcdctl
/// needs the leader among its endpoints); with no leader, of every member, so etcdctl says so.
pub fn move_leader_command(leader: Option<u8>, members: u8, target: u8) -> String {
    let endpoints = match leader {
        Some(l) => format!("etcd-{l}"),
        None => (1..=members).map(|m| format!("etcd-{m}")).collect::<Vec<_>>().join(","),
    };
    format!("etcdctl --endpoints={endpoints} move-leader {:016x}", member_id(target))
}

/// `etcdctl --endpoints=etcd-3 get KEY --consistency=s` (serializable: the member's own store)
/// or `--consistency=l` (linearizable: ReadIndex through the leader, etcd's default).
pub fn get_command(id: u8, key: &str, serializable: bool) -> Option<String> {
    is_plain_word(key).then(|| {
        format!("etcdctl --endpoints=etcd-{id} get {key} --consistency={}", if serializable { "s" } else { "l" })
    })
}

/// `etcdctl --endpoints=etcd-3 put KEY VALUE`.
pub fn put_command(id: u8, key: &str, value: &str) -> Option<String> {
    (is_plain_word(key) && is_plain_word(value)).then(|| format!("etcdctl --endpoints=etcd-{id} put {key} {value}"))
}

/// `etcdctl --endpoints=etcd-3 watch /registry/pods/default/ --prefix`.
pub fn watch_pods_command(id: u8) -> String {
    format!("etcdctl --endpoints=etcd-{id} watch {PODS_PREFIX} --prefix")
}

/// The endpoint membership requests go to: the leader when there is one (any member would
/// forward them), else etcd-1.
fn membership_endpoint(leader: Option<u8>) -> u8 {
    leader.unwrap_or(1)
}

/// `etcdctl member add <node> --peer-urls=… --learner` for the next member number, as kind would
/// name its node; `None` when the lab's seven members are used up.
pub fn member_add_learner_command(leader: Option<u8>, members: u8) -> Option<String> {
    let n = members + 1;
    (n <= lab_core::sim::network::MEMBERS_MAX).then(|| {
        format!(
            "etcdctl --endpoints=etcd-{} member add {} --peer-urls=https://{}:2380 --learner",
            membership_endpoint(leader),
            lab_core::names::node_name(n),
            lab_core::etcd::client::node_ip(n)
        )
    })
}

/// `etcdctl member promote ID` / `etcdctl member remove ID` (IDs in hex, as `member list` prints).
pub fn member_change_command(leader: Option<u8>, target: u8, promote: bool) -> String {
    let verb = if promote { "promote" } else { "remove" };
    format!("etcdctl --endpoints=etcd-{} member {verb} {:x}", membership_endpoint(leader), member_id(target))
}

/// `lab set snapshot-count 5`.
pub fn snapshot_count_command(n: u64) -> String {
    format!("lab set snapshot-count {n}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn membership_controls_submit_etcdctl_member_lines() {
        assert_eq!(
            member_add_learner_command(Some(2), 3).as_deref(),
            Some("etcdctl --endpoints=etcd-2 member add challenge-cluster-control-plane4 --peer-urls=https://172.18.0.5:2380 --learner")
        );
        assert_eq!(member_add_learner_command(None, 7), None);
        assert!(member_change_command(None, 4, true).starts_with("etcdctl --endpoints=etcd-1 member promote "));
        let mut w = lab_core::World::new(5, 3);
        w.run_until(3_000_000);
        let line = member_add_learner_command(w.leader(), 3).expect("room for a fourth member");
        let id = w.submit(&line);
        w.run_until_done(id);
        assert!(!w.commands()[id as usize].failed, "{line}");
        assert_eq!(w.member_count(), 4);
    }

    #[test]
    fn controls_submit_the_terminal_lines() {
        assert_eq!(disk_command(2, true), "lab disk etcd-2 500ms");
        assert_eq!(disk_command(2, false), "lab disk etcd-2 normal");
        assert_eq!(stop_command(4), "lab stop etcd-4");
        assert_eq!(get_command(3, "k1", true).as_deref(), Some("etcdctl --endpoints=etcd-3 get k1 --consistency=s"));
        assert_eq!(
            get_command(3, "/registry/pods/default/web-1", false).as_deref(),
            Some("etcdctl --endpoints=etcd-3 get /registry/pods/default/web-1 --consistency=l")
        );
        assert_eq!(put_command(1, "k1", "v2").as_deref(), Some("etcdctl --endpoints=etcd-1 put k1 v2"));
        assert_eq!(watch_pods_command(5), "etcdctl --endpoints=etcd-5 watch /registry/pods/default/ --prefix");
        assert_eq!(snapshot_count_command(5), "lab set snapshot-count 5");
        let ml = move_leader_command(Some(2), 3, 3);
        assert!(ml.starts_with("etcdctl --endpoints=etcd-2 move-leader ") && ml.len() == 55, "{ml}");
        assert!(move_leader_command(None, 3, 1).starts_with("etcdctl --endpoints=etcd-1,etcd-2,etcd-3 move-leader "));
    }

    #[test]
    fn typed_words_cannot_change_the_command() {
        for bad in ["", "a b", "k'1", "k\"", "--prefix", "-x", "k;rm", "<script>", "한글", &"x".repeat(65)] {
            assert!(!is_plain_word(bad), "{bad:?}");
            assert_eq!(get_command(1, bad, true), None);
            assert_eq!(put_command(1, "k", bad), None);
        }
        assert!(is_plain_word("/registry/pods/default/web-1"));
    }

    #[test]
    fn the_lines_parse_and_run() {
        let mut w = lab_core::World::new(1, 3);
        let run = |w: &mut lab_core::World, line: &str| {
            let id = w.submit(line);
            w.run_until_done(id);
            let c = &w.commands()[id as usize];
            assert!(!c.failed, "{line}");
        };
        let w = &mut w;
        run(w, "sleep 3s");
        run(w, &put_command(1, "k1", "v1").unwrap());
        run(w, &get_command(2, "k1", true).unwrap());
        run(w, &get_command(3, "k1", false).unwrap());
        run(w, &disk_command(2, true));
        run(w, &disk_command(2, false));
        run(w, &snapshot_count_command(5));
        run(w, &watch_pods_command(3));
        run(w, "^C");
        let leader = w.leader();
        let target = if leader == Some(3) { 1 } else { 3 };
        run(w, &move_leader_command(leader, 3, target));
        assert_eq!(w.leader(), Some(target));
        run(w, &stop_command(target));
    }
}
