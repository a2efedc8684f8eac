using System.Runtime.InteropServices;
using DockerHostTools.Core.Diagnosis;
using DockerHostTools.Core.Native;
using DockerHostTools.Core.Sysctl;

namespace DockerHostTools.Core.Tests.Diagnosis;

/// <summary>
/// Issue 13, defect 5 carried through the whole road: a host file that could not be read (here a FIFO named *.conf in
/// /etc/sysctl.d, which the reader reports and never opens; a 0600 drop-in read by non-root is the lab test) reaches
/// HostFacts.Unreadable, survives a snapshot's JSON, and lowers the verdict's confidence without changing it: the same
/// findings as without that file, their messages and evidence naming it, plus an Info HostReadIncomplete.
/// </summary>
public class HostReadIncompleteTests
{
    [DllImport("libc", SetLastError = true)]
    private static extern int mkfifo([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);

    private const string Fifo = "/etc/sysctl.d/50-fifo.conf";

    private static HostTree Tree(bool withFifo)
    {
        var t = new HostTree().File("/proc/sys/net/ipv4/ip_forward", "1").File("/etc/sysctl.d/10-other.conf", "kernel.sysrq = 0\n");
        if (withFifo)
        {
            Assert.Equal(0, mkfifo(t.Fs.Map(Fifo), 0x1A4));
        }

        return t;
    }

    private static HostFacts Facts(HostTree t)
    {
        var sysctl = new IpForward(CliWrapRunner.Instance, t.Fs);
        var configuration = SysctlConfiguration.Load(t.Fs);
        var forwarding = new[] { IpFamily.IPv4, IpFamily.IPv6 }.Select(f => sysctl.Get(f, configuration)).ToList();
        var unreadable = forwarding.SelectMany(f => f.Unreadable).ToList();
        var risks = ResetRisks.Find(t.Fs, unreadable);
        return HostFactsBuilder.Build(new HostReading
        {
            IpForward = forwarding,
            ResetRisks = risks,
            Unreadable = unreadable.DistinctBy(u => u.Path).ToList(),
        });
    }

    [Fact]
    public void Defect5_UnreadableSysctlFile_LowersConfidenceNotVerdict()
    {
        using var plain = Tree(withFifo: false);
        using var withFifo = Tree(withFifo: true);
        var before = DockerHostChecks.Evaluate(Facts(plain));
        var facts = Facts(withFifo);
        var after = DockerHostChecks.Evaluate(facts);

        var gap = Assert.Single(facts.Unreadable);
        Assert.Equal((Fifo, UnreadableReason.NotRegularFile), (gap.Path, gap.Reason));
        Assert.Equal(VerdictConfidence.Low, facts.IpForward[0].Confidence);
        Assert.Equal(VerdictConfidence.High, Facts(plain).IpForward[0].Confidence);

        // The verdict is the same; only an Info finding is added.
        Assert.Equal(before.Select(f => f.Key), after.Where(f => f.Id != FindingIds.HostReadIncomplete).Select(f => f.Key));
        Assert.Equal(before.Select(f => f.Severity), after.Where(f => f.Id != FindingIds.HostReadIncomplete).Select(f => f.Severity));
        var notPersisted = Assert.Single(after, f => f.Id == FindingIds.IpForwardNotPersisted);
        Assert.DoesNotContain("may be wrong", Assert.Single(before, f => f.Id == FindingIds.IpForwardNotPersisted).Message, StringComparison.Ordinal);
        Assert.Contains($"This may be wrong: 1 file(s) that may set net.ipv4.ip_forward could not be read ({Fifo} (NotRegularFile))", notPersisted.Message, StringComparison.Ordinal);
        Assert.Contains($"could not be read: {Fifo} (NotRegularFile)", notPersisted.Evidence);

        var incomplete = Assert.Single(after, f => f.Id == FindingIds.HostReadIncomplete);
        Assert.Equal(FindingSeverity.Info, incomplete.Severity);
        Assert.Equal("host files", incomplete.Target);
        Assert.False(incomplete.CanRepair);
        Assert.Contains(Fifo, incomplete.Message, StringComparison.Ordinal);
        Assert.Contains(incomplete.Evidence, e => e.StartsWith(Fifo + ": ", StringComparison.Ordinal));
        Assert.DoesNotContain(before, f => f.Id == FindingIds.HostReadIncomplete);
    }

    [Fact]
    public void Defect5_UnreadableFiles_SurviveTheSnapshotJson()
    {
        using var t = Tree(withFifo: true);
        var again = HostFacts.FromJson(Facts(t).ToJson());
        Assert.Equal([(Fifo, UnreadableReason.NotRegularFile)], again.Unreadable.Select(u => (u.Path, u.Reason)));
        Assert.Equal([$"{Fifo} (NotRegularFile)"], again.IpForward[0].Unreadable);
        Assert.Equal(VerdictConfidence.Low, again.IpForward[0].Confidence);
        Assert.Contains(DockerHostChecks.Evaluate(again), f => f.Id == FindingIds.HostReadIncomplete);
    }

    [Fact]
    public void Snapshot_with_null_unreadable_lists_reads_as_empty()
    {
        var facts = HostFacts.FromJson("{\"Unreadable\":null,\"IpForward\":[{\"Key\":\"net.ipv4.ip_forward\",\"RuntimeValue\":\"1\",\"Unreadable\":null}]}");
        Assert.Empty(facts.Unreadable);
        Assert.Empty(facts.IpForward[0].Unreadable);
        Assert.DoesNotContain(DockerHostChecks.Evaluate(facts), f => f.Id == FindingIds.HostReadIncomplete);
    }
}

/// <summary>A firewalld that does not answer is a Warning of its own, not silence; a firewalld that runs, or none, gives none.</summary>
public class FirewalldNotRespondingTests
{
    private static IReadOnlyList<Finding> Judge(Core.Firewalld.FirewalldState? state) =>
        DockerHostChecks.Evaluate(HostFactsBuilder.Build(new HostReading { Firewalld = state }));

