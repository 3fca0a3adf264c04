//! The simulated cluster's names: kind v1.27.3, cluster `challenge-cluster`, stacked etcd
//! (one member per control-plane node, member name = node name). DESIGN.md "names".

use crate::etcd::message::MemberId;

pub const CLUSTER_NAME: &str = "challenge-cluster";

/// `etcd-1`, `etcd-2`, … — the short label in diagrams and `lab` commands.
pub fn member_short(id: MemberId) -> String {
    format!("etcd-{id}")
}

/// kind's control-plane node names: `challenge-cluster-control-plane`, `…-control-plane2`, …
pub fn node_name(id: MemberId) -> String {
    if id == 1 {
        format!("{CLUSTER_NAME}-control-plane")
    } else {
        format!("{CLUSTER_NAME}-control-plane{id}")
    }
}

/// Resolves a member given by short name, etcd member name / node name, or the etcd static
/// pod name. (`leader` is resolved by the world, which knows who leads.)
pub fn parse_member(name: &str, members: u8) -> Option<MemberId> {
    let id = if let Some(n) = name.strip_prefix("etcd-").filter(|n| n.len() == 1) {
        n.parse::<u8>().ok()?
    } else {
        let node = name.strip_prefix("etcd-").unwrap_or(name);
        let suffix = node.strip_prefix(CLUSTER_NAME)?.strip_prefix("-control-plane")?;
        if suffix.is_empty() {
            1
        } else if suffix.starts_with('0') {
            return None;
        } else {
            suffix.parse::<u8>().ok().filter(|&n| n >= 2)?
        }
    };
    (1..=members).contains(&id).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_kind() {
        assert_eq!(node_name(1), "challenge-cluster-control-plane");
        assert_eq!(node_name(3), "challenge-cluster-control-plane3");
    }

    #[test]
    fn members_resolve_by_any_name() {
        assert_eq!(parse_member("etcd-2", 3), Some(2));
        assert_eq!(parse_member("challenge-cluster-control-plane", 3), Some(1));
        assert_eq!(parse_member("challenge-cluster-control-plane3", 3), Some(3));
        assert_eq!(parse_member("etcd-challenge-cluster-control-plane2", 3), Some(2));
        assert_eq!(parse_member("etcd-4", 3), None);
        assert_eq!(parse_member("challenge-cluster-control-plane1", 3), None);
        assert_eq!(parse_member("challenge-cluster-control-plane02", 3), None);
        assert_eq!(parse_member("etcd-0", 3), None);
        assert_eq!(parse_member("", 3), None);
    }
}
