using DockerHostTools.Core.Diagnosis;
using DockerHostTools.Core.Native;
using DockerHostTools.Core.Sysctl;

namespace DockerHostTools.Core.Tests.Diagnosis;

public class IpForwardChecksTests
{
    private static List<Finding> Check(HostTree t, IpFamily family = IpFamily.IPv4, bool ipv6InPlay = false) =>
        IpForwardChecks.Evaluate(new IpForward(CliWrapRunner.Instance, t.Fs).Get(family), ResetRisks.Find(t.Fs, null, family), ipv6InPlay).ToList();

    // Both IPv6 switches, judged where the engine has IPv6 in play.
    private static List<Finding> CheckIPv6(HostTree t) =>
        new IpForward(CliWrapRunner.Instance, t.Fs).GetAll(IpFamily.IPv6, SysctlConfiguration.Load(t.Fs))
            .SelectMany(s => IpForwardChecks.Evaluate(s, ResetRisks.Find(t.Fs, null, IpFamily.IPv6), ipv6InPlay: true)).ToList();

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
    public void Ipv6_without_ipv6_in_play_gives_no_finding_whatever_its_state()
    {
        // Switched on at runtime only, or off against a file: an engine without IPv6 does not depend on it.
        using var on = new HostTree().File("/proc/sys/net/ipv6/conf/all/forwarding", "1");
        Assert.Empty(Check(on, IpFamily.IPv6));
        using var off = new HostTree().File("/proc/sys/net/ipv6/conf/all/forwarding", "0")
            .File("/etc/sysctl.d/30-v6.conf", "net.ipv6.conf.all.forwarding = 1\n");
        Assert.Empty(Check(off, IpFamily.IPv6));
    }

    [Fact]
    public void Ipv6_in_play_and_off_is_an_error_as_for_ipv4_and_default_off_a_warning()
    {
        // What `sysctl -w net.ipv6.conf.all.forwarding=0` leaves (the kernel sets default to 0 as well), persisted in a file.
        using var t = new HostTree().File("/proc/sys/net/ipv6/conf/all/forwarding", "0").File("/proc/sys/net/ipv6/conf/default/forwarding", "0")
            .File("/etc/sysctl.d/30-v6.conf", "net.ipv6.conf.all.forwarding = 1\nnet.ipv6.conf.default.forwarding = 1\n");
        var f = CheckIPv6(t);
        Assert.Equal(["Error IpForwardDisabled net.ipv6.conf.all.forwarding", "Warning IpForwardDisabled net.ipv6.conf.default.forwarding"],
            f.Select(x => $"{x.Severity} {x.Id} {x.Target}"));
        Assert.All(f, x => Assert.Equal([IpFamily.IPv6], x.Intent.Families));
        Assert.Contains(Remedy.PowerShell("Repair-IpForward -Family IPv6 -Confirm:$false"), f[0].Remedy);
        Assert.Contains(f[0].Remedy, r => r.Shell == RemedyShell.Bash && r.Command.Contains("'net.ipv6.conf.all.forwarding = 1' 'net.ipv6.conf.default.forwarding = 1' >> ", StringComparison.Ordinal));
        Assert.NotEqual(f[0].Key, f[1].Key); // two switches, two keys
    }

    [Fact]
    public void Ipv6_switched_on_by_dockerd_only_is_not_persisted_for_both_keys()
    {
        using var t = new HostTree().File("/proc/sys/net/ipv6/conf/all/forwarding", "1").File("/proc/sys/net/ipv6/conf/default/forwarding", "1");
        Assert.Equal(["Warning IpForwardNotPersisted net.ipv6.conf.all.forwarding", "Warning IpForwardNotPersisted net.ipv6.conf.default.forwarding"],
            CheckIPv6(t).Select(x => $"{x.Severity} {x.Id} {x.Target}"));
    }

    [Fact]
    public void Ipv6_persisted_both_keys_is_healthy_and_a_networkd_ipv4_only_setting_is_its_reset_risk()
    {
        using var t = new HostTree().File("/proc/sys/net/ipv6/conf/all/forwarding", "1").File("/proc/sys/net/ipv6/conf/default/forwarding", "1")
            .File("/etc/sysctl.d/99-zz-dockerhosttools-ipforward.conf", "net.ipv4.ip_forward = 1\nnet.ipv6.conf.all.forwarding = 1\nnet.ipv6.conf.default.forwarding = 1\n");
        Assert.Empty(CheckIPv6(t));
        t.File("/etc/systemd/network/10-eth0.network", "[Match]\nName=eth0\n[Network]\nIPForward=ipv4\n");
        var f = Assert.Single(CheckIPv6(t));
        Assert.Equal((FindingIds.IpForwardResetRisk, "net.ipv6.conf.all.forwarding"), (f.Id, f.Target));
        Assert.Empty(Check(t)); // IPForward=ipv4 keeps IPv4 forwarding on: no risk for net.ipv4.ip_forward
    }

    [Fact]
    public void A_file_setting_ipv6_default_forwarding_to_0_last_is_overridden()
    {
        using var t = new HostTree().File("/proc/sys/net/ipv6/conf/all/forwarding", "1").File("/proc/sys/net/ipv6/conf/default/forwarding", "1")
            .File("/etc/sysctl.d/30-v6.conf", "net.ipv6.conf.all.forwarding = 1\nnet.ipv6.conf.default.forwarding = 1\n")
            .File("/etc/sysctl.d/99-cis.conf", "net.ipv6.conf.default.forwarding = 0\n");
        var f = Assert.Single(CheckIPv6(t));
        Assert.Equal((FindingIds.IpForwardOverridden, "net.ipv6.conf.default.forwarding", FindingSeverity.Warning), (f.Id, f.Target, f.Severity));
        Assert.True(f.Intent.OverrideLaterFiles);
    }
}
