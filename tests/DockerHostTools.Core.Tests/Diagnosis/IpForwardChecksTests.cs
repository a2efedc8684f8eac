using DockerHostTools.Core.Diagnosis;
using DockerHostTools.Core.Native;
using DockerHostTools.Core.Sysctl;

namespace DockerHostTools.Core.Tests.Diagnosis;

public class IpForwardChecksTests
{
    private static List<Finding> Check(HostTree t, IpFamily family = IpFamily.IPv4) =>
        IpForwardChecks.Evaluate(new IpForward(CliWrapRunner.Instance, t.Fs).Get(family), ResetRisks.Find(t.Fs)).ToList();

    [Fact]
    public void Healthy_host_has_no_finding()
    {
        using var t = new HostTree().File("/proc/sys/net/ipv4/ip_forward", "1").File("/etc/sysctl.d/90-fwd.conf", "net.ipv4.ip_forward = 1\n");
        Assert.Empty(Check(t));
    }

    [Fact]
    public void Off_now_and_not_persisted_is_an_error_and_a_warning()
    {
        using var t = new HostTree().File("/proc/sys/net/ipv4/ip_forward", "0");
        var f = Check(t);
        Assert.Equal([FindingIds.IpForwardDisabled, FindingIds.IpForwardNotPersisted], f.Select(x => x.Id));
        Assert.Equal([FindingSeverity.Error, FindingSeverity.Warning], f.Select(x => x.Severity));
        Assert.All(f, x => Assert.True(x.CanRepair));
        Assert.Contains("/proc/sys/net/ipv4/ip_forward = 0", f[0].Evidence);
        Assert.Contains(Remedy.PowerShell("Repair-IpForward -Confirm:$false"), f[0].Remedy);
        // alternatives, one per shell: the bash road is whole on its own, never joined to the cmdlet
        Assert.Contains(f[0].Remedy, r => r.Shell == RemedyShell.Bash && r.Command.StartsWith("echo 'net.ipv4.ip_forward = 1' > ", StringComparison.Ordinal) &&
            r.Command.Contains(" && sysctl -p ", StringComparison.Ordinal));
        Assert.DoesNotContain(f[0].Remedy, r => r.Shell == RemedyShell.Bash && r.Command.Contains("Repair-", StringComparison.Ordinal));
    }

    [Fact]
    public void On_now_but_a_hardening_file_wins_is_a_warning_naming_the_file()
    {
        using var t = new HostTree().File("/proc/sys/net/ipv4/ip_forward", "1")
            .File("/etc/sysctl.d/30-docker.conf", "net.ipv4.ip_forward = 1\n")
            .File("/etc/sysctl.d/99-cis.conf", "net.ipv4.ip_forward = 0\n");
        var f = Assert.Single(Check(t));
        Assert.Equal(FindingIds.IpForwardOverridden, f.Id);
        Assert.Equal(FindingSeverity.Warning, f.Severity);
        Assert.Contains("/etc/sysctl.d/99-cis.conf:1", f.Message);
        Assert.Contains("/etc/sysctl.d/99-cis.conf:1: net.ipv4.ip_forward = 0 (in force)", f.Evidence);
    }

    [Fact]
    public void Networkd_ipforward_no_is_a_reset_risk()
    {
        using var t = new HostTree().File("/proc/sys/net/ipv4/ip_forward", "1")
            .File("/etc/sysctl.d/90-fwd.conf", "net.ipv4.ip_forward = 1\n")
            .File("/etc/systemd/network/10-eth0.network", "[Match]\nName=eth0\n[Network]\nIPForward=no\n")
            .File("/etc/systemd/network/20-eth1.network", "[Network]\n# IPForward=no\nIPForward=yes\n");
        var f = Assert.Single(Check(t));
        Assert.Equal(FindingIds.IpForwardResetRisk, f.Id);
        Assert.Contains("/etc/systemd/network/10-eth0.network:4", f.Message);
        Assert.False(f.CanRepair);
    }

    [Fact]
    public void Ipv6_off_everywhere_is_the_normal_state_of_an_ipv4_only_host()
    {
        using var t = new HostTree().File("/proc/sys/net/ipv6/conf/all/forwarding", "0");
        Assert.Empty(Check(t, IpFamily.IPv6));
    }

    [Fact]
    public void Ipv6_reset_after_a_file_asked_for_it_is_only_a_warning()
    {
        using var t = new HostTree().File("/proc/sys/net/ipv6/conf/all/forwarding", "0")
            .File("/etc/sysctl.d/30-v6.conf", "net.ipv6.conf.all.forwarding = 1\n");
        var f = Assert.Single(Check(t, IpFamily.IPv6));
        Assert.Equal(FindingIds.IpForwardDisabled, f.Id);
        Assert.Equal(FindingSeverity.Warning, f.Severity);
        Assert.Contains(Remedy.PowerShell("Repair-IpForward -Family IPv6 -Confirm:$false"), f.Remedy);
    }

    [Fact]
    public void Ipv6_switched_on_by_dockerd_only_is_not_persisted()
    {
        using var t = new HostTree().File("/proc/sys/net/ipv6/conf/all/forwarding", "1");
        Assert.Equal(FindingIds.IpForwardNotPersisted, Assert.Single(Check(t, IpFamily.IPv6)).Id);
    }
}
