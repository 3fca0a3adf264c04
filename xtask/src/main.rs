//! `cargo xtask serve | test | bench | dist` for Control Plane Lab.
//!
//! Installs the pinned tools it needs (see DEVELOPERS.md), builds the release
//! site with Trunk (always `--offline`), serves it, and runs every test layer.

mod bench;
mod server;
mod site;
mod test;
mod tools;
mod util;

use std::process::ExitCode;
use util::{say, Result};

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  serve [--port N] [--rebuild]
                          install missing tools, build the release site into dist/
                          (kept when no source changed since the last build; --rebuild
                          forces it), serve it on http://127.0.0.1:N/ (default 8080)
  test [LAYER…] [FILE…]   run the test layers in order, stopping at the first failure:
                            native  cargo test --workspace
                            wasm    wasm-bindgen tests in headless Chromium
                            site    trunk build --release --offline
                            e2e     tests/e2e/*.mjs against the built site (implies site)
                          default: all of them; FILE (e.g. smoke.mjs) picks E2E files
  bench                   bundle sizes (raw, gzip, brotli) and `lab bench` engine speed,
                          compared with the previous run (target/bench/last.json)
  dist                    install missing tools and build the release site into dist/
  help                    this text
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<()> {
    let Some(cmd) = args.first() else {
        print!("{USAGE}");
        return Ok(());
    };
    let rest = &args[1..];
    match cmd.as_str() {
        "serve" => serve(rest),
        "test" => test::run(rest),
        "bench" => {
            no_args("bench", rest)?;
            bench::run()
        }
        "dist" => {
            no_args("dist", rest)?;
            let tc = tools::ensure_web_toolchain()?;
            site::build(&tc, false)?;
            Ok(())
        }
        // Internal: cargo's test runner for wasm32 (see test.rs).
        "wasm-test-runner" => test::wasm_test_runner(rest),
        "help" | "-h" | "--help" => {
            print!("{USAGE}");
            Ok(())
        }
        other => bail!("unknown command `{other}`\n\n{USAGE}"),
    }
}

fn no_args(cmd: &str, rest: &[String]) -> Result<()> {
    if let Some(a) = rest.first() {
        bail!("`cargo xtask {cmd}` takes no arguments (got `{a}`)");
    }
    Ok(())
}

fn serve(args: &[String]) -> Result<()> {
    let mut port: u16 = 8080;
    let mut rebuild = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--rebuild" {
            rebuild = true;
            continue;
        }
        let value = if a == "--port" || a == "-p" {
            it.next().map(String::as_str)
        } else if let Some(v) = a.strip_prefix("--port=") {
            Some(v)
        } else {
            bail!("unknown option `{a}` for serve (usage: cargo xtask serve [--port N] [--rebuild])");
        };
        port = match value.map(str::parse::<u16>) {
            Some(Ok(p)) => p,
            _ => bail!("--port needs a number from 0 to 65535"),
        };
    }
    let t = util::Timer::start();
    let listener = server::bind(port)?;
    let tc = tools::ensure_web_toolchain()?;
    let dist = site::build(&tc, !rebuild)?;
    let srv = server::serve(listener, &dist)?;
    say(format!("ready in {}", t.took()));
    println!();
    println!("    Control Plane Lab: {}", srv.url());
    println!();
    say("serving dist/ — press Ctrl-C to stop");
    loop {
        std::thread::park();
    }
}
