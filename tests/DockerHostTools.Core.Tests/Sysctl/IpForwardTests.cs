using DockerHostTools.Core.Native;
using DockerHostTools.Core.Repair;
using DockerHostTools.Core.Sysctl;

namespace DockerHostTools.Core.Tests.Sysctl;

public class IpForwardTests
{
    private static IpForwardState Read(HostTree t, IpFamily family = IpFamily.IPv4) =>
        new IpForward(CliWrapRunner.Instance, t.Fs).Get(family);

    [Fact]
    public void Runtime_on_and_no_file_is_NotPersisted()
    {
        using var t = new HostTree().File("/proc/sys/net/ipv4/ip_forward", "1\n");
        var s = Read(t);
        Assert.True(s.RuntimeEnabled);
        Assert.Null(s.PersistedEnabled);
        Assert.Null(s.PersistedSource);
        Assert.Empty(s.Assignments);
        Assert.Equal(IpForwardStatus.NotPersisted, s.Status);
    }

    [Fact]
    public void Runtime_off_is_RuntimeDisabled_even_when_a_file_sets_1()
    {
        using var t = new HostTree()
            .File("/proc/sys/net/ipv4/ip_forward", "0\n")
            .File("/etc/sysctl.d/30-docker.conf", "net.ipv4.ip_forward = 1\n");
        var s = Read(t);
        Assert.False(s.RuntimeEnabled);
        Assert.True(s.PersistedEnabled);
        Assert.Equal(IpForwardStatus.RuntimeDisabled, s.Status);
        Assert.Contains("reset it at runtime", s.Message);
    }

    [Fact]
    public void Files_are_applied_in_lexical_name_order_across_folders_and_the_last_wins()
    {
        using var t = new HostTree()
            .File("/proc/sys/net/ipv4/ip_forward", "1")
            .File("/usr/lib/sysctl.d/50-default.conf", "net.ipv4.ip_forward = 1\n")
            .File("/etc/sysctl.d/99-cis.conf", "# hardening\nnet.ipv4.ip_forward = 0\n")
            .File("/run/sysctl.d/60-runtime.conf", "net.ipv4.ip_forward=1\n");
        var s = Read(t);
        Assert.Equal(["/usr/lib/sysctl.d/50-default.conf", "/run/sysctl.d/60-runtime.conf", "/etc/sysctl.d/99-cis.conf"],
            s.Assignments.Select(a => a.File));
        Assert.Equal("/etc/sysctl.d/99-cis.conf:2", s.PersistedSource!.Source);
        Assert.False(s.PersistedEnabled);
        Assert.Equal([false, false, true], s.Assignments.Select(a => a.InForce));
        Assert.Equal(IpForwardStatus.Overridden, s.Status);
    }

    [Fact]
    public void A_file_in_etc_hides_the_vendor_file_of_the_same_name()
    {
        using var t = new HostTree()
            .File("/proc/sys/net/ipv4/ip_forward", "1")
            .File("/usr/lib/sysctl.d/99-vendor.conf", "net.ipv4.ip_forward = 0\n")
            .File("/usr/local/lib/sysctl.d/99-vendor.conf", "net.ipv4.ip_forward = 0\n")
            .File("/etc/sysctl.d/99-vendor.conf", "net.ipv4.ip_forward = 1\n");
        var s = Read(t);
        var a = Assert.Single(s.Assignments);
        Assert.Equal("/etc/sysctl.d/99-vendor.conf", a.File);
        Assert.Equal(IpForwardStatus.Ok, s.Status);
        var config = SysctlConfiguration.Load(t.Fs);
        Assert.Equal(["/usr/local/lib/sysctl.d/99-vendor.conf", "/usr/lib/sysctl.d/99-vendor.conf"], config.Files.Single().Hides);
    }

    [Fact]
    public void Run_hides_usr_lib_but_etc_hides_run()
    {
        using var t = new HostTree()
            .File("/proc/sys/net/ipv4/ip_forward", "1")
            .File("/usr/lib/sysctl.d/10-a.conf", "net.ipv4.ip_forward = 0\n")
            .File("/run/sysctl.d/10-a.conf", "net.ipv4.ip_forward = 1\n");
        Assert.Equal("/run/sysctl.d/10-a.conf", Assert.Single(Read(t).Assignments).File);
    }

