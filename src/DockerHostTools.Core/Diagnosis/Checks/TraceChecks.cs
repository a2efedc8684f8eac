using DockerHostTools.Core.Trace;

namespace DockerHostTools.Core.Diagnosis.Checks;

/// <summary>What the kernel's trace says of a finding.</summary>
public enum TraceVerdict
{
    /// <summary>No client's packet to the port was traced.</summary>
    NotChecked,

    /// <summary>The traced packets ended as the finding says they would.</summary>
    Confirmed,

    /// <summary>The traced packets ended otherwise: the finding is not what stops the port now.</summary>
    Refuted,

    /// <summary>The finding is about a later failure (a Warning) or something a trace cannot see; the trace is shown, not judged.</summary>
    NotJudged,
}

/// <summary>
/// Test-DockerHost -Trace: confirms or refutes a finding about a port with the packets the kernel traced to it, and says
/// so in the finding's evidence. The one place where a finding id is matched to a trace outcome.
/// </summary>
public static class TraceChecks
{
    /// <summary>The port a finding is about (its subject's, or null: it concerns every port, as forwarding does).</summary>
    public static int? PortOf(Finding finding) => finding?.Subject.Port;

    /// <summary>The kernel's verdict on <paramref name="finding"/> given the packets traced to its port.</summary>
    public static (TraceVerdict Verdict, TracedPacket? Packet) Judge(Finding finding, IReadOnlyList<TracedPacket> packets)
    {
        ArgumentNullException.ThrowIfNull(finding);
        ArgumentNullException.ThrowIfNull(packets);
        // The trace table sees both families: an IPv4 client's packet says nothing of an IPv6 finding, nor the reverse.
        var v6 = finding.Subject.Family == Sysctl.IpFamily.IPv6;
        packets = packets.Where(p => p.Source.Contains(':', StringComparison.Ordinal) == v6).ToList();
        if (packets.Count == 0)
        {
            return (TraceVerdict.NotChecked, null);
        }

        var expected = Expected(finding);
        if (expected is null || (finding.Severity != FindingSeverity.Error && finding.Id != FindingIds.DockerUserDrop))
        {
            return (TraceVerdict.NotJudged, packets[0]);
        }

        var match = packets.FirstOrDefault(expected);
        return match is not null ? (TraceVerdict.Confirmed, match)
            : packets.All(p => p.Outcome == TraceOutcome.Unknown) ? (TraceVerdict.NotJudged, packets[0])
            : (TraceVerdict.Refuted, packets[0]);
    }

    private static Func<TracedPacket, bool>? Expected(Finding f) => f.Id switch
    {
        FindingIds.IpForwardDisabled => p => p.Outcome == TraceOutcome.NotForwarded,
        FindingIds.DockerUserDrop => p => p.Outcome is TraceOutcome.DroppedByRule or TraceOutcome.Rejected && p.Owner == TraceRuleOwner.DockerUser,
        FindingIds.ForwardPolicyDrop => p => p.Outcome is TraceOutcome.DroppedByRule or TraceOutcome.Rejected && p.DecidingStep?.Hook == TraceHook.Forward,
        FindingIds.FirewalldStrictForwardPorts => p => p.Outcome is TraceOutcome.DroppedByRule or TraceOutcome.Rejected && p.Owner == TraceRuleOwner.Firewalld && p.DecidingStep?.Hook == TraceHook.Forward,
        FindingIds.DockerDnatMissing => p => p.TranslatedTo is null && p.Outcome is TraceOutcome.NoDnat or TraceOutcome.Rejected or TraceOutcome.DroppedByRule,
        FindingIds.FirewalldPortClosed => p => p.Outcome is TraceOutcome.Rejected or TraceOutcome.DroppedByRule && p.Owner == TraceRuleOwner.Firewalld && p.DecidingStep?.Hook == TraceHook.Input,
        FindingIds.ContainerNotRunning => p => p.Outcome != TraceOutcome.Delivered,
        FindingIds.DockerServiceDown => p => p.Outcome != TraceOutcome.Delivered,
        _ => null,
    };

    /// <summary>The finding with one more evidence line: the kernel's verdict, the packet and its outcome with the deciding rule.</summary>
    public static Finding WithTrace(Finding finding, IReadOnlyList<TracedPacket> packets, int port, string protocol)
    {
        ArgumentNullException.ThrowIfNull(finding);
        var (verdict, packet) = Judge(finding, packets);
        var line = verdict switch
        {
            TraceVerdict.NotChecked => $"kernel trace of {port}/{protocol}: not checked: no client's packet arrived while the trace ran",
            _ => $"kernel trace of {port}/{protocol}: {Word(verdict)}: {packet!.Source}:{packet.SourcePort} {packet.Outcome}: {packet.Reason}",
        };
        return new Finding(finding.Id, finding.Severity, finding.Subject, finding.Message, [.. finding.Evidence, line], finding.Remedy, finding.Intent);
    }

    private static string Word(TraceVerdict v) => v switch
    {
        TraceVerdict.Confirmed => "confirmed",
        TraceVerdict.Refuted => "refuted (the packet ended otherwise)",
        _ => "seen, not judged",
    };
}
