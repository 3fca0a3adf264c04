//! The page's URL: language in the query (`?lang=en`), the scenario in the fragment (`#s=1.…`).
//!
//! Pure string functions, so they are tested without a browser (and in one, by wasm tests).

use lab_core::i18n::Lang;

/// The value of `name` in a query string (`?a=1&lang=en` or `a=1&lang=en`).
pub fn query_param<'a>(search: &'a str, name: &str) -> Option<&'a str> {
    search
        .trim_start_matches('?')
        .split('&')
        .filter_map(|kv| kv.split_once('=').or(Some((kv, ""))))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Korean unless the query says `lang=en` (anything unknown falls back to Korean).
pub fn lang_from_search(search: &str) -> Lang {
    query_param(search, "lang").and_then(Lang::parse).unwrap_or_default()
}

/// `?seed=N` picks the scenario's seed (a teacher can prepare a particular election).
pub fn seed_from_search(search: &str) -> Option<u64> {
    query_param(search, "seed").and_then(|s| s.parse().ok())
}

/// The query with `lang` set to `lang`, other parameters kept in order: `?seed=3&lang=en`.
pub fn search_with_lang(search: &str, lang: Lang) -> String {
    let mut parts: Vec<String> = search
        .trim_start_matches('?')
        .split('&')
        .filter(|kv| !kv.is_empty() && kv.split('=').next() != Some("lang"))
        .map(str::to_string)
        .collect();
    parts.push(format!("lang={}", lang.code()));
    format!("?{}", parts.join("&"))
}

/// Whether the fragment (`location.hash`, with its `#`) holds anything to read.
pub fn has_fragment(hash: &str) -> bool {
    !hash.trim_start_matches('#').trim().is_empty()
}

/// The link Share copies: `origin + pathname + ?lang=<lang> + #<fragment>`.
pub fn share_url(origin: &str, pathname: &str, lang: Lang, fragment: &str) -> String {
    let fragment = fragment.trim_start_matches('#');
    format!("{origin}{pathname}?lang={}#{fragment}", lang.code())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_comes_from_the_query() {
        assert_eq!(lang_from_search(""), Lang::Ko);
        assert_eq!(lang_from_search("?lang=en"), Lang::En);
        assert_eq!(lang_from_search("?seed=4&lang=en"), Lang::En);
        assert_eq!(lang_from_search("?lang=fr"), Lang::Ko);
        assert_eq!(lang_from_search("?language=en"), Lang::Ko);
        assert_eq!(seed_from_search("?seed=42"), Some(42));
        assert_eq!(seed_from_search("?seed=x"), None);
    }

    #[test]
    fn switching_language_keeps_the_rest() {
        assert_eq!(search_with_lang("", Lang::En), "?lang=en");
        assert_eq!(search_with_lang("?lang=en", Lang::Ko), "?lang=ko");
        assert_eq!(search_with_lang("?seed=3&lang=en", Lang::Ko), "?seed=3&lang=ko");
    }

    #[test]
    fn share_url_carries_language_and_scenario() {
        assert_eq!(share_url("http://h:1", "/", Lang::En, "s=1.abc"), "http://h:1/?lang=en#s=1.abc");
        assert!(has_fragment("#s=1.x"));
        assert!(!has_fragment("#"));
        assert!(!has_fragment(""));
    }
}
