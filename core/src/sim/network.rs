//! The simulated network between etcd members and the tellers (clients) in front of them.
//!
//! A link has a latency drawn per message from `[latency_us, latency_us + jitter_us]` and a loss
//! rate. Partitions put members into groups: members talk only within their group. One-way cuts
//! drop messages in one direction only. The tellers reach every member unless a partition puts
//! `client` into a group, so a lesson can read from the minority side.

use std::collections::BTreeSet;

use super::rng::SimRng;

/// Members are numbered 1..=MEMBERS_MAX (etcd-1 … etcd-7).
pub const MEMBERS_MAX: u8 = 7;

/// Default one-way latency. kind runs on loopback (< 1 ms); the lab slows the wire so
/// messages can be seen in flight. The UI says so.
pub const LATENCY_US_DEFAULT: u64 = 10_000;
pub const JITTER_US_DEFAULT: u64 = 10_000;
/// The most a reordered message is held back.
pub const REORDER_US_MAX: u64 = 200_000;
/// Upper bound a scenario may set, so a message can never be scheduled absurdly late.
pub const LATENCY_US_MAX: u64 = 10_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Endpoint {
    /// An etcd member, 1-based.
    Member(u8),
    /// The teller (API server / etcdctl client) in front of member `n`.
    Client(u8),
}

#[derive(Clone, Debug, Hash)]
pub struct Network {
    pub latency_us: u64,
    pub jitter_us: u64,
    /// Probability a message is lost, in parts per million.
    pub loss_ppm: u32,
    /// Probability a Raft message between members is delivered twice (ppm).
    pub duplicate_ppm: u32,
    /// Probability a Raft message between members overtakes or falls behind others on its link
    /// (ppm): it gets an extra delay of up to [`REORDER_US_MAX`] outside the link's order.
    pub reorder_ppm: u32,
    /// Partition group of each member (index 0 = etcd-1). All zero = no partition.
    groups: [u8; MEMBERS_MAX as usize],
    /// `Some(g)`: the clients reach only members in group `g`. `None`: every member.
    client_group: Option<u8>,
    /// Directed member→member cuts (`lab cut etcd-1 etcd-2`).
    one_way_cuts: BTreeSet<(u8, u8)>,
}

impl Default for Network {
    fn default() -> Self {
        Network {
            latency_us: LATENCY_US_DEFAULT,
            jitter_us: JITTER_US_DEFAULT,
            loss_ppm: 0,
            duplicate_ppm: 0,
            reorder_ppm: 0,
            groups: [0; MEMBERS_MAX as usize],
            client_group: None,
            one_way_cuts: BTreeSet::new(),
        }
    }
}

impl Network {
    /// Sets the partition. `groups[i]` lists members of group i; `client_in` says which group
    /// the clients join (None: they reach everyone). Members not listed form one more group.
    pub fn partition(&mut self, groups: &[Vec<u8>], client_in: Option<usize>) {
        let rest = groups.len() as u8 + 1;
        self.groups = [rest; MEMBERS_MAX as usize];
        for (g, members) in groups.iter().enumerate() {
            for &m in members {
                debug_assert!((1..=MEMBERS_MAX).contains(&m));
                self.groups[(m - 1) as usize] = g as u8 + 1;
            }
        }
        self.client_group = client_in.map(|g| g as u8 + 1);
    }

    pub fn cut_one_way(&mut self, from: u8, to: u8) {
        self.one_way_cuts.insert((from, to));
    }

    /// Removes every partition and cut; latency and loss stay.
    pub fn heal(&mut self) {
        self.groups = [0; MEMBERS_MAX as usize];
        self.client_group = None;
        self.one_way_cuts.clear();
    }

    pub fn is_partitioned(&self) -> bool {
        self.groups.iter().any(|&g| g != 0) || !self.one_way_cuts.is_empty()
    }

    pub fn group_of(&self, member: u8) -> u8 {
        self.groups[(member - 1) as usize]
    }

    pub fn client_group(&self) -> Option<u8> {
        self.client_group
    }

    pub fn one_way_cuts(&self) -> impl Iterator<Item = (u8, u8)> + '_ {
        self.one_way_cuts.iter().copied()
    }

    /// Whether a message from `from` to `to` gets through the partition right now.
    pub fn connected(&self, from: Endpoint, to: Endpoint) -> bool {
        use Endpoint::*;
        match (from, to) {
            (Member(a), Member(b)) => {
                a == b || (self.group_of(a) == self.group_of(b) && !self.one_way_cuts.contains(&(a, b)))
            }
            (Client(_), Member(m)) | (Member(m), Client(_)) => self.client_group.is_none_or(|g| self.group_of(m) == g),
            (Client(_), Client(_)) => true,
        }
    }

    /// Draws the one-way delay for a message, or `None` if the wire loses it.
    pub fn draw_delay_us(&self, rng: &mut SimRng) -> Option<u64> {
        if rng.chance_ppm(self.loss_ppm) {
            return None;
        }
        Some(self.latency_us + rng.below(self.jitter_us + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::Endpoint::*;
    use super::*;

    #[test]
    fn partition_separates_groups_and_keeps_clients_everywhere() {
        let mut n = Network::default();
        n.partition(&[vec![1, 2], vec![3, 4, 5]], None);
        assert!(n.connected(Member(1), Member(2)));
        assert!(!n.connected(Member(2), Member(3)));
        assert!(n.connected(Member(4), Member(5)));
        assert!(n.connected(Client(1), Member(3)));
        n.heal();
        assert!(n.connected(Member(2), Member(3)));
    }

    #[test]
    fn unlisted_members_form_the_rest_group() {
        let mut n = Network::default();
        n.partition(&[vec![1]], None);
        assert!(!n.connected(Member(1), Member(2)));
        assert!(n.connected(Member(2), Member(3)));
    }

    #[test]
    fn one_way_cut_drops_one_direction_only() {
        let mut n = Network::default();
        n.cut_one_way(1, 2);
        assert!(!n.connected(Member(1), Member(2)));
        assert!(n.connected(Member(2), Member(1)));
    }

    #[test]
    fn client_can_be_put_on_one_side() {
        let mut n = Network::default();
        n.partition(&[vec![1], vec![2, 3]], Some(0));
        assert!(n.connected(Client(2), Member(1)));
        assert!(!n.connected(Client(2), Member(2)));
    }
}
