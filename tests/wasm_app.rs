//! The app's logic inside wasm, in headless Chromium (`cargo xtask test wasm`): URL handling,
//! drawing helpers, starting from a share link (same hash as native), and the mounted page.
#![cfg(target_arch = "wasm32")]
wasm_bindgen_test_configure!(run_in_browser);

use control_plane_lab::geometry::{self, layout, partition_command, progress, route};
use control_plane_lab::lab::{next_write_number, start_from_url, DEFAULT_MEMBERS};
use control_plane_lab::url::{lang_from_search, search_with_lang, share_url};
use lab_core::hash::format_hash;
use lab_core::i18n::Lang;
use lab_core::sim::network::Endpoint;
use lab_core::Scenario;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

const FIXTURE: &str = include_str!("../core/tests/fixtures/replay.json");
const FIXTURE_HASH: &str = include_str!("../core/tests/fixtures/replay.hash");

#[wasm_bindgen_test]
fn language_defaults_to_korean_and_survives_sharing() {
    assert_eq!(lang_from_search(""), Lang::Ko);
    assert_eq!(lang_from_search("?lang=en"), Lang::En);
    assert_eq!(lang_from_search("?lang=<script>"), Lang::Ko);
    let link = share_url("http://127.0.0.1:8080", "/", Lang::En, "s=1.abc");
    assert_eq!(link, "http://127.0.0.1:8080/?lang=en#s=1.abc");
    assert_eq!(lang_from_search(link.split_once('?').unwrap().1.split('#').next().unwrap()), Lang::En);
    assert_eq!(search_with_lang("?seed=2", Lang::En), "?seed=2&lang=en");
}

#[wasm_bindgen_test]
fn messages_are_interpolated_between_send_and_delivery() {
    let l = layout(&[0, 0, 0], false);
    let r = route(&l, Endpoint::Member(1), Endpoint::Member(2));
    assert_eq!(progress(1_000, 3_000, 2_000), 0.5);
    assert_eq!(r.at(progress(1_000, 3_000, 0)), r.from);
    assert_eq!(r.at(progress(1_000, 3_000, 9_000)), r.to);
    let mid = r.at(0.5);
    assert!(mid.1 < geometry::VAULT_TOP);
}

#[wasm_bindgen_test]
fn partition_clicks_become_commands() {
    let moved = geometry::flip_side(&[0, 0, 0], 1);
    assert_eq!(partition_command(&moved), "lab partition etcd-2 etcd-3 | etcd-1");
    assert_eq!(partition_command(&geometry::flip_side(&moved, 1)), "lab heal");
}

#[wasm_bindgen_test]
fn a_share_link_replays_to_the_native_hash_in_wasm() {
    let s = Scenario::from_json(FIXTURE).expect("the fixture is a valid scenario");
    let link = share_url("http://h", "/", Lang::Ko, &s.to_fragment().expect("fits a link"));
    let (_, hash) = link.split_once('#').unwrap();
    let start = start_from_url(&link, "?lang=ko", &format!("#{hash}"));
    assert!(start.error.is_none());
    assert_eq!(start.replayed_to_us, Some(s.until_us));
    assert_eq!(format_hash(start.world.state_hash()), FIXTURE_HASH.trim());
    assert_eq!(start.world.view().hash, FIXTURE_HASH.trim());
}

#[wasm_bindgen_test]
fn a_broken_link_gives_an_error_and_the_default_scenario() {
    for frag in [
        "#s=1.@@@garbage",
        "#s=1.<script>alert(1)</script>",
        "#s=<img src=x onerror=alert(1)>.abc",
        "#s=1.eJzLSM3JyVcozy_KSQEAGgQEXQ",
        "#nothing-here",
    ] {
        let href = format!("http://h/?lang=en{frag}");
        let start = start_from_url(&href, "?lang=en", frag);
        let err = start.error.expect("an error for a broken link");
        assert!(!err.en.is_empty() && !err.ko.is_empty(), "{frag}");
        assert_eq!(start.lang, Lang::En);
        assert_eq!(start.replayed_to_us, None);
        assert_eq!(start.world.member_count(), DEFAULT_MEMBERS);
        // The default scenario runs Kubernetes (its etcd elected a leader before the class).
        assert!(start.world.office().is_some(), "{frag}");
        assert!(start.world.commands().is_empty(), "{frag}");
    }
    let fresh = start_from_url("http://h/", "", "");
    assert!(fresh.error.is_none());
    assert_eq!(next_write_number(&fresh.world), 1);
}

/// Lets Leptos flush its scheduled updates.
async fn next_task() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 20);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

