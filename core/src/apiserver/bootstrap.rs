//! The objects of a fresh `challenge-cluster`: what `kind create cluster` (kind v0.20.0, node image
//! `kindest/node:v1.27.3`, kind's HA layout) leaves in etcd, in the order the cluster created them,
//! plus the lab's own additions (the `dev` namespace, the `ci` service account and the bindings of
//! `kubeconfig::lab_policy`). DESIGN.md "The simulated cluster and its names".
//!
//! Sources (KK = kubernetes/kubernetes at v1.27, KIND = kubernetes-sigs/kind at v0.20.0):
//! - static pods: KK `cmd/kubeadm/app/phases/controlplane/manifests.go`, `…/phases/etcd/local.go`
//!   (flags sorted, as kubeadm writes them), kind's kubeadm config KIND
//!   `pkg/cluster/internal/kubeadm/config.go` (`runtime-config`, `enable-hostpath-provisioner`,
//!   pod subnet 10.244.0.0/16, service subnet 10.96.0.0/16, `provider-id kind://docker/…`);
//! - CoreDNS and kube-proxy: KK `cmd/kubeadm/app/phases/addons/{dns,proxy}/manifests.go`;
//! - kubeadm's RBAC and ConfigMaps: KK `cmd/kubeadm/app/phases/{uploadconfig,bootstraptoken,
//!   kubelet,addons/proxy}` and `…/phases/bootstraptoken/clusterinfo`;
//! - kindnet and local-path-provisioner: KIND `pkg/build/nodeimage/const_cni.go`, `const_storage.go`
//!   (images `kindnetd:v20230511-dc714da8`, `local-path-provisioner:v20230511-dc714da8`); kind
//!   removes the control-plane taint only when the cluster has a single node
//!   (KIND `pkg/cluster/internal/create/actions/kubeadminit/init.go`);
//! - default RBAC: `k8s::rbac_defaults` plus the namespaced roles of KK
//!   `plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/namespace-roles.yaml`;
//! - controller service accounts: kube-controller-manager with `--use-service-account-credentials`;
//! - observed objects of kind v1.27.3 clusters (node labels, annotations, nodeInfo, the ReplicaSet
//!   names `coredns-5d78c9869d` and `local-path-provisioner-6bc4bddd6b`).
//!
//! Only newer revisions of the kubeadm addon manifests were at hand; the v1.27 forms used here
//! (CoreDNS probes on ports 8080/8181 without named container ports, kube-proxy `privileged: true`)
//! and the verbs of `system:node-proxier` are from v1.27 as remembered, UNCONFIRMED.
//!
//! Simplified (the lab's choice, not Kubernetes'): no Events, ControllerRevisions,
//! CertificateSigningRequests, `managedFields`, `kubectl.kubernetes.io/last-applied-configuration`
//! or node `images`; of the bootstrap policy's many `system:controller:*` roles only those of the
//! controllers the lab runs are stored (others as in `rbac_defaults`); certificates are short stand-ins,
//! not parseable PEM; UIDs, container IDs, random name suffixes and the apiserver identity lease
//! names are derived from FNV hashes of the object's identity instead of drawn at random (same
//! shape, same cluster every run). The DaemonSets' `controller-revision-hash` is computed the way
//! Kubernetes does (FNV-32 of the template, safe-encoded), but over the lab's JSON, so the value
//! differs from a real cluster's.

use std::hash::Hasher;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use serde_json::{json, Value};

use super::object::{self, Object};
use super::rbac_objects::{
    cluster_role_binding_to_object, cluster_role_to_object, role_binding_to_object, role_to_object,
};
use crate::etcd::client::node_ip;
use crate::hash::Fnv64;
use crate::k8s::kubeconfig;
use crate::k8s::rbac::{ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject};
use crate::k8s::rbac_defaults;
use crate::k8s::resources::RESOURCES;
use crate::k8s::storage::object_key;
use crate::names::{self, CLUSTER_NAME};

pub const KUBERNETES_VERSION: &str = "v1.27.3";
/// kind's default subnets (`networking.podSubnet`, `networking.serviceSubnet`).
pub const POD_SUBNET: &str = "10.244.0.0/16";
pub const SERVICE_SUBNET: &str = "10.96.0.0/16";
/// The first address of the service range is the `kubernetes` Service; kubeadm puts DNS at .10.
pub const KUBERNETES_SERVICE_IP: &str = "10.96.0.1";
pub const DNS_SERVICE_IP: &str = "10.96.0.10";

const ETCD_IMAGE: &str = "registry.k8s.io/etcd:3.5.7-0";
const COREDNS_IMAGE: &str = "registry.k8s.io/coredns/coredns:v1.10.1";
const KINDNET_IMAGE: &str = "docker.io/kindest/kindnetd:v20230511-dc714da8";
const LOCAL_PATH_IMAGE: &str = "docker.io/kindest/local-path-provisioner:v20230511-dc714da8";
const LOCAL_PATH_HELPER_IMAGE: &str = "docker.io/kindest/local-path-helper:v20230510-486859a6";
/// The pod-template-hash of the two Deployments as kind v1.27.3 clusters show them.
const COREDNS_HASH: &str = "5d78c9869d";
const LOCAL_PATH_HASH: &str = "6bc4bddd6b";
/// kind's well-known bootstrap token (`abcdef.0123456789abcdef`).
const TOKEN_ID: &str = "abcdef";
const TOKEN_SECRET: &str = "0123456789abcdef";
/// The group kubeadm puts bootstrap-token users in.
const NODE_TOKEN_GROUP: &str = "system:bootstrappers:kubeadm:default-node-token";
const SYSTEM_NODES: &str = "system:nodes";
/// Priorities of the two built-in PriorityClasses (KK `pkg/apis/scheduling/types.go`).
const NODE_CRITICAL: i64 = 2_000_001_000;
const CLUSTER_CRITICAL: i64 = 2_000_000_000;

/// A stand-in for the cluster CA (kind generates a fresh one; the lab's is not a real certificate).
const CA_PEM: &str = "-----BEGIN CERTIFICATE-----\n\
MIIC/jCCAeagAwIBAgIBADANBgkqhkiG9w0BAQsFADAVMRMwEQYDVQQDEwprdWJl\n\
cm5ldGVzMB4XDTI2MTEyNzA4NTAwMFoXDTM2MTEyNDA4NTAwMFowFTETMBEGA1UE\n\
AxMKa3ViZXJuZXRlcw==\n\
-----END CERTIFICATE-----\n";

/// One kind node container.
#[derive(Clone, Debug)]
struct Host {
    name: String,
    ip: String,
    /// Join order, 0-based: the node's pod CIDR is `10.244.<index>.0/24`.
    index: u8,
    /// The etcd member id (1-based) of a control-plane node.
    member: Option<u8>,
    /// Seconds after cluster creation began when the node registered.
    joined: u64,
}

impl Host {
    fn control_plane(&self) -> bool {
        self.member.is_some()
    }
    fn pod_ip(&self, n: u8) -> String {
        format!("10.244.{}.{}", self.index, n)
    }
}

/// kind joins the secondary control planes one after another, then all workers at once.
fn hosts(control_planes: u8, workers: u8) -> Vec<Host> {
    let mut out = Vec::new();
    let mut t = 2;
    for m in 1..=control_planes {
        if m > 1 {
            t = 16 + 14 * u64::from(m - 2);
        }
        out.push(Host { name: names::node_name(m), ip: node_ip(m), index: m - 1, member: Some(m), joined: t });
    }
    let base = t + 16;
    for w in 1..=workers {
        let name = if w == 1 { format!("{CLUSTER_NAME}-worker") } else { format!("{CLUSTER_NAME}-worker{w}") };
        let index = control_planes + w - 1;
        out.push(Host { name, ip: node_ip(index + 1), index, member: None, joined: base + u64::from(w - 1) });
    }
    out
}

/// The nodes of the cluster in join order (control planes, then workers).
pub fn node_names(control_planes: u8, workers: u8) -> Vec<String> {
    hosts(control_planes, workers).into_iter().map(|h| h.name).collect()
}

/// The Node object the kubelet of node `name` registers (a worker joining later with `lab
/// node add`, or any node whose object was deleted); the API server stamps uid and creation time.
pub fn registering_node(control_planes: u8, name: &str) -> Option<Object> {
    let h = hosts(control_planes, 5).into_iter().find(|h| h.name == name)?;
    let mut n = node(&h, h.control_plane());
    if let Some(meta) = n.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("uid");
        meta.remove("creationTimestamp");
    }
    Some(n)
}

/// Where clients reach the API servers: kind's HA load balancer, or the only control plane.
fn control_plane_endpoint(control_planes: u8) -> String {
    if control_planes > 1 {
        format!("{CLUSTER_NAME}-external-load-balancer:6443")
    } else {
        format!("{}:6443", names::node_name(1))
    }
}

// ---------------------------------------------------------------------------------------------
// Deterministic stand-ins for what the cluster draws at random.

