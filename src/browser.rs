//! The few things the app asks of the browser (location, history, clipboard, clock, media
//! queries). Every call tolerates a missing API: nothing here may panic.

use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;

/// The page's `location` parts; empty strings when unavailable.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Location {
    pub href: String,
    pub origin: String,
    pub pathname: String,
    pub search: String,
    pub hash: String,
}

pub fn location() -> Location {
    let Some(loc) = web_sys::window().map(|w| w.location()) else {
        return Location::default();
    };
    Location {
        href: loc.href().unwrap_or_default(),
        origin: loc.origin().unwrap_or_default(),
        pathname: loc.pathname().unwrap_or_default(),
        search: loc.search().unwrap_or_default(),
        hash: loc.hash().unwrap_or_default(),
    }
}

/// Replaces the address bar's URL without reloading (same document).
pub fn replace_url(url: &str) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(url));
    }
}

/// Wall-clock milliseconds for pacing the simulation (never enters the simulation itself).
pub fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or_else(js_sys::Date::now)
}

/// Whether the reader asked the system for reduced motion.
pub fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-reduced-motion: reduce)").ok().flatten())
        .is_some_and(|m| m.matches())
}

/// Tries `navigator.clipboard.writeText(text)`; a refusal (no permission, insecure origin,
/// no clipboard API) is ignored: the link is shown on the page anyway.
pub fn copy_to_clipboard(text: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    let Ok(clipboard) = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard")) else {
        return;
    };
    if clipboard.is_undefined() || clipboard.is_null() {
        return;
    }
    let clipboard: web_sys::Clipboard = clipboard.unchecked_into();
    let promise = clipboard.write_text(text);
    wasm_bindgen_futures::spawn_local(async move {
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    });
}

/// Sets `<html lang>` and the document title to the chosen language.
pub fn set_document_language(code: &str, title: &str) {
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        if let Some(html) = doc.document_element() {
            let _ = html.set_attribute("lang", code);
        }
        doc.set_title(title);
    }
}