    [Fact]
    public void A_link_to_dev_null_masks_the_vendor_file()
    {
        using var t = new HostTree()
            .File("/proc/sys/net/ipv4/ip_forward", "1")
            .File("/etc/sysctl.d/30-on.conf", "net.ipv4.ip_forward = 1\n")
            .File("/usr/lib/sysctl.d/99-off.conf", "net.ipv4.ip_forward = 0\n")
            .Link("/etc/sysctl.d/99-off.conf", "/dev/null");
        var s = Read(t);
        Assert.Equal("/etc/sysctl.d/30-on.conf", Assert.Single(s.Assignments).File);
        Assert.Equal("/etc/sysctl.d/99-off.conf", Assert.Single(s.MaskedFiles).Path);
        Assert.Equal(IpForwardStatus.Ok, s.Status);
    }

    [Fact]
    public void Etc_sysctl_conf_is_applied_after_every_drop_in()
    {
        using var t = new HostTree()
            .File("/proc/sys/net/ipv4/ip_forward", "1")
            .File("/etc/sysctl.conf", "net.ipv4.ip_forward=0\n")
            .File("/etc/sysctl.d/zz-last.conf", "net.ipv4.ip_forward = 1\n");
        var s = Read(t);
        Assert.Equal("/etc/sysctl.conf", s.PersistedSource!.File);
        Assert.Equal(IpForwardStatus.Overridden, s.Status);
    }

    [Fact]
    public void Only_conf_files_count()
    {
        using var t = new HostTree()
            .File("/proc/sys/net/ipv4/ip_forward", "1")
            .File("/etc/sysctl.d/99-off.conf.dht-backup-20260101T000000Z", "net.ipv4.ip_forward = 0\n")
            .File("/etc/sysctl.d/README", "net.ipv4.ip_forward = 0\n");
        Assert.Empty(Read(t).Assignments);
    }

    [Fact]
    public void Conf_all_forwarding_is_the_same_switch_as_ip_forward()
    {
        using var t = new HostTree()
            .File("/proc/sys/net/ipv4/ip_forward", "1")
            .File("/etc/sysctl.d/10-on.conf", "net.ipv4.ip_forward = 1\n")
            .File("/etc/sysctl.d/90-off.conf", "net/ipv4/conf/all/forwarding = 0\n");
        var s = Read(t);
        Assert.Equal("net.ipv4.conf.all.forwarding", s.PersistedSource!.Key);
        Assert.Equal(IpForwardStatus.Overridden, s.Status);
    }

    [Fact]
    public void An_explicit_key_beats_a_later_glob()
    {
        using var t = new HostTree()
            .File("/proc/sys/net/ipv6/conf/all/forwarding", "1")
            .File("/etc/sysctl.d/10-on.conf", "net.ipv6.conf.all.forwarding = 1\n")
            .File("/etc/sysctl.d/90-glob.conf", "net.ipv6.conf.*.forwarding = 0\n");
        var s = Read(t, IpFamily.IPv6);
        Assert.Equal(2, s.Assignments.Count);
        Assert.Equal("/etc/sysctl.d/10-on.conf", s.PersistedSource!.File);
        Assert.Equal(IpForwardStatus.Ok, s.Status);
    }

    [Fact]
    public void Same_file_reached_through_lib_link_is_not_hidden_twice()
    {
        using var t = new HostTree()
            .File("/proc/sys/net/ipv4/ip_forward", "1")
            .File("/usr/lib/sysctl.d/50-x.conf", "net.ipv4.ip_forward = 1\n")
            .DirLink("/lib", "usr/lib");
        var config = SysctlConfiguration.Load(t.Fs);
        var f = Assert.Single(config.Files);
        Assert.Equal("/usr/lib/sysctl.d/50-x.conf", f.Path);
        Assert.Empty(f.Hides);
    }

    [Fact]
    public void Saved_copy_without_proc_has_unknown_runtime()
    {
        using var t = new HostTree();
        var s = Read(t);
        Assert.Null(s.RuntimeEnabled);
        Assert.Equal(IpForwardStatus.Unknown, s.Status);
        t.File("/etc/sysctl.d/99-cis.conf", "net.ipv4.ip_forward = 0\n");
        Assert.Equal(IpForwardStatus.PersistedDisabled, Read(t).Status);
    }