/// FNV-1a of `material`, then SplitMix64's finalizer: FNV alone leaves similar inputs (`…#0`,
/// `…#1`) with similar hashes, and these values are meant to look random.
fn fnv(material: &str) -> u64 {
    let mut h = Fnv64::default();
    h.write(material.as_bytes());
    let mut x = h.finish();
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// `len` hex digits derived from `material`.
fn hex(material: &str, len: usize) -> String {
    let mut out = String::new();
    let mut round = 0;
    while out.len() < len {
        out.push_str(&format!("{:016x}", fnv(&format!("{material}#{round}"))));
        round += 1;
    }
    out.truncate(len);
    out
}

/// apimachinery `rand` alphanumerics: no vowels, no 0/1/3 (KK `…/util/rand/rand.go`).
const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// A `generateName` suffix: 5 characters of [`ALPHANUMS`].
fn suffix(material: &str) -> String {
    let mut x = fnv(material);
    (0..5)
        .map(|_| {
            let c = ALPHANUMS[(x % ALPHANUMS.len() as u64) as usize] as char;
            x /= ALPHANUMS.len() as u64;
            c
        })
        .collect()
}

/// The longest `generateName` prefix kept: 63 − 5 (KK
/// `staging/src/k8s.io/apiserver/pkg/storage/names/generate.go` `MaxGeneratedNameLength`).
pub const GENERATED_PREFIX_MAX: usize = 63 - 5;

/// `names.SimpleNameGenerator.GenerateName`: `base` (cut to [`GENERATED_PREFIX_MAX`] bytes) plus
/// 5 random alphanumerics — here drawn from a hash of `material`, so a replay names alike.
pub fn generate_name(base: &str, material: &str) -> String {
    let mut cut = base.len().min(GENERATED_PREFIX_MAX);
    while !base.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{}", &base[..cut], suffix(material))
}

/// `rand.SafeEncodeString(fmt.Sprint(fnv32a(template)))`: how controllers name template hashes.
fn template_hash(template: &Value) -> String {
    let mut h: u32 = 0x811c_9dc5;
    for b in template.to_string().bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h.to_string().bytes().map(|b| ALPHANUMS[usize::from(b) % ALPHANUMS.len()] as char).collect()
}

/// apiserver identity lease names: `apiserver-` + lower-case base32 of 16 hash bytes (Kubernetes
/// hashes the hostname with SHA-256; the lab with FNV).
fn apiserver_identity(host: &str) -> String {
    const B32: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";
    let bytes: Vec<u8> = [fnv(host), fnv(&format!("{host}/2"))].iter().flat_map(|w| w.to_be_bytes()).collect();
    let mut bits = 0u32;
    let mut acc = 0u32;
    let mut out = String::from("apiserver-");
    for b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(B32[((acc >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(B32[((acc << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// The UID of an object, from its resource, namespace and name (also what `rbac_objects` uses), so
/// owner references can be written before the owner is built.
pub fn uid_of(resource: &str, namespace: &str, name: &str) -> String {
    object::uid(&format!("{resource}/{namespace}/{name}"))
}

// ---------------------------------------------------------------------------------------------
// Clock: offsets are seconds after kind began creating the cluster.

fn unix(offset: u64) -> u64 {
    object::EPOCH_UNIX_S - object::CLUSTER_AGE_S + offset
}

fn ts(offset: u64) -> String {
    object::rfc3339(unix(offset))
}

/// `metav1.MicroTime` (leases' renewTime): RFC 3339 with six fractional digits.
fn micro_ts(offset: u64, material: &str) -> String {
    ts(offset).replace('Z', &format!(".{:06}Z", fnv(material) % 1_000_000))
}

/// RFC 3339 with nanoseconds (the kubelet's `kubernetes.io/config.seen`).
fn nano_ts(offset: u64, material: &str) -> String {
    ts(offset).replace('Z', &format!(".{:09}Z", fnv(material) % 1_000_000_000))
}

// ---------------------------------------------------------------------------------------------
// The collector: objects in creation order, stamped with UID and creation time as they are added.

struct Boot {
    out: Vec<(&'static str, Object)>,
    /// The current offset; only moves forward, so creation times never decrease.
    t: u64,
}

impl Boot {
    fn at(&mut self, t: u64) {
        self.t = self.t.max(t);
    }

    /// Adds `obj` under `resource`, filling `metadata.uid` and `creationTimestamp` unless set.
    fn add(&mut self, resource: &'static str, mut obj: Object) {
        let (ns, name) = (object::namespace(&obj).to_string(), object::name(&obj).to_string());
        let uid = uid_of(resource, &ns, &name);
        let created = ts(self.t);
        let meta = object::metadata_mut(&mut obj);
        meta.entry("uid").or_insert_with(|| Value::String(uid));
        meta.entry("creationTimestamp").or_insert_with(|| Value::String(created));
        self.out.push((resource, obj));
    }
}

/// An owner reference to the controller of an object (`blockOwnerDeletion` as controllers set it).
fn controller_ref(api_version: &str, kind: &str, resource: &str, namespace: &str, name: &str) -> Value {
    json!({
        "apiVersion": api_version, "kind": kind, "name": name, "uid": uid_of(resource, namespace, name),
        "controller": true, "blockOwnerDeletion": true,
    })
}

/// Mirror pods are owned by their Node (the kubelet sets this reference, without blockOwnerDeletion).
fn node_ref(node: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Node", "name": node, "uid": uid_of("nodes", "", node), "controller": true})
}

fn set(obj: &mut Value, key: &str, v: Value) {
    if let Some(m) = obj.as_object_mut() {
        m.insert(key.to_string(), v);
    }
}

// ---------------------------------------------------------------------------------------------
// Core objects.

fn namespace(name: &str) -> Object {
    json!({
        "apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name}},
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    })
}

fn priority_class(name: &str, value: i64, description: &str) -> Object {
    json!({
        "apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
        "metadata": {"name": name},
        "value": value, "globalDefault": false, "description": description,
        "preemptionPolicy": "PreemptLowerPriority",
    })
}

pub(crate) fn service_account(ns: &str, name: &str) -> Object {
    json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": ns}})
}

fn config_map(ns: &str, name: &str, labels: Option<Value>, data: Value) -> Object {
    let mut cm = json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": ns},
        "data": data,
    });
    if let Some(l) = labels {
        set(&mut cm["metadata"], "labels", l);
    }
    cm
}

const ROOT_CA_DESCRIPTION: &str = "Contains a CA bundle that can be used to verify the kube-apiserver when using \
    internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across \
    distributions of Kubernetes clusters.";

/// Published in every namespace by the root-ca-cert-publisher controller.
pub(crate) fn root_ca(ns: &str) -> Object {
    let mut cm = config_map(ns, "kube-root-ca.crt", None, json!({"ca.crt": CA_PEM}));
    set(&mut cm["metadata"], "annotations", json!({"kubernetes.io/description": ROOT_CA_DESCRIPTION}));
    cm
}

fn node(h: &Host, tainted: bool) -> Object {
    let mut labels = json!({
        "beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": h.name, "kubernetes.io/os": "linux",
    });
    let mut spec = json!({
        "podCIDR": format!("10.244.{}.0/24", h.index),
        "podCIDRs": [format!("10.244.{}.0/24", h.index)],
        "providerID": format!("kind://docker/{CLUSTER_NAME}/{}", h.name),
    });
    if h.control_plane() {
        // kubeadm's mark-control-plane phase.
        set(&mut labels, "node-role.kubernetes.io/control-plane", json!(""));
        set(&mut labels, "node.kubernetes.io/exclude-from-external-load-balancers", json!(""));
        if tainted {
            set(&mut spec, "taints", json!([{"effect": "NoSchedule", "key": "node-role.kubernetes.io/control-plane"}]));
        }
    }
    let t = h.joined;
    // The kubelet reports status on change and at least every 5 minutes.
    let heartbeat = ts(t + 300);
    let condition = |kind: &str, status: &str, reason: &str, message: &str, since: u64| {
        json!({
            "type": kind, "status": status, "reason": reason, "message": message,
            "lastHeartbeatTime": heartbeat, "lastTransitionTime": ts(since),
        })
    };
    // The kubelet's reasons and messages (fact sheet §6).
    let no_pressure = |kind: &str, reason: &str, message: &str| condition(kind, "False", reason, message, t);
    let conditions = [
        no_pressure("MemoryPressure", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
        no_pressure("DiskPressure", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        no_pressure("PIDPressure", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        // Ready once the CNI (kindnet) has written its config on the node.
        condition("Ready", "True", "KubeletReady", "kubelet is posting ready status", t + 14),
    ];
    let resources = json!({
        "cpu": "2", "ephemeral-storage": "101430960Ki", "hugepages-1Gi": "0", "hugepages-2Mi": "0",
        "memory": "8131976Ki", "pods": "110",
    });
    json!({
        "apiVersion": "v1", "kind": "Node",
        "metadata": {
            "name": h.name,
            "labels": labels,
            "annotations": {
                "kubeadm.alpha.kubernetes.io/cri-socket": "unix:///run/containerd/containerd.sock",
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            },
        },
        "spec": spec,
        "status": {
            "addresses": [{"type": "InternalIP", "address": h.ip}, {"type": "Hostname", "address": h.name}],
            "allocatable": resources.clone(),
            "capacity": resources,
            "conditions": conditions,
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": object::uid(&format!("boot/{}", h.name)),
                "containerRuntimeVersion": "containerd://1.7.1",
                "kernelVersion": "5.15.0-91-generic",
                "kubeProxyVersion": KUBERNETES_VERSION,
                "kubeletVersion": KUBERNETES_VERSION,
                "machineID": hex(&format!("machine/{}", h.name), 32),
                "operatingSystem": "linux",
                "osImage": "Debian GNU/Linux 11 (bullseye)",
                "systemUUID": object::uid(&format!("system/{}", h.name)),
            },
        },
    })
}

/// A Lease as the kubelet and leader elections keep them (renewTime close to the class start).
fn lease(ns: &str, name: &str, holder: &str, duration_s: i64, renew_offset: u64) -> Object {
    json!({
        "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "holderIdentity": holder, "leaseDurationSeconds": duration_s,
            "renewTime": micro_ts(renew_offset, &format!("{ns}/{name}")),
        },
    })
}

/// The kubelet's heartbeat: `kube-node-lease/<node>`, owned by the Node, renewed every 10 s.
fn node_lease(h: &Host) -> Object {
    let renew = object::CLUSTER_AGE_S - 1 - u64::from(h.index) % 10;
    let mut l = lease("kube-node-lease", &h.name, &h.name, 40, renew);
    set(
        &mut l["metadata"],
        "ownerReferences",
        json!([{"apiVersion": "v1", "kind": "Node", "name": h.name, "uid": uid_of("nodes", "", &h.name)}]),
    );
    l
}

/// A leader-election lease (`kube-controller-manager`, `kube-scheduler`): held by the first
/// control plane's instance `<hostname>_<uuid>`, 15 s duration, renewed every 2 s.
fn leader_lease(name: &str, holder_host: &str, acquired: u64) -> Object {
    let holder = format!("{holder_host}_{}", object::uid(&format!("instance/{name}/{holder_host}")));
    let mut l = lease("kube-system", name, &holder, 15, object::CLUSTER_AGE_S - 1);
    set(&mut l["spec"], "acquireTime", json!(micro_ts(acquired, &format!("acquire/{name}"))));
    set(&mut l["spec"], "leaseTransitions", json!(0));
    l
}

/// Each kube-apiserver's identity lease (APIServerIdentity, on by default since v1.26).
fn apiserver_lease(h: &Host) -> Object {
    let name = apiserver_identity(&h.name);
    let holder = format!("{name}_{}", object::uid(&format!("apiserver-instance/{}", h.name)));
    let mut l = lease("kube-system", &name, &holder, 3600, object::CLUSTER_AGE_S - 5 - u64::from(h.index));
    set(
        &mut l["metadata"],
        "labels",
        json!({"apiserver.kubernetes.io/identity": "kube-apiserver", "kubernetes.io/hostname": h.name}),
    );
    l
}

// ---------------------------------------------------------------------------------------------
// Pods.

/// API defaulting of a pod spec (KK `pkg/apis/core/v1/defaults.go`), applied to templates and pods.
fn pod_defaults(mut spec: Value) -> Value {
    let Some(m) = spec.as_object_mut() else { return spec };
    for (k, v) in [
        ("dnsPolicy", json!("ClusterFirst")),
        ("restartPolicy", json!("Always")),
        ("schedulerName", json!("default-scheduler")),
        ("securityContext", json!({})),
        ("terminationGracePeriodSeconds", json!(30)),
    ] {
        m.entry(k).or_insert(v);
    }
    // The deprecated alias the API still fills in.
    if let Some(sa) = m.get("serviceAccountName").cloned() {
        m.entry("serviceAccount").or_insert(sa);
    }
    if let Some(Value::Array(containers)) = m.get_mut("containers") {
        for c in containers.iter_mut().filter_map(Value::as_object_mut) {
            c.entry("imagePullPolicy").or_insert(json!("IfNotPresent"));
            c.entry("resources").or_insert(json!({}));
            c.entry("terminationMessagePath").or_insert(json!("/dev/termination-log"));
            c.entry("terminationMessagePolicy").or_insert(json!("File"));
        }
    }
    spec
}

/// Who created a pod.
enum PodOwner<'a> {
    /// A static pod's mirror: the kubelet, owned by the Node.
    Node,
    DaemonSet(&'a str),
    ReplicaSet(&'a str),
}

struct PodPlan<'a> {
    namespace: &'a str,
    name: String,
    labels: Value,
    annotations: Option<Value>,
    owner: PodOwner<'a>,
    host: &'a Host,
    /// The pod's IP: the node's for host-network pods.
    ip: String,
    /// The (defaulted) template spec.
    spec: Value,
    qos: &'static str,
    t: u64,
}

fn tolerate(key: &str, effect: &str, seconds: Option<i64>) -> Value {
    let mut t = json!({"key": key, "operator": "Exists", "effect": effect});
    if let Some(s) = seconds {
        set(&mut t, "tolerationSeconds", json!(s));
    }
    t
}

fn pod(p: PodPlan<'_>) -> Object {
    let mut spec = p.spec;
    let ns = p.namespace;
    let mut meta = json!({"name": p.name, "namespace": ns, "labels": p.labels});
    if let Some(a) = p.annotations {
        set(&mut meta, "annotations", a);
    }
    let mut extra_tolerations = Vec::new();
    match p.owner {
        PodOwner::Node => {
            set(&mut meta, "ownerReferences", json!([node_ref(&p.host.name)]));
            // The kubelet lets static pods tolerate every NoExecute taint.
            extra_tolerations.push(json!({"effect": "NoExecute", "operator": "Exists"}));
        }
        PodOwner::DaemonSet(ds) => {
            set(&mut meta, "generateName", json!(format!("{ds}-")));
            set(&mut meta, "ownerReferences", json!([controller_ref("apps/v1", "DaemonSet", "daemonsets", ns, ds)]));
            // The DaemonSet controller pins the pod to its node and adds its tolerations.
            set(
                &mut spec,
                "affinity",
                json!({"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                    {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [p.host.name]}]}
                ]}}}),
            );
            extra_tolerations.extend([
                tolerate("node.kubernetes.io/not-ready", "NoExecute", None),
                tolerate("node.kubernetes.io/unreachable", "NoExecute", None),
                tolerate("node.kubernetes.io/disk-pressure", "NoSchedule", None),
                tolerate("node.kubernetes.io/memory-pressure", "NoSchedule", None),
                tolerate("node.kubernetes.io/pid-pressure", "NoSchedule", None),
                tolerate("node.kubernetes.io/unschedulable", "NoSchedule", None),
                tolerate("node.kubernetes.io/network-unavailable", "NoSchedule", None),
            ]);
        }
        PodOwner::ReplicaSet(rs) => {
            set(&mut meta, "generateName", json!(format!("{rs}-")));
            set(&mut meta, "ownerReferences", json!([controller_ref("apps/v1", "ReplicaSet", "replicasets", ns, rs)]));
            // DefaultTolerationSeconds admission.
            extra_tolerations.extend([
                tolerate("node.kubernetes.io/not-ready", "NoExecute", Some(300)),
                tolerate("node.kubernetes.io/unreachable", "NoExecute", Some(300)),
            ]);
        }
    }
    let static_pod = matches!(p.owner, PodOwner::Node);
    let m = spec.as_object_mut().expect("pod specs are maps");
    let mut tolerations = m.get("tolerations").and_then(Value::as_array).cloned().unwrap_or_default();
    tolerations.extend(extra_tolerations);
    m.insert("tolerations".into(), Value::Array(tolerations));
    m.insert("nodeName".into(), json!(p.host.name));
    m.insert("enableServiceLinks".into(), json!(true));
    m.insert("preemptionPolicy".into(), json!("PreemptLowerPriority"));
    // Priority admission resolves the class to its value.
    let priority = match m.get("priorityClassName").and_then(Value::as_str) {
        Some("system-node-critical") => NODE_CRITICAL,
        Some("system-cluster-critical") => CLUSTER_CRITICAL,
        _ => 0,
    };
    m.insert("priority".into(), json!(priority));
    if !static_pod {
        // ServiceAccount admission: the default account, and the projected API credentials.
        let sa = m.get("serviceAccountName").and_then(Value::as_str).unwrap_or("default").to_string();
        m.insert("serviceAccountName".into(), json!(sa));
        m.insert("serviceAccount".into(), json!(sa));
        let volume = format!("kube-api-access-{}", suffix(&format!("api-access/{ns}/{}", p.name)));
        let mount =
            json!({"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": volume, "readOnly": true});
        if let Some(Value::Array(cs)) = m.get_mut("containers") {
            for c in cs.iter_mut() {
                let mounts = c.as_object_mut().expect("containers are maps").entry("volumeMounts").or_insert(json!([]));
                if let Some(list) = mounts.as_array_mut() {
                    list.push(mount.clone());
                }
            }
        }
        let volumes = m.entry("volumes").or_insert(json!([]));
        if let Some(list) = volumes.as_array_mut() {
            list.push(json!({"name": volume, "projected": {"defaultMode": 420, "sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                {"downwardAPI": {"items": [
                    {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}, "path": "namespace"},
                ]}},
            ]}}));
        }
    }
    let status = pod_status(&spec, p.host, &p.ip, p.qos, p.t, &format!("{ns}/{}", p.name));
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": status})
}

/// A pod that started without trouble: scheduled, started, ready, nothing restarted.
fn pod_status(spec: &Value, host: &Host, ip: &str, qos: &str, t: u64, material: &str) -> Value {
    let condition = |kind: &str, at: u64| json!({"type": kind, "status": "True", "lastTransitionTime": ts(at)});
    let containers = spec["containers"].as_array().cloned().unwrap_or_default();
    let statuses: Vec<Value> = containers
        .iter()
        .map(|c| {
            let name = c["name"].as_str().unwrap_or("");
            let image = c["image"].as_str().unwrap_or("");
            json!({
                "containerID": format!("containerd://{}", hex(&format!("container/{material}/{name}"), 64)),
                "image": image,
                "imageID": format!("sha256:{}", hex(&format!("image/{image}"), 64)),
                "lastState": {},
                "name": name,
                "ready": true,
                "restartCount": 0,
                "started": true,
                "state": {"running": {"startedAt": ts(t + 2)}},
            })
        })
        .collect();
    json!({
        "conditions": [
            condition("Initialized", t + 1),
            condition("Ready", t + 3),
            condition("ContainersReady", t + 3),
            condition("PodScheduled", t),
        ],
        "containerStatuses": statuses,
        "hostIP": host.ip,
        "phase": "Running",
        "podIP": ip,
        "podIPs": [{"ip": ip}],
        "qosClass": qos,
        "startTime": ts(t + 1),
    })
}

// ---------------------------------------------------------------------------------------------
// Static pods (kubeadm's manifests in /etc/kubernetes/manifests), one set per control plane.

fn host_path_volume(name: &str, path: &str, kind: &str) -> Value {
    json!({"name": name, "hostPath": {"path": path, "type": kind}})
}

fn mount(name: &str, path: &str) -> Value {
    json!({"mountPath": path, "name": name, "readOnly": true})
}

fn probe(
    host: &str,
    path: &str,
    port: i64,
    scheme: &str,
    failures: i64,
    initial_delay: Option<i64>,
    period: i64,
) -> Value {
    let mut p = json!({
        "failureThreshold": failures,
        "httpGet": {"host": host, "path": path, "port": port, "scheme": scheme},
        "periodSeconds": period, "successThreshold": 1, "timeoutSeconds": 15,
    });
    if let Some(d) = initial_delay {
        set(&mut p, "initialDelaySeconds", json!(d));
    }
    p
}

/// The CA certificate directories every control-plane component mounts read-only.
fn ca_volumes() -> (Vec<Value>, Vec<Value>) {
    let dirs = [
        ("ca-certs", "/etc/ssl/certs"),
        ("etc-ca-certificates", "/etc/ca-certificates"),
        ("k8s-certs", "/etc/kubernetes/pki"),
        ("usr-local-share-ca-certificates", "/usr/local/share/ca-certificates"),
        ("usr-share-ca-certificates", "/usr/share/ca-certificates"),
    ];
    let volumes = dirs.iter().map(|(n, p)| host_path_volume(n, p, "DirectoryOrCreate")).collect();
    let mounts = dirs.iter().map(|(n, p)| mount(n, p)).collect();
    (volumes, mounts)
}

fn args(cmd: &str, flags: &[(&str, String)]) -> Value {
    let mut v = vec![json!(cmd)];
    v.extend(flags.iter().map(|(k, val)| json!(format!("--{k}={val}"))));
    Value::Array(v)
}

fn etcd_spec(h: &Host, control_planes: &[Host]) -> Value {
    let ip = &h.ip;
    let member = h.member.unwrap_or(1);
    // A joining member lists the members before it and itself, and joins an existing cluster.
    let initial: Vec<String> = control_planes
        .iter()
        .filter(|c| c.member.unwrap_or(0) <= member)
        .map(|c| format!("{}=https://{}:2380", c.name, c.ip))
        .collect();
    let pki = "/etc/kubernetes/pki/etcd";
    let mut flags = vec![
        ("advertise-client-urls", format!("https://{ip}:2379")),
        ("cert-file", format!("{pki}/server.crt")),
        ("client-cert-auth", "true".to_string()),
        ("data-dir", "/var/lib/etcd".to_string()),
        ("experimental-initial-corrupt-check", "true".to_string()),
        ("experimental-watch-progress-notify-interval", "5s".to_string()),
        ("initial-advertise-peer-urls", format!("https://{ip}:2380")),
        ("initial-cluster", initial.join(",")),
    ];
    if member > 1 {
        flags.push(("initial-cluster-state", "existing".to_string()));
    }
    flags.extend([
        ("key-file", format!("{pki}/server.key")),
        ("listen-client-urls", format!("https://127.0.0.1:2379,https://{ip}:2379")),
        ("listen-metrics-urls", "http://127.0.0.1:2381".to_string()),
        ("listen-peer-urls", format!("https://{ip}:2380")),
        ("name", h.name.clone()),
        ("peer-cert-file", format!("{pki}/peer.crt")),
        ("peer-client-cert-auth", "true".to_string()),
        ("peer-key-file", format!("{pki}/peer.key")),
        ("peer-trusted-ca-file", format!("{pki}/ca.crt")),
        ("snapshot-count", "10000".to_string()),
        ("trusted-ca-file", format!("{pki}/ca.crt")),
    ]);
    json!({
        "containers": [{
            "command": args("etcd", &flags),
            "image": ETCD_IMAGE,
            "livenessProbe":
                probe("127.0.0.1", "/health?exclude=NOSPACE&serializable=true", 2381, "HTTP", 8, Some(10), 10),
            "name": "etcd",
            "resources": {"requests": {"cpu": "100m", "memory": "100Mi"}},
            "startupProbe": probe("127.0.0.1", "/health?serializable=false", 2381, "HTTP", 24, Some(10), 10),
            "volumeMounts": [
                {"mountPath": "/var/lib/etcd", "name": "etcd-data"},
                {"mountPath": pki, "name": "etcd-certs"},
            ],
        }],
        "hostNetwork": true,
        "priorityClassName": "system-node-critical",
        "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
        "volumes": [
            host_path_volume("etcd-certs", pki, "DirectoryOrCreate"),
            host_path_volume("etcd-data", "/var/lib/etcd", "DirectoryOrCreate"),
        ],
    })
}

fn apiserver_spec(h: &Host) -> Value {
    let pki = "/etc/kubernetes/pki";
    let s = |v: &str| v.to_string();
    let flags = [
        ("advertise-address", h.ip.clone()),
        ("allow-privileged", s("true")),
        ("authorization-mode", s("Node,RBAC")),
        ("client-ca-file", format!("{pki}/ca.crt")),
        ("enable-admission-plugins", s("NodeRestriction")),
        ("enable-bootstrap-token-auth", s("true")),
        ("etcd-cafile", format!("{pki}/etcd/ca.crt")),
        ("etcd-certfile", format!("{pki}/apiserver-etcd-client.crt")),
        ("etcd-keyfile", format!("{pki}/apiserver-etcd-client.key")),
        // Stacked etcd: each API server talks to the etcd member on its own node.
        ("etcd-servers", s("https://127.0.0.1:2379")),
        ("kubelet-client-certificate", format!("{pki}/apiserver-kubelet-client.crt")),
        ("kubelet-client-key", format!("{pki}/apiserver-kubelet-client.key")),
        ("kubelet-preferred-address-types", s("InternalIP,ExternalIP,Hostname")),
        ("proxy-client-cert-file", format!("{pki}/front-proxy-client.crt")),
        ("proxy-client-key-file", format!("{pki}/front-proxy-client.key")),
        ("requestheader-allowed-names", s("front-proxy-client")),
        ("requestheader-client-ca-file", format!("{pki}/front-proxy-ca.crt")),
        ("requestheader-extra-headers-prefix", s("X-Remote-Extra-")),
        ("requestheader-group-headers", s("X-Remote-Group")),
        ("requestheader-username-headers", s("X-Remote-User")),
        // kind passes its (empty) runtime config through.
        ("runtime-config", s("")),
        ("secure-port", s("6443")),
        ("service-account-issuer", s("https://kubernetes.default.svc.cluster.local")),
        ("service-account-key-file", format!("{pki}/sa.pub")),
        ("service-account-signing-key-file", format!("{pki}/sa.key")),
        ("service-cluster-ip-range", s(SERVICE_SUBNET)),
        ("tls-cert-file", format!("{pki}/apiserver.crt")),
        ("tls-private-key-file", format!("{pki}/apiserver.key")),
    ];
    let (volumes, mounts) = ca_volumes();
    json!({
        "containers": [{
            "command": args("kube-apiserver", &flags),
            "image": format!("registry.k8s.io/kube-apiserver:{KUBERNETES_VERSION}"),
            "livenessProbe": probe(&h.ip, "/livez", 6443, "HTTPS", 8, Some(10), 10),
            "name": "kube-apiserver",
            "readinessProbe": probe(&h.ip, "/readyz", 6443, "HTTPS", 3, None, 1),
            "resources": {"requests": {"cpu": "250m"}},
            "startupProbe": probe(&h.ip, "/livez", 6443, "HTTPS", 24, Some(10), 10),
            "volumeMounts": mounts,
        }],
        "hostNetwork": true,
        "priorityClassName": "system-node-critical",
        "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
        "volumes": volumes,
    })
}

fn controller_manager_spec() -> Value {
    let pki = "/etc/kubernetes/pki";
    let conf = "/etc/kubernetes/controller-manager.conf";
    let s = |v: &str| v.to_string();
    let flags = [
        ("allocate-node-cidrs", s("true")),
        ("authentication-kubeconfig", s(conf)),
        ("authorization-kubeconfig", s(conf)),
        ("bind-address", s("127.0.0.1")),
        ("client-ca-file", format!("{pki}/ca.crt")),
        ("cluster-cidr", s(POD_SUBNET)),
        ("cluster-name", s(CLUSTER_NAME)),
        ("cluster-signing-cert-file", format!("{pki}/ca.crt")),
        ("cluster-signing-key-file", format!("{pki}/ca.key")),
        ("controllers", s("*,bootstrapsigner,tokencleaner")),
        // kind's extra argument.
        ("enable-hostpath-provisioner", s("true")),
        ("kubeconfig", s(conf)),
        ("leader-elect", s("true")),
        ("requestheader-client-ca-file", format!("{pki}/front-proxy-ca.crt")),
        ("root-ca-file", format!("{pki}/ca.crt")),
        ("service-account-private-key-file", format!("{pki}/sa.key")),
        ("service-cluster-ip-range", s(SERVICE_SUBNET)),
        ("use-service-account-credentials", s("true")),
    ];
    let (mut volumes, mut mounts) = ca_volumes();
    let flex = "/usr/libexec/kubernetes/kubelet-plugins/volume/exec";
    volumes.push(host_path_volume("flexvolume-dir", flex, "DirectoryOrCreate"));
    volumes.push(host_path_volume("kubeconfig", conf, "FileOrCreate"));
    mounts.push(json!({"mountPath": flex, "name": "flexvolume-dir"}));
    mounts.push(mount("kubeconfig", conf));
    json!({
        "containers": [{
            "command": args("kube-controller-manager", &flags),
            "image": format!("registry.k8s.io/kube-controller-manager:{KUBERNETES_VERSION}"),
            "livenessProbe": probe("127.0.0.1", "/healthz", 10257, "HTTPS", 8, Some(10), 10),
            "name": "kube-controller-manager",
            "resources": {"requests": {"cpu": "200m"}},
            "startupProbe": probe("127.0.0.1", "/healthz", 10257, "HTTPS", 24, Some(10), 10),
            "volumeMounts": mounts,
        }],
        "hostNetwork": true,
        "priorityClassName": "system-node-critical",
        "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
        "volumes": volumes,
    })
}

fn scheduler_spec() -> Value {
    let conf = "/etc/kubernetes/scheduler.conf";
    let s = |v: &str| v.to_string();
    let flags = [
        ("authentication-kubeconfig", s(conf)),
        ("authorization-kubeconfig", s(conf)),
        ("bind-address", s("127.0.0.1")),
        ("kubeconfig", s(conf)),
        ("leader-elect", s("true")),
    ];
    json!({
        "containers": [{
            "command": args("kube-scheduler", &flags),
            "image": format!("registry.k8s.io/kube-scheduler:{KUBERNETES_VERSION}"),
            "livenessProbe": probe("127.0.0.1", "/healthz", 10259, "HTTPS", 8, Some(10), 10),
            "name": "kube-scheduler",
            "resources": {"requests": {"cpu": "100m"}},
            "startupProbe": probe("127.0.0.1", "/healthz", 10259, "HTTPS", 24, Some(10), 10),
            "volumeMounts": [mount("kubeconfig", conf)],
        }],
        "hostNetwork": true,
        "priorityClassName": "system-node-critical",
        "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
        "volumes": [host_path_volume("kubeconfig", conf, "FileOrCreate")],
    })
}

/// The mirror pod of one kubeadm static pod on `h`: `<component>-<node>`.
fn static_pod(component: &str, h: &Host, spec: Value, t: u64) -> Object {
    let name = format!("{component}-{}", h.name);
    let config_hash = hex(&format!("manifest/{name}"), 32);
    let mut annotations = json!({
        "kubernetes.io/config.hash": config_hash,
        "kubernetes.io/config.mirror": config_hash,
        "kubernetes.io/config.seen": nano_ts(t.saturating_sub(2), &name),
        "kubernetes.io/config.source": "file",
    });
    match component {
        "kube-apiserver" => set(
            &mut annotations,
            "kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint",
            json!(format!("{}:6443", h.ip)),
        ),
        "etcd" => set(
            &mut annotations,
            "kubeadm.kubernetes.io/etcd.advertise-client-urls",
            json!(format!("https://{}:2379", h.ip)),
        ),
        _ => {}
    }
    pod(PodPlan {
        namespace: "kube-system",
        name,
        labels: json!({"component": component, "tier": "control-plane"}),
        annotations: Some(annotations),
        owner: PodOwner::Node,
        host: h,
        ip: h.ip.clone(),
        spec: pod_defaults(spec),
        qos: "Burstable",
        t,
    })
}

// ---------------------------------------------------------------------------------------------
// Workloads: Deployments, ReplicaSets, DaemonSets.

fn template(labels: &Value, spec: &Value) -> Value {
    json!({"metadata": {"labels": labels}, "spec": spec})
}

/// A workload's pod template: its namespace, name, pod labels and (defaulted) pod spec.
struct App<'a> {
    ns: &'a str,
    name: &'a str,
    labels: Value,
    spec: Value,
}

/// A Deployment whose single ReplicaSet (`<name>-<hash>`) is fully rolled out.
fn deployment(app: &App<'_>, hash: &str, labels: Option<Value>, replicas: i64, strategy: Value) -> Object {
    let mut meta = json!({
        "name": app.name, "namespace": app.ns, "generation": 1,
        "annotations": {"deployment.kubernetes.io/revision": "1"},
    });
    if let Some(l) = labels {
        set(&mut meta, "labels", l);
    }
    let rs = format!("{}-{hash}", app.name);
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": meta,
        "spec": {
            "progressDeadlineSeconds": 600,
            "replicas": replicas,
            "revisionHistoryLimit": 10,
            "selector": {"matchLabels": app.labels},
            "strategy": strategy,
            "template": template(&app.labels, &app.spec),
        },
        "status": {
            "availableReplicas": replicas,
            "conditions": [
                {
                    "type": "Available", "status": "True", "reason": "MinimumReplicasAvailable",
                    "message": "Deployment has minimum availability.",
                },
                {
                    "type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable",
                    "message": format!("ReplicaSet \"{rs}\" has successfully progressed."),
                },
            ],
            "observedGeneration": 1,
            "readyReplicas": replicas,
            "replicas": replicas,
            "updatedReplicas": replicas,
        },
    })
}

