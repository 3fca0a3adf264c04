//! Leader election on a Lease (CG `tools/leaderelection/leaderelection.go`, `resourcelock/leaselock.go`):
//! every instance of kube-controller-manager (and of kube-scheduler) tries to hold the Lease
//! `kube-system/<component>`; the one that does runs the controllers, the others wait.
//!
//! A candidate reads the Lease; if nobody holds it, or the holder's record has not changed for a
//! lease duration *as the candidate observed it* (its own clock, not the holder's renewTime), it
//! writes itself in with the resourceVersion it read, so two candidates cannot both win. The
//! leader renews every retry period; if it cannot renew for the renew deadline it stops leading
//! (kube-controller-manager then exits and the kubelet restarts it as a candidate).

use crate::apiserver::{object, Object};
use crate::sim::US_PER_S;
use serde_json::json;

/// `--leader-elect-lease-duration` (15 s).
pub const LEASE_DURATION_US: u64 = 15 * US_PER_S;
/// `--leader-elect-renew-deadline` (10 s).
pub const RENEW_DEADLINE_US: u64 = 10 * US_PER_S;
/// `--leader-elect-retry-period` (2 s).
pub const RETRY_PERIOD_US: u64 = 2 * US_PER_S;
const _: () = assert!(RENEW_DEADLINE_US * 10 > RETRY_PERIOD_US * 12, "renewDeadline must exceed 1.2 × retryPeriod");
const _: () = assert!(LEASE_DURATION_US > RENEW_DEADLINE_US, "leaseDuration must exceed renewDeadline");

/// What a step of the election decided.
#[derive(Clone, Debug, PartialEq)]
pub enum Attempt {
    /// Someone else holds a live lease: try again after the retry period.
    Wait,
    /// Write this Lease (create when `create`, else update with the resourceVersion read).
    Write { lease: Object, create: bool },
}

/// A change of leadership the instance must act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    BecameLeader,
    /// The renew deadline passed without a successful renewal (`leaderelection lost`).
    Lost,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub struct Elector {
    /// `kube-controller-manager` or `kube-scheduler` (the Lease's name in kube-system).
    pub lease_name: &'static str,
    /// `<hostname>_<uuid>`.
    pub identity: String,
    pub leading: bool,
    /// The Lease record as last read, and when (on this instance's clock) it last changed.
    observed_record: String,
    observed_at_us: u64,
    /// Invariant: `leading` ⇒ the last successful renewal is within the renew deadline.
    pub renewed_us: u64,
    /// The holder this instance last saw (for logs and the factory's drawing).
    pub holder: String,
}

impl Elector {
    pub fn new(lease_name: &'static str, identity: String) -> Elector {
        Elector {
            lease_name,
            identity,
            leading: false,
            observed_record: String::new(),
            observed_at_us: 0,
            renewed_us: 0,
            holder: String::new(),
        }
    }

    /// `tryAcquireOrRenew` with the Lease just read (`None`: it does not exist).
    pub fn attempt(&mut self, current: Option<&Object>, now_us: u64) -> Attempt {
        let Some(current) = current else {
            return Attempt::Write { lease: self.record(None, now_us), create: true };
        };
        let holder = object::str_at(current, "/spec/holderIdentity").to_string();
        let record = format!("{holder}/{}", object::str_at(current, "/spec/renewTime"));
        if record != self.observed_record {
            self.observed_record = record;
            self.observed_at_us = now_us;
        }
        self.holder = holder.clone();
        let expired = self.observed_at_us + LEASE_DURATION_US <= now_us;
        if !holder.is_empty() && holder != self.identity && !expired {
            return Attempt::Wait;
        }
        Attempt::Write { lease: self.record(Some(current), now_us), create: false }
    }

    /// The write of [`Elector::attempt`] succeeded.
    pub fn written(&mut self, now_us: u64) -> Option<Transition> {
        self.renewed_us = now_us;
        self.holder = self.identity.clone();
        if self.leading {
            return None;
        }
        self.leading = true;
        Some(Transition::BecameLeader)
    }

    /// Time passed without a successful renewal (a failed write, a wait, or no answer): a leader
    /// past its renew deadline stops leading.
    pub fn check_deadline(&mut self, now_us: u64) -> Option<Transition> {
        if self.leading && now_us >= self.renewed_us + RENEW_DEADLINE_US {
            self.leading = false;
            return Some(Transition::Lost);
        }
        None
    }

