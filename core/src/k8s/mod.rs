//! Kubernetes API-server logic that does not need the simulated network: pure functions over
//! plain data, so they can be tested by tables and later wired into the apiserver floors.

pub mod authn;
pub mod kubeconfig;
pub mod node_authorizer;
pub mod rbac;
pub mod rbac_defaults;
pub mod resources;
pub mod status;
pub mod storage;
