//! `COMMAND | grep …`: the one filter the class's commands pipe into
//! (`kube-apiserver --help | grep admission-plugins`). Like a real pipe it filters the
//! command's standard output only; its errors still reach the terminal.

use super::{printable, ParseError};
use crate::i18n::Text;

/// Filters a pipeline may chain.
pub const FILTERS_MAX: usize = 4;

/// Most trailing context lines `-A N` takes (a bound; GNU grep has none).
pub const AFTER_MAX: usize = 1_000;

/// `grep [-i] [-v] [-E] [-A N] [--color=…] PATTERN`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Grep {
    /// Alternatives (`-E 'a|b'`); a line matches if it contains any of them.
    pub patterns: Vec<String>,
    pub ignore_case: bool,
    pub invert: bool,
    /// `-A N`: lines of trailing context after each match.
    pub after: usize,
    /// Context lines still to print after the last match.
    after_left: usize,
    /// A line has been printed, and a line has been skipped since the last one printed: GNU grep
    /// separates context groups with `--`.
    printed: bool,
    skipped: bool,
}

impl Grep {
    /// The lines one input line becomes: none, itself, or (with `-A`) the `--` group separator
    /// and itself.
    pub fn feed(&mut self, line: &str) -> Vec<String> {
        let hit = self.keeps(line);
        let show = if hit {
            self.after_left = self.after;
            true
        } else if self.after_left > 0 {
            self.after_left -= 1;
            true
        } else {
            false
        };
        if !show {
            self.skipped = true;
            return Vec::new();
        }
        let mut out = Vec::with_capacity(2);
        if self.after > 0 && self.printed && self.skipped {
            out.push("--".to_string());
        }
        self.printed = true;
        self.skipped = false;
        out.push(line.to_string());
        out
    }

    pub fn keeps(&self, line: &str) -> bool {
        let hit = if self.ignore_case {
            let l = line.to_lowercase();
            self.patterns.iter().any(|p| l.contains(&p.to_lowercase()))
        } else {
            self.patterns.iter().any(|p| line.contains(p.as_str()))
        };
        hit != self.invert
    }
}

/// Parses the words after a `|`.
pub fn parse_filter(words: &[String]) -> Result<Grep, ParseError> {
    let Some((cmd, args)) = words.split_first() else {
        return Err(Text::same("bash: syntax error near unexpected token `|'"));
    };
    if cmd != "grep" {
        return Err(Text::new(
            format!("lab: 파이프 뒤에는 지금 grep만 쓸 수 있습니다 (\"{}\"은(는) 아직 없음)", printable(cmd)),
            format!("lab: only grep can follow a pipe for now (not \"{}\")", printable(cmd)),
        ));
    }
    let (mut ignore_case, mut invert, mut extended) = (false, false, false);
    let mut after: Option<usize> = None;
    let mut pattern: Option<&String> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let count = |v: &str| {
            v.parse::<usize>()
                .ok()
                .filter(|&n| n <= AFTER_MAX)
                .ok_or_else(|| Text::same(format!("grep: {}: invalid context length argument", printable(v))))
        };
        match a.as_str() {
            "-A" | "--after-context" => {
                let v = it.next().ok_or_else(|| Text::same("grep: option requires an argument -- 'A'"))?;
                after = Some(count(v)?);
            }
            f if f.starts_with("-A") => after = Some(count(&f[2..])?),
            f if f.starts_with("--after-context=") => after = Some(count(&f["--after-context=".len()..])?),
            "-i" => ignore_case = true,
            "-v" => invert = true,
            "-E" => extended = true,
            "-iv" | "-vi" => (ignore_case, invert) = (true, true),
            f if f.starts_with("--color") => {}
            f if f.starts_with('-') && pattern.is_none() => {
                return Err(Text::same(format!("grep: invalid option -- '{}'", printable(f.trim_start_matches('-')))))
            }
            _ if pattern.is_none() => pattern = Some(a),
            _ => {
                return Err(Text::new(
                    "lab: grep은 명령의 출력만 거릅니다 (파일 인자는 없음)",
                    "lab: grep filters the command's output only (no file arguments)",
                ))
            }
        }
    }
    let Some(p) = pattern else {
        return Err(Text::same("Usage: grep [OPTION]... PATTERNS [FILE]..."));
    };
    let patterns = if extended { p.split('|').map(str::to_string).collect() } else { vec![p.clone()] };
    Ok(Grep { patterns, ignore_case, invert, after: after.unwrap_or(0), ..Grep::default() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn grep_keeps_what_grep_would() {
        let g = parse_filter(&words("grep admission-plugins")).expect("valid");
        assert!(g.keeps("--enable-admission-plugins strings"));
        assert!(!g.keeps("--etcd-servers strings"));
        let g = parse_filter(&words("grep -iv NGINX")).expect("valid");
        assert!(!g.keeps("nginx-1"));
        assert!(g.keeps("coredns"));
        let g = parse_filter(&words("grep -E etcd|apiserver")).expect("valid");
        assert!(g.keeps("kube-apiserver-x") && g.keeps("etcd-x") && !g.keeps("coredns"));
        assert!(parse_filter(&words("sort")).is_err());
        assert!(parse_filter(&words("grep")).is_err());
        assert!(parse_filter(&[]).is_err());
    }

    /// GNU grep `-A N`: N lines after each match, `--` between groups that are not adjacent
    /// (`kubectl describe node | grep -A5 Conditions`, the class's command).
    #[test]
    fn grep_after_context_separates_groups() {
        let mut g = parse_filter(&words("grep -A1 C")).expect("valid");
        let input = ["a", "C1", "x", "y", "C2", "C3", "z", "w"];
        let out: Vec<String> = input.iter().flat_map(|l| g.feed(l)).collect();
        assert_eq!(out, ["C1", "x", "--", "C2", "C3", "z"]);
        let g = parse_filter(&words("grep -A 5 Conditions")).expect("valid");
        assert_eq!((g.after, g.patterns.as_slice()), (5, ["Conditions".to_string()].as_slice()));
        assert!(parse_filter(&words("grep -Ax C")).is_err());
        // Without -A there is no separator.
        let mut g = parse_filter(&words("grep C")).expect("valid");
        let out: Vec<String> = input.iter().flat_map(|l| g.feed(l)).collect();
        assert_eq!(out, ["C1", "C2", "C3"]);
    }
}
