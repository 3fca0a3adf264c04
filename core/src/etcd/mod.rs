//! etcd, as the vault: Raft members (pure step functions) and their log.

pub mod client;
pub mod message;
pub mod mutant;
pub mod mvcc;
pub mod raft;
pub mod raft_log;
pub mod snapshot;
pub mod table;