#[wasm_bindgen_test]
async fn the_mounted_page_draws_vaults_and_turns_clicks_into_commands() {
    let doc = web_sys::window().unwrap().document().unwrap();
    let body = doc.body().unwrap();
    let handle = leptos::mount::mount_to(body, control_plane_lab::app::App);
    next_task().await;

    let vaults = doc.query_selector_all("[data-member]").unwrap();
    assert_eq!(vaults.length(), u32::from(DEFAULT_MEMBERS));
    let hash = doc.get_element_by_id("state-hash").unwrap().text_content().unwrap();
    assert_eq!(hash.len(), 16, "{hash}");
    assert!(doc.get_element_by_id("sim-clock").unwrap().has_attribute("data-now-us"));
    // (The test runner's own page URL decides whether a banner shows; not checked here.)

    // A press on teller 2 is the command `lab put k1 v1 --via etcd-2` in the event log.
    let teller: web_sys::Element = doc.query_selector("[data-teller=\"2\"]").unwrap().unwrap();
    let click = web_sys::MouseEventInit::new();
    click.set_bubbles(true);
    let click = web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &click).unwrap();
    teller.dispatch_event(&click).unwrap();
    next_task().await;
    let row = doc.query_selector("#event-log li[data-cmd]").unwrap().expect("a row in the event log");
    assert!(row.text_content().unwrap().contains("lab put k1 v1 --via etcd-2"));

    // Enter on a focused vault crashes it.
    let vault: web_sys::HtmlElement = doc.query_selector("[data-member=\"3\"]").unwrap().unwrap().unchecked_into();
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("Enter");
    init.set_bubbles(true);
    let key = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    vault.dispatch_event(&key).unwrap();
    next_task().await;
    let log = doc.get_element_by_id("event-log").unwrap().text_content().unwrap();
    assert!(log.contains("lab crash etcd-3"), "{log}");
    assert_eq!(vault.get_attribute("data-up").as_deref(), Some("false"));

    // The member controls submit the terminal's lines: a slow disk for etcd-1 shows on its vault.
    let button = |id: &str| -> web_sys::HtmlElement { doc.get_element_by_id(id).unwrap().unchecked_into() };
    button("act-disk").click();
    next_task().await;
    let log = doc.get_element_by_id("event-log").unwrap().text_content().unwrap();
    assert!(log.contains("lab disk etcd-1 500ms"), "{log}");
    let v1 = doc.query_selector("[data-member=\"1\"]").unwrap().unwrap();
    assert_eq!(v1.get_attribute("data-disk-slow").as_deref(), Some("true"));
    // The disk line names the latency whether the vault is writing now or idle (the robots
    // keep etcd busy: leases, events).
    assert!(v1.text_content().unwrap().contains("500ms"));
    button("act-read-s").click();
    button("act-watch").click();
    next_task().await;
    let log = doc.get_element_by_id("event-log").unwrap().text_content().unwrap();
    assert!(log.contains("etcdctl --endpoints=etcd-1 get k1 --consistency=s"), "{log}");
    assert_eq!(doc.query_selector_all("#watch-list > li[data-watch]").unwrap().length(), 1);
    drop(handle);
}

/// Lets Leptos and the simulation clock run until `cond` holds (at most about 5 s).
async fn until(mut cond: impl FnMut() -> bool) -> bool {
    for _ in 0..250 {
        if cond() {
            return true;
        }
        next_task().await;
    }
    cond()
}

