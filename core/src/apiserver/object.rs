//! Kubernetes objects as the lab keeps them: JSON trees (`serde_json::Value`, whose maps are
//! sorted by key — the order `kubectl get -o yaml|json` prints them in), plus the few metadata
//! accessors every floor of the API server needs, and the cluster's wall clock.
//!
//! Determinism (DESIGN.md): objects hold strings, integers, booleans, lists and sorted maps only —
//! never floats; times are whole seconds of the simulated clock.

use serde_json::{Map, Value};

use crate::hash::Fnv64;
use crate::sim::US_PER_S;

/// An API object: a JSON map with `apiVersion`, `kind`, `metadata` and usually `spec`/`status`.
pub type Object = Value;

/// The wall-clock time (Unix seconds) of simulated t = 0: the class starts Friday 2026-11-27,
/// 09:00 UTC. Every `creationTimestamp` and every AGE column counts from here.
pub const EPOCH_UNIX_S: u64 = 1_795_770_000;

/// kind created `challenge-cluster` this long before the class starts (its objects are that old).
pub const CLUSTER_AGE_S: u64 = 600;

/// Unix seconds at simulated time `now_us`.
pub fn unix_s(now_us: u64) -> u64 {
    EPOCH_UNIX_S + now_us / US_PER_S
}

/// `2026-11-27T09:00:00Z` (RFC 3339 in UTC, as Kubernetes writes `metav1.Time`).
pub fn rfc3339(unix_s: u64) -> String {
    let days = (unix_s / 86_400) as i64;
    let secs = unix_s % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", secs / 3600, secs / 60 % 60, secs % 60)
}

/// `metav1.MicroTime` at simulated time `now_us`: RFC 3339 with six fractional digits
/// (`2026-11-27T09:00:02.000100Z`), as leases' `renewTime` and events' `eventTime` are written.
pub fn rfc3339_micro(now_us: u64) -> String {
    rfc3339(unix_s(now_us)).replace('Z', &format!(".{:06}Z", now_us % US_PER_S))
}

/// `Fri, 27 Nov 2026 09:00:00 +0000`: Go's `time.RFC1123Z` in UTC (what `kubectl describe`
/// prints for times; kubectl uses its machine's zone, the lab's is UTC).
pub fn rfc1123z(unix_s: u64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let days = (unix_s / 86_400) as i64;
    let secs = unix_s % 86_400;
    let (y, m, d) = civil_from_days(days);
    // 1970-01-01 was a Thursday.
    let weekday = DAYS[(days % 7) as usize];
    let month = MONTHS[(m - 1) as usize];
    format!("{weekday}, {d:02} {month} {y:04} {:02}:{:02}:{:02} +0000", secs / 3600, secs / 60 % 60, secs % 60)
}

