using DockerHostTools.Core.Iptables;
using DockerHostTools.Core.Sysctl;

namespace DockerHostTools.Core.Diagnosis;

/// <summary>
/// How bad a change seen by Watch-DockerHostNetState is: decided here, beside the checks of Test-DockerHost, from the same
/// rules (the vital chains come from <see cref="DockerChainCatalog"/>).
/// </summary>
public static class ChangeChecks
{
    /// <summary>The severity of <paramref name="subject"/> taking the value <paramref name="after"/> (null: gone).</summary>
    public static FindingSeverity Severity(FindingSubject subject, string? after) => Severity(subject, after, null);

    /// <summary>
    /// The severity of <paramref name="subject"/> taking the value <paramref name="after"/> (null: gone), given the subjects
    /// observed in the same snapshot (<paramref name="snapshot"/>, null: not known): an ip6tables FORWARD policy turned DROP
    /// while Docker's ip6tables chains of that variant are there is Docker's own doing (27+ sets it when it starts).
    /// </summary>
    public static FindingSeverity Severity(FindingSubject subject, string? after, IEnumerable<FindingSubject>? snapshot)
    {
        ArgumentNullException.ThrowIfNull(subject);
        return subject.Kind switch
        {
            // Forwarding off blocks every published port (IPv6 only where it is used: at most a warning).
            SubjectKind.Forwarding => after == "0" ? (subject.Family == IpFamily.IPv6 ? FindingSeverity.Warning : FindingSeverity.Error) : FindingSeverity.Info,

            // A stopped engine answers nothing; a firewalld (re)start may have flushed Docker's rules.
            SubjectKind.Unit => after is null || !after.StartsWith("active", StringComparison.Ordinal)
                ? (subject.Unit == "docker.service" ? FindingSeverity.Error : FindingSeverity.Warning)
                : subject.Unit == "firewalld.service" ? FindingSeverity.Warning : FindingSeverity.Info,

            SubjectKind.Chain => after is null
                ? (DockerChainCatalog.IsVital(subject.Table ?? string.Empty, subject.Chain ?? string.Empty) ? FindingSeverity.Error : FindingSeverity.Warning)
                : FindingSeverity.Info,

            // A published port's DNAT rule gone: outside clients no longer reach the container.
            SubjectKind.Port => after is null ? FindingSeverity.Error : FindingSeverity.Info,

            // An ip6tables FORWARD policy turned DROP: forwarded IPv6 traffic passes only where a rule accepts it. Docker 27+ sets it
            // when it starts (a docker restart), so with Docker's ip6tables chains in the same snapshot it is Info; without them, a Warning.
            SubjectKind.IptablesVariant when subject.Family == IpFamily.IPv6 && after == "DROP" =>
                snapshot?.Any(s => s.Kind == SubjectKind.Chain && s.Family == IpFamily.IPv6 && s.Variant == subject.Variant) == true
                    ? FindingSeverity.Info : FindingSeverity.Warning,
            SubjectKind.IptablesVariant => FindingSeverity.Info,

            SubjectKind.Firewalld when subject.Zone is null && !subject.Ruleset => after == "Running" ? FindingSeverity.Info : FindingSeverity.Warning,
            SubjectKind.Firewalld => FindingSeverity.Warning,
            _ => FindingSeverity.Info,
        };
    }
}