    [Theory]
    [InlineData("/etc/sysctl.d/90-x.conf", true)]
    [InlineData("/run/sysctl.d/90-x.conf", true)]
    [InlineData("/etc/sysctl.d/90-x", false)]
    [InlineData("/etc/90-x.conf", false)]
    [InlineData("/etc/sysctl.d/sub/90-x.conf", false)]
    [InlineData("/etc/sysctl.d/../passwd.conf", false)]
    [InlineData("etc/sysctl.d/90-x.conf", false)]
    [InlineData("/etc/sysctl.d/.conf", false)]
    public void Drop_in_path_must_be_a_conf_file_in_a_sysctl_d_folder(string path, bool ok) =>
        Assert.Equal(ok, SysctlConfiguration.IsDropInPath(path));

    /// <summary>Issue 13, defect 9: the paths Repair-IpForward -Path must refuse before anything is read or written.</summary>
    [Theory]
    [InlineData("/etc/sysctl.d/90-x.conf", null)]
    [InlineData("/usr/local/lib/sysctl.d/90-x.conf", null)]
    [InlineData("/etc/sysctl.d/*.conf", "wildcard")]
    [InlineData("/etc/sysctl.d/9?-x.conf", "wildcard")]
    [InlineData("/etc/sysctl.d/[9]-x.conf", "wildcard")]
    [InlineData("/etc/sysctl.d/90-x\n.conf", "control")]
    [InlineData("/etc/sysctl.d/90-x\0.conf", "control")]
    [InlineData("/etc/sysctl.d/90 x.conf", "white space")]
    [InlineData("/run/sysctl.d/90-x.conf", "lost at reboot")]
    [InlineData("/usr/lib/sysctl.d/90-x.conf", "vendor folder")]
    [InlineData("/lib/sysctl.d/90-x.conf", "vendor folder")]
    [InlineData("/etc/sysctl.d/./90-x.conf", "normalised")]
    [InlineData("/etc//sysctl.d/90-x.conf", "normalised")]
    [InlineData("/etc/sysctl.d/../sysctl.d/90-x.conf", "normalised")]
    [InlineData("/etc/sysctl.d/90-x", "not a .conf file")]
    [InlineData("", "empty")]
    public void Defect9_RepairPathRefusesWildcardsNewlinesRuntimeVendorAndUnnormalisedPaths(string path, string? reason)
    {
        var error = IpForward.CheckRepairPath(path);
        if (reason is null)
        {
            Assert.Null(error);
        }
        else
        {
            Assert.Contains(reason, error, StringComparison.Ordinal);
            Assert.DoesNotContain("\n", error!, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Repair_on_a_tree_writes_the_drop_in_once_and_reports_later_overrides()
    {
        using var t = new HostTree()
            .File("/etc/sysctl.d/99-zzz-harden.conf", "net.ipv4.ip_forward = 0\n")
            .File("/etc/sysctl.conf", "net.ipv4.ip_forward=0\n");
        var ipf = new IpForward(CliWrapRunner.Instance, t.Fs);
        var plan = ipf.PlanRepair([IpFamily.IPv4], null, force: false);
        Assert.Equal(["WriteDropIn"], plan.Steps.Select(s => s.Kind));   // a saved copy: no runtime step
        Assert.Equal(["/etc/sysctl.d/99-zzz-harden.conf:1", "/etc/sysctl.conf:1"], plan.RemainingOverrides.Select(a => a.Source));
        foreach (var step in plan.Steps)
        {
            await step.ExecuteAsync(CancellationToken.None);
        }

        Assert.Contains("net.ipv4.ip_forward = 1\n", t.Read(IpForward.DefaultDropInPath));
        var again = ipf.PlanRepair([IpFamily.IPv4], null, force: false);
        Assert.Empty(again.Steps);
    }

    [Fact]
    public async Task Forced_repair_comments_out_etc_lines_with_a_backup_and_hides_vendor_files()
    {
        using var t = new HostTree()
            .File("/usr/lib/sysctl.d/99-zzz-vendor.conf", "kernel.x = 1\nnet.ipv4.ip_forward = 0\n")
            .File("/etc/sysctl.conf", "# mine\nnet.ipv4.ip_forward=0\nvm.swappiness=10\n");
        var ipf = new IpForward(CliWrapRunner.Instance, t.Fs);
        var plan = ipf.PlanRepair([IpFamily.IPv4], null, force: true);
        Assert.Equal(["WriteDropIn", "NeutraliseOverride", "NeutraliseOverride"], plan.Steps.Select(s => s.Kind));
        Assert.Empty(plan.RemainingOverrides);
        foreach (var step in plan.Steps)
        {
            await step.ExecuteAsync(CancellationToken.None);
        }

        Assert.Equal("kernel.x = 1\nnet.ipv4.ip_forward = 0\n", t.Read("/usr/lib/sysctl.d/99-zzz-vendor.conf")); // vendor file untouched
        Assert.Equal("kernel.x = 1\n" + IpForward.DisabledMarker + "net.ipv4.ip_forward = 0\n", t.Read("/etc/sysctl.d/99-zzz-vendor.conf"));
        Assert.Equal("# mine\n" + IpForward.DisabledMarker + "net.ipv4.ip_forward=0\nvm.swappiness=10\n", t.Read("/etc/sysctl.conf"));
        var backup = Assert.Single(Directory.GetFiles(t.Fs.Map("/etc"), "sysctl.conf.dht-backup-*"));
        Assert.Equal("# mine\nnet.ipv4.ip_forward=0\nvm.swappiness=10\n", File.ReadAllText(backup));
        t.File("/proc/sys/net/ipv4/ip_forward", "1");
        Assert.Equal(IpForwardStatus.Ok, ipf.Get(IpFamily.IPv4).Status);
        Assert.Empty(ipf.PlanRepair([IpFamily.IPv4], null, force: true).Steps);
    }

    [Fact]
    public void Repair_keeps_other_lines_of_an_existing_file_and_fixes_only_the_keys()
    {
        var rendered = IpForward.RenderDropIn("# admin's file\nnet.core.somaxconn = 1024\nnet.ipv4.ip_forward = 0\n", ["net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding"]);
        Assert.Equal("# admin's file\nnet.core.somaxconn = 1024\nnet.ipv4.ip_forward = 1\nnet.ipv6.conf.all.forwarding = 1\n", rendered);
        Assert.Equal(rendered, IpForward.RenderDropIn(rendered, ["net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding"]));
    }

    [Fact]
    public void Repair_rejects_a_path_outside_sysctl_d()
    {
        using var t = new HostTree();
        var ex = Assert.Throws<ArgumentException>(() => new IpForward(CliWrapRunner.Instance, t.Fs).PlanRepair([IpFamily.IPv4], "/etc/passwd", false));
        Assert.Contains("sysctl.d", ex.Message);
        Assert.False(t.Exists("/etc/passwd"));
    }

    [Fact]
    public void Atomic_write_through_a_link_writes_its_target_and_keeps_the_link_when_asked()
    {
        using var t = new HostTree().File("/etc/sysctl.conf", "old\n").Link("/etc/sysctl.d/99-sysctl.conf", "../sysctl.conf");
        Assert.Throws<SymlinkWriteRefusedException>(() => t.Fs.WriteAllTextAtomic("/etc/sysctl.d/99-sysctl.conf", "new\n"));
        Assert.Equal("old\n", t.Read("/etc/sysctl.conf"));
        t.Fs.WriteAllTextAtomic("/etc/sysctl.d/99-sysctl.conf", "new\n", new AtomicWriteOptions { FollowSymlinks = true });
        Assert.Equal("../sysctl.conf", t.Fs.ReadLink("/etc/sysctl.d/99-sysctl.conf"));
        Assert.Equal("new\n", t.Read("/etc/sysctl.conf"));
    }

    [Fact]
    public void Atomic_write_leaves_no_temporary_file_and_keeps_the_mode()
    {
        using var t = new HostTree().File("/etc/sysctl.d/x.conf", "old\n");
        File.SetUnixFileMode(t.Fs.Map("/etc/sysctl.d/x.conf"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        t.Fs.WriteAllTextAtomic("/etc/sysctl.d/x.conf", "new\n");
        Assert.Equal("new\n", t.Read("/etc/sysctl.d/x.conf"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(t.Fs.Map("/etc/sysctl.d/x.conf")));
        Assert.Equal(["x.conf"], Directory.GetFiles(t.Fs.Map("/etc/sysctl.d")).Select(Path.GetFileName));
    }
}
