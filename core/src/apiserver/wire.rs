//! What the API server writes on the wire for curl: JSON, pretty-printed (kube-apiserver indents
//! its answer when the client is curl or wget), `kind` and `apiVersion` first as Go's struct
//! order puts them; deeper keys in sorted order (a simplification: Go writes struct order).
//! Errors are `Status` objects (KK apimachinery `metav1.Status`).

use serde_json::{json, Value};

use super::object::Object;
use crate::k8s::resources::ApiResource;
use crate::k8s::status::Status;

/// Two-space JSON with `kind`, `apiVersion` (and then `metadata`) first at the top level.
pub fn pretty(obj: &Object) -> String {
    let Value::Object(map) = obj else { return serde_json::to_string_pretty(obj).unwrap_or_default() };
    let first = ["kind", "apiVersion", "metadata"];
    let mut parts: Vec<String> = Vec::new();
    let mut push = |k: &str, v: &Value| {
        let body = serde_json::to_string_pretty(v).unwrap_or_default().replace('\n', "\n  ");
        parts.push(format!("  {}: {body}", Value::String(k.to_string())));
    };
    for k in first {
        if let Some(v) = map.get(k) {
            push(k, v);
        }
    }
    for (k, v) in map.iter().filter(|(k, _)| !first.contains(&k.as_str())) {
        push(k, v);
    }
    if parts.is_empty() {
        return "{}".to_string();
    }
    format!("{{\n{}\n}}", parts.join(",\n"))
}

/// A typed list (`PodList`): its items carry no `kind`/`apiVersion` of their own.
pub fn list(resource: &ApiResource, resource_version: u64, items: &[Object]) -> Object {
    let api_version = if resource.group.is_empty() { "v1".to_string() } else { format!("{}/v1", resource.group) };
    let items: Vec<Value> = items
        .iter()
        .map(|o| {
            let mut o = o.clone();
            if let Some(m) = o.as_object_mut() {
                m.remove("kind");
                m.remove("apiVersion");
            }
            o
        })
        .collect();
    json!({"kind": format!("{}List", resource.kind), "apiVersion": api_version,
        "metadata": {"resourceVersion": resource_version.to_string()}, "items": items})
}

/// A `Status` as the API server writes it (fields in Go's order).
pub fn status(s: &Status, resource: &ApiResource, name: &str) -> String {
    // The errors about one resource carry `details` (name, group, kind), empty fields left out.
    let mut details = String::new();
    if matches!(s.reason, "NotFound" | "AlreadyExists" | "Conflict" | "Forbidden" | "Invalid") {
        let mut fields = Vec::new();
        if !name.is_empty() {
            fields.push(format!("    \"name\": {}", Value::String(name.to_string())));
        }
        if !resource.group.is_empty() {
            fields.push(format!("    \"group\": {}", Value::String(resource.group.to_string())));
        }
        fields.push(format!("    \"kind\": {}", Value::String(resource.name.to_string())));
        details = format!(",\n  \"details\": {{\n{}\n  }}", fields.join(",\n"));
    }
    let reason = if s.reason.is_empty() {
        String::new()
    } else {
        format!(",\n  \"reason\": {}", Value::String(s.reason.to_string()))
    };
    format!(
        "{{\n  \"kind\": \"Status\",\n  \"apiVersion\": \"v1\",\n  \"metadata\": {{}},\n  \"status\": \"Failure\",\n  \"message\": {}{reason}{details},\n  \"code\": {}\n}}",
        Value::String(s.message.clone()),
        s.code
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::k8s::resources::resolve;

    #[test]
    fn curl_sees_kind_and_api_version_first() {
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"}, "spec": {}});
        assert_eq!(
            pretty(&pod),
            "{\n  \"kind\": \"Pod\",\n  \"apiVersion\": \"v1\",\n  \"metadata\": {\n    \"name\": \"x\"\n  },\n  \"spec\": {}\n}"
        );
        let l = list(resolve("pods").expect("pods"), 7, &[pod]);
        assert_eq!(l["kind"], "PodList");
        assert!(l["items"][0].get("kind").is_none());
    }

    /// The Status body of a 404 (KK apimachinery `NewNotFound`).
    #[test]
    fn a_not_found_status_reads_like_the_api_servers() {
        let s = Status::not_found("pods", "x");
        let text = status(&s, resolve("pods").expect("pods"), "x");
        let v: Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(v["reason"], "NotFound");
        assert_eq!(v["code"], 404);
        assert_eq!(v["details"]["kind"], "pods");
        assert!(text.starts_with(
            "{\n  \"kind\": \"Status\",\n  \"apiVersion\": \"v1\",\n  \"metadata\": {},\n  \"status\": \"Failure\""
        ));
    }
}
