//! etcdctl's `-w table` (olekukonko/tablewriter as etcdctl configures it in
//! `etcdctl/ctlv3/command/printer_table.go`): `+---+` borders, headers upper-cased and
//! centred, cells right-aligned, one space of padding.

pub fn render(headers: &[&str], rows: &[Vec<String>]) -> Vec<String> {
    let widths: Vec<usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| rows.iter().map(|r| r[i].chars().count()).chain([h.chars().count()]).max().unwrap_or(0))
        .collect();
    let border: String = widths.iter().fold("+".to_string(), |mut s, w| {
        s.push_str(&"-".repeat(w + 2));
        s.push('+');
        s
    });
    let line = |cells: Vec<String>| {
        let mut s = "|".to_string();
        for c in cells {
            s.push(' ');
            s.push_str(&c);
            s.push_str(" |");
        }
        s
    };
    let centre = |text: &str, w: usize| {
        let gap = w - text.chars().count();
        format!("{}{}{}", " ".repeat(gap / 2), text, " ".repeat(gap - gap / 2))
    };
    let mut out = vec![border.clone()];
    out.push(line(headers.iter().zip(&widths).map(|(h, &w)| centre(&h.to_uppercase(), w)).collect()));
    out.push(border.clone());
    for r in rows {
        out.push(line(r.iter().zip(&widths).map(|(c, &w)| format!("{c:>w$}")).collect()));
    }
    out.push(border);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn looks_like_etcdctl() {
        let t = super::render(&["ID", "Status"], &[vec!["8211f1d0f64f3269".into(), "started".into()]]);
        assert_eq!(
            t,
            [
                "+------------------+---------+",
                "|        ID        | STATUS  |",
                "+------------------+---------+",
                "| 8211f1d0f64f3269 | started |",
                "+------------------+---------+",
            ]
        );
    }
}
