//! Where things are drawn: vault and teller positions, the partition line, message paths, and
//! the interpolation of a message between its send and delivery times. Pure functions (floats
//! are fine here: drawing only, never simulation state).

use lab_core::sim::network::Endpoint;

/// The diagram's SVG coordinate space (`viewBox="0 0 WIDTH HEIGHT"`).
pub const WIDTH: f64 = 1200.0;
pub const HEIGHT: f64 = 660.0;
/// Top edge of a vault's body; messages between vaults arc above it.
pub const VAULT_TOP: f64 = 215.0;
pub const VAULT_W: f64 = 140.0;
pub const VAULT_H: f64 = 196.0;
/// Centre line of the tellers (API servers) in front of the vaults.
pub const TELLER_Y: f64 = 600.0;
pub const TELLER_W: f64 = 116.0;
pub const TELLER_H: f64 = 50.0;

/// The SVG `viewBox` for `WIDTH` × `HEIGHT`.
pub const VIEW_BOX: &str = "0 0 1200 660";

/// A coordinate for an SVG attribute, to a tenth, without pulling float formatting into
/// the wasm bundle (integer formatting only): `-12.5`, `600`.
pub fn num(v: f64) -> String {
    let t = (v * 10.0).round() as i64;
    let (sign, t) = if t < 0 { ("-", -t) } else { ("", t) };
    if t % 10 == 0 {
        format!("{sign}{}", t / 10)
    } else {
        format!("{sign}{}.{}", t / 10, t % 10)
    }
}

/// Which side of the partition line a member stands on, from its network group: no partition
/// (group 0) and the first group are the left side (0); every other group the right side (1).
pub fn side_of_group(group: u8) -> u8 {
    u8::from(group >= 2)
}

#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// Centre x of member `id` at index `id - 1`.
    pub x: Vec<f64>,
    /// Side (0 left, 1 right) of member `id` at index `id - 1`.
    pub sides: Vec<u8>,
    /// The partition line's x, when one is drawn.
    pub line_x: Option<f64>,
    /// Vaults and tellers are drawn this much larger when there is room (few members).
    pub scale: f64,
}

/// Largest drawing scale for vaults and tellers.
pub const SCALE_MAX: f64 = 1.35;

/// Lays out members left to right: the left side's members by id, then (if drawn) the partition
/// line in a slot of its own, then the right side's members.
pub fn layout(sides: &[u8], show_line: bool) -> Layout {
    let n = sides.len();
    let slots = (n + usize::from(show_line)).max(1);
    let slot_w = WIDTH / slots as f64;
    let mut x = vec![0.0; n];
    let mut slot = 0usize;
    let place = |slot: &mut usize| {
        let cx = (*slot as f64 + 0.5) * slot_w;
        *slot += 1;
        cx
    };
    for (i, _) in sides.iter().enumerate().filter(|(_, &s)| s == 0) {
        x[i] = place(&mut slot);
    }
    let line_x = show_line.then(|| place(&mut slot));
    for (i, _) in sides.iter().enumerate().filter(|(_, &s)| s != 0) {
        x[i] = place(&mut slot);
    }
    Layout { x, sides: sides.to_vec(), line_x, scale: (slot_w / 165.0).clamp(1.0, SCALE_MAX) }
}

/// The sides with member `id` moved across the line.
pub fn flip_side(sides: &[u8], id: u8) -> Vec<u8> {
    sides.iter().enumerate().map(|(i, &s)| if i + 1 == id as usize { 1 - s.min(1) } else { s }).collect()
}

/// The command that puts the members on these sides: `lab partition etcd-1 | etcd-2 etcd-3`,
/// or `lab heal` when one side is empty.
pub fn partition_command(sides: &[u8]) -> String {
    let names = |side: u8| -> Vec<String> {
        sides.iter().enumerate().filter(|(_, &s)| s == side).map(|(i, _)| format!("etcd-{}", i + 1)).collect()
    };
    let (left, right) = (names(0), names(1));
    if left.is_empty() || right.is_empty() {
        "lab heal".to_string()
    } else {
        format!("lab partition {} | {}", left.join(" "), right.join(" "))
    }
}

/// How far a message has travelled at `now_us`: 0 when sent, 1 on delivery.
pub fn progress(sent_us: u64, deliver_us: u64, now_us: u64) -> f64 {
    if deliver_us <= sent_us || now_us >= deliver_us {
        return 1.0;
    }
    if now_us <= sent_us {
        return 0.0;
    }
    (now_us - sent_us) as f64 / (deliver_us - sent_us) as f64
}

/// A message's route: a straight line or a quadratic curve (arcs above the vaults).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Route {
    pub from: (f64, f64),
    pub control: Option<(f64, f64)>,
    pub to: (f64, f64),
}

impl Route {
    /// The point at fraction `t` of the way.
    pub fn at(&self, t: f64) -> (f64, f64) {
        let t = t.clamp(0.0, 1.0);
        match self.control {
            None => (self.from.0 + (self.to.0 - self.from.0) * t, self.from.1 + (self.to.1 - self.from.1) * t),
            Some(c) => {
                let u = 1.0 - t;
                (
                    u * u * self.from.0 + 2.0 * u * t * c.0 + t * t * self.to.0,
                    u * u * self.from.1 + 2.0 * u * t * c.1 + t * t * self.to.1,
                )
            }
        }
    }