/// The pod labels of a Deployment's ReplicaSet: the template's plus `pod-template-hash`.
fn hashed_labels(app: &App<'_>, hash: &str) -> Value {
    let mut labels = app.labels.clone();
    set(&mut labels, "pod-template-hash", json!(hash));
    labels
}

/// The ReplicaSet a Deployment made, owned by it.
fn replica_set(app: &App<'_>, hash: &str, replicas: i64, max_surge: i64) -> Object {
    let labels = hashed_labels(app, hash);
    json!({
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {
            "name": format!("{}-{hash}", app.name), "namespace": app.ns, "generation": 1, "labels": labels,
            "annotations": {
                "deployment.kubernetes.io/desired-replicas": replicas.to_string(),
                "deployment.kubernetes.io/max-replicas": (replicas + max_surge).to_string(),
                "deployment.kubernetes.io/revision": "1",
            },
            "ownerReferences": [controller_ref("apps/v1", "Deployment", "deployments", app.ns, app.name)],
        },
        "spec": {"replicas": replicas, "selector": {"matchLabels": labels}, "template": template(&labels, &app.spec)},
        "status": {
            "availableReplicas": replicas, "fullyLabeledReplicas": replicas, "observedGeneration": 1,
            "readyReplicas": replicas, "replicas": replicas,
        },
    })
}

