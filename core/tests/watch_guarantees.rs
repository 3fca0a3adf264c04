//! etcd's watch guarantees (etcd api_guarantees.md "Watch APIs"), checked on the MVCC store's
//! history over random operation sequences: a watch from revision R on a key range sees events
//! ordered by revision, no duplicates, no gaps (every change in range at ≥ R appears), all events
//! of one revision together; and a start below the compact revision is refused.

use std::rc::Rc;

use lab_core::etcd::mvcc::{Compare, CompareOp, CompareTarget, EventKind, KeyRange, MvccError, MvccStore, TxnOp};
use lab_core::sim::rng::SimRng;

/// Applies random puts, deletes (key and prefix), transactions and compactions; records, per
/// revision, the keys it changed (the ground truth the watch must reproduce).
fn random_store(seed: u64) -> (MvccStore, Vec<(u64, Vec<String>)>) {
    let mut r = SimRng::new(seed);
    let mut s = MvccStore::new();
    let mut truth = Vec::new();
    let key = |r: &mut SimRng| format!("/registry/pods/ns{}/p{}", r.below(2), r.below(5));
    for _ in 0..300 {
        let before = s.revision();
        let changed: Vec<String> = match r.below(10) {
            0..=4 => {
                let k = key(&mut r);
                s.put(Rc::from(k.as_str()), Rc::from(format!("v{}", r.below(100)).as_str()), 0);
                vec![k]
            }
            5 => s
                .delete(&KeyRange::Key(Rc::from(key(&mut r).as_str())))
                .into_iter()
                .map(|e| e.kv.key.to_string())
                .collect(),
            6 => s
                .delete(&KeyRange::Prefix(Rc::from(format!("/registry/pods/ns{}/", r.below(2)).as_str())))
                .into_iter()
                .map(|e| e.kv.key.to_string())
                .collect(),
            7 | 8 => {
                let (a, b) = (key(&mut r), key(&mut r));
                let cmp =
                    Compare { key: Rc::from(a.as_str()), target: CompareTarget::Version(0), op: CompareOp::Greater };
                let ops = [
                    TxnOp::Put { key: Rc::from(a.as_str()), value: Rc::from("t"), lease: 0 },
                    TxnOp::Put { key: Rc::from(b.as_str()), value: Rc::from("t"), lease: 0 },
                ];
                match s.txn(&[cmp], &ops, &ops[1..]) {
                    Ok(t) => t.events.into_iter().map(|e| e.kv.key.to_string()).collect(),
                    Err(e) => {
                        assert_eq!((e, a == b), (MvccError::DuplicateKey, true), "only a repeated key is refused");
                        Vec::new()
                    }
                }
            }
            _ => {
                if s.revision() > 20 {
                    let to = s.revision() - r.below(10);
                    let _ = s.compact(to);
                }
                Vec::new()
            }
        };
        if s.revision() != before {
            truth.push((s.revision(), changed));
        }
    }
    (s, truth)
}

#[test]
fn watches_are_ordered_unique_gapless_and_atomic() {
    for seed in 0..50 {
        let (s, truth) = random_store(seed);
        let range = KeyRange::Prefix(Rc::from("/registry/pods/ns0/"));
        for from in [s.compact_revision(), s.compact_revision() + 1, s.revision()] {
            let events = s.events_since(&range, from).expect("start at or after the compact revision");
            // Ordered by revision, and within one revision no key twice.
            for w in events.windows(2) {
                assert!(w[0].kv.mod_revision <= w[1].kv.mod_revision, "seed {seed}: out of order");
                if w[0].kv.mod_revision == w[1].kv.mod_revision {
                    assert_ne!(w[0].kv.key, w[1].kv.key, "seed {seed}: duplicate event");
                }
            }
            // No gaps: exactly the in-range changes at ≥ from, revision by revision (a revision's
            // events all present, so one transaction is seen whole).
            let expected: Vec<(u64, String)> = truth
                .iter()
                .filter(|(rev, _)| *rev >= from)
                .flat_map(|(rev, keys)| keys.iter().filter(|k| range.contains(k)).map(move |k| (*rev, k.clone())))
                .collect();
            let got: Vec<(u64, String)> = events.iter().map(|e| (e.kv.mod_revision, e.kv.key.to_string())).collect();
            let mut exp_sorted = expected.clone();
            exp_sorted.sort();
            let mut got_sorted = got.clone();
            got_sorted.sort();
            assert_eq!(got_sorted, exp_sorted, "seed {seed} from {from}: gap or extra event");
            assert!(events.iter().all(|e| e.kind == EventKind::Put || e.kv.version == 0));
        }
        if s.compact_revision() > 1 {
            assert_eq!(
                s.events_since(&range, s.compact_revision() - 1),
                Err(MvccError::Compacted { compact_revision: s.compact_revision() })
            );
        }
    }
}