    /// SVG path data.
    pub fn d(&self) -> String {
        let (a, b) = (self.from, self.to);
        match self.control {
            None => format!("M{} {}L{} {}", num(a.0), num(a.1), num(b.0), num(b.1)),
            Some(c) => format!("M{} {}Q{} {} {} {}", num(a.0), num(a.1), num(c.0), num(c.1), num(b.0), num(b.1)),
        }
    }
}

fn x_of(layout: &Layout, member: u8) -> f64 {
    layout.x.get(usize::from(member).wrapping_sub(1)).copied().unwrap_or(WIDTH / 2.0)
}

/// The route of a message from `from` to `to`. Between vaults: an arc over the top (the two
/// directions on different heights, so a request and its reply do not overlap). Between a
/// teller and a vault: a straight lane (requests on the left, replies on the right).
pub fn route(layout: &Layout, from: Endpoint, to: Endpoint) -> Route {
    use Endpoint::*;
    let s = layout.scale;
    let vault_bottom = VAULT_TOP + VAULT_H * s;
    let teller_top = TELLER_Y - TELLER_H / 2.0 * s;
    match (from, to) {
        (Member(a), Member(b)) => {
            let (xa, xb) = (x_of(layout, a), x_of(layout, b));
            let dx = xb - xa;
            let sign = if dx >= 0.0 { 1.0 } else { -1.0 };
            let mut h = (70.0 + 0.45 * dx.abs()).min(360.0);
            if dx < 0.0 {
                h *= 0.72;
            }
            let p0 = (xa + sign * 30.0 * s, VAULT_TOP);
            let p1 = (xb - sign * 30.0 * s, VAULT_TOP);
            Route { from: p0, control: Some(((p0.0 + p1.0) / 2.0, VAULT_TOP - h)), to: p1 }
        }
        (Client(c), Member(m)) => Route {
            from: (x_of(layout, c) - 16.0 * s, teller_top),
            control: None,
            to: (x_of(layout, m) - 16.0 * s, vault_bottom),
        },
        (Member(m), Client(c)) => Route {
            from: (x_of(layout, m) + 16.0 * s, vault_bottom),
            control: None,
            to: (x_of(layout, c) + 16.0 * s, teller_top),
        },
        (Client(a), Client(b)) => {
            Route { from: (x_of(layout, a), teller_top), control: None, to: (x_of(layout, b), teller_top) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_are_spread_and_the_line_sits_between_the_sides() {
        let l = layout(&[0, 0, 0], false);
        assert_eq!(l.x, vec![200.0, 600.0, 1000.0]);
        assert_eq!(l.line_x, None);
        let l = layout(&[1, 0, 0], true);
        // etcd-2, etcd-3 on the left, then the line, then etcd-1.
        assert_eq!(l.x, vec![1050.0, 150.0, 450.0]);
        assert_eq!(l.line_x, Some(750.0));
    }

    #[test]
    fn partition_commands_follow_the_sides() {
        assert_eq!(partition_command(&[0, 0, 1]), "lab partition etcd-1 etcd-2 | etcd-3");
        assert_eq!(partition_command(&[0, 0, 0]), "lab heal");
        assert_eq!(partition_command(&[1, 1]), "lab heal");
        assert_eq!(flip_side(&[0, 0, 1], 3), vec![0, 0, 0]);
        assert_eq!(flip_side(&[0, 0, 1], 1), vec![1, 0, 1]);
        assert_eq!(side_of_group(0), 0);
        assert_eq!(side_of_group(1), 0);
        assert_eq!(side_of_group(2), 1);
    }

    #[test]
    fn numbers_are_written_to_a_tenth() {
        assert_eq!(num(600.0), "600");
        assert_eq!(num(-12.5), "-12.5");
        assert_eq!(num(-0.04), "0");
        assert_eq!(num(-0.5), "-0.5");
        assert_eq!(num(1.26), "1.3");
        assert_eq!(num(f64::NAN), "0");
        assert_eq!(VIEW_BOX, format!("0 0 {} {}", num(WIDTH), num(HEIGHT)));
    }

    #[test]
    fn progress_is_clamped() {
        assert_eq!(progress(100, 200, 50), 0.0);
        assert_eq!(progress(100, 200, 150), 0.5);
        assert_eq!(progress(100, 200, 250), 1.0);
        assert_eq!(progress(100, 100, 100), 1.0);
    }

    #[test]
    fn routes_start_and_end_at_their_endpoints() {
        let l = layout(&[0, 0, 0], false);
        let r = route(&l, Endpoint::Member(1), Endpoint::Member(3));
        assert_eq!(r.at(0.0), r.from);
        assert_eq!(r.at(1.0), r.to);
        let (_, mid_y) = r.at(0.5);
        assert!(mid_y < VAULT_TOP, "arcs go above the vaults");
        assert_eq!(l.scale, SCALE_MAX);
        let up = route(&l, Endpoint::Client(2), Endpoint::Member(2));
        let s = l.scale;
        assert_eq!(up.at(0.0), (600.0 - 16.0 * s, TELLER_Y - TELLER_H / 2.0 * s));
        assert_eq!(up.at(1.0), (600.0 - 16.0 * s, VAULT_TOP + VAULT_H * s));
        assert_eq!(layout(&[0; 7], true).scale, 1.0);
    }
}
