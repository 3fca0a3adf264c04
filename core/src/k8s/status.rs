//! The API server's errors as Kubernetes returns them (a `Status` with a code and a reason) and
//! as kubectl prints them: `Error from server (<Reason>): <message>` (fact sheet §3; KK
//! `staging/src/k8s.io/apimachinery/pkg/api/errors/errors.go`). 401 is the exception: kubectl
//! prints `error: You must be logged in to the server (Unauthorized)`.

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub code: u16,
    pub reason: &'static str,
    pub message: String,
    /// `details` of a 422 (apimachinery `NewInvalid`): the kind, name and field causes kubectl
    /// prints instead of the message. `None` for every other status.
    pub details: Option<Box<StatusDetails>>,
}

/// `metav1.StatusDetails` as far as kubectl reads it for 422s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusDetails {
    /// API group (`""` core, `apps`, …).
    pub group: String,
    /// `Deployment`, `Pod`, … (without the group).
    pub kind: String,
    pub name: String,
    pub causes: Vec<StatusCause>,
}

/// `metav1.StatusCause`: one field error (`field.Error`): its type, its field path and its body
/// (`Invalid value: -1: must be greater than or equal to 0`, without the field).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusCause {
    /// `FieldValueInvalid`, `FieldValueRequired`, `FieldValueDuplicate`, `FieldValueNotFound`,
    /// `FieldValueForbidden`, `FieldValueNotSupported`, `FieldValueTooLong`.
    pub reason: &'static str,
    pub field: String,
    pub message: String,
}

impl StatusCause {
    /// `field.Error.Error()`: `<field>: <body>`.
    pub fn line(&self) -> String {
        format!("{}: {}", self.field, self.message)
    }
}

