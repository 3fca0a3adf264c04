//! A scenario is a seed, a topology and a list of `(at, command)`; the lab's file form is JSON,
//! its URL form is that JSON, deflated and base64url-encoded into the fragment: `#s=1.<data>`.
//!
//! Every URL is untrusted. Decoding is bounded at each step (fragment length, inflated size,
//! command count, line length, times) and every failure is one clear error in both languages.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::etcd::raft::RaftConfig;
use crate::i18n::Text;
use crate::shell::{self, LINE_BYTES_MAX};
use crate::sim::network::MEMBERS_MAX;
use crate::world::{World, TIME_US_MAX};

pub const FORMAT_VERSION: u32 = 1;
/// Longest fragment accepted (browsers allow far more; a class link never needs it).
pub const FRAGMENT_CHARS_MAX: usize = 64 * 1024;
/// Inflated JSON limit: stops compression bombs.
pub const JSON_BYTES_MAX: usize = 1024 * 1024;
pub const COMMANDS_MAX: usize = 10_000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topology {
    /// etcd members = control-plane nodes: 1, 3, 5 or 7.
    pub etcd: u8,
    /// The Kubernetes control plane runs on top (API servers, the cluster's objects in etcd).
    /// Absent in links made before it existed, which replay as the etcd-only world they were.
    #[serde(default, skip_serializing_if = "is_false")]
    pub kubernetes: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Default for Topology {
    fn default() -> Self {
        Topology { etcd: 3, kubernetes: true }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimedCommand {
    pub at_us: u64,
    pub line: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub version: u32,
    pub seed: u64,
    pub topology: Topology,
    pub commands: Vec<TimedCommand>,
    /// Simulated time the scenario runs to (a share link replays to the moment it was made).
    #[serde(default)]
    pub until_us: u64,
}

pub type ScenarioError = Text;

impl Scenario {
    pub fn new(seed: u64, topology: Topology) -> Scenario {
        Scenario { version: FORMAT_VERSION, seed, topology, commands: Vec::new(), until_us: 0 }
    }

    /// The scenario that reproduces `world` as it is now: its commands, up to its clock.
    pub fn from_world(world: &World) -> Scenario {
        Scenario {
            version: FORMAT_VERSION,
            seed: world.seed(),
            topology: Topology { etcd: world.initial_member_count(), kubernetes: world.office().is_some() },
            commands: world.commands().iter().map(|c| TimedCommand { at_us: c.at_us, line: c.line.clone() }).collect(),
            until_us: world.now_us(),
        }
    }

    /// Replays the scenario up to `until_us` (or its own end).
    pub fn replay(&self, until_us: Option<u64>) -> World {
        let mut w = if self.topology.kubernetes {
            World::with_kubernetes(self.seed, self.topology.etcd)
        } else {
            World::with_config(self.seed, self.topology.etcd, RaftConfig::default())
        };
        // A hand-written file may leave `until_us` out: run at least to its last command.
        let last_at_us = self.commands.last().map_or(0, |c| c.at_us);
        let end = until_us.unwrap_or(self.until_us.max(last_at_us));
        for c in &self.commands {
            if c.at_us > end {
                break;
            }
            w.run_until(c.at_us);
            w.submit(&c.line);
        }
        w.run_until(end);
        w
    }

    pub fn validate(&self) -> Result<(), ScenarioError> {
        if self.version != FORMAT_VERSION {
            return Err(Text::new(
                format!(
                    "시나리오 형식 버전 {}은(는) 읽을 수 없습니다 (이 랩은 버전 {FORMAT_VERSION}을 읽습니다)",
                    self.version
                ),
                format!(
                    "scenario format version {} is not supported (this lab reads version {FORMAT_VERSION})",
                    self.version
                ),
            ));
        }
        // The UI offers 1, 3, 5, 7 (etcd FAQ); checked runs also use even sizes, which are
        // valid etcd clusters, so a `lab check` seed can be replayed from its link.
        if !(1..=MEMBERS_MAX).contains(&self.topology.etcd) {
            return Err(Text::new(
                format!("etcd 멤버 수 {}은(는) 지원하지 않습니다 (1–7)", self.topology.etcd),
                format!("etcd member count {} is not supported (1 to 7)", self.topology.etcd),
            ));
        }
        if self.commands.len() > COMMANDS_MAX {
            return Err(Text::new(
                format!("명령이 너무 많습니다 ({}개, 최대 {COMMANDS_MAX}개)", self.commands.len()),
                format!("too many commands ({}, limit {COMMANDS_MAX})", self.commands.len()),
            ));
        }
        let mut prev_us = 0;
        for (i, c) in self.commands.iter().enumerate() {
            let n = i + 1;
            if c.line.len() > LINE_BYTES_MAX {
                return Err(Text::new(format!("{n}번째 명령이 너무 깁니다"), format!("command {n} is too long")));
            }
            if c.line.contains(['\n', '\r', '\0']) {
                return Err(Text::new(
                    format!("{n}번째 명령에 줄바꿈/제어 문자가 있습니다"),
                    format!("command {n} contains a line break or control character"),
                ));
            }
            if c.at_us < prev_us {
                return Err(Text::new(
                    format!("{n}번째 명령의 시간이 앞 명령보다 이릅니다"),
                    format!("command {n} is earlier than the one before it"),
                ));
            }
            if c.at_us > TIME_US_MAX {
                return Err(too_late());
            }
            prev_us = c.at_us;
        }
        if self.until_us > TIME_US_MAX {
            return Err(too_late());
        }
        Ok(())
    }

    pub fn to_json(&self) -> Result<String, ScenarioError> {
        serde_json::to_string_pretty(self).map_err(|_| cannot_write())
    }

    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        if text.len() > JSON_BYTES_MAX {
            return Err(too_big());
        }
        let s: Scenario = serde_json::from_str(text).map_err(|e| {
            Text::new(
                format!("시나리오 JSON을 읽을 수 없습니다: {}", shell::printable(&e.to_string())),
                format!("cannot read the scenario JSON: {}", shell::printable(&e.to_string())),
            )
        })?;
        s.validate()?;
        Ok(s)
    }

    /// The fragment (without `#`): `s=1.<base64url(deflate(json))>`. A session too long to fit
    /// the link limit is refused here, with a clear error, rather than making a link no lab
    /// would open.
    pub fn to_fragment(&self) -> Result<String, ScenarioError> {
        let json = serde_json::to_vec(self).map_err(|_| cannot_write())?;
        let packed = miniz_oxide::deflate::compress_to_vec(&json, 9);
        let fragment = format!("s={FORMAT_VERSION}.{}", URL_SAFE_NO_PAD.encode(packed));
        if fragment.len() > FRAGMENT_CHARS_MAX - 64 {
            return Err(Text::new(
                format!("세션이 너무 길어 링크로 만들 수 없습니다 ({}자, 최대 {FRAGMENT_CHARS_MAX}자)", fragment.len()),
                format!(
                    "the session is too long for a share link ({} characters, limit {FRAGMENT_CHARS_MAX})",
                    fragment.len()
                ),
            ));
        }
        Ok(fragment)
    }

    /// Reads a share URL, a fragment (with or without `#`), or the bare `s=…` value.
    pub fn from_url(input: &str) -> Result<Scenario, ScenarioError> {
        let input = input.trim();
        if input.len() > FRAGMENT_CHARS_MAX {
            return Err(Text::new(
                format!("링크가 너무 깁니다 ({}자, 최대 {FRAGMENT_CHARS_MAX}자)", input.len()),
                format!("the link is too long ({} characters, limit {FRAGMENT_CHARS_MAX})", input.len()),
            ));
        }
        let fragment = input.split_once('#').map_or(input, |(_, f)| f);
        let value = fragment
            .split('&')
            .find_map(|kv| kv.strip_prefix("s="))
            .ok_or_else(|| Text::new("링크에 시나리오(s=…)가 없습니다", "the link holds no scenario (s=…)"))?;
        let (version, data) = value
            .split_once('.')
            .ok_or_else(|| Text::new("링크의 시나리오 형식이 잘못되었습니다", "the link's scenario is malformed"))?;
        if version != FORMAT_VERSION.to_string() {
            return Err(Text::new(
                format!(
                    "링크 형식 버전 \"{}\"은(는) 읽을 수 없습니다 (이 랩은 버전 {FORMAT_VERSION})",
                    shell::printable(version)
                ),
                format!(
                    "link format version \"{}\" is not supported (this lab reads version {FORMAT_VERSION})",
                    shell::printable(version)
                ),
            ));
        }
        let packed = URL_SAFE_NO_PAD.decode(data).map_err(|_| {
            Text::new("링크가 잘렸거나 손상되었습니다 (base64 오류)", "the link is truncated or damaged (bad base64)")
        })?;
        let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, JSON_BYTES_MAX).map_err(|e| {
            if matches!(e.status, miniz_oxide::inflate::TINFLStatus::HasMoreOutput) {
                too_big()
            } else {
                Text::new(
                    "링크가 잘렸거나 손상되었습니다 (압축 해제 실패)",
                    "the link is truncated or damaged (cannot inflate)",
                )
            }
        })?;
        let text = std::str::from_utf8(&json)
            .map_err(|_| Text::new("링크의 시나리오가 UTF-8이 아닙니다", "the link's scenario is not UTF-8"))?;
        Scenario::from_json(text)
    }
}

fn cannot_write() -> ScenarioError {
    Text::new("시나리오를 저장할 수 없습니다", "cannot write the scenario")
}

fn too_big() -> ScenarioError {
    Text::new(
        format!("시나리오가 너무 큽니다 (최대 {JSON_BYTES_MAX} 바이트)"),
        format!("the scenario is too large (limit {JSON_BYTES_MAX} bytes)"),
    )
}

fn too_late() -> ScenarioError {
    Text::new("시나리오 시간이 2시간을 넘습니다", "a scenario time is beyond 2 hours")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Scenario {
        let mut s = Scenario::new(42, Topology { etcd: 3, kubernetes: false });
        s.commands.push(TimedCommand { at_us: 2_000_000, line: "lab put a 1".into() });
        s.commands.push(TimedCommand { at_us: 3_000_000, line: "lab crash leader".into() });
        s.until_us = 6_000_000;
        s
    }

    #[test]
    fn url_round_trip() {
        let s = sample();
        let frag = s.to_fragment().unwrap();
        assert_eq!(Scenario::from_url(&frag).unwrap(), s);
        assert_eq!(Scenario::from_url(&format!("http://x/?lang=en#{frag}&step=2")).unwrap(), s);
    }

    #[test]
    fn json_round_trip() {
        let s = sample();
        assert_eq!(Scenario::from_json(&s.to_json().unwrap()).unwrap(), s);
    }

    #[test]
    fn hostile_links_give_one_clear_error() {
        let frag = sample().to_fragment().unwrap();
        let truncated = &frag[..frag.len() / 2];
        for bad in [
            "",
            "#",
            "#s=",
            "#s=1.",
            "#s=2.AAAA",
            "#s=1.!!!notbase64",
            truncated,
            "#s=1.PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg",
        ] {
            let err = Scenario::from_url(bad).expect_err(bad);
            assert!(!err.en.is_empty() && !err.ko.is_empty());
        }
    }

    #[test]
    fn a_session_too_long_for_a_link_is_refused_when_sharing() {
        let mut r = crate::sim::rng::SimRng::new(9);
        let mut s = sample();
        s.commands = (0..COMMANDS_MAX as u64)
            .map(|i| TimedCommand { at_us: i, line: format!("lab put k{i} {:016x}", r.next_u64()) })
            .collect();
        let err = s.to_fragment().unwrap_err();
        assert!(err.en.contains("too long for a share link"), "{}", err.en);
        assert!(sample().to_fragment().is_ok());
    }

    #[test]
    fn compression_bomb_is_refused() {
        let bomb = vec![b' '; 30 * 1024 * 1024];
        let packed = miniz_oxide::deflate::compress_to_vec(&bomb, 9);
        let frag = format!("s=1.{}", URL_SAFE_NO_PAD.encode(packed));
        assert!(frag.len() < FRAGMENT_CHARS_MAX);
        let err = Scenario::from_url(&frag).unwrap_err();
        assert!(err.en.contains("too large"), "{}", err.en);
    }

    #[test]
    fn invalid_scenarios_are_refused() {
        let mut s = sample();
        s.topology.etcd = 8;
        assert!(s.validate().is_err());
        let mut s = sample();
        s.commands.reverse();
        assert!(s.validate().is_err());
        let mut s = sample();
        s.until_us = u64::MAX;
        assert!(s.validate().is_err());
        let mut s = sample();
        s.commands = vec![TimedCommand { at_us: 0, line: "lab heal".into() }; COMMANDS_MAX + 1];
        assert!(s.validate().is_err());
        assert!(Scenario::from_json("{\"version\":1}").is_err());
    }
}
