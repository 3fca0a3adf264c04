//! The lab speaks Korean first, English on request (`?lang=en`, `--lang en`).
//!
//! Output of the simulated tools themselves (etcdctl, kubectl, bash) stays in English, as on a
//! real cluster; what the lab itself says is given in both languages.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    #[serde(rename = "ko")]
    Ko,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    /// Parses `ko` / `en`; anything else is `None`.
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "ko" => Some(Lang::Ko),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Ko => "ko",
            Lang::En => "en",
        }
    }

    /// Picks the string for this language.
    pub fn pick<'a>(self, ko: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Ko => ko,
            Lang::En => en,
        }
    }
}

/// A message the lab shows, carried in both languages so the core never depends on the
/// reader's choice and the UI can switch language without rerunning anything.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Text {
    pub ko: String,
    pub en: String,
}

impl Text {
    pub fn new(ko: impl Into<String>, en: impl Into<String>) -> Text {
        Text { ko: ko.into(), en: en.into() }
    }

    /// The same words in both languages (tool output, names).
    pub fn same(s: impl Into<String>) -> Text {
        let s = s.into();
        Text { ko: s.clone(), en: s }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ko => &self.ko,
            Lang::En => &self.en,
        }
    }
}