/// The name of pod `i` of a Deployment's ReplicaSet: `<deploy>-<hash>-<5 random>`.
fn replica_pod_name(app: &App<'_>, hash: &str, i: u8) -> String {
    let rs = format!("{}-{hash}", app.name);
    format!("{rs}-{}", suffix(&format!("pod/{}/{rs}/{i}", app.ns)))
}

fn replica_pod(app: &App<'_>, hash: &str, i: u8, h: &Host, ip: String, qos: &'static str, t: u64) -> Object {
    let rs = format!("{}-{hash}", app.name);
    pod(PodPlan {
        namespace: app.ns,
        name: replica_pod_name(app, hash, i),
        labels: hashed_labels(app, hash),
        annotations: None,
        owner: PodOwner::ReplicaSet(&rs),
        host: h,
        ip,
        spec: app.spec.clone(),
        qos,
        t,
    })
}

fn daemon_set(app: &App<'_>, labels: &Value, selector: &Value, nodes: i64) -> Object {
    json!({
        "apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {
            "name": app.name, "namespace": app.ns, "generation": 1, "labels": labels,
            "annotations": {"deprecated.daemonset.template.generation": "1"},
        },
        "spec": {
            "revisionHistoryLimit": 10,
            "selector": {"matchLabels": selector},
            "template": template(&app.labels, &app.spec),
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}},
        },
        "status": {
            "currentNumberScheduled": nodes, "desiredNumberScheduled": nodes, "numberAvailable": nodes,
            "numberMisscheduled": 0, "numberReady": nodes, "observedGeneration": 1, "updatedNumberScheduled": nodes,
        },
    })
}

/// A DaemonSet's pod on `h`: template labels plus `controller-revision-hash`, `pod-template-generation`.
fn daemon_pod(app: &App<'_>, h: &Host, qos: &'static str, t: u64) -> Object {
    let mut labels = app.labels.clone();
    set(&mut labels, "controller-revision-hash", json!(template_hash(&template(&app.labels, &app.spec))));
    set(&mut labels, "pod-template-generation", json!("1"));
    pod(PodPlan {
        namespace: app.ns,
        name: format!("{}-{}", app.name, suffix(&format!("pod/{}/{}/{}", app.ns, app.name, h.name))),
        labels,
        annotations: None,
        owner: PodOwner::DaemonSet(app.name),
        host: h,
        ip: h.ip.clone(),
        spec: app.spec.clone(),
        qos,
        t,
    })
}

/// A container environment value taken from the pod's own fields (downward API).
fn field(path: &str) -> Value {
    json!({"fieldRef": {"apiVersion": "v1", "fieldPath": path}})
}

fn kube_proxy_spec() -> Value {
    pod_defaults(json!({
        "containers": [{
            "command": [
                "/usr/local/bin/kube-proxy",
                "--config=/var/lib/kube-proxy/config.conf",
                "--hostname-override=$(NODE_NAME)",
            ],
            "env": [{"name": "NODE_NAME", "valueFrom": field("spec.nodeName")}],
            "image": format!("registry.k8s.io/kube-proxy:{KUBERNETES_VERSION}"),
            "name": "kube-proxy",
            "securityContext": {"privileged": true},
            "volumeMounts": [
                {"mountPath": "/var/lib/kube-proxy", "name": "kube-proxy"},
                {"mountPath": "/run/xtables.lock", "name": "xtables-lock"},
                {"mountPath": "/lib/modules", "name": "lib-modules", "readOnly": true},
            ],
        }],
        "hostNetwork": true,
        "nodeSelector": {"kubernetes.io/os": "linux"},
        "priorityClassName": "system-node-critical",
        "serviceAccountName": "kube-proxy",
        "tolerations": [{"operator": "Exists"}],
        "volumes": [
            {"configMap": {"defaultMode": 420, "name": "kube-proxy"}, "name": "kube-proxy"},
            host_path_volume("xtables-lock", "/run/xtables.lock", "FileOrCreate"),
            host_path_volume("lib-modules", "/lib/modules", ""),
        ],
    }))
}

fn kindnet_spec() -> Value {
    pod_defaults(json!({
        "containers": [{
            "env": [
                {"name": "HOST_IP", "valueFrom": field("status.hostIP")},
                {"name": "POD_IP", "valueFrom": field("status.podIP")},
                {"name": "POD_SUBNET", "value": POD_SUBNET},
            ],
            "image": KINDNET_IMAGE,
            "name": "kindnet-cni",
            "resources": {"limits": {"cpu": "100m", "memory": "50Mi"}, "requests": {"cpu": "100m", "memory": "50Mi"}},
            "securityContext": {"capabilities": {"add": ["NET_RAW", "NET_ADMIN"]}, "privileged": false},
            "volumeMounts": [
                {"mountPath": "/etc/cni/net.d", "name": "cni-cfg"},
                {"mountPath": "/run/xtables.lock", "name": "xtables-lock"},
                {"mountPath": "/lib/modules", "name": "lib-modules", "readOnly": true},
            ],
        }],
        "hostNetwork": true,
        "nodeSelector": {"kubernetes.io/os": "linux"},
        "serviceAccountName": "kindnet",
        "tolerations": [{"operator": "Exists"}],
        "volumes": [
            host_path_volume("cni-cfg", "/etc/cni/net.d", ""),
            host_path_volume("xtables-lock", "/run/xtables.lock", "FileOrCreate"),
            host_path_volume("lib-modules", "/lib/modules", ""),
        ],
    }))
}

fn coredns_spec() -> Value {
    let http = |path: &str, port: i64| json!({"path": path, "port": port, "scheme": "HTTP"});
    pod_defaults(json!({
        "affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{
            "podAffinityTerm": {
                "labelSelector": {"matchExpressions": [{"key": "k8s-app", "operator": "In", "values": ["kube-dns"]}]},
                "topologyKey": "kubernetes.io/hostname",
            },
            "weight": 100,
        }]}},
        "containers": [{
            "args": ["-conf", "/etc/coredns/Corefile"],
            "image": COREDNS_IMAGE,
            "livenessProbe": {
                "failureThreshold": 5, "httpGet": http("/health", 8080), "initialDelaySeconds": 60,
                "periodSeconds": 10, "successThreshold": 1, "timeoutSeconds": 5,
            },
            "name": "coredns",
            "ports": [
                {"containerPort": 53, "name": "dns", "protocol": "UDP"},
                {"containerPort": 53, "name": "dns-tcp", "protocol": "TCP"},
                {"containerPort": 9153, "name": "metrics", "protocol": "TCP"},
            ],
            "readinessProbe": {
                "failureThreshold": 3, "httpGet": http("/ready", 8181), "periodSeconds": 10, "successThreshold": 1,
                "timeoutSeconds": 1,
            },
            "resources": {"limits": {"memory": "170Mi"}, "requests": {"cpu": "100m", "memory": "70Mi"}},
            "securityContext": {
                "allowPrivilegeEscalation": false,
                "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]},
                "readOnlyRootFilesystem": true,
            },
            "volumeMounts": [{"mountPath": "/etc/coredns", "name": "config-volume", "readOnly": true}],
        }],
        // CoreDNS resolves upstream through the node's resolver, not itself.
        "dnsPolicy": "Default",
        "nodeSelector": {"kubernetes.io/os": "linux"},
        "priorityClassName": "system-cluster-critical",
        "serviceAccountName": "coredns",
        "tolerations": [
            {"key": "CriticalAddonsOnly", "operator": "Exists"},
            {"effect": "NoSchedule", "key": "node-role.kubernetes.io/control-plane"},
        ],
        "volumes": [{
            "configMap": {"defaultMode": 420, "items": [{"key": "Corefile", "path": "Corefile"}], "name": "coredns"},
            "name": "config-volume",
        }],
    }))
}

fn local_path_spec() -> Value {
    pod_defaults(json!({
        "containers": [{
            "command": [
                "local-path-provisioner", "--debug", "start",
                "--helper-image", LOCAL_PATH_HELPER_IMAGE,
                "--config", "/etc/config/config.json",
            ],
            "env": [{"name": "POD_NAMESPACE", "valueFrom": field("metadata.namespace")}],
            "image": LOCAL_PATH_IMAGE,
            "name": "local-path-provisioner",
            "volumeMounts": [{"mountPath": "/etc/config/", "name": "config-volume"}],
        }],
        "nodeSelector": {"kubernetes.io/os": "linux"},
        "serviceAccountName": "local-path-provisioner-service-account",
        "tolerations": [
            {"effect": "NoSchedule", "key": "node-role.kubernetes.io/control-plane", "operator": "Equal"},
            {"effect": "NoSchedule", "key": "node-role.kubernetes.io/master", "operator": "Equal"},
        ],
        "volumes": [{"configMap": {"defaultMode": 420, "name": "local-path-config"}, "name": "config-volume"}],
    }))
}

// ---------------------------------------------------------------------------------------------
// Services and endpoints.

fn service(
    ns: &str,
    name: &str,
    labels: Value,
    annotations: Option<Value>,
    cluster_ip: &str,
    ports: Value,
    selector: Option<Value>,
) -> Object {
    let mut meta = json!({"name": name, "namespace": ns, "labels": labels});
    if let Some(a) = annotations {
        set(&mut meta, "annotations", a);
    }
    let mut spec = json!({
        "clusterIP": cluster_ip, "clusterIPs": [cluster_ip], "internalTrafficPolicy": "Cluster",
        "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack", "ports": ports,
        "sessionAffinity": "None", "type": "ClusterIP",
    });
    if let Some(s) = selector {
        set(&mut spec, "selector", s);
    }
    json!({"apiVersion": "v1", "kind": "Service", "metadata": meta, "spec": spec, "status": {"loadBalancer": {}}})
}

fn dns_endpoint_ports() -> Value {
    json!([
        {"name": "dns-tcp", "port": 53, "protocol": "TCP"},
        {"name": "dns", "port": 53, "protocol": "UDP"},
        {"name": "metrics", "port": 9153, "protocol": "TCP"},
    ])
}

fn target_ref(ns: &str, pod: &str) -> Value {
    json!({"kind": "Pod", "name": pod, "namespace": ns, "uid": uid_of("pods", ns, pod)})
}

