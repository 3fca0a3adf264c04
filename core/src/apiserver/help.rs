//! `kube-apiserver --help`, as far as the class reads it: the "Admission flags" section of the
//! v1.27 binary (pflag aligns each section's descriptions 3 spaces past its longest flag). The
//! plugin lists are v1.27's: `ClusterTrustBundleAttest` is new, `SecurityContextDeny` and
//! `PersistentVolumeLabel` are still there, `PodSecurityPolicy` is gone (removed in v1.25).

/// Every admission plugin the v1.27 binary knows, in the help's (alphabetical) order.
const ALL_PLUGINS: &str = "AlwaysAdmit, AlwaysDeny, AlwaysPullImages, CertificateApproval, CertificateSigning, \
CertificateSubjectRestriction, ClusterTrustBundleAttest, DefaultIngressClass, DefaultStorageClass, \
DefaultTolerationSeconds, DenyServiceExternalIPs, EventRateLimit, ExtendedResourceToleration, ImagePolicyWebhook, \
LimitPodHardAntiAffinityTopology, LimitRanger, MutatingAdmissionWebhook, NamespaceAutoProvision, NamespaceExists, \
NamespaceLifecycle, NodeRestriction, OwnerReferencesPermissionEnforcement, PersistentVolumeClaimResize, \
PersistentVolumeLabel, PodNodeSelector, PodSecurity, PodTolerationRestriction, Priority, ResourceQuota, RuntimeClass, \
SecurityContextDeny, ServiceAccount, StorageObjectInUseProtection, TaintNodesByCondition, ValidatingAdmissionPolicy, \
ValidatingAdmissionWebhook";

/// The plugins on by default, in the order they run (the lab's admission chain runs these).
fn default_on() -> String {
    super::admission::PLUGINS.iter().map(|p| p.name).filter(|n| *n != "NodeRestriction").collect::<Vec<_>>().join(", ")
}

/// The "Admission flags:" section, one string per line.
pub fn admission_flags() -> Vec<String> {
    let flags: [(&str, String); 4] = [
        (
            "--admission-control strings",
            format!(
                "Admission is divided into two phases. In the first phase, only mutating admission plugins run. In the second phase, only validating admission plugins run. The names in the below list may represent a validating plugin, a mutating plugin, or both. The order of plugins in which they are passed to this flag does not matter. Comma-delimited list of: {ALL_PLUGINS}. (DEPRECATED: Use --enable-admission-plugins or --disable-admission-plugins instead. Will be removed in a future version.)"
            ),
        ),
        ("--admission-control-config-file string", "File with admission control configuration.".to_string()),
        (
            "--disable-admission-plugins strings",
            format!(
                "admission plugins that should be disabled although they are in the default enabled plugins list ({}). Comma-delimited list of admission plugins: {ALL_PLUGINS}. The order of plugins in this flag does not matter.",
                default_on()
            ),
        ),
        (
            "--enable-admission-plugins strings",
            format!(
                "admission plugins that should be enabled in addition to default enabled ones ({}). Comma-delimited list of admission plugins: {ALL_PLUGINS}. The order of plugins in this flag does not matter.",
                default_on()
            ),
        ),
    ];
    let width = flags.iter().map(|(f, _)| f.len()).max().unwrap_or(0) + 3;
    let mut out = vec!["Admission flags:".to_string(), String::new()];
    out.extend(flags.iter().map(|(f, d)| format!("      {f:<width$}{d}")));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The class greps for `admission-plugins`: three lines match, as on a v1.27 API server.
    #[test]
    fn the_class_grep_finds_the_three_admission_plugin_lines() {
        let lines = admission_flags();
        let hits: Vec<&String> = lines.iter().filter(|l| l.contains("admission-plugins")).collect();
        assert_eq!(hits.len(), 3);
        assert!(hits[2].starts_with("      --enable-admission-plugins strings       admission plugins that should be enabled in addition to default enabled ones (NamespaceLifecycle, LimitRanger, ServiceAccount, TaintNodesByCondition, PodSecurity, Priority, DefaultTolerationSeconds, DefaultStorageClass, StorageObjectInUseProtection, PersistentVolumeClaimResize, RuntimeClass, CertificateApproval, CertificateSigning, ClusterTrustBundleAttest, CertificateSubjectRestriction, DefaultIngressClass, MutatingAdmissionWebhook, ValidatingAdmissionPolicy, ValidatingAdmissionWebhook, ResourceQuota). Comma-delimited"), "{}", hits[2]);
        assert!(hits[0].starts_with("      --admission-control strings              Admission is divided"));
        assert!(!lines.iter().any(|l| l.contains("PodSecurityPolicy")));
    }
}
