//! Transcript tests (DESIGN.md "Testing, in layers" 2): each `transcripts/*.txt` is a terminal
//! session — a header naming seed, member count and language, then `$ command` lines and the
//! output the lab must print. The test replays the commands as `lab shell` does and compares.
//! To accept a deliberate change, run with `BLESS=1` and review the diff.

use lab_core::i18n::Lang;
use lab_core::World;

struct Header {
    seed: u64,
    etcd: u8,
    lang: Lang,
    /// `# kubernetes: yes`: the cluster with API servers (World::with_kubernetes).
    kubernetes: bool,
}

fn header(text: &str) -> Header {
    let mut h = Header { seed: 1, etcd: 3, lang: Lang::En, kubernetes: false };
    for line in text.lines().take_while(|l| l.starts_with("# ")) {
        if let Some((k, v)) = line[2..].split_once(':') {
            match k.trim() {
                "seed" => h.seed = v.trim().parse().expect("seed"),
                "etcd" => h.etcd = v.trim().parse().expect("etcd"),
                "lang" => h.lang = Lang::parse(v.trim()).expect("lang"),
                "kubernetes" => h.kubernetes = v.trim() == "yes",
                _ => {}
            }
        }
    }
    h
}

fn replay(text: &str) -> String {
    let h = header(text);
    let mut w = if h.kubernetes { World::with_kubernetes(h.seed, h.etcd) } else { World::new(h.seed, h.etcd) };
    let mut out: String = text.lines().take_while(|l| l.starts_with("# ")).map(|l| format!("{l}\n")).collect();
    for line in text.lines().filter_map(|l| l.strip_prefix("$ ")) {
        let id = w.submit(line);
        w.run_until_done(id);
    }
    out.push_str(&w.render_transcript(0, h.lang));
    out
}

#[test]
fn transcripts_match() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/transcripts");
    let mut files: Vec<_> =
        std::fs::read_dir(dir).expect("transcripts dir").map(|e| e.expect("entry").path()).collect();
    files.sort();
    assert!(!files.is_empty());
    let bless = std::env::var_os("BLESS").is_some();
    let mut failures = Vec::new();
    for path in files.iter().filter(|p| p.extension().is_some_and(|e| e == "txt")) {
        let expected = std::fs::read_to_string(path).expect("read transcript");
        let actual = replay(&expected);
        if actual != expected {
            if bless {
                std::fs::write(path, &actual).expect("bless");
            } else {
                failures.push(format!("{}:\n--- expected\n{expected}\n--- actual\n{actual}", path.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