// ---------------------------------------------------------------------------------------------
// RBAC objects that are not in `rbac_defaults`.

fn rule(verbs: &[&str], groups: &[&str], resources: &[&str]) -> PolicyRule {
    PolicyRule::resource(verbs, groups, resources)
}

fn cluster_role(name: &str, rules: Vec<PolicyRule>) -> ClusterRole {
    ClusterRole { name: name.into(), rules }
}

fn crb(name: &str, role: &str, subjects: Vec<Subject>) -> ClusterRoleBinding {
    ClusterRoleBinding { name: name.into(), role_ref: RoleRef::cluster_role(role), subjects }
}

fn role(ns: &str, name: &str, rules: Vec<PolicyRule>) -> Role {
    Role { namespace: ns.into(), name: name.into(), rules }
}

/// A RoleBinding to the Role `role` of the same namespace.
fn rb(ns: &str, name: &str, role: &str, subjects: Vec<Subject>) -> RoleBinding {
    RoleBinding { namespace: ns.into(), name: name.into(), role_ref: RoleRef::role(role), subjects }
}

/// A configmap `get` limited to one name (kubeadm's Roles for joining nodes).
fn get_configmap(name: &str) -> Vec<PolicyRule> {
    vec![rule(&["get"], &[""], &["configmaps"]).named(&[name])]
}

/// Labels and annotations the RBAC bootstrap policy puts on its objects.
fn bootstrapping(mut obj: Object) -> Object {
    let meta = object::metadata_mut(&mut obj);
    let labels = meta.entry("labels").or_insert_with(|| json!({}));
    set(labels, "kubernetes.io/bootstrapping", json!("rbac-defaults"));
    meta.insert("annotations".into(), json!({"rbac.authorization.kubernetes.io/autoupdate": "true"}));
    obj
}

/// The default ClusterRoles as the API shows them: `admin`, `edit`, `view` are aggregated from
/// the `aggregate-to-*` roles (the lab stores the aggregated rules, as `rbac_defaults` explains).
fn default_cluster_role_object(r: &ClusterRole, created: u64) -> Object {
    let mut obj = bootstrapping(cluster_role_to_object(r, created));
    let aggregate_label = |to: &str| format!("rbac.authorization.k8s.io/aggregate-to-{to}");
    let (into, selects) = match r.name.as_str() {
        "admin" => (None, Some("admin")),
        "edit" => (Some("admin"), Some("edit")),
        "view" => (Some("edit"), Some("view")),
        "system:aggregate-to-admin" => (Some("admin"), None),
        "system:aggregate-to-edit" => (Some("edit"), None),
        "system:aggregate-to-view" => (Some("view"), None),
        _ => (None, None),
    };
    if let Some(to) = into {
        set(&mut obj["metadata"]["labels"], &aggregate_label(to), json!("true"));
    }
    if let Some(from) = selects {
        set(
            &mut obj,
            "aggregationRule",
            json!({"clusterRoleSelectors": [{"matchLabels": {aggregate_label(from): "true"}}]}),
        );
    }
    obj
}

// ---------------------------------------------------------------------------------------------
// ConfigMap contents.

/// kubeadm's ClusterConfiguration as `kubeadm-config` stores it for kind's settings.
fn kubeadm_config(endpoint: &str) -> String {
    format!(
        r#"apiServer:
  certSANs:
  - localhost
  - 127.0.0.1
  extraArgs:
    authorization-mode: Node,RBAC
    runtime-config: ""
  timeoutForControlPlane: 4m0s
apiVersion: kubeadm.k8s.io/v1beta3
certificatesDir: /etc/kubernetes/pki
clusterName: {CLUSTER_NAME}
controlPlaneEndpoint: {endpoint}
controllerManager:
  extraArgs:
    enable-hostpath-provisioner: "true"
dns: {{}}
etcd:
  local:
    dataDir: /var/lib/etcd
imageRepository: registry.k8s.io
kind: ClusterConfiguration
kubernetesVersion: {KUBERNETES_VERSION}
networking:
  dnsDomain: cluster.local
  podSubnet: {POD_SUBNET}
  serviceSubnet: {SERVICE_SUBNET}
scheduler: {{}}
"#
    )
}

/// kind's KubeletConfiguration (systemd cgroups, no swap check, disk eviction off) as kubeadm
/// stores it, trimmed of the zero-valued durations.
fn kubelet_config() -> String {
    format!(
        r#"apiVersion: kubelet.config.k8s.io/v1beta1
authentication:
  anonymous:
    enabled: false
  webhook:
    cacheTTL: 0s
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
authorization:
  mode: Webhook
  webhook:
    cacheAuthorizedTTL: 0s
    cacheUnauthorizedTTL: 0s
cgroupDriver: systemd
cgroupRoot: /kubelet
clusterDNS:
- {DNS_SERVICE_IP}
clusterDomain: cluster.local
evictionHard:
  imagefs.available: 0%
  nodefs.available: 0%
  nodefs.inodesFree: 0%
failSwapOn: false
healthzBindAddress: 127.0.0.1
healthzPort: 10248
imageGCHighThresholdPercent: 100
kind: KubeletConfiguration
rotateCertificates: true
staticPodPath: /etc/kubernetes/manifests
"#
    )
}

/// kubeadm v1.27's Corefile.
const COREFILE: &str = r#".:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30
    loop
    reload
    loadbalance
}
"#;

/// kind's KubeProxyConfiguration (iptables, 1 s min sync, conntrack sysctls untouched), trimmed
/// of the fields kubeadm writes as zero values.
fn kube_proxy_config() -> String {
    format!(
        r#"apiVersion: kubeproxy.config.k8s.io/v1alpha1
bindAddress: 0.0.0.0
clientConnection:
  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf
clusterCIDR: {POD_SUBNET}
conntrack:
  maxPerCore: 0
iptables:
  masqueradeAll: false
  minSyncPeriod: 1s
  syncPeriod: 0s
kind: KubeProxyConfiguration
mode: iptables"#
    )
}

/// kube-proxy reaches the API servers through kind's endpoint with its service account token.
fn proxy_kubeconfig(endpoint: &str) -> String {
    format!(
        r#"apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt
    server: https://{endpoint}
  name: default
contexts:
- context:
    cluster: default
    namespace: default
    user: default
  name: default
current-context: default
users:
- name: default
  user:
    tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token"#
    )
}

/// `kube-public/cluster-info`: the CA and endpoint joining nodes discover, signed with the
/// bootstrap token (`jws-kubeconfig-<token id>`) by the bootstrap-signer controller.
fn cluster_info(endpoint: &str) -> Object {
    let ca = BASE64.encode(CA_PEM);
    let kubeconfig = format!(
        r#"apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: {ca}
    server: https://{endpoint}
  name: ""
contexts: null
current-context: ""
kind: Config
preferences: {{}}
users: null
"#
    );
    let jws = format!("eyJhbGciOiJIUzI1NiIsImtpZCI6ImFiY2RlZiJ9..{}", hex(&kubeconfig, 43));
    config_map("kube-public", "cluster-info", None, json!({"jws-kubeconfig-abcdef": jws, "kubeconfig": kubeconfig}))
}

/// kind's local-path-provisioner configuration (volumes under /var/local-path-provisioner).
const LOCAL_PATH_CONFIG: &str = r#"{
        "nodePathMap":[
        {
                "node":"DEFAULT_PATH_FOR_NON_LISTED_NODES",
                "paths":["/var/local-path-provisioner"]
        }
        ]
}"#;

fn local_path_config() -> Object {
    let helper = format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: helper-pod\nspec:\n  containers:\n  - name: helper-pod\n    \
         image: {LOCAL_PATH_HELPER_IMAGE}\n    imagePullPolicy: IfNotPresent"
    );
    let data = json!({
        "config.json": LOCAL_PATH_CONFIG,
        "helperPod.yaml": helper,
        "setup": "#!/bin/sh\nset -eu\nmkdir -m 0777 -p \"$VOL_DIR\"",
        "teardown": "#!/bin/sh\nset -eu\nrm -rf \"$VOL_DIR\"",
    });
    config_map("local-path-storage", "local-path-config", None, data)
}

fn bootstrap_token_secret(created_offset: u64) -> Object {
    let b = |s: &str| BASE64.encode(s);
    json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": format!("bootstrap-token-{TOKEN_ID}"), "namespace": "kube-system"},
        "type": "bootstrap.kubernetes.io/token",
        "data": {
            "auth-extra-groups": b(NODE_TOKEN_GROUP),
            "description": b("The default bootstrap token generated by 'kubeadm init'."),
            "expiration": b(&object::rfc3339(unix(created_offset) + 24 * 3600)),
            "token-id": b(TOKEN_ID),
            "token-secret": b(TOKEN_SECRET),
            "usage-bootstrap-authentication": b("true"),
            "usage-bootstrap-signing": b("true"),
        },
    })
}

/// The service accounts kube-controller-manager creates for its controllers
/// (`--use-service-account-credentials`), in name order.
const CONTROLLER_SERVICE_ACCOUNTS: [&str; 31] = [
    "attachdetach-controller",
    "bootstrap-signer",
    "certificate-controller",
    "clusterrole-aggregation-controller",
    "cronjob-controller",
    "daemon-set-controller",
    "deployment-controller",
    "disruption-controller",
    "endpoint-controller",
    "endpointslice-controller",
    "endpointslicemirroring-controller",
    "ephemeral-volume-controller",
    "expand-controller",
    "generic-garbage-collector",
    "horizontal-pod-autoscaler",
    "job-controller",
    "namespace-controller",
    "node-controller",
    "persistent-volume-binder",
    "pod-garbage-collector",
    "pv-protection-controller",
    "pvc-protection-controller",
    "replicaset-controller",
    "replication-controller",
    "resourcequota-controller",
    "root-ca-cert-publisher",
    "service-account-controller",
    "statefulset-controller",
    "token-cleaner",
    "ttl-after-finished-controller",
    "ttl-controller",
];

// ---------------------------------------------------------------------------------------------
// The cluster, phase by phase.

/// The nodes of the cluster being built.
struct Cluster {
    hosts: Vec<Host>,
    control_planes: u8,
}

impl Cluster {
    fn first(&self) -> &Host {
        &self.hosts[0]
    }
    fn control_plane_hosts(&self) -> &[Host] {
        &self.hosts[..usize::from(self.control_planes)]
    }
    fn workers(&self) -> &[Host] {
        &self.hosts[usize::from(self.control_planes)..]
    }
    fn node_count(&self) -> i64 {
        self.hosts.len() as i64
    }
    /// kind keeps the control-plane taint unless the cluster is a single node.
    fn tainted(&self) -> bool {
        self.hosts.len() > 1
    }
    fn endpoint(&self) -> String {
        control_plane_endpoint(self.control_planes)
    }
}

fn dns_app() -> App<'static> {
    App { ns: "kube-system", name: "coredns", labels: json!({"k8s-app": "kube-dns"}), spec: coredns_spec() }
}

fn proxy_app() -> App<'static> {
    App { ns: "kube-system", name: "kube-proxy", labels: json!({"k8s-app": "kube-proxy"}), spec: kube_proxy_spec() }
}

fn kindnet_app() -> App<'static> {
    let labels = json!({"app": "kindnet", "k8s-app": "kindnet", "tier": "node"});
    App { ns: "kube-system", name: "kindnet", labels, spec: kindnet_spec() }
}

fn local_path_app() -> App<'static> {
    let labels = json!({"app": "local-path-provisioner"});
    App { ns: "local-path-storage", name: "local-path-provisioner", labels, spec: local_path_spec() }
}

fn kube_dns_service_labels() -> Value {
    json!({"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS"})
}

fn kube_system_sa(name: &str) -> Subject {
    Subject::service_account("kube-system", name)
}

/// (resource plural, object) of a fresh cluster with `control_planes` (≥ 1) control-plane nodes
/// and `workers` workers, in creation order; no resourceVersions (etcd assigns them on write).
pub fn cluster_objects(control_planes: u8, workers: u8) -> Vec<(&'static str, Object)> {
    let control_planes = control_planes.max(1);
    let c = Cluster { hosts: hosts(control_planes, workers), control_planes };
    let mut b = Boot { out: Vec::new(), t: 0 };
    let t0 = c.first().joined;
    apiserver_starts(&mut b, &c);
    b.at(t0);
    first_node_registers(&mut b, &c);
    b.at(t0 + 3);
    kubeadm_uploads_config(&mut b, &c);
    b.at(t0 + 4);
    coredns_addon(&mut b);
    kube_proxy_addon(&mut b, &c);
    b.at(t0 + 5);
    controllers_start(&mut b, &c);
    b.at(t0 + 9);
    kindnet_installed(&mut b, &c);
    b.at(t0 + 10);
    local_path_storage_installed(&mut b, &c);
    b.at(t0 + 14);
    dns_endpoints_published(&mut b, &c);
    nodes_join(&mut b, &c);
    b.at(c.hosts.last().map_or(0, |h| h.joined) + 30);
    lab_additions(&mut b);
    b.out
}