/// apimachinery `utilerrors.NewAggregate(..).Error()`: one message bare, several (after dropping
/// repeats) as `[a, b]`.
pub fn aggregate(messages: &[String]) -> String {
    let mut seen: Vec<&String> = Vec::new();
    for m in messages {
        if !seen.contains(&m) {
            seen.push(m);
        }
    }
    match seen.len() {
        0 => String::new(),
        1 => seen[0].clone(),
        _ => format!("[{}]", seen.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")),
    }
}

impl Status {
    /// `pods "x" not found` (404).
    pub fn not_found(resource: &str, name: &str) -> Status {
        Status { code: 404, reason: "NotFound", message: format!("{resource} \"{name}\" not found"), details: None }
    }

    /// `pods "x" already exists` (409).
    pub fn already_exists(resource: &str, name: &str) -> Status {
        Status {
            code: 409,
            reason: "AlreadyExists",
            message: format!("{resource} \"{name}\" already exists"),
            details: None,
        }
    }

    /// A write with a stale resourceVersion (409): `resource` is `deployments.apps` style.
    pub fn conflict(resource: &str, name: &str) -> Status {
        Status::conflict_because(
            resource,
            name,
            "the object has been modified; please apply your changes to the latest version and try again",
        )
    }

    /// apimachinery `NewConflict(resource, name, err)`: `Operation cannot be fulfilled on
    /// <resource> "<name>": <err>` (409).
    pub fn conflict_because(resource: &str, name: &str, err: &str) -> Status {
        Status {
            code: 409,
            reason: "Conflict",
            message: format!("Operation cannot be fulfilled on {resource} \"{name}\": {err}"),
            details: None,
        }
    }

    /// `NewGenerateNameConflict`: the name drawn from `generateName` was taken (409).
    pub fn generate_name_conflict(resource: &str, name: &str) -> Status {
        Status {
            code: 409,
            reason: "AlreadyExists",
            message: format!(
                "{resource} \"{name}\" already exists, the server was not able to generate a unique name for the object"
            ),
            details: None,
        }
    }

    /// 404 from the router: no such path (e.g. a subresource the resource does not have).
    pub fn no_route() -> Status {
        Status {
            code: 404,
            reason: "NotFound",
            message: "the server could not find the requested resource".into(),
            details: None,
        }
    }

    /// 405: the path exists but not for this method (e.g. GET on `pods/x/binding`).
    pub fn method_not_allowed() -> Status {
        Status {
            code: 405,
            reason: "MethodNotAllowed",
            message: "the server does not allow this method on the requested resource".into(),
            details: None,
        }
    }

    /// A watch or list from a compacted resourceVersion (410).
    pub fn expired(rv: u64, oldest: u64) -> Status {
        Status {
            code: 410,
            reason: "Expired",
            message: format!("too old resource version: {rv} ({oldest})"),
            details: None,
        }
    }

    /// 403, with the authorizer's or an admission plugin's message.
    pub fn forbidden(message: String) -> Status {
        Status { code: 403, reason: "Forbidden", message, details: None }
    }

    /// 400, e.g. a request without a body.
    pub fn bad_request(message: &str) -> Status {
        Status { code: 400, reason: "BadRequest", message: message.to_string(), details: None }
    }

    /// A 500 without a reason: an error kube-apiserver passes on as it is (`ErrorToAPIStatus`),
    /// e.g. etcd's `etcdserver: request timed out`. kubectl prints `Error from server: <message>`.
    pub fn internal(message: String) -> Status {
        Status { code: 500, reason: "", message, details: None }
    }

    /// 429 from API Priority and Fairness (apiserver `tooManyRequests`).
    pub fn too_many_requests() -> Status {
        Status {
            code: 429,
            reason: "TooManyRequests",
            message: "Too many requests, please try again later.".into(),
            details: None,
        }
    }

    /// 504: the API server's request timeout passed (apimachinery `NewTimeoutError` wording).
    pub fn timeout() -> Status {
        Status {
            code: 504,
            reason: "Timeout",
            message: "the server was unable to return a response in the time allotted, but may still be processing the request".into(),
            details: None,
        }
    }

    /// No HTTP answer at all (code 0): the connection failed; kubectl prints `message` as it is.
    pub fn connection_failed(message: String) -> Status {
        Status { code: 0, reason: "", message, details: None }
    }

    /// 401.
    pub fn unauthorized() -> Status {
        Status { code: 401, reason: "Unauthorized", message: "Unauthorized".to_string(), details: None }
    }

    /// 422 (apimachinery `NewInvalid`): message `<Kind>[.<group>] "<name>" is invalid: <errors>`
    /// (the field errors aggregated, repeats dropped: one bare, several as `[a, b]`).
    pub fn invalid(group: &str, kind: &str, name: &str, causes: Vec<StatusCause>) -> Status {
        let qualified = if group.is_empty() { kind.to_string() } else { format!("{kind}.{group}") };
        let lines: Vec<String> = causes.iter().map(StatusCause::line).collect();
        let message = if lines.is_empty() {
            format!("{qualified} \"{name}\" is invalid")
        } else {
            format!("{qualified} \"{name}\" is invalid: {}", aggregate(&lines))
        };
        Status {
            code: 422,
            reason: "Invalid",
            message,
            details: Some(Box::new(StatusDetails {
                group: group.to_string(),
                kind: kind.to_string(),
                name: name.to_string(),
                causes,
            })),
        }
    }

    /// What kubectl prints for it. 422s with details are printed from the causes
    /// (`cmdutil.checkErr`): `The Deployment "nginx" is invalid: spec.replicas: …` for one cause;
    /// for several a header line (ending in `: `) and one `* <field>: <body>` line each
    /// (`MultilineError`). The text has no trailing newline.
    pub fn kubectl_line(&self) -> String {
        if self.code == 401 {
            return super::authn::UNAUTHORIZED.to_string();
        }
        if let (422, Some(d)) = (self.code, &self.details) {
            let head = if !d.kind.is_empty() || !d.name.is_empty() {
                format!("The {} \"{}\" is invalid", d.kind, d.name)
            } else {
                "The request is invalid".to_string()
            };
            let mut lines: Vec<String> = Vec::new();
            for c in &d.causes {
                let l = c.line();
                if !lines.contains(&l) {
                    lines.push(l);
                }
            }
            return match lines.len() {
                0 => head,
                1 => format!("{head}: {}", lines[0]),
                _ => {
                    let mut out = format!("{head}: ");
                    for l in &lines {
                        out.push_str("\n* ");
                        out.push_str(l);
                    }
                    out
                }
            };
        }
        if self.code == 0 {
            // Not an HTTP answer: the connection failed; kubectl prints the client error.
            return self.message.clone();
        }
        if self.reason.is_empty() {
            // A Status without a reason, e.g. etcd's error passed on as a 500 (`ErrorToAPIStatus`).
            return format!("Error from server: {}", self.message);
        }
        format!("Error from server ({}): {}", self.reason, self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fact sheet's table of status codes (§3), as kubectl prints them.
    #[test]
    fn kubectl_prints_statuses_as_kubernetes_words_them() {
        assert_eq!(Status::not_found("pods", "x").kubectl_line(), "Error from server (NotFound): pods \"x\" not found");
        assert_eq!(
            Status::already_exists("pods", "x").kubectl_line(),
            "Error from server (AlreadyExists): pods \"x\" already exists"
        );
        assert_eq!(
            Status::conflict("deployments.apps", "nginx").kubectl_line(),
            "Error from server (Conflict): Operation cannot be fulfilled on deployments.apps \"nginx\": the object has been modified; please apply your changes to the latest version and try again"
        );
        assert_eq!(Status::expired(5, 12).message, "too old resource version: 5 (12)");
        assert_eq!(Status::unauthorized().kubectl_line(), "error: You must be logged in to the server (Unauthorized)");
        assert_eq!(Status::forbidden("x".into()).code, 403);
        let timeout = Status::internal("etcdserver: request timed out".into());
        assert_eq!(timeout.kubectl_line(), "Error from server: etcdserver: request timed out");
    }

    fn cause(field: &str, message: &str) -> StatusCause {
        StatusCause { reason: "FieldValueInvalid", field: field.into(), message: message.into() }
    }

    /// The fact sheet's 422 line; the Status message qualifies the kind with its group.
    #[test]
    fn invalid_objects_print_their_causes() {
        let s = Status::invalid(
            "apps",
            "Deployment",
            "nginx",
            vec![cause("spec.replicas", "Invalid value: -1: must be greater than or equal to 0")],
        );
        assert_eq!((s.code, s.reason), (422, "Invalid"));
        assert_eq!(
            s.message,
            "Deployment.apps \"nginx\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"
        );
        assert_eq!(
            s.kubectl_line(),
            "The Deployment \"nginx\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"
        );
        let two = Status::invalid(
            "",
            "Pod",
            "x",
            vec![
                cause("spec.containers[0].image", "Required value"),
                cause("spec.containers[0].image", "Required value"),
                cause("spec.containers[1].name", "Required value"),
            ],
        );
        assert_eq!(
            two.message,
            "Pod \"x\" is invalid: [spec.containers[0].image: Required value, spec.containers[1].name: Required value]"
        );
        assert_eq!(
            two.kubectl_line(),
            "The Pod \"x\" is invalid: \n* spec.containers[0].image: Required value\n* spec.containers[1].name: Required value"
        );
        assert_eq!(aggregate(&["a".into()]), "a");
        assert_eq!(aggregate(&["a".into(), "b".into(), "a".into()]), "[a, b]");
    }
}