#[wasm_bindgen_test]
async fn the_command_line_runs_kubectl_and_the_office_draws_the_request() {
    let doc = web_sys::window().unwrap().document().unwrap();
    let body = doc.body().unwrap();
    let handle = leptos::mount::mount_to(body, control_plane_lab::app::App);
    next_task().await;
    assert_eq!(doc.query_selector_all("#office-diagram [data-apiserver]").unwrap().length(), 3);

    // Type a line and submit the form (what Enter does).
    let input: web_sys::HtmlInputElement = doc.get_element_by_id("command-input").unwrap().unchecked_into();
    let type_line = |line: &str| {
        input.set_value(line);
        let ev = web_sys::Event::new("input").unwrap();
        input.dispatch_event(&ev).unwrap();
    };
    type_line("kubectl run web --image=nginx");
    next_task().await;
    let run: web_sys::HtmlElement = doc.get_element_by_id("command-run").unwrap().unchecked_into();
    run.click();
    next_task().await;
    assert_eq!(input.value(), "", "the field empties after running");
    let log = doc.get_element_by_id("event-log").unwrap().text_content().unwrap();
    assert!(log.contains("kubectl run web --image=nginx"), "{log}");

    // The request reaches a teller: the office draws it through floor 1 to etcd.
    let stored =
        until(|| doc.query_selector("#office-diagram [data-desk=\"etcd\"][data-state=\"noted\"]").unwrap().is_some())
            .await;
    assert!(stored, "the request is drawn reaching etcd");
    let auth = doc.query_selector("#office-diagram [data-desk=\"authentication\"]").unwrap().unwrap();
    assert_eq!(auth.get_attribute("data-order").as_deref(), Some("1"));
    let done =
        until(|| doc.get_element_by_id("event-log").unwrap().text_content().unwrap().contains("pod/web created")).await;
    assert!(done, "kubectl prints pod/web created");
    assert_eq!(doc.query_selector_all("#request-list .request-item").unwrap().length(), 1);

    // ↑ recalls the line; a line over 4 KiB is refused with a message and a disabled button.
    let key = web_sys::KeyboardEventInit::new();
    key.set_key("ArrowUp");
    key.set_bubbles(true);
    input.dispatch_event(&web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &key).unwrap()).unwrap();
    next_task().await;
    assert_eq!(input.value(), "kubectl run web --image=nginx");
    type_line(&"x".repeat(lab_core::shell::LINE_BYTES_MAX + 1));
    next_task().await;
    let error = doc.get_element_by_id("command-error").unwrap().text_content().unwrap();
    assert!(error.contains("4096"), "{error}");
    assert!(run.has_attribute("disabled"));

    // A teller button is the terminal's line.
    let crash: web_sys::HtmlElement = doc.get_element_by_id("teller-3-crash").unwrap().unchecked_into();
    crash.click();
    next_task().await;
    let log = doc.get_element_by_id("event-log").unwrap().text_content().unwrap();
    assert!(log.contains("lab apiserver crash apiserver-3"), "{log}");
    let t3 = doc.query_selector("#office-diagram [data-apiserver=\"3\"]").unwrap().unwrap();
    assert_eq!(t3.get_attribute("data-up").as_deref(), Some("false"));
    drop(handle);
}

#[wasm_bindgen_test]
async fn the_factory_draws_robots_and_nodes_and_its_buttons_are_commands() {
    let doc = web_sys::window().unwrap().document().unwrap();
    let body = doc.body().unwrap();
    let handle = leptos::mount::mount_to(body, control_plane_lab::app::App);
    next_task().await;
    let robots = doc.query_selector_all("#factory [data-robot]").unwrap().length();
    assert_eq!(robots, 6, "deployment, replicaset, node-lifecycle, garbagecollector, endpoint, scheduler");
    assert_eq!(doc.query_selector_all("#factory-nodes .node[data-node^=\"challenge-cluster\"]").unwrap().length(), 5);
    let title = doc.get_element_by_id("factory-title").unwrap().text_content().unwrap();
    assert!(title.contains("로봇 공장"), "{title}");

    // A worker's crash button is the terminal's line; the lab draws the kubelet down at once.
    let crash: web_sys::HtmlElement =
        doc.get_element_by_id("node-challenge-cluster-worker-toggle").unwrap().unchecked_into();
    assert!(crash.get_attribute("aria-label").unwrap().contains("challenge-cluster-worker"));
    crash.click();
    next_task().await;
    let log = doc.get_element_by_id("event-log").unwrap().text_content().unwrap();
    assert!(log.contains("lab node crash challenge-cluster-worker"), "{log}");
    let node = doc.query_selector("[data-node=\"challenge-cluster-worker\"]").unwrap().unwrap();
    assert_eq!(node.get_attribute("data-kubelet").as_deref(), Some("down"));

    // A typed Deployment gets a row with scale buttons; + is `kubectl scale … --replicas=2`.
    let input: web_sys::HtmlInputElement = doc.get_element_by_id("command-input").unwrap().unchecked_into();
    input.set_value("kubectl create deployment web --image=nginx");
    input.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    next_task().await;
    let run: web_sys::HtmlElement = doc.get_element_by_id("command-run").unwrap().unchecked_into();
    run.click();
    let listed = until(|| doc.get_element_by_id("scale-default-web-up").is_some()).await;
    assert!(listed, "the Deployment is listed with its scale buttons");
    let up: web_sys::HtmlElement = doc.get_element_by_id("scale-default-web-up").unwrap().unchecked_into();
    up.click();
    next_task().await;
    let log = doc.get_element_by_id("event-log").unwrap().text_content().unwrap();
    assert!(log.contains("kubectl scale deployment web --replicas=2"), "{log}");
    drop(handle);
}
