namespace DockerHostTools.Core.Diagnosis;

/// <summary>How bad a finding is.</summary>
public enum FindingSeverity
{
    /// <summary>Outside traffic to a published port is blocked now.</summary>
    Error,

    /// <summary>It works now but breaks at the next reboot, reload or restart.</summary>
    Warning,

    /// <summary>Worth knowing; nothing breaks because of it.</summary>
    Info,
}

/// <summary>
/// The finding ids: a public contract (scripts match on them). Each is documented in Test-DockerHost's help.
/// </summary>
public static class FindingIds
{
    /// <summary>net.ipv4.ip_forward is 0 now: forwarded traffic to containers is dropped.</summary>
    public const string IpForwardDisabled = nameof(IpForwardDisabled);

    /// <summary>Forwarding is on only at runtime (dockerd turned it on); no sysctl file keeps it on.</summary>
    public const string IpForwardNotPersisted = nameof(IpForwardNotPersisted);

    /// <summary>The sysctl file applied last sets forwarding to 0 (possibly overriding an earlier 1).</summary>
    public const string IpForwardOverridden = nameof(IpForwardOverridden);

    /// <summary>Something on the host is configured to switch forwarding off again (systemd-networkd IPForward=no, ...).</summary>
    public const string IpForwardResetRisk = nameof(IpForwardResetRisk);

    /// <summary>firewalld runs and the published port is not open in the zone the outside traffic arrives in.</summary>
    public const string FirewalldPortClosed = nameof(FirewalldPortClosed);

    /// <summary>The port is open only at runtime (lost at the next reload) or only permanently (not in force now).</summary>
    public const string FirewalldRuntimePermanentDrift = nameof(FirewalldRuntimePermanentDrift);

    /// <summary>The port is open, but in a zone the outside interface is not in.</summary>
    public const string FirewalldZoneMismatch = nameof(FirewalldZoneMismatch);

    /// <summary>firewalld entered its active state after dockerd did (its start flushed Docker's rules).</summary>
    public const string FirewalldStartedAfterDocker = nameof(FirewalldStartedAfterDocker);

    /// <summary>docker.service is not active.</summary>
    public const string DockerServiceDown = nameof(DockerServiceDown);

    /// <summary>One of Docker's iptables chains is missing.</summary>
    public const string DockerChainMissing = nameof(DockerChainMissing);

    /// <summary>The DNAT rule of a published port is missing.</summary>
    public const string DockerDnatMissing = nameof(DockerDnatMissing);

    /// <summary>Docker's rules live in the other iptables variant than the one firewalld and `iptables` use.</summary>
    public const string DockerRulesInOtherVariant = nameof(DockerRulesInOtherVariant);

    /// <summary>The FORWARD chain's policy is DROP and nothing accepts the published port's forwarded traffic.</summary>
    public const string ForwardPolicyDrop = nameof(ForwardPolicyDrop);

    /// <summary>DOCKER-USER drops or rejects traffic before Docker's own rules see it.</summary>
    public const string DockerUserDrop = nameof(DockerUserDrop);

    /// <summary>The container that publishes the port is not running.</summary>
    public const string ContainerNotRunning = nameof(ContainerNotRunning);
}

/// <summary>One thing Test-DockerHost found: what, how bad, the evidence, and the exact remedy.</summary>
public sealed class Finding
{
    /// <summary>Creates a finding.</summary>
    public Finding(string id, FindingSeverity severity, string target, string message, IReadOnlyList<string> evidence,
        IReadOnlyList<string> remedy, bool canRepair)
    {
        Id = id;
        Severity = severity;
        Target = target;
        Message = message;
        Evidence = evidence;
        Remedy = remedy;
        CanRepair = canRepair;
    }

    /// <summary>The finding id (see <see cref="FindingIds"/>).</summary>
    public string Id { get; }

    /// <summary>How bad it is.</summary>
    public FindingSeverity Severity { get; }

    /// <summary>What it is about, for example <c>5000/tcp</c> or <c>net.ipv4.ip_forward</c>.</summary>
    public string Target { get; }

    /// <summary>One line a person can act on.</summary>
    public string Message { get; }

    /// <summary>What was observed, each with its source.</summary>
    public IReadOnlyList<string> Evidence { get; }

    /// <summary>The exact commands that fix it.</summary>
    public IReadOnlyList<string> Remedy { get; }

    /// <summary>True when Repair-DockerHost can fix it.</summary>
    public bool CanRepair { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Severity} {Id} {Target}: {Message}";
}