    /// The instance stopped (crash): it forgets what it observed.
    pub fn reset(&mut self) {
        *self = Elector::new(self.lease_name, self.identity.clone());
    }

    /// The Lease as this instance would write it (`LeaseSpec`: transitions counted when the
    /// holder changes; acquireTime kept while the same holder renews).
    fn record(&self, current: Option<&Object>, now_us: u64) -> Object {
        let now = object::rfc3339_micro(now_us);
        let mut lease = current.cloned().unwrap_or_else(|| {
            json!({
                "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": {"name": self.lease_name, "namespace": "kube-system"},
                "spec": {},
            })
        });
        let held_by_me = current.is_some_and(|c| object::str_at(c, "/spec/holderIdentity") == self.identity);
        let transitions =
            current.and_then(|c| c.pointer("/spec/leaseTransitions")).and_then(|v| v.as_u64()).unwrap_or(0);
        let spec = &mut lease["spec"];
        spec["holderIdentity"] = json!(self.identity);
        spec["leaseDurationSeconds"] = json!(LEASE_DURATION_US / US_PER_S);
        spec["renewTime"] = json!(now);
        if !held_by_me {
            spec["acquireTime"] = json!(now);
            if current.is_some() {
                spec["leaseTransitions"] = json!(transitions + 1);
            } else {
                spec["leaseTransitions"] = json!(0);
            }
        }
        lease
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held_by(holder: &str, renew: &str) -> Object {
        json!({"metadata": {"name": "kube-controller-manager", "namespace": "kube-system", "resourceVersion": "7"},
               "spec": {"holderIdentity": holder, "renewTime": renew, "leaseTransitions": 2}})
    }

    /// leaderelection.go `tryAcquireOrRenew`: a live lease held by another instance is left alone
    /// until it has not changed for a lease duration on the candidate's own clock.
    #[test]
    fn a_candidate_takes_the_lease_only_after_it_stopped_changing_for_a_lease_duration() {
        let mut e = Elector::new("kube-controller-manager", "cp2_x".into());
        let lease = held_by("cp1_y", "t1");
        assert_eq!(e.attempt(Some(&lease), 0), Attempt::Wait);
        assert_eq!(e.attempt(Some(&lease), LEASE_DURATION_US - 1), Attempt::Wait);
        let Attempt::Write { lease: mine, create } = e.attempt(Some(&lease), LEASE_DURATION_US) else {
            panic!("expired lease not taken")
        };
        assert!(!create);
        assert_eq!(object::str_at(&mine, "/spec/holderIdentity"), "cp2_x");
        assert_eq!(mine.pointer("/spec/leaseTransitions"), Some(&json!(3)));
        assert_eq!(object::resource_version(&mine), 7, "written with the resourceVersion read");
        assert_eq!(e.written(LEASE_DURATION_US), Some(Transition::BecameLeader));
    }

    /// A renewal by the holder restarts the candidate's lease-duration wait.
    #[test]
    fn a_renewing_holder_keeps_the_lease() {
        let mut e = Elector::new("kube-controller-manager", "cp2_x".into());
        assert_eq!(e.attempt(Some(&held_by("cp1_y", "t1")), 0), Attempt::Wait);
        assert_eq!(e.attempt(Some(&held_by("cp1_y", "t2")), 14 * US_PER_S), Attempt::Wait);
        assert_eq!(e.attempt(Some(&held_by("cp1_y", "t2")), 20 * US_PER_S), Attempt::Wait);
        assert!(matches!(e.attempt(Some(&held_by("cp1_y", "t2")), 29 * US_PER_S), Attempt::Write { .. }));
    }

    /// A leader that cannot renew for the renew deadline (10 s) stops leading.
    #[test]
    fn a_leader_past_its_renew_deadline_stops_leading() {
        let mut e = Elector::new("kube-scheduler", "cp1_y".into());
        assert!(matches!(e.attempt(None, 0), Attempt::Write { create: true, .. }));
        assert_eq!(e.written(0), Some(Transition::BecameLeader));
        assert_eq!(e.check_deadline(RENEW_DEADLINE_US - 1), None);
        assert_eq!(e.check_deadline(RENEW_DEADLINE_US), Some(Transition::Lost));
        assert!(!e.leading);
    }
}
