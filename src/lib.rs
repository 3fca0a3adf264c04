//! Control Plane Lab's browser app (Leptos CSR): reads `lab_core`'s `View`, draws it, and turns
//! every click into a command line for the world (DESIGN.md "Data goes one way").

pub mod actions;
pub mod app;
pub mod browser;
pub mod command_line;
pub mod diagram;
pub mod factory;
pub mod geometry;
pub mod i18n;
pub mod inspector;
pub mod lab;
pub mod office;
pub mod office_controls;
pub mod office_model;
pub mod panels;
pub mod url;

/// Mounts the app on `<body>`; panics (there should be none) are reported on the console.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
