//! `curl` against the API server, as the class does after `kubectl proxy --port=8080 &`:
//! `curl http://localhost:8080/api/v1/pods`, `-X POST -H 'Content-Type: application/json'
//! -d '{…}'`, `-X DELETE`. Through the proxy a request carries the proxy's kubeconfig
//! credentials; straight at `https://127.0.0.1:35541` (with `-k`) it is anonymous.

use super::kubectl_objects::{api_path, Client, KubeCmd, Print};
use super::{printable, Command, ParseError};
use crate::apiserver::handler::Verb;
use crate::i18n::Text;

/// `kubectl proxy [--port=N] [&]`.
pub(super) fn parse_proxy(args: &[String]) -> Result<Command, ParseError> {
    let mut port = 8001u16;
    for a in args.iter().filter(|a| *a != "&") {
        let v = a.strip_prefix("--port=").or_else(|| a.strip_prefix("-p="));
        match v {
            Some(v) => {
                port = v.parse().ok().filter(|&p| p > 0).ok_or_else(|| {
                    Text::same(format!("error: invalid argument \"{}\" for \"-p, --port\" flag", printable(v)))
                })?
            }
            None => {
                return Err(Text::new(
                    format!("kubectl proxy: 이 랩은 --port=N만 받습니다 (\"{}\")", printable(a)),
                    format!("kubectl proxy: the lab takes --port=N only (not \"{}\")", printable(a)),
                ))
            }
        }
    }
    Ok(Command::Proxy { port })
}

pub(super) fn parse(args: &[String]) -> Result<Command, ParseError> {
    let mut method: Option<String> = None;
    let mut data: Option<String> = None;
    let mut insecure = false;
    let mut url: Option<&String> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |flag: &str| {
            it.next().cloned().ok_or_else(|| Text::same(format!("curl: option {flag}: requires parameter")))
        };
        match a.as_str() {
            "-X" | "--request" => method = Some(value(a)?.to_ascii_uppercase()),
            "-d" | "--data" | "--data-raw" | "--data-binary" => data = Some(value(a)?),
            "-H" | "--header" => {
                value(a)?;
            }
            "-k" | "--insecure" => insecure = true,
            "-s" | "--silent" | "-S" | "-sS" | "-v" | "-i" => {}
            f if f.starts_with('-') => {
                return Err(Text::same(format!("curl: option {}: is unknown", printable(f))));
            }
            _ if url.is_none() => url = Some(a),
            _ => return Err(Text::new("curl: 이 랩은 URL 하나만 받습니다", "curl: the lab takes one URL")),
        }
    }
    let url = url.ok_or_else(|| Text::same("curl: no URL specified!"))?;
    if data.as_deref().is_some_and(|d| d.starts_with('@')) {
        return Err(Text::new(
            "curl: 랩의 터미널에는 표준 입력/파일이 없습니다 — JSON을 명령에 직접 넣으세요: -d '{\"apiVersion\":\"v1\",…}'",
            "curl: the lab's terminal has no stdin or files — put the JSON in the command: -d '{\"apiVersion\":\"v1\",…}'",
        ));
    }
    let (client, path) =
        if let Some(rest) = url.strip_prefix("http://localhost:").or_else(|| url.strip_prefix("http://127.0.0.1:")) {
            let (port, path) = rest.split_once('/').map_or((rest, ""), |(p, path)| (p, path));
            let port: u16 = port.parse().map_err(|_| {
                Text::same(format!("curl: (3) URL using bad/illegal format or missing URL: {}", printable(url)))
            })?;
            (Client::Proxy(port), format!("/{path}"))
        } else if let Some(rest) = url.strip_prefix(&format!("{}/", crate::k8s::kubeconfig::SERVER)) {
            if !insecure {
                return Err(Text::same("curl: (60) SSL certificate problem: unable to get local issuer certificate"));
            }
            (Client::Direct, format!("/{rest}"))
        } else {
            return Err(Text::new(
                format!(
                    "curl: 이 랩은 kubectl proxy(http://localhost:PORT/…)와 API 서버({}/…)만 부를 수 있습니다",
                    crate::k8s::kubeconfig::SERVER
                ),
                format!(
                    "curl: the lab reaches kubectl proxy (http://localhost:PORT/…) and the API server ({}/…) only",
                    crate::k8s::kubeconfig::SERVER
                ),
            ));
        };
    let method = method.unwrap_or_else(|| if data.is_some() { "POST".into() } else { "GET".into() });
    let Some(p) = api_path(&path) else {
        return Err(Text::new(
            format!("curl: 이 랩이 모르는 API 경로입니다: {} (예: /api/v1/namespaces/default/pods)", printable(&path)),
            format!(
                "curl: an API path the lab does not serve: {} (e.g. /api/v1/namespaces/default/pods)",
                printable(&path)
            ),
        ));
    };
    let verb = match (method.as_str(), p.name.is_empty()) {
        ("GET", true) => Verb::List,
        ("GET", false) => Verb::Get,
        ("POST", true) => Verb::Create,
        ("PUT", false) => Verb::Update,
        ("PATCH", false) => Verb::Patch,
        ("DELETE", false) => Verb::Delete,
        (m, _) => {
            return Err(Text::new(
                format!(
                    "curl: 이 랩은 {} {}을(를) 처리하지 않습니다 (목록에 GET/POST, 객체에 GET/PUT/PATCH/DELETE)",
                    printable(m),
                    printable(&path)
                ),
                format!(
                "curl: the lab does not serve {} on {} (GET/POST on a collection, GET/PUT/PATCH/DELETE on an object)",
                printable(m),
                printable(&path)
            ),
            ))
        }
    };
    let body = match &data {
        Some(d) => Some(serde_json::from_str(d).map_err(|e| {
            Text::same(format!(
                "curl: the body is not JSON ({}); the API server would answer 400 BadRequest",
                printable(&e.to_string())
            ))
        })?),
        None => None,
    };
    let none: [String; 0] = [];
    let mut f = super::kubectl_objects::split_flags_pub(&none)?;
    let mut c: KubeCmd = super::kubectl_objects::cmd(verb, p.resource, &mut f, Print::Curl);
    c.all_namespaces = p.namespace.is_none() && p.resource.namespaced;
    c.namespace = p.namespace;
    c.watch = p.watch && p.name.is_empty() && verb == Verb::List;
    c.name = p.name;
    c.resource_version = p.resource_version;
    c.body = body;
    c.client = client;
    Ok(Command::Kube(Box::new(c)))
}
