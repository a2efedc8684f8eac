using DockerHostTools.Core.Native;

namespace DockerHostTools.Core.Tests.Native;

// The runner is tested against real programs of the machine (no doubles).
public class CliWrapRunnerTests
{
    private readonly CliWrapRunner _runner = CliWrapRunner.Instance;

    [Fact]
    public async Task Returns_exit_code_and_both_streams_without_throwing()
    {
        var r = await _runner.RunAsync(new NativeCommand("sh", "-c", "echo out; echo err >&2; exit 3", "ignored"));
        Assert.Equal(3, r.ExitCode);
        Assert.Equal("out\n", r.StandardOutput);
        Assert.Equal("err\n", r.StandardError);
        Assert.False(r.Succeeded);
        Assert.Equal("err", r.FailureText);
    }

    [Fact]
    public async Task Arguments_reach_the_program_verbatim_without_a_shell()
    {
        var tricky = "a b;$(touch /tmp/dht-should-not-exist)'\"`x`";
        var r = await _runner.RunAsync(new NativeCommand("printf", "%s", tricky));
        Assert.Equal(tricky, r.StandardOutput);
        Assert.False(File.Exists("/tmp/dht-should-not-exist"));
    }

    [Fact]
    public async Task A_missing_program_is_a_clear_error()
    {
        var ex = await Assert.ThrowsAsync<NativeProgramNotFoundException>(() => _runner.RunAsync(new NativeCommand("dht-no-such-tool")));
        Assert.Equal("dht-no-such-tool", ex.Program);
        Assert.Null(_runner.Resolve("dht-no-such-tool"));
    }

    [Fact]
    public async Task A_hung_program_is_stopped_at_its_timeout()
    {
        var cmd = new NativeCommand("sleep", "30") { Timeout = TimeSpan.FromMilliseconds(300) };
        var ex = await Assert.ThrowsAsync<NativeTimeoutException>(() => _runner.RunAsync(cmd));
        Assert.Same(cmd, ex.Command);
    }

    [Fact]
    public async Task Cancellation_stops_the_program_and_is_not_reported_as_a_timeout()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _runner.RunAsync(new NativeCommand("sleep", "30"), cts.Token));
    }

    [Fact]
    public async Task Standard_input_is_passed()
    {
        var r = await _runner.RunAsync(new NativeCommand("cat") { StandardInput = "hello" });
        Assert.Equal("hello", r.StandardOutput);
    }

    [Fact]
    public void Sbin_programs_resolve_without_sbin_on_path() => Assert.NotNull(_runner.Resolve("sysctl"));
}
