//! Small helpers shared by every command: errors, logging, paths, child processes.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// The one error type of xtask: a message for the user, printed as `error: …`.
#[derive(Debug)]
pub struct Error(pub String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error(e.to_string())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `bail!("…")`: return early with an [`Error`].
#[macro_export]
macro_rules! bail {
    ($($arg:tt)*) => { return Err($crate::util::Error(format!($($arg)*))) };
}

/// Attach context to I/O-ish errors.
pub trait Context<T> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T>;
}

impl<T, E: fmt::Display> Context<T> for std::result::Result<T, E> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|e| Error(format!("{}: {e}", what())))
    }
}

/// Progress line, always prefixed so it stands out among child output.
pub fn say(msg: impl AsRef<str>) {
    println!("[xtask] {}", msg.as_ref());
}

pub fn fmt_duration(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 60.0 {
        format!("{s:.1}s")
    } else {
        format!("{}m{:02}s", (s / 60.0) as u64, (s as u64) % 60)
    }
}

/// A stopwatch for "step took …" lines.
pub struct Timer(Instant);

impl Timer {
    pub fn start() -> Self {
        Timer(Instant::now())
    }
    pub fn elapsed(&self) -> Duration {
        self.0.elapsed()
    }
    pub fn took(&self) -> String {
        fmt_duration(self.0.elapsed())
    }
}

/// The workspace root (the directory holding the root `Cargo.toml`).
pub fn root() -> PathBuf {
    let xtask = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask.parent().unwrap_or(xtask).to_path_buf()
}

pub fn home() -> Result<PathBuf> {
    match std::env::var_os("HOME") {
        Some(h) if !h.is_empty() => Ok(PathBuf::from(h)),
        _ => bail!("HOME is not set; cannot locate ~/.cargo and ~/.cache"),
    }
}

/// Where `cargo install` puts binaries: `$CARGO_INSTALL_ROOT/bin` or `$CARGO_HOME/bin`.
pub fn cargo_bin_dir() -> Result<PathBuf> {
    if let Some(r) = std::env::var_os("CARGO_INSTALL_ROOT").filter(|r| !r.is_empty()) {
        return Ok(PathBuf::from(r).join("bin"));
    }
    match std::env::var_os("CARGO_HOME") {
        Some(h) if !h.is_empty() => Ok(PathBuf::from(h).join("bin")),
        _ => Ok(home()?.join(".cargo").join("bin")),
    }
}

/// `~/.cache/control-plane-lab` (honours `XDG_CACHE_HOME`).
pub fn cache_dir() -> Result<PathBuf> {
    let base = match std::env::var_os("XDG_CACHE_HOME") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => home()?.join(".cache"),
    };
    Ok(base.join("control-plane-lab"))
}

/// The cargo that is running us (so nested builds use the same toolchain).
pub fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// Describe a command for progress and error lines.
pub fn show(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        let a = a.to_string_lossy();
        if a.is_empty() || a.contains(' ') {
            s.push_str(&format!(" '{a}'"));
        } else {
            s.push(' ');
            s.push_str(&a);
        }
    }
    s
}

fn spawn_error(cmd: &Command, e: std::io::Error) -> Error {
    let prog = cmd.get_program().to_string_lossy().into_owned();
    if e.kind() == std::io::ErrorKind::NotFound {
        Error(format!("`{prog}` was not found on PATH (needed for `{}`)", show(cmd)))
    } else {
        Error(format!("could not start `{}`: {e}", show(cmd)))
    }
}

/// Run a command with inherited stdio (its output streams straight to the terminal).
pub fn status(cmd: &mut Command) -> Result<ExitStatus> {
    cmd.stdin(Stdio::null());
    cmd.status().map_err(|e| spawn_error(cmd, e))
}

/// Run a command, streaming its output; fail with a clear message on non-zero exit.
pub fn run(cmd: &mut Command) -> Result<()> {
    say(format!("$ {}", show(cmd)));
    let st = status(cmd)?;
    if !st.success() {
        bail!("`{}` failed ({})", show(cmd), describe(st));
    }
    Ok(())
}

pub fn describe(st: ExitStatus) -> String {
    match st.code() {
        Some(c) => format!("exit code {c}"),
        None => {
            #[cfg(unix)]
            {
                use std::os::unix::process::ExitStatusExt;
                if let Some(sig) = st.signal() {
                    return format!("killed by signal {sig}");
                }
            }
            "terminated".to_string()
        }
    }
}

/// Capture stdout of a command (stderr discarded); `None` when it cannot run or fails.
pub fn capture(cmd: &mut Command) -> Option<String> {
    let out = cmd.stdin(Stdio::null()).stderr(Stdio::null()).output().ok()?;
    if !out.status.success() {
        return None;
    }
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `PATH` with `dirs` prepended (first wins).
pub fn path_with(dirs: &[PathBuf]) -> Result<OsString> {
    let mut all: Vec<PathBuf> = dirs.to_vec();
    if let Some(p) = std::env::var_os("PATH") {
        all.extend(std::env::split_paths(&p));
    }
    std::env::join_paths(all).context(|| "cannot build PATH".to_string())
}

/// Is the current user root? (Uses `id -u`, so no libc dependency.)
pub fn is_root() -> bool {
    capture(Command::new("id").arg("-u")).is_some_and(|s| s.trim() == "0")
}
