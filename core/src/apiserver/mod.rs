//! The government office: kube-apiserver over the simulated etcd (issue 4, DESIGN.md "Shape").
//!
//! Floor 1 checks who you are (authentication), whether you may (authorization) and whether the
//! paperwork is right (admission: mutating plugins, schema validation, validating plugins); floor
//! 2 routes and handles the request; the basement reads, writes and watches etcd under
//! `/registry/...` (fact sheet §2–3). Each API server keeps its own watch cache.

pub mod admission;
pub mod bootstrap;
pub mod cache;
pub mod defaults;
pub mod deletion;
pub mod describe;
pub mod handler;
pub mod help;
pub mod object;
pub mod printers;
pub mod rbac_objects;
pub mod subresources;
pub mod validation;
pub mod wire;

use std::collections::BTreeMap;

pub use object::Object;

/// What the floors read besides the request itself: the API server's watch cache (kube-apiserver's
/// admission plugins read shared informers, which list and watch the same cache).
pub trait Informers {
    /// The object of `resource` (plural, e.g. `pods`) named `name` in `namespace` (`""` for
    /// cluster-scoped resources).
    fn get(&self, resource: &str, namespace: &str, name: &str) -> Option<&Object>;
    /// Every object of `resource` in `namespace` (`""`: all namespaces, or cluster-scoped), in
    /// etcd key order.
    fn list(&self, resource: &str, namespace: &str) -> Vec<&Object>;
}

/// A plain in-memory set of objects, for tests and for building the fresh cluster.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ObjectSet {
    /// (resource, namespace, name) → object.
    objects: BTreeMap<(String, String, String), Object>,
}

impl ObjectSet {
    pub fn new() -> ObjectSet {
        ObjectSet::default()
    }

    /// Adds or replaces `obj` under `resource` (its namespace and name come from its metadata).
    pub fn insert(&mut self, resource: &str, obj: Object) {
        let key = (resource.to_string(), object::namespace(&obj).to_string(), object::name(&obj).to_string());
        self.objects.insert(key, obj);
    }

    pub fn remove(&mut self, resource: &str, namespace: &str, name: &str) -> Option<Object> {
        self.objects.remove(&(resource.to_string(), namespace.to_string(), name.to_string()))
    }
}

impl Informers for ObjectSet {
    fn get(&self, resource: &str, namespace: &str, name: &str) -> Option<&Object> {
        self.objects.get(&(resource.to_string(), namespace.to_string(), name.to_string()))
    }

    fn list(&self, resource: &str, namespace: &str) -> Vec<&Object> {
        self.objects
            .iter()
            .filter(|((r, ns, _), _)| r == resource && (namespace.is_empty() || ns == namespace))
            .map(|(_, o)| o)
            .collect()
    }
}