/// Parses what [`rfc3339`] writes (UTC, whole seconds); `None` for anything else.
pub fn parse_rfc3339(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.len() != 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' || b[19] != b'Z'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<u64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 59 || y < 1970 {
        return None;
    }
    let days = days_from_civil(y as i64, mo as u32, d as u32);
    Some(days as u64 * 86_400 + h * 3600 + mi * 60 + se)
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 → (year, month, day).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// An AGE column: apimachinery `duration.HumanDuration` (`45s`, `2m3s`, `10m`, `5h2m`, `3d4h`).
pub fn human_duration(seconds: u64) -> String {
    let s = seconds;
    if s < 120 {
        return format!("{s}s");
    }
    let minutes = s / 60;
    if minutes < 10 {
        return if s.is_multiple_of(60) { format!("{minutes}m") } else { format!("{minutes}m{}s", s % 60) };
    }
    if minutes < 180 {
        return format!("{minutes}m");
    }
    let hours = s / 3600;
    if hours < 8 {
        return if minutes.is_multiple_of(60) { format!("{hours}h") } else { format!("{hours}h{}m", minutes % 60) };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        return if hours.is_multiple_of(24) {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{}h", hours / 24, hours % 24)
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    format!("{}y", hours / 24 / 365)
}

/// The AGE of an object at `now_unix_s` (`<unknown>` without a creationTimestamp, as kubectl).
pub fn age(obj: &Object, now_unix_s: u64) -> String {
    match obj.pointer("/metadata/creationTimestamp").and_then(Value::as_str).and_then(parse_rfc3339) {
        Some(t) => human_duration(now_unix_s.saturating_sub(t)),
        None => "<unknown>".to_string(),
    }
}

/// A UID in the 8-4-4-4-12 form, derived from `material` (the API server draws them at random;
/// the lab derives them from the request so a replay gives the same ones).
pub fn uid(material: &str) -> String {
    use std::hash::Hasher;
    let mut a = Fnv64::default();
    a.write(material.as_bytes());
    let hi = a.finish();
    a.write(b"/uid");
    let lo = a.finish();
    let x = format!("{hi:016x}{lo:016x}");
    format!("{}-{}-4{}-a{}-{}", &x[0..8], &x[8..12], &x[13..16], &x[17..20], &x[20..32])
}

/// `Value::pointer` (RFC 6901) without its allocation per token: the lab's pointers are
/// written in the code and have no `~` escapes (one that does takes serde_json's way). Every
/// robot reads objects through pointers at every sync, so this is on the hot path.
pub fn at<'a>(obj: &'a Value, pointer: &str) -> Option<&'a Value> {
    if pointer.is_empty() {
        return Some(obj);
    }
    if pointer.contains('~') {
        return obj.pointer(pointer);
    }
    let tokens = pointer.strip_prefix('/')?;
    tokens.split('/').try_fold(obj, |v, token| match v {
        Value::Object(map) => map.get(token),
        // serde_json's `parse_index`: no sign, no leading zero.
        Value::Array(items) if !token.starts_with('+') && (token == "0" || !token.starts_with('0')) => {
            token.parse::<usize>().ok().and_then(|i| items.get(i))
        }
        _ => None,
    })
}

pub fn str_at<'a>(obj: &'a Object, pointer: &str) -> &'a str {
    at(obj, pointer).and_then(Value::as_str).unwrap_or("")
}

pub fn name(obj: &Object) -> &str {
    str_at(obj, "/metadata/name")
}

pub fn namespace(obj: &Object) -> &str {
    str_at(obj, "/metadata/namespace")
}

pub fn kind(obj: &Object) -> &str {
    str_at(obj, "/kind")
}

/// `metadata.resourceVersion` as a number (0 when absent or not a number).
pub fn resource_version(obj: &Object) -> u64 {
    str_at(obj, "/metadata/resourceVersion").parse().unwrap_or(0)
}

/// `metadata` as a mutable map, created if missing (and the object made a map if it was not).
pub fn metadata_mut(obj: &mut Object) -> &mut Map<String, Value> {
    if !obj.is_object() {
        *obj = Value::Object(Map::new());
    }
    let map = obj.as_object_mut().expect("made a map above");
    let meta = map.entry("metadata").or_insert_with(|| Value::Object(Map::new()));
    if !meta.is_object() {
        *meta = Value::Object(Map::new());
    }
    meta.as_object_mut().expect("made a map above")
}

/// Sets `metadata.resourceVersion` (the etcd `mod_revision`, written as a decimal string).
pub fn set_resource_version(obj: &mut Object, rv: u64) {
    metadata_mut(obj).insert("resourceVersion".into(), Value::String(rv.to_string()));
}

/// What etcd stores: the object without `resourceVersion` (etcd3 store's
/// `PrepareObjectForStorage`; the version is the key's `mod_revision`).
pub fn for_storage(obj: &Object) -> String {
    let mut copy = obj.clone();
    if let Some(meta) = copy.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("resourceVersion");
    }
    copy.to_string()
}

/// An object read back from etcd: its stored JSON with `resourceVersion` = `mod_revision`.
pub fn from_storage(value: &str, mod_revision: u64) -> Option<Object> {
    let mut obj: Object = serde_json::from_str(value).ok()?;
    if !obj.is_object() {
        return None;
    }
    set_resource_version(&mut obj, mod_revision);
    Some(obj)
}