/// The first kube-apiserver starts: the system namespaces, the priority classes, the RBAC
/// bootstrap policy, the `kubernetes` Service and its endpoints, the authentication ConfigMap.
fn apiserver_starts(b: &mut Boot, c: &Cluster) {
    for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
        b.add("namespaces", namespace(ns));
    }
    let cluster_critical = "Used for system critical pods that must run in the cluster, but can be moved to another \
                            node if necessary.";
    let node_critical = "Used for system critical pods that must not be moved from their current node.";
    b.add("priorityclasses", priority_class("system-cluster-critical", CLUSTER_CRITICAL, cluster_critical));
    b.add("priorityclasses", priority_class("system-node-critical", NODE_CRITICAL, node_critical));
    rbac_bootstrap_policy(b);
    b.add(
        "services",
        service(
            "default",
            "kubernetes",
            json!({"component": "apiserver", "provider": "kubernetes"}),
            None,
            KUBERNETES_SERVICE_IP,
            json!([{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]),
            None,
        ),
    );
    // Every API server's endpoint reconciler lists itself (the state once all have joined).
    let ips: Vec<&str> = c.control_plane_hosts().iter().map(|h| h.ip.as_str()).collect();
    let https = json!([{"name": "https", "port": 6443, "protocol": "TCP"}]);
    b.add(
        "endpoints",
        json!({
            "apiVersion": "v1", "kind": "Endpoints",
            "metadata": {
                "name": "kubernetes", "namespace": "default",
                "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"},
            },
            "subsets": [{"addresses": ips.iter().map(|ip| json!({"ip": ip})).collect::<Vec<_>>(), "ports": https}],
        }),
    );
    let slice_endpoints: Vec<Value> =
        ips.iter().map(|ip| json!({"addresses": [ip], "conditions": {"ready": true}})).collect();
    b.add(
        "endpointslices",
        json!({
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {
                "name": "kubernetes", "namespace": "default", "generation": 1,
                "labels": {"kubernetes.io/service-name": "kubernetes"},
            },
            "addressType": "IPv4",
            "endpoints": slice_endpoints,
            "ports": https,
        }),
    );
    let data = json!({
        "client-ca-file": CA_PEM,
        "requestheader-allowed-names": "[\"front-proxy-client\"]",
        "requestheader-client-ca-file": CA_PEM,
        "requestheader-extra-headers-prefix": "[\"X-Remote-Extra-\"]",
        "requestheader-group-headers": "[\"X-Remote-Group\"]",
        "requestheader-username-headers": "[\"X-Remote-User\"]",
    });
    b.add("configmaps", config_map("kube-system", "extension-apiserver-authentication", None, data));
    b.add("leases", apiserver_lease(c.first()));
}

/// The RBAC defaults (`rbac_defaults`), the bootstrap-policy roles kubeadm's bindings refer to,
/// and a subset of the policy's namespaced roles (namespace-roles.yaml) with their bindings.
fn rbac_bootstrap_policy(b: &mut Boot) {
    let created = unix(b.t);
    for r in rbac_defaults::default_cluster_roles() {
        b.add("clusterroles", default_cluster_role_object(&r, created));
    }
    let csr = "certificates.k8s.io";
    let events = rbac_defaults::events_rule;
    let read = ["get", "list", "watch"];
    for r in [
        cluster_role(
            "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
            vec![rule(&["create"], &[csr], &["certificatesigningrequests/nodeclient"])],
        ),
        cluster_role(
            "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
            vec![rule(&["create"], &[csr], &["certificatesigningrequests/selfnodeclient"])],
        ),
        cluster_role(
            "system:node-bootstrapper",
            vec![rule(&["create", "get", "list", "watch"], &[csr], &["certificatesigningrequests"])],
        ),
        // What kube-proxy reads and writes; the verbs of the nodes rule at v1.27 are UNCONFIRMED.
        cluster_role(
            "system:node-proxier",
            vec![
                rule(&["list", "watch"], &[""], &["endpoints", "services"]),
                rule(&["get", "list", "watch"], &[""], &["nodes"]),
                events(),
                rule(&["list", "watch"], &["discovery.k8s.io"], &["endpointslices"]),
            ],
        ),
    ] {
        b.add("clusterroles", bootstrapping(cluster_role_to_object(&r, created)));
    }
    for crb in rbac_defaults::default_cluster_role_bindings() {
        b.add("clusterrolebindings", bootstrapping(cluster_role_binding_to_object(&crb, created)));
    }
    // The controllers the lab's kube-controller-manager runs, each as its own service account
    // (kubeadm sets `--use-service-account-credentials=true`); rules from KK
    // `plugin/pkg/auth/authorizer/rbac/bootstrappolicy/controller_policy.go` (sorted, as the
    // rendered `testdata/controller-roles.yaml` shows them).
    let apps = ["apps", "extensions"];
    let all = ["create", "delete", "get", "list", "patch", "update", "watch"];
    for (controller, rules) in [
        ("service-account-controller", vec![rule(&["create"], &[""], &["serviceaccounts"]), events()]),
        ("root-ca-cert-publisher", vec![rule(&["create", "update"], &[""], &["configmaps"]), events()]),
        (
            "deployment-controller",
            vec![
                rule(&["get", "list", "update", "watch"], &apps, &["deployments"]),
                rule(&["update"], &apps, &["deployments/status"]),
                rule(&["update"], &apps, &["deployments/finalizers"]),
                rule(&all, &apps, &["replicasets"]),
                rule(&["get", "list", "update", "watch"], &[""], &["pods"]),
                events(),
            ],
        ),
        (
            "replicaset-controller",
            vec![
                rule(&["get", "list", "update", "watch"], &apps, &["replicasets"]),
                rule(&["update"], &apps, &["replicasets/status"]),
                rule(&["update"], &apps, &["replicasets/finalizers"]),
                rule(&["create", "delete", "list", "patch", "watch"], &[""], &["pods"]),
                events(),
            ],
        ),
        (
            "node-controller",
            vec![
                rule(&["delete", "get", "list", "patch", "update", "watch"], &[""], &["nodes"]),
                rule(&["patch", "update"], &[""], &["nodes/status"]),
                rule(&["patch", "update"], &[""], &["pods/status"]),
                rule(&["delete", "get", "list", "watch"], &[""], &["pods"]),
                events(),
            ],
        ),
        (
            "endpoint-controller",
            vec![
                rule(&read, &[""], &["pods", "services"]),
                rule(&["create", "delete", "get", "list", "update", "watch"], &[""], &["endpoints"]),
                rule(&["create"], &[""], &["endpoints/restricted"]),
                events(),
            ],
        ),
        (
            "endpointslice-controller",
            vec![
                rule(&read, &[""], &["nodes", "pods", "services"]),
                rule(&["update"], &[""], &["services/finalizers"]),
                rule(
                    &["create", "delete", "get", "list", "update", "watch"],
                    &["discovery.k8s.io"],
                    &["endpointslices"],
                ),
                events(),
            ],
        ),
        (
            // The garbage collector lists, watches and deletes anything that has owners.
            "generic-garbage-collector",
            vec![rule(&["delete", "get", "list", "patch", "update", "watch"], &["*"], &["*"]), events()],
        ),
    ] {
        let name = format!("system:controller:{controller}");
        b.add("clusterroles", bootstrapping(cluster_role_to_object(&cluster_role(&name, rules), created)));
        let binding = crb(&name, &name, vec![kube_system_sa(controller)]);
        b.add("clusterrolebindings", bootstrapping(cluster_role_binding_to_object(&binding, created)));
    }
    for r in [
        role(
            "kube-public",
            "system:controller:bootstrap-signer",
            vec![
                rule(&read, &[""], &["configmaps"]),
                rule(&["update"], &[""], &["configmaps"]).named(&["cluster-info"]),
                events(),
            ],
        ),
        // Lets aggregated API servers read the front-proxy CA.
        role(
            "kube-system",
            "extension-apiserver-authentication-reader",
            vec![rule(&read, &[""], &["configmaps"]).named(&["extension-apiserver-authentication"])],
        ),
        role("kube-system", "system:controller:bootstrap-signer", vec![rule(&read, &[""], &["secrets"])]),
        role(
            "kube-system",
            "system:controller:token-cleaner",
            vec![rule(&["delete", "get", "list", "watch"], &[""], &["secrets"]), events()],
        ),
    ] {
        b.add("roles", bootstrapping(role_to_object(&r, created)));
    }
    let signer = || vec![kube_system_sa("bootstrap-signer")];
    for binding in [
        rb("kube-public", "system:controller:bootstrap-signer", "system:controller:bootstrap-signer", signer()),
        rb(
            "kube-system",
            "system::extension-apiserver-authentication-reader",
            "extension-apiserver-authentication-reader",
            vec![Subject::user("system:kube-controller-manager"), Subject::user("system:kube-scheduler")],
        ),
        rb("kube-system", "system:controller:bootstrap-signer", "system:controller:bootstrap-signer", signer()),
        rb(
            "kube-system",
            "system:controller:token-cleaner",
            "system:controller:token-cleaner",
            vec![kube_system_sa("token-cleaner")],
        ),
    ] {
        b.add("rolebindings", bootstrapping(role_binding_to_object(&binding, created)));
    }
}

/// The first node registers; its kubelet mirrors the static pods kubeadm wrote.
fn first_node_registers(b: &mut Boot, c: &Cluster) {
    b.add("nodes", node(c.first(), c.tainted()));
    b.add("leases", node_lease(c.first()));
    add_static_pods(b, c.first(), c.control_plane_hosts());
}

/// kubeadm init's upload-config and bootstrap-token phases.
fn kubeadm_uploads_config(b: &mut Boot, c: &Cluster) {
    let created = unix(b.t);
    let joiners = || vec![Subject::group(NODE_TOKEN_GROUP), Subject::group(SYSTEM_NODES)];
    let token_group = || vec![Subject::group(NODE_TOKEN_GROUP)];
    // Joining nodes read the cluster configuration and the kubelet configuration.
    let cluster_config = json!({"ClusterConfiguration": kubeadm_config(&c.endpoint())});
    b.add("configmaps", config_map("kube-system", "kubeadm-config", None, cluster_config));
    let name = "kubeadm:nodes-kubeadm-config";
    b.add("roles", role_to_object(&role("kube-system", name, get_configmap("kubeadm-config")), created));
    b.add("rolebindings", role_binding_to_object(&rb("kube-system", name, name, joiners()), created));
    b.add("configmaps", config_map("kube-system", "kubelet-config", None, json!({"kubelet": kubelet_config()})));
    let name = "kubeadm:kubelet-config";
    b.add("roles", role_to_object(&role("kube-system", name, get_configmap("kubelet-config")), created));
    b.add("rolebindings", role_binding_to_object(&rb("kube-system", name, name, joiners()), created));
    // Bootstrap-token users may read nodes, ask for kubelet certificates and get them approved.
    b.add("secrets", bootstrap_token_secret(b.t));
    let get_nodes = cluster_role("kubeadm:get-nodes", vec![rule(&["get"], &[""], &["nodes"])]);
    b.add("clusterroles", cluster_role_to_object(&get_nodes, created));
    for binding in [
        crb("kubeadm:get-nodes", "kubeadm:get-nodes", token_group()),
        crb("kubeadm:kubelet-bootstrap", "system:node-bootstrapper", token_group()),
        crb(
            "kubeadm:node-autoapprove-bootstrap",
            "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
            token_group(),
        ),
        crb(
            "kubeadm:node-autoapprove-certificate-rotation",
            "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
            vec![Subject::group(SYSTEM_NODES)],
        ),
    ] {
        b.add("clusterrolebindings", cluster_role_binding_to_object(&binding, created));
    }
    // Anyone, even unauthenticated, may read cluster-info: that is how `kubeadm join` finds the CA.
    b.add("configmaps", cluster_info(&c.endpoint()));
    let name = "kubeadm:bootstrap-signer-clusterinfo";
    b.add("roles", role_to_object(&role("kube-public", name, get_configmap("cluster-info")), created));
    let anonymous = vec![Subject::user("system:anonymous")];
    b.add("rolebindings", role_binding_to_object(&rb("kube-public", name, name, anonymous), created));
}

/// kubeadm's CoreDNS addon: Corefile, RBAC, Deployment (2 replicas) and the `kube-dns` Service.
fn coredns_addon(b: &mut Boot) {
    let created = unix(b.t);
    b.add("configmaps", config_map("kube-system", "coredns", None, json!({"Corefile": COREFILE})));
    let coredns = cluster_role(
        "system:coredns",
        vec![
            rule(&["list", "watch"], &[""], &["endpoints", "services", "pods", "namespaces"]),
            rule(&["list", "watch"], &["discovery.k8s.io"], &["endpointslices"]),
        ],
    );
    b.add("clusterroles", cluster_role_to_object(&coredns, created));
    let binding = crb("system:coredns", "system:coredns", vec![kube_system_sa("coredns")]);
    b.add("clusterrolebindings", cluster_role_binding_to_object(&binding, created));
    b.add("serviceaccounts", service_account("kube-system", "coredns"));
    let dns = dns_app();
    let strategy = json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}});
    b.add("deployments", deployment(&dns, COREDNS_HASH, Some(dns.labels.clone()), 2, strategy));
    let ports = json!([
        {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
        {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
        {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153},
    ]);
    let prometheus = json!({"prometheus.io/port": "9153", "prometheus.io/scrape": "true"});
    let svc = service(
        "kube-system",
        "kube-dns",
        kube_dns_service_labels(),
        Some(prometheus),
        DNS_SERVICE_IP,
        ports,
        Some(dns.labels),
    );
    b.add("services", svc);
}

/// kubeadm's kube-proxy addon: service account and binding, configuration, DaemonSet.
fn kube_proxy_addon(b: &mut Boot, c: &Cluster) {
    let created = unix(b.t);
    b.add("serviceaccounts", service_account("kube-system", "kube-proxy"));
    let binding = crb("kubeadm:node-proxier", "system:node-proxier", vec![kube_system_sa("kube-proxy")]);
    b.add("clusterrolebindings", cluster_role_binding_to_object(&binding, created));
    let data = json!({"config.conf": kube_proxy_config(), "kubeconfig.conf": proxy_kubeconfig(&c.endpoint())});
    b.add("configmaps", config_map("kube-system", "kube-proxy", Some(json!({"app": "kube-proxy"})), data));
    let proxy = proxy_app();
    b.add("daemonsets", daemon_set(&proxy, &proxy.labels, &proxy.labels, c.node_count()));
    // Nodes joining with the bootstrap token read the kube-proxy configuration.
    b.add("roles", role_to_object(&role("kube-system", "kube-proxy", get_configmap("kube-proxy")), created));
    let binding = rb("kube-system", "kube-proxy", "kube-proxy", vec![Subject::group(NODE_TOKEN_GROUP)]);
    b.add("rolebindings", role_binding_to_object(&binding, created));
}

/// kube-controller-manager and kube-scheduler win their elections on the first node; the
/// controllers create their service accounts, each namespace's `default` account and CA bundle,
/// CoreDNS's ReplicaSet and pods, and kube-proxy's pod on the first node.
fn controllers_start(b: &mut Boot, c: &Cluster) {
    let first = c.first();
    b.add("leases", leader_lease("kube-controller-manager", &first.name, b.t));
    b.add("leases", leader_lease("kube-scheduler", &first.name, b.t));
    for name in CONTROLLER_SERVICE_ACCOUNTS {
        b.add("serviceaccounts", service_account("kube-system", name));
    }
    for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
        b.add("serviceaccounts", service_account(ns, "default"));
        b.add("configmaps", root_ca(ns));
    }
    b.at(b.t + 1);
    let dns = dns_app();
    b.add("replicasets", replica_set(&dns, COREDNS_HASH, 2, 1));
    b.add("pods", daemon_pod(&proxy_app(), first, "BestEffort", b.t));
    // The DNS pods wait for a pod network and land on the first node once kindnet runs there.
    for i in 0..2u8 {
        b.add("pods", replica_pod(&dns, COREDNS_HASH, i, first, first.pod_ip(2 + i), "Burstable", b.t));
    }
}

