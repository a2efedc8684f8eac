using DockerHostTools.Core.Diagnosis;
using DockerHostTools.Core.Diagnosis.Checks;
using DockerHostTools.Core.Repair;
using DockerHostTools.Core.Sysctl;
using DockerHostTools.Core.Trace;
using Xunit;

namespace DockerHostTools.Core.Tests.Trace;

// Test-DockerHost -Trace's verdicts on the traces captured on the lab's machines (Fixtures/nft-trace).
public class TraceChecksTests
{
    private static IReadOnlyList<TracedPacket> Packets(string gen, string kind) =>
        NftTraceParser.Parse(Fixture.Read("nft-trace", $"{gen}-{kind}.txt").Split('\n'), 5000, "tcp", NftTraceParser.ParseChainHooks(Fixture.Read("nft-trace", $"{gen}-chains.json")));

    private static Finding F(string id, FindingSeverity severity, FindingSubject subject) =>
        new(id, severity, subject, "message", ["seen"], [], RepairIntent.Nothing);

    private static readonly FindingSubject Forwarding = FindingSubject.ForForwarding(IpFamily.IPv4);
    private static readonly FindingSubject Port = FindingSubject.ForPort(5000, "tcp");

    [Theory]
    [InlineData("bookworm")]
    [InlineData("trixie")]
    [InlineData("docker28")]
    public void Each_cause_is_confirmed_by_its_trace_and_refuted_by_a_healthy_one(string gen)
    {
        var cases = new (Finding Finding, string Kind)[]
        {
            (F(FindingIds.IpForwardDisabled, FindingSeverity.Error, Forwarding), "ipforward0"),
            (F(FindingIds.DockerUserDrop, FindingSeverity.Error, Port), "dockeruser-drop"),
            (F(FindingIds.ForwardPolicyDrop, FindingSeverity.Error, Port), "forward-drop-noaccept"),
            (F(FindingIds.DockerDnatMissing, FindingSeverity.Error, Port), "nodnat-portclosed"),
            (F(FindingIds.FirewalldPortClosed, FindingSeverity.Error, Port), "nodnat-portclosed"),
        };
        foreach (var (finding, kind) in cases)
        {
            Assert.Equal(TraceVerdict.Confirmed, TraceChecks.Judge(finding, Packets(gen, kind)).Verdict);
            Assert.Equal(TraceVerdict.Refuted, TraceChecks.Judge(finding, Packets(gen, "healthy")).Verdict);
        }
    }

    [Theory]
    [InlineData("trixie")]
    [InlineData("docker28")]
    public void StrictForwardPorts_is_confirmed_by_firewalld_rejecting_in_forward(string gen) =>
        Assert.Equal(TraceVerdict.Confirmed, TraceChecks.Judge(F(FindingIds.FirewalldStrictForwardPorts, FindingSeverity.Error, Port), Packets(gen, "strictforwardports")).Verdict);

    [Fact]
    public void The_verdict_goes_into_the_evidence_and_nothing_else_changes()
    {
        var f = F(FindingIds.IpForwardDisabled, FindingSeverity.Error, Forwarding);
        var t = TraceChecks.WithTrace(f, Packets("docker28", "ipforward0"), 5000, "tcp");
        Assert.Equal(f.Key, t.Key);
        Assert.Equal(f.Severity, t.Severity);
        Assert.Equal(2, t.Evidence.Count);
        Assert.StartsWith("kernel trace of 5000/tcp: confirmed: 198.51.100.2:", t.Evidence[1], StringComparison.Ordinal);
        Assert.Contains("NotForwarded", t.Evidence[1], StringComparison.Ordinal);
    }

    [Fact]
    public void No_packet_is_not_checked_and_a_warning_is_not_judged()
    {
        var f = F(FindingIds.IpForwardDisabled, FindingSeverity.Error, Forwarding);
        Assert.Equal(TraceVerdict.NotChecked, TraceChecks.Judge(f, []).Verdict);
        Assert.Contains("not checked", TraceChecks.WithTrace(f, [], 5000, "tcp").Evidence[^1], StringComparison.Ordinal);
        var w = F(FindingIds.FirewalldPortClosed, FindingSeverity.Warning, Port);
        Assert.Equal(TraceVerdict.NotJudged, TraceChecks.Judge(w, Packets("bookworm", "healthy")).Verdict);
        var legacy = NftTraceParser.Parse(Fixture.Read("nft-trace", "bookworm-ipforward0.txt").Split('\n'), 5000, "tcp", legacyReason: "legacy");
        Assert.Equal(TraceVerdict.NotJudged, TraceChecks.Judge(f, legacy).Verdict);
    }

    [Fact]
    public void An_ipv4_clients_packet_neither_confirms_nor_refutes_an_ipv6_finding()
    {
        // the trace table sees both families; the captured clients are IPv4 (198.51.100.2)
        var v6Forwarding = F(FindingIds.IpForwardDisabled, FindingSeverity.Error, FindingSubject.ForForwarding(IpFamily.IPv6));
        var v6Port = F(FindingIds.ForwardPolicyDrop, FindingSeverity.Error, FindingSubject.ForPort(5000, "tcp", IpFamily.IPv6));
        Assert.Equal(TraceVerdict.NotChecked, TraceChecks.Judge(v6Forwarding, Packets("docker28", "ipforward0")).Verdict);
        Assert.Equal(TraceVerdict.NotChecked, TraceChecks.Judge(v6Port, Packets("docker28", "healthy")).Verdict);
        Assert.Equal(TraceVerdict.Confirmed, TraceChecks.Judge(F(FindingIds.IpForwardDisabled, FindingSeverity.Error, Forwarding), Packets("docker28", "ipforward0")).Verdict);
    }
}
