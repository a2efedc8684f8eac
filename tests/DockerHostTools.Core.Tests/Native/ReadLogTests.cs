using DockerHostTools.Core.Native;
using DockerHostTools.Core.Sysctl;

namespace DockerHostTools.Core.Tests.Native;

// The read log behind -Verbose, on real programs and real files (no doubles).
public class ReadLogTests
{
    [Fact]
    public async Task Observed_runner_reports_each_program_with_its_arguments_duration_and_exit_code()
    {
        var log = new ReadLog();
        var runner = new ObservedRunner(CliWrapRunner.Instance, log);
        var r = await runner.RunAsync(new NativeCommand("sh", "-c", "exit 3"));
        Assert.Equal(3, r.ExitCode);
        var e = Assert.Single(log.Drain());
        Assert.Equal(ReadKind.Program, e.Kind);
        Assert.Equal("sh -c 'exit 3'", e.What);
        Assert.Equal("exit 3", e.Outcome);
        Assert.True(e.Duration > TimeSpan.Zero);
        Assert.Matches(@"^program sh -c 'exit 3': \d+\.\d ms \(exit 3\)$", e.ToString());
        Assert.Empty(log.Drain());
    }

    [Fact]
    public async Task A_program_that_is_not_installed_is_reported_and_still_thrown()
    {
        var log = new ReadLog();
        var runner = new ObservedRunner(CliWrapRunner.Instance, log);
        await Assert.ThrowsAsync<NativeProgramNotFoundException>(() => runner.RunAsync(new NativeCommand("dht-no-such-program")));
        Assert.Equal("not installed", Assert.Single(log.Drain()).Outcome);
    }

    [Fact]
    public void Observed_files_report_files_read_and_folders_listed_under_the_tree_read()
    {
        using var tree = new HostTree();
        tree.File("/etc/sysctl.d/99-forward.conf", "net.ipv4.ip_forward = 1\n").File("/proc/sys/net/ipv4/ip_forward", "1\n");
        var log = new ReadLog();
        var fs = new ObservedFileSystem(tree.Fs, log);
        var state = new IpForward(CliWrapRunner.Instance, fs).Get(IpFamily.IPv4, SysctlConfiguration.Load(fs));
        Assert.Equal("1", state.RuntimeValue);
        var entries = log.Drain();
        Assert.All(entries, e => Assert.Equal(ReadKind.File, e.Kind));
        Assert.Contains(entries, e => e.What == tree.Root.TrimEnd('/') + "/etc/sysctl.d/99-forward.conf" && e.Outcome == "24 chars");
        Assert.Contains(entries, e => e.What == tree.Root.TrimEnd('/') + "/etc/sysctl.d/" && e.Outcome!.EndsWith(" entries", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.What == tree.Root.TrimEnd('/') + "/proc/sys/net/ipv4/ip_forward");
    }
}
