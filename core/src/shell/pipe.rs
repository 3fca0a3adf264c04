//! `COMMAND | grep …`: the one filter the class's commands pipe into
//! (`kube-apiserver --help | grep admission-plugins`). Like a real pipe it filters the
//! command's standard output only; its errors still reach the terminal.

use super::{printable, ParseError};
use crate::i18n::Text;

/// Filters a pipeline may chain.
pub const FILTERS_MAX: usize = 4;

/// `grep [-i] [-v] [-E] [--color=…] PATTERN`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Grep {
    /// Alternatives (`-E 'a|b'`); a line matches if it contains any of them.
    pub patterns: Vec<String>,
    pub ignore_case: bool,
    pub invert: bool,
}

impl Grep {
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
    let mut pattern: Option<&String> = None;
    for a in args {
        match a.as_str() {
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
    Ok(Grep { patterns, ignore_case, invert })
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
}
