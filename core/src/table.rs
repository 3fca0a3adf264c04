//! Column-aligned tables, padded like kubectl's tabwriter (3 spaces between columns).

/// Renders rows (the first is the header) with columns padded to the widest cell + 3 spaces.
/// Width counts characters; Hangul is wide in a terminal, so a Korean header may sit a little
/// off in some fonts — acceptable for the lab's own tables.
pub fn render<const N: usize>(rows: &[[String; N]]) -> String {
    render_rows(&rows.iter().map(|r| r.to_vec()).collect::<Vec<_>>())
}

pub fn render_rows(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; cols];
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(display_width(c));
        }
    }
    let mut out = String::new();
    for (ri, r) in rows.iter().enumerate() {
        if ri > 0 {
            out.push('\n');
        }
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            line.push_str(c);
            if i + 1 < r.len() {
                line.push_str(&" ".repeat(widths[i] - display_width(c) + 3));
            }
        }
        out.push_str(line.trim_end());
    }
    out
}

/// Terminal columns: Hangul syllables and CJK take two.
fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| if ('\u{1100}'..='\u{11FF}').contains(&c) || ('\u{AC00}'..='\u{D7A3}').contains(&c) { 2 } else { 1 })
        .sum()
}
