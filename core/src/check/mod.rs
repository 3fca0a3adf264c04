//! Checking the simulation the way etcd is checked: small checkers, one per property, that
//! collect violations (`properties`).

pub mod factory;
pub mod linearizability;
pub mod office;
pub mod properties;
pub mod run;
pub mod watch;

pub use properties::*;
