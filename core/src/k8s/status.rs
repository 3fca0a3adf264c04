//! The API server's errors as Kubernetes returns them (a `Status` with a code and a reason) and
//! as kubectl prints them: `Error from server (<Reason>): <message>` (fact sheet §3; KK
//! `staging/src/k8s.io/apimachinery/pkg/api/errors/errors.go`). 401 is the exception: kubectl
//! prints `error: You must be logged in to the server (Unauthorized)`.

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub code: u16,
    pub reason: &'static str,
    pub message: String,
}

impl Status {
    /// `pods "x" not found` (404).
    pub fn not_found(resource: &str, name: &str) -> Status {
        Status { code: 404, reason: "NotFound", message: format!("{resource} \"{name}\" not found") }
    }

    /// `pods "x" already exists` (409).
    pub fn already_exists(resource: &str, name: &str) -> Status {
        Status { code: 409, reason: "AlreadyExists", message: format!("{resource} \"{name}\" already exists") }
    }

    /// A write with a stale resourceVersion (409): `resource` is `deployments.apps` style.
    pub fn conflict(resource: &str, name: &str) -> Status {
        Status {
            code: 409,
            reason: "Conflict",
            message: format!(
                "Operation cannot be fulfilled on {resource} \"{name}\": the object has been modified; please apply your changes to the latest version and try again"
            ),
        }
    }

    /// A watch or list from a compacted resourceVersion (410).
    pub fn expired(rv: u64, oldest: u64) -> Status {
        Status { code: 410, reason: "Expired", message: format!("too old resource version: {rv} ({oldest})") }
    }

    /// 403, with the authorizer's or an admission plugin's message.
    pub fn forbidden(message: String) -> Status {
        Status { code: 403, reason: "Forbidden", message }
    }

    /// 401.
    pub fn unauthorized() -> Status {
        Status { code: 401, reason: "Unauthorized", message: "Unauthorized".to_string() }
    }

    /// What kubectl prints for it.
    pub fn kubectl_line(&self) -> String {
        if self.code == 401 {
            return super::authn::UNAUTHORIZED.to_string();
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
    }
}
