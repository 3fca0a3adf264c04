//! Control Plane Lab's deterministic core: the simulated world, the command language, and
//! scenarios. No web dependencies; builds natively and for wasm32 (DESIGN.md "Shape").

pub mod apiserver;
pub mod bench;
pub mod check;
pub mod controllers;
pub mod etcd;
pub mod hash;
pub mod i18n;
pub mod k8s;
pub mod names;
pub mod scenario;
pub mod shell;
pub mod sim;
pub mod table;
pub mod view;
pub mod watch;
pub mod world;

pub use scenario::Scenario;
pub use world::World;