    [Fact]
    public void An_installed_firewalld_that_did_not_answer_is_a_warning_naming_why_and_is_not_repaired_automatically()
    {
        var hung = new Core.Firewalld.FirewalldState(Core.Firewalld.FirewalldRunState.Unreachable,
            "The D-Bus system bus at unix:path=/run/dbus/system_bus_socket did not answer within 5 s (dbus-daemon hung or stopped).")
        { Version = "1.3.3", Backend = "nftables", NotResponding = true };

        var f = Assert.Single(Judge(hung), x => x.Id == FindingIds.FirewalldNotResponding);
        Assert.Equal(FindingSeverity.Warning, f.Severity);
        Assert.Contains("dbus-daemon hung or stopped", f.Message, StringComparison.Ordinal);
        Assert.False(f.CanRepair);
        // firewalld 1.3 flushes Docker's rules when it restarts: the remedy restarts docker after it
        Assert.Contains("systemctl restart docker", f.Remedy[0].Command, StringComparison.Ordinal);
    }

    [Fact]
    public void A_running_firewalld_an_absent_one_or_a_reading_without_firewalld_gives_no_such_finding()
    {
        Assert.DoesNotContain(Judge(new Core.Firewalld.FirewalldState(Core.Firewalld.FirewalldRunState.Running, "firewalld is running.") { Version = "2.3.1" }), x => x.Id == FindingIds.FirewalldNotResponding);
        Assert.DoesNotContain(Judge(new Core.Firewalld.FirewalldState(Core.Firewalld.FirewalldRunState.NotInstalled, "firewall-cmd is not installed.")), x => x.Id == FindingIds.FirewalldNotResponding);
        Assert.DoesNotContain(Judge(null), x => x.Id == FindingIds.FirewalldNotResponding);
        // unreachable for another reason (firewall-cmd cannot reach a bus that is not there, not authorized): not a hang
        Assert.DoesNotContain(Judge(new Core.Firewalld.FirewalldState(Core.Firewalld.FirewalldRunState.Unreachable, "firewall-cmd --state: not authorized (exit 253).") { Version = "2.3.1" }), x => x.Id == FindingIds.FirewalldNotResponding);
    }
}