/// `metadata.labels[key]`.
pub fn label<'a>(obj: &'a Object, key: &str) -> Option<&'a str> {
    obj.get("metadata")?.get("labels")?.get(key)?.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_finds_what_serde_json_pointer_finds() {
        let v = serde_json::json!({
            "a": {"b": [10, {"c": "x"}], "": {"e": 1}, "m~n": 2, "p/q": 3, "01": 4},
            "s": "str",
        });
        for p in [
            "",
            "/",
            "/a",
            "/a/b",
            "/a/b/0",
            "/a/b/1/c",
            "/a/b/2",
            "/a/b/01",
            "/a/b/+1",
            "/a/b/-1",
            "/a//e",
            "/a/m~0n",
            "/a/p~1q",
            "/a/01",
            "/s/0",
            "a",
            "/missing/x",
            "/a/b/1/c/d",
        ] {
            assert_eq!(at(&v, p), v.pointer(p), "{p}");
        }
    }

    #[test]
    fn timestamps_round_trip_and_match_known_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(EPOCH_UNIX_S), "2026-11-27T09:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        for t in [0, 951_782_400, EPOCH_UNIX_S, EPOCH_UNIX_S + 86_399, 4_102_444_800] {
            assert_eq!(parse_rfc3339(&rfc3339(t)), Some(t));
        }
        assert_eq!(parse_rfc3339("2026-13-01T00:00:00Z"), None);
        assert_eq!(parse_rfc3339("2026-11-27 09:00:00"), None);
    }

    /// `at` finds what `Value::pointer` finds (RFC 6901), escapes and array indices included.
    #[test]
    fn at_agrees_with_json_pointer() {
        let v = serde_json::json!({"metadata": {"name": "a", "a/b": 1, "m~n": 2, "": 3},
            "items": [{"x": 1}, {"x": 2}], "01": 4});
        for p in [
            "",
            "/",
            "/metadata",
            "/metadata/name",
            "/metadata/a~1b",
            "/metadata/m~0n",
            "/metadata/",
            "/items/0/x",
            "/items/1/x",
            "/items/2",
            "/items/01",
            "/items/+1",
            "/items/-",
            "/01",
            "/nope/x",
            "metadata",
            "/metadata/name/x",
        ] {
            assert_eq!(at(&v, p), v.pointer(p), "{p}");
        }
    }

    /// Go's `time.RFC1123Z` layout `Mon, 02 Jan 2006 15:04:05 -0700`, in UTC.
    #[test]
    fn rfc1123z_names_the_weekday_and_month() {
        assert_eq!(rfc1123z(EPOCH_UNIX_S), "Fri, 27 Nov 2026 09:00:00 +0000");
        assert_eq!(rfc1123z(0), "Thu, 01 Jan 1970 00:00:00 +0000");
        assert_eq!(rfc1123z(951_782_400 + 3_723), "Tue, 29 Feb 2000 01:02:03 +0000");
    }

    /// apimachinery `duration.HumanDuration` examples (its `TestHumanDuration` table).
    #[test]
    fn ages_print_like_kubectl() {
        for (s, want) in [
            (0, "0s"),
            (119, "119s"),
            (120, "2m"),
            (123, "2m3s"),
            (600, "10m"),
            (179 * 60, "179m"),
            (3 * 3600, "3h"),
            (3 * 3600 + 60, "3h1m"),
            (8 * 3600, "8h"),
            (47 * 3600, "47h"),
            (48 * 3600, "2d"),
            (49 * 3600, "2d1h"),
            (8 * 86_400, "8d"),
            (3 * 365 * 86_400, "3y"),
        ] {
            assert_eq!(human_duration(s), want, "{s} s");
        }
    }

    #[test]
    fn storage_drops_the_resource_version_and_reading_restores_it() {
        let mut pod =
            serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x", "resourceVersion": "7"}});
        let stored = for_storage(&pod);
        assert!(!stored.contains("resourceVersion"));
        let back = from_storage(&stored, 42).expect("valid JSON");
        assert_eq!(resource_version(&back), 42);
        set_resource_version(&mut pod, 42);
        assert_eq!(back, pod);
        assert_eq!(from_storage("[1]", 3), None);
        assert_eq!(from_storage("not json", 3), None);
    }

    #[test]
    fn uids_look_like_uuids_and_are_stable() {
        let u = uid("pods/default/x/1");
        assert_eq!(u.len(), 36);
        assert_eq!(u, uid("pods/default/x/1"));
        assert_ne!(u, uid("pods/default/x/2"));
        assert_eq!(u.matches('-').count(), 4);
    }
}