/// kind installs its CNI, kindnet (KIND const_cni.go).
fn kindnet_installed(b: &mut Boot, c: &Cluster) {
    let created = unix(b.t);
    let rules = vec![
        rule(&["use"], &["policy"], &["podsecuritypolicies"]).named(&["kindnet"]),
        rule(&["list", "watch"], &[""], &["nodes"]),
    ];
    b.add("clusterroles", cluster_role_to_object(&cluster_role("kindnet", rules), created));
    let binding = crb("kindnet", "kindnet", vec![kube_system_sa("kindnet")]);
    b.add("clusterrolebindings", cluster_role_binding_to_object(&binding, created));
    b.add("serviceaccounts", service_account("kube-system", "kindnet"));
    let kindnet = kindnet_app();
    b.add("daemonsets", daemon_set(&kindnet, &kindnet.labels, &json!({"app": "kindnet"}), c.node_count()));
    b.add("pods", daemon_pod(&kindnet, c.first(), "Guaranteed", b.t));
}

/// kind installs its default storage (KIND const_storage.go): local-path-provisioner and the
/// default StorageClass `standard`.
fn local_path_storage_installed(b: &mut Boot, c: &Cluster) {
    let created = unix(b.t);
    let lp = local_path_app();
    let sa = "local-path-provisioner-service-account";
    b.add("namespaces", namespace(lp.ns));
    b.add("serviceaccounts", service_account(lp.ns, sa));
    let rules = vec![
        rule(&["get", "list", "watch"], &[""], &["nodes", "persistentvolumeclaims", "configmaps"]),
        rule(&["*"], &[""], &["endpoints", "persistentvolumes", "pods"]),
        rule(&["create", "patch"], &[""], &["events"]),
        rule(&["get", "list", "watch"], &["storage.k8s.io"], &["storageclasses"]),
    ];
    b.add("clusterroles", cluster_role_to_object(&cluster_role("local-path-provisioner-role", rules), created));
    let subjects = vec![Subject::service_account(lp.ns, sa)];
    let binding = crb("local-path-provisioner-bind", "local-path-provisioner-role", subjects);
    b.add("clusterrolebindings", cluster_role_binding_to_object(&binding, created));
    let strategy = json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}});
    b.add("deployments", deployment(&lp, LOCAL_PATH_HASH, None, 1, strategy));
    b.add(
        "storageclasses",
        json!({
            "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": {"name": "standard", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
            "provisioner": "rancher.io/local-path",
            "reclaimPolicy": "Delete",
            "volumeBindingMode": "WaitForFirstConsumer",
        }),
    );
    b.add("configmaps", local_path_config());
    b.add("serviceaccounts", service_account(lp.ns, "default"));
    b.add("configmaps", root_ca(lp.ns));
    b.at(b.t + 1);
    let first = c.first();
    b.add("replicasets", replica_set(&lp, LOCAL_PATH_HASH, 1, 1));
    b.add("pods", replica_pod(&lp, LOCAL_PATH_HASH, 0, first, first.pod_ip(4), "BestEffort", b.t));
}

/// The endpoints controllers publish the ready DNS pods (Endpoints and an EndpointSlice).
fn dns_endpoints_published(b: &mut Boot, c: &Cluster) {
    let dns = dns_app();
    let first = c.first();
    // (ip, node, pod name), sorted by IP as the controllers write them.
    let mut pods: Vec<(String, &str, String)> =
        (0..2u8).map(|i| (first.pod_ip(2 + i), first.name.as_str(), replica_pod_name(&dns, COREDNS_HASH, i))).collect();
    pods.sort();
    let changed = json!({"endpoints.kubernetes.io/last-change-trigger-time": ts(b.t)});
    let addresses: Vec<Value> = pods
        .iter()
        .map(|(ip, node, pod)| json!({"ip": ip, "nodeName": node, "targetRef": target_ref("kube-system", pod)}))
        .collect();
    b.add(
        "endpoints",
        json!({
            "apiVersion": "v1", "kind": "Endpoints",
            "metadata": {
                "name": "kube-dns", "namespace": "kube-system", "labels": kube_dns_service_labels(),
                "annotations": changed,
            },
            "subsets": [{"addresses": addresses, "ports": dns_endpoint_ports()}],
        }),
    );
    let mut labels = kube_dns_service_labels();
    set(&mut labels, "endpointslice.kubernetes.io/managed-by", json!("endpointslice-controller.k8s.io"));
    set(&mut labels, "kubernetes.io/service-name", json!("kube-dns"));
    let endpoints: Vec<Value> = pods
        .iter()
        .map(|(ip, node, pod)| {
            json!({
                "addresses": [ip], "conditions": {"ready": true, "serving": true, "terminating": false},
                "nodeName": node, "targetRef": target_ref("kube-system", pod),
            })
        })
        .collect();
    b.add(
        "endpointslices",
        json!({
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {
                "name": format!("kube-dns-{}", suffix("endpointslice/kube-system/kube-dns")),
                "generateName": "kube-dns-", "namespace": "kube-system", "generation": 1, "labels": labels,
                "annotations": changed,
                "ownerReferences": [controller_ref("v1", "Service", "services", "kube-system", "kube-dns")],
            },
            "addressType": "IPv4",
            "endpoints": endpoints,
            "ports": dns_endpoint_ports(),
        }),
    );
}

/// The other control planes join one by one (`kubeadm join --control-plane`: API server identity,
/// node, static pods), then kind joins all workers at once; each node gets its DaemonSet pods.
fn nodes_join(b: &mut Boot, c: &Cluster) {
    let (proxy, kindnet) = (proxy_app(), kindnet_app());
    for h in &c.control_plane_hosts()[1..] {
        b.at(h.joined);
        b.add("leases", apiserver_lease(h));
        b.add("nodes", node(h, c.tainted()));
        b.add("leases", node_lease(h));
        add_static_pods(b, h, c.control_plane_hosts());
        b.at(h.joined + 2);
        b.add("pods", daemon_pod(&proxy, h, "BestEffort", b.t));
        b.add("pods", daemon_pod(&kindnet, h, "Guaranteed", b.t));
    }
    for h in c.workers() {
        b.at(h.joined);
        b.add("nodes", node(h, c.tainted()));
        b.add("leases", node_lease(h));
    }
    for h in c.workers() {
        b.at(h.joined + 2);
        b.add("pods", daemon_pod(&proxy, h, "BestEffort", b.t));
        b.add("pods", daemon_pod(&kindnet, h, "Guaranteed", b.t));
    }
}

/// The lab's additions, not kind's: the `dev` namespace and the `ci` service account that the
/// kubeconfig's users need, and the bindings `kubeconfig::lab_policy` adds to the defaults.
fn lab_additions(b: &mut Boot) {
    b.add("namespaces", namespace("dev"));
    b.add("serviceaccounts", service_account("dev", "default"));
    b.add("configmaps", root_ca("dev"));
    b.add("serviceaccounts", service_account("default", "ci"));
    let created = unix(b.t);
    let (policy, defaults) = (kubeconfig::lab_policy(), rbac_defaults::default_store());
    for (key, binding) in &policy.cluster_role_bindings {
        if !defaults.cluster_role_bindings.contains_key(key) {
            b.add("clusterrolebindings", cluster_role_binding_to_object(binding, created));
        }
    }
    for (key, binding) in &policy.role_bindings {
        if !defaults.role_bindings.contains_key(key) {
            b.add("rolebindings", role_binding_to_object(binding, created));
        }
    }
}

/// The four mirror pods of a control-plane node, in the order the kubelet starts them.
fn add_static_pods(b: &mut Boot, h: &Host, cps: &[Host]) {
    let t = b.t;
    b.add("pods", static_pod("etcd", h, etcd_spec(h, cps), t));
    b.add("pods", static_pod("kube-apiserver", h, apiserver_spec(h), t));
    b.add("pods", static_pod("kube-controller-manager", h, controller_manager_spec(), t));
    b.add("pods", static_pod("kube-scheduler", h, scheduler_spec(), t));
}

