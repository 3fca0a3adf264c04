//! A small static file server for `dist/` (std::net, one thread per connection).
//!
//! GET and HEAD only; `/` and directories serve their `index.html`; query and
//! fragment are ignored; percent-escapes are decoded; anything that could leave
//! the root (`..`, backslashes, NUL, symlinks pointing outside) is refused.

use crate::bail;
use crate::util::Result;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

pub struct Server {
    pub addr: SocketAddr,
}

impl Server {
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }
}

/// Bind `127.0.0.1:port` (0 = any free port) and serve `root` from a background thread.
pub fn start(root: &Path, port: u16) -> Result<Server> {
    serve(bind(port)?, root)
}

/// Reserve the port first, so a busy port fails before a long build rather than after it.
pub fn bind(port: u16) -> Result<TcpListener> {
    match TcpListener::bind(("127.0.0.1", port)) {
        Ok(l) => Ok(l),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            bail!("port {port} is already in use; pick another with --port N")
        }
        Err(e) => bail!("cannot listen on 127.0.0.1:{port}: {e}"),
    }
}

/// Serve `root` on an already bound listener from a background thread.
pub fn serve(listener: TcpListener, root: &Path) -> Result<Server> {
    let root = root.canonicalize().map_err(|e| crate::util::Error(format!("cannot serve {}: {e}", root.display())))?;
    let addr = listener.local_addr()?;
    let root = Arc::new(root);
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let root = Arc::clone(&root);
            thread::spawn(move || {
                let _ = handle(stream, &root);
            });
        }
    });
    Ok(Server { addr })
}

fn handle(mut stream: TcpStream, root: &Path) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    stream.set_write_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    loop {
        // Request line.
        let mut line = String::new();
        if reader.by_ref().take(8192).read_line(&mut line)? == 0 {
            return Ok(()); // client closed
        }
        let mut parts = line.split_whitespace();
        let (method, target, version) = (parts.next(), parts.next(), parts.next());
        // Headers: we only care about whether the client wants to keep the connection.
        let mut keep_alive = version == Some("HTTP/1.1");
        let mut header_bytes = 0usize;
        loop {
            let mut h = String::new();
            let n = reader.by_ref().take(8192).read_line(&mut h)?;
            header_bytes += n;
            if n == 0 || h == "\r\n" || h == "\n" {
                break;
            }
            if header_bytes > 64 * 1024 {
                return respond_error(&mut stream, 431, "Request Header Fields Too Large");
            }
            if let Some((k, v)) = h.split_once(':') {
                if k.trim().eq_ignore_ascii_case("connection") {
                    let v = v.trim().to_ascii_lowercase();
                    keep_alive = v != "close" && (keep_alive || v == "keep-alive");
                }
            }
        }
        let (Some(method), Some(target)) = (method, target) else {
            return respond_error(&mut stream, 400, "Bad Request");
        };
        let head = match method {
            "GET" => false,
            "HEAD" => true,
            _ => return respond_error(&mut stream, 405, "Method Not Allowed"),
        };
        match resolve(root, target) {
            Some(file) => match std::fs::read(&file) {
                Ok(body) => {
                    let ct = mime(&file);
                    write_response(&mut stream, 200, "OK", ct, &body, head, keep_alive)?
                }
                Err(_) => not_found(&mut stream, head, keep_alive)?,
            },
            None => not_found(&mut stream, head, keep_alive)?,
        }
        if !keep_alive {
            return Ok(());
        }
    }
}

fn not_found(s: &mut TcpStream, head: bool, keep_alive: bool) -> std::io::Result<()> {
    let body = b"404 not found\n";
    write_response(s, 404, "Not Found", "text/plain; charset=utf-8", body, head, keep_alive)
}

fn respond_error(s: &mut TcpStream, code: u16, reason: &str) -> std::io::Result<()> {
    let body = format!("{code} {reason}\n");
    write_response(s, code, reason, "text/plain; charset=utf-8", body.as_bytes(), false, false)
}

fn write_response(
    s: &mut TcpStream,
    code: u16,
    reason: &str,
    content_type: &str,
    body: &[u8],
    head: bool,
    keep_alive: bool,
) -> std::io::Result<()> {
    let conn = if keep_alive { "keep-alive" } else { "close" };
    let header = format!(
        "HTTP/1.1 {code} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\nConnection: {conn}\r\n\r\n",
        body.len()
    );
    s.write_all(header.as_bytes())?;
    if !head {
        s.write_all(body)?;
    }
    s.flush()
}

