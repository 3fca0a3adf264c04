//! `kubectl logs [-n NS] [-f] POD [-c CONTAINER] [--tail=N]`: kubectl GETs the pod, picks the
//! container, then GETs `pods/NAME/log` (the API server proxies it to the kubelet). The lab checks
//! the pod and container against the first up API server's watch cache, then hands the
//! container's lines to [`World::pod_logs`].

use super::{LineKind, World};
use crate::apiserver::Informers;
use crate::i18n::Text;
use crate::k8s::kubeconfig::CONTEXTS;
use crate::shell::kubectl::Logs;
use crate::shell::printable;

impl World {
    pub(super) fn logs_command(&mut self, cmd: u32, l: &Logs) -> Result<(), Text> {
        let Some(cache) = self.office_cache() else {
            return Err(Text::new(
                "kubectl: 이 시나리오에는 Kubernetes가 없습니다 (etcd만 있는 세계). 새 랩을 열면 API 서버가 있는 클러스터가 시작됩니다",
                "kubectl: this scenario has no Kubernetes (an etcd-only world). A new lab starts a cluster with API servers",
            ));
        };
        let namespace =
            l.namespace.clone().unwrap_or_else(|| CONTEXTS[self.kube_context].namespace_or_default().to_string());
        // The handout's short static-pod names (`kube-controller-manager-control-plane`), as
        // `kubectl exec` takes them: the real pod, with a note.
        let mut l = l.clone();
        let found = Informers::get(cache, "pods", &namespace, &l.pod).is_some();
        if let Some(full) = crate::shell::exec::expand_short_name(&l.pod).filter(|_| !found) {
            let note = Text::new(
                format!("lab: {} → {full} (kind는 정적 파드 이름 뒤에 노드 이름을 붙입니다)", l.pod),
                format!("lab: {} → {full} (kind names static pods after their node)", l.pod),
            );
            self.say(cmd, LineKind::Stderr, note);
            l.pod = full;
        }
        // Saying the note changed no API server: the same cache as above.
        let Some(cache) = self.office_cache() else { return Err(Text::same("Unable to connect to the server: EOF")) };
        let Some(pod) = Informers::get(cache, "pods", &namespace, &l.pod) else {
            return Err(Text::same(format!("Error from server (NotFound): pods \"{}\" not found", printable(&l.pod))));
        };
        let names: Vec<String> =
            pod.pointer("/spec/containers").and_then(serde_json::Value::as_array).map_or(Vec::new(), |cs| {
                cs.iter()
                    .filter_map(|c| c.get("name").and_then(serde_json::Value::as_str))
                    .map(str::to_string)
                    .collect()
            });
        let container = match &l.container {
            Some(c) if names.contains(c) => c.clone(),
            // The kubelet's answer through the API server (pods/log validation).
            Some(c) => {
                return Err(Text::same(format!(
                    "Error from server (BadRequest): container {} is not valid for pod {}",
                    printable(c),
                    printable(&l.pod)
                )))
            }
            None => {
                // kubectl logs.go: without -c (and no `kubectl.kubernetes.io/default-container`
                // annotation) the first container, said on stderr when there is a choice.
                let default = crate::apiserver::object::str_at(
                    pod,
                    "/metadata/annotations/kubectl.kubernetes.io~1default-container",
                );
                let chosen = if names.iter().any(|n| n == default) {
                    default.to_string()
                } else {
                    names.first().cloned().unwrap_or_default()
                };
                if names.len() > 1 && default.is_empty() {
                    let msg = format!("Defaulted container \"{chosen}\" out of: {}", names.join(", "));
                    self.say(cmd, LineKind::Stderr, Text::same(msg));
                }
                chosen
            }
        };
        self.pod_logs(cmd, &namespace, &l.pod, &container, l.follow, l.tail_lines);
        Ok(())
    }

    /// Prints the container's log lines (the last `tail_lines` when given) and, with `follow`,
    /// keeps printing new ones until `^C`; otherwise finishes the command.
    fn pod_logs(
        &mut self,
        cmd: u32,
        namespace: &str,
        pod: &str,
        _container: &str,
        follow: bool,
        tail_lines: Option<u64>,
    ) {
        // kube-controller-manager and kube-scheduler: their klog lines. Other containers (the
        // lab runs no application code) have written nothing.
        if !self.factory_logs(cmd, namespace, pod, follow, tail_lines) {
            self.finish(cmd, false);
        }
    }
}