/// What etcd holds for the fresh cluster: (key, stored JSON) in creation order, keys as
/// kube-apiserver lays them out (`/registry/services/specs/default/kubernetes`, …).
pub fn etcd_entries(control_planes: u8, workers: u8) -> Vec<(String, String)> {
    cluster_objects(control_planes, workers)
        .into_iter()
        .map(|(resource, obj)| {
            let res = RESOURCES.iter().find(|r| r.name == resource).expect("bootstrap resources are in RESOURCES");
            (object_key(res, object::namespace(&obj), object::name(&obj)), object::for_storage(&obj))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;
    use crate::apiserver::rbac_objects::rbac_store_from;
    use crate::apiserver::{Informers, ObjectSet};
    use crate::k8s::rbac::{authorize, Attributes, UserInfo};

    fn count(objs: &[(&str, Object)], resource: &str) -> usize {
        objs.iter().filter(|(r, _)| *r == resource).count()
    }

    fn pods_named<'a>(objs: &'a [(&str, Object)], prefix: &str) -> Vec<&'a Object> {
        objs.iter().filter(|(r, o)| *r == "pods" && object::name(o).starts_with(prefix)).map(|(_, o)| o).collect()
    }

    #[test]
    fn the_default_cluster_has_the_expected_objects() {
        let objs = cluster_objects(3, 2);
        assert_eq!(count(&objs, "nodes"), 5);
        assert_eq!(count(&objs, "pods"), 12 + 2 + 5 + 5 + 1);
        for component in ["etcd-", "kube-apiserver-", "kube-controller-manager-", "kube-scheduler-"] {
            assert_eq!(pods_named(&objs, component).len(), 3, "{component}");
        }
        assert_eq!(pods_named(&objs, "coredns-5d78c9869d-").len(), 2);
        assert_eq!(pods_named(&objs, "kube-proxy-").len(), 5);
        assert_eq!(pods_named(&objs, "kindnet-").len(), 5);
        assert_eq!(pods_named(&objs, "local-path-provisioner-6bc4bddd6b-").len(), 1);
        assert_eq!(count(&objs, "deployments"), 2);
        assert_eq!(count(&objs, "replicasets"), 2);
        assert_eq!(count(&objs, "daemonsets"), 2);
        assert_eq!(count(&objs, "services"), 2);
        assert_eq!(count(&objs, "namespaces"), 6);
        // 5 node leases, 3 apiserver identities, 2 leader elections.
        assert_eq!(count(&objs, "leases"), 10);
        let names: BTreeSet<&str> = objs.iter().map(|(_, o)| object::name(o)).collect();
        for n in [
            "etcd-challenge-cluster-control-plane3",
            "kube-apiserver-challenge-cluster-control-plane",
            "challenge-cluster-worker2",
        ] {
            assert!(names.contains(n), "{n}");
        }
    }

    #[test]
    fn keys_are_unique_and_follow_the_layout() {
        let entries = etcd_entries(3, 2);
        let keys: BTreeSet<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys.len(), entries.len(), "duplicate etcd keys");
        assert!(keys.contains("/registry/services/specs/default/kubernetes"));
        assert!(keys.contains("/registry/services/endpoints/default/kubernetes"));
        assert!(keys.contains("/registry/minions/challenge-cluster-control-plane"));
        assert!(keys.contains("/registry/leases/kube-system/kube-controller-manager"));
        assert!(keys.contains("/registry/configmaps/kube-system/kube-proxy"));
        assert!(keys.contains("/registry/pods/kube-system/etcd-challenge-cluster-control-plane2"));
        assert!(keys.contains("/registry/deployments/kube-system/coredns"));
        assert!(keys.contains("/registry/replicasets/kube-system/coredns-5d78c9869d"));
        assert!(entries.iter().all(|(_, v)| !v.contains("resourceVersion")));
    }

    #[test]
    fn namespaces_exist_and_owners_resolve() {
        let objs = cluster_objects(3, 2);
        let namespaces: BTreeSet<&str> =
            objs.iter().filter(|(r, _)| *r == "namespaces").map(|(_, o)| object::name(o)).collect();
        let mut by_uid: BTreeMap<&str, &Object> = BTreeMap::new();
        for (resource, o) in &objs {
            let res = RESOURCES.iter().find(|r| r.name == *resource).expect("known resource");
            assert_eq!(object::kind(o), res.kind, "{resource} {}", object::name(o));
            let ns = object::namespace(o);
            assert_eq!(res.namespaced, !ns.is_empty(), "{resource} {}", object::name(o));
            if res.namespaced {
                assert!(namespaces.contains(ns), "{} in missing namespace {ns}", object::name(o));
            }
            assert!(by_uid.insert(object::str_at(o, "/metadata/uid"), o).is_none(), "duplicate uid");
        }
        let mut refs = 0;
        for (_, o) in &objs {
            for r in o.pointer("/metadata/ownerReferences").and_then(Value::as_array).into_iter().flatten() {
                let owner = by_uid.get(r["uid"].as_str().unwrap_or("")).unwrap_or_else(|| panic!("{r} unresolved"));
                assert_eq!(object::kind(owner), r["kind"]);
                assert_eq!(object::name(owner), r["name"]);
                let owner_ns = object::namespace(owner);
                assert!(owner_ns.is_empty() || owner_ns == object::namespace(o), "cross-namespace owner");
                refs += 1;
            }
        }
        // 12 static pods + 10 DaemonSet pods + 3 ReplicaSet pods + 2 ReplicaSets + 5 node
        // leases + 1 EndpointSlice.
        assert_eq!(refs, 12 + 10 + 3 + 2 + 5 + 1);
    }

    fn assert_no_floats(v: &Value, path: &str) {
        match v {
            Value::Number(n) => assert!(n.is_i64() || n.is_u64(), "float at {path}"),
            Value::Array(items) => {
                items.iter().enumerate().for_each(|(i, x)| assert_no_floats(x, &format!("{path}/{i}")))
            }
            Value::Object(m) => m.iter().for_each(|(k, x)| assert_no_floats(x, &format!("{path}/{k}"))),
            Value::Null => panic!("null at {path}"),
            _ => {}
        }
    }

    #[test]
    fn objects_hold_no_floats_and_are_deterministic() {
        let objs = cluster_objects(3, 2);
        for (r, o) in &objs {
            assert_no_floats(o, &format!("{r}/{}", object::name(o)));
            assert!(o.pointer("/metadata/resourceVersion").is_none());
        }
        assert_eq!(objs, cluster_objects(3, 2));
        assert_eq!(etcd_entries(3, 2), etcd_entries(3, 2));
    }

    #[test]
    fn creation_times_never_decrease_and_precede_the_class() {
        let objs = cluster_objects(7, 5);
        let times: Vec<u64> = objs
            .iter()
            .map(|(_, o)| object::parse_rfc3339(object::str_at(o, "/metadata/creationTimestamp")).expect("timestamp"))
            .collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(times[0], object::EPOCH_UNIX_S - object::CLUSTER_AGE_S);
        assert!(*times.last().expect("objects") < object::EPOCH_UNIX_S);
    }

    #[test]
    fn size_stays_modest() {
        let bytes: usize = etcd_entries(3, 2).iter().map(|(_, v)| v.len()).sum();
        assert!(bytes < 400_000, "{bytes} bytes");
    }

    #[test]
    fn a_single_node_cluster_works_and_is_untainted() {
        let objs = cluster_objects(1, 0);
        assert_eq!(count(&objs, "nodes"), 1);
        assert_eq!(count(&objs, "pods"), 4 + 2 + 1 + 1 + 1);
        let node = objs.iter().find(|(r, _)| *r == "nodes").map(|(_, o)| o).expect("node");
        assert!(node.pointer("/spec/taints").is_none(), "kind untaints a lone control plane");
        let etcd = pods_named(&objs, "etcd-").remove(0);
        let cmd: Vec<&str> = etcd
            .pointer("/spec/containers/0/command")
            .and_then(Value::as_array)
            .expect("command")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(cmd.contains(&"--initial-cluster=challenge-cluster-control-plane=https://172.18.0.2:2380"));
        assert!(!cmd.iter().any(|c| c.starts_with("--initial-cluster-state")));
        let cm =
            objs.iter().find(|(_, o)| object::name(o) == "kubeadm-config").map(|(_, o)| o).expect("kubeadm-config");
        assert!(cm["data"]["ClusterConfiguration"]
            .as_str()
            .unwrap_or("")
            .contains("controlPlaneEndpoint: challenge-cluster-control-plane:6443"));
    }

    #[test]
    fn nodes_and_static_pods_look_like_kind() {
        let objs = cluster_objects(3, 2);
        let find = |name: &str| objs.iter().find(|(_, o)| object::name(o) == name).map(|(_, o)| o).expect(name);
        let cp2 = find("challenge-cluster-control-plane2");
        assert_eq!(cp2.pointer("/status/addresses/0/address"), Some(&json!("172.18.0.3")));
        assert_eq!(cp2.pointer("/spec/podCIDR"), Some(&json!("10.244.1.0/24")));
        assert_eq!(cp2.pointer("/spec/taints/0/key"), Some(&json!("node-role.kubernetes.io/control-plane")));
        assert_eq!(object::label(cp2, "node-role.kubernetes.io/control-plane"), Some(""));
        let w2 = find("challenge-cluster-worker2");
        assert_eq!(w2.pointer("/status/addresses/0/address"), Some(&json!("172.18.0.6")));
        assert!(w2.pointer("/spec/taints").is_none());
        assert_eq!(object::label(w2, "node-role.kubernetes.io/control-plane"), None);
        let ready = w2.pointer("/status/conditions/3").expect("Ready");
        assert_eq!(
            (ready["type"].as_str(), ready["status"].as_str(), ready["reason"].as_str()),
            (Some("Ready"), Some("True"), Some("KubeletReady"))
        );

        let api = find("kube-apiserver-challenge-cluster-control-plane2");
        let cmd = api.pointer("/spec/containers/0/command").expect("command").to_string();
        for flag in [
            "--advertise-address=172.18.0.3",
            "--authorization-mode=Node,RBAC",
            "--enable-admission-plugins=NodeRestriction",
            "--etcd-servers=https://127.0.0.1:2379",
        ] {
            assert!(cmd.contains(flag), "{flag}");
        }
        assert_eq!(api.pointer("/metadata/ownerReferences/0/kind"), Some(&json!("Node")));
        assert_eq!(object::label(api, "tier"), Some("control-plane"));
        assert_eq!(api.pointer("/spec/priority"), Some(&json!(NODE_CRITICAL)));
        let etcd3 = find("etcd-challenge-cluster-control-plane3")
            .pointer("/spec/containers/0/command")
            .expect("command")
            .to_string();
        assert!(etcd3.contains("--name=challenge-cluster-control-plane3"));
        assert!(etcd3.contains("--initial-cluster-state=existing"));
        let initial = [
            "challenge-cluster-control-plane=https://172.18.0.2:2380",
            "challenge-cluster-control-plane2=https://172.18.0.3:2380",
            "challenge-cluster-control-plane3=https://172.18.0.4:2380",
        ];
        assert!(etcd3.contains(&format!("--initial-cluster={}", initial.join(","))));
        assert!(etcd3.contains("--listen-client-urls=https://127.0.0.1:2379,https://172.18.0.4:2379"));

        let dns = find("kube-dns");
        assert_eq!(dns.pointer("/spec/clusterIP"), Some(&json!("10.96.0.10")));
        let ep = find("kubernetes");
        assert_eq!(object::kind(ep), "Service");
        let eps = objs
            .iter()
            .find(|(r, o)| *r == "endpoints" && object::name(o) == "kubernetes")
            .map(|(_, o)| o)
            .expect("endpoints");
        assert_eq!(eps.pointer("/subsets/0/addresses").and_then(Value::as_array).map(Vec::len), Some(3));
        let kcm = objs
            .iter()
            .find(|(r, o)| *r == "leases" && object::name(o) == "kube-controller-manager")
            .map(|(_, o)| o)
            .expect("lease");
        assert!(object::str_at(kcm, "/spec/holderIdentity").starts_with("challenge-cluster-control-plane_"));
    }

    fn bootstrap_set() -> ObjectSet {
        let mut set = ObjectSet::new();
        for (r, o) in cluster_objects(3, 2) {
            set.insert(r, o);
        }
        set
    }

    /// The RBAC objects in etcd give the authorizer the lab policy, plus kubeadm's and kind's own
    /// roles and bindings (which name only components, nodes and bootstrap tokens).
    #[test]
    fn the_stored_rbac_objects_contain_the_lab_policy() {
        let set = bootstrap_set();
        let stored = rbac_store_from(&set);
        let policy = kubeconfig::lab_policy();
        for (k, v) in &policy.cluster_roles {
            assert_eq!(stored.cluster_roles.get(k), Some(v), "{k}");
        }
        for (k, v) in &policy.cluster_role_bindings {
            assert_eq!(stored.cluster_role_bindings.get(k), Some(v), "{k}");
        }
        for (k, v) in &policy.role_bindings {
            assert_eq!(stored.role_bindings.get(k), Some(v), "{k}");
        }
        // Every binding points at a role that exists.
        for b in stored.cluster_role_bindings.values() {
            assert!(stored.cluster_role(&b.role_ref.name).is_some(), "{} points nowhere", b.name);
        }
        for b in stored.role_bindings.values() {
            let found = match b.role_ref.kind {
                crate::k8s::rbac::RoleKind::Role => stored.role(&b.namespace, &b.role_ref.name).is_some(),
                crate::k8s::rbac::RoleKind::ClusterRole => stored.cluster_role(&b.role_ref.name).is_some(),
            };
            assert!(found, "{} points nowhere", b.name);
        }
        // The extras are kubeadm's, kind's and the bootstrap policy's.
        let extra: Vec<&str> = stored
            .cluster_role_bindings
            .values()
            .filter(|b| !policy.cluster_role_bindings.contains_key(&b.etcd_key()))
            .map(|b| b.name.as_str())
            .collect();
        assert_eq!(
            extra,
            [
                "kindnet",
                "kubeadm:get-nodes",
                "kubeadm:kubelet-bootstrap",
                "kubeadm:node-autoapprove-bootstrap",
                "kubeadm:node-autoapprove-certificate-rotation",
                "kubeadm:node-proxier",
                "local-path-provisioner-bind",
                "system:controller:deployment-controller",
                "system:controller:endpoint-controller",
                "system:controller:endpointslice-controller",
                "system:controller:generic-garbage-collector",
                "system:controller:node-controller",
                "system:controller:replicaset-controller",
                "system:controller:root-ca-cert-publisher",
                "system:controller:service-account-controller",
                "system:coredns",
            ]
        );
        assert_eq!(set.list("rolebindings", "").len(), stored.role_bindings.len());
    }

    /// The lab's users get the same answers from the stored objects as from `lab_policy()`; the
    /// one difference is real: anonymous may read `kube-public/cluster-info` (kubeadm's binding).
    #[test]
    fn the_stored_policy_decides_like_the_lab_policy() {
        let stored = rbac_store_from(&bootstrap_set());
        let policy = kubeconfig::lab_policy();
        let mut users: Vec<UserInfo> = kubeconfig::CONTEXTS.iter().map(|c| c.user_info()).collect();
        users.push(UserInfo::anonymous());
        users.push(UserInfo::authenticated("jane", &[]));
        let requests = [
            ("get", "", "pods", "default", None),
            ("create", "apps", "deployments", "dev", None),
            ("create", "apps", "deployments", "default", None),
            ("delete", "", "nodes", "", None),
            ("list", "", "secrets", "kube-system", None),
            ("get", "", "configmaps", "kube-system", Some("kube-proxy")),
            ("create", "rbac.authorization.k8s.io", "rolebindings", "dev", None),
            ("update", "coordination.k8s.io", "leases", "kube-node-lease", Some("challenge-cluster-worker")),
            ("get", "", "configmaps", "kube-public", Some("cluster-info")),
        ];
        for u in &users {
            for (verb, group, resource, ns, name) in requests {
                let mut a = Attributes::resource(u, verb, group, resource);
                if !ns.is_empty() {
                    a = a.in_namespace(ns);
                }
                if let Some(n) = name {
                    a = a.named(n);
                }
                let (s, p) = (authorize(&stored, &a).allowed, authorize(&policy, &a).allowed);
                if u.name == "system:anonymous" && name == Some("cluster-info") {
                    assert!(s && !p, "kubeadm lets anonymous read cluster-info");
                } else {
                    assert_eq!(s, p, "{} {verb} {resource} in {ns:?}", u.name);
                }
            }
            let health = Attributes::non_resource(u, "get", "/healthz");
            assert_eq!(authorize(&stored, &health).allowed, authorize(&policy, &health).allowed);
        }
    }

    #[test]
    fn the_lab_additions_exist() {
        let set = bootstrap_set();
        assert!(set.get("namespaces", "", "dev").is_some());
        assert!(set.get("serviceaccounts", "dev", "default").is_some());
        assert!(set.get("configmaps", "dev", "kube-root-ca.crt").is_some());
        assert!(set.get("serviceaccounts", "default", "ci").is_some());
        for ns in ["default", "kube-system", "kube-public", "kube-node-lease", "local-path-storage", "dev"] {
            assert_eq!(
                kubeconfig::service_account_exists(ns, "default"),
                set.get("serviceaccounts", ns, "default").is_some()
            );
        }
    }
}