/// Map a request target to a file under `root`, or `None` (→ 404).
pub fn resolve(root: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next().unwrap_or("");
    // Absolute-form targets (`http://host/path`) are legal HTTP/1.1.
    let path = match path.split_once("://") {
        Some((_, rest)) => &rest[rest.find('/').unwrap_or(rest.len())..],
        None => path,
    };
    if !path.starts_with('/') {
        return None;
    }
    let decoded = percent_decode(path)?;
    if decoded.contains('\0') || decoded.contains('\\') {
        return None;
    }
    let mut rel = PathBuf::new();
    for seg in decoded.split('/') {
        match seg {
            "" | "." => {}
            ".." => return None,
            s => {
                // Each segment must be a plain name (no root, no prefix).
                let mut c = Path::new(s).components();
                match (c.next(), c.next()) {
                    (Some(Component::Normal(_)), None) => rel.push(s),
                    _ => return None,
                }
            }
        }
    }
    let mut full = root.join(&rel);
    if full.is_dir() {
        full.push("index.html");
    }
    // Symlinks must not lead out of the root.
    let canon = full.canonicalize().ok()?;
    if !canon.starts_with(root) || !canon.is_file() {
        return None;
    }
    Some(canon)
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

pub fn mime(path: &Path) -> &'static str {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "txt" => "text/plain; charset=utf-8",
        "webmanifest" => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn site(name: &str) -> (PathBuf, PathBuf) {
        let base = std::env::temp_dir().join(format!("xtask-{name}-{}", std::process::id()));
        let root = base.join("dist");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("index.html"), "<!doctype html><body>hi</body>").unwrap();
        std::fs::write(root.join("app_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
        std::fs::write(root.join("sub").join("index.html"), "sub").unwrap();
        std::fs::write(root.join("a b.js"), "x").unwrap();
        std::fs::write(base.join("secret.txt"), "secret").unwrap();
        (base, root.canonicalize().unwrap())
    }

    #[test]
    fn resolves_safely() {
        let (_base, root) = site("resolve");
        assert_eq!(resolve(&root, "/"), Some(root.join("index.html")));
        assert_eq!(resolve(&root, "/?x=1#y"), Some(root.join("index.html")));
        assert_eq!(resolve(&root, "/sub/"), Some(root.join("sub/index.html")));
        assert_eq!(resolve(&root, "/a%20b.js"), Some(root.join("a b.js")));
        assert_eq!(resolve(&root, "http://h:1/app_bg.wasm"), Some(root.join("app_bg.wasm")));
        for bad in [
            "/../secret.txt",
            "/%2e%2e/secret.txt",
            "/sub/../../secret.txt",
            "/..%2fsecret.txt",
            "/%5c..%5csecret.txt",
            "/nope",
            "secret.txt",
            "/%zz",
            "/a%00",
        ] {
            assert_eq!(resolve(&root, bad), None, "{bad}");
        }
    }

    #[test]
    fn serves_over_http() {
        let (_base, root) = site("http");
        let srv = start(&root, 0).unwrap();
        let get = |req: &str| {
            let mut s = TcpStream::connect(srv.addr).unwrap();
            s.write_all(req.as_bytes()).unwrap();
            let mut out = String::new();
            s.read_to_string(&mut out).unwrap();
            out
        };
        let r = get("GET /app_bg.wasm HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assert!(r.starts_with("HTTP/1.1 200"), "{r}");
        assert!(r.contains("Content-Type: application/wasm"));
        let r = get("GET /?q HTTP/1.0\r\n\r\n");
        assert!(r.contains("text/html") && r.ends_with("hi</body>"), "{r}");
        let r = get("GET /../secret.txt HTTP/1.0\r\n\r\n");
        assert!(r.starts_with("HTTP/1.1 404"), "{r}");
        let r = get("POST / HTTP/1.0\r\n\r\n");
        assert!(r.starts_with("HTTP/1.1 405"), "{r}");
        let r = get("HEAD / HTTP/1.0\r\n\r\n");
        assert!(r.starts_with("HTTP/1.1 200") && r.ends_with("\r\n\r\n"), "{r}");
    }
}
