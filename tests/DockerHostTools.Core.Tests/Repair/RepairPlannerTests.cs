using DockerHostTools.Core.Diagnosis;
using DockerHostTools.Core.Docker;
using DockerHostTools.Core.Native;
using DockerHostTools.Core.Repair;
using DockerHostTools.Core.Sysctl;

namespace DockerHostTools.Core.Tests.Repair;

public class RepairPlannerTests
{
    private static readonly FindingKey Forward = new(FindingIds.IpForwardDisabled, FindingSubject.ForForwarding(IpFamily.IPv4));
    private static readonly FindingKey Dnat = new(FindingIds.DockerDnatMissing, FindingSubject.ForPort(5000, "tcp"));

    [Fact]
    public async Task Forwarding_comes_before_the_engine_and_the_wait_depends_on_the_restart()
    {
        using var t = new HostTree().File("/proc/sys/net/ipv4/ip_forward", "0\n");
        using var engine = new DockerEngineClient(Path.Combine(t.Root, "no-docker.sock"));
        var plan = await new RepairPlanner(CliWrapRunner.Instance, t.Fs, engine).PlanAsync(
            [new RepairRequest(Dnat, RepairIntent.RestartEngine), new RepairRequest(Forward, RepairIntent.PersistForwarding(IpFamily.IPv4))],
            new RepairOptions(), CancellationToken.None);
        Assert.Equal(["WriteDropIn", "ResetFailed", "RestartDocker", "WaitForDockerRules"], plan.Steps.Select(s => s.Step.Kind));
        Assert.All(plan.StepsFor(Forward), s => Assert.Equal("WriteDropIn", s.Kind));
        Assert.Equal(["ResetFailed", "RestartDocker", "WaitForDockerRules"], plan.StepsFor(Dnat).Select(s => s.Kind));
        var wait = plan.Steps.Single(s => s.Step.Kind == "WaitForDockerRules").Step;
        Assert.Equal("RestartDocker", Assert.Single(wait.DependsOn).Kind);
        Assert.Equal("ResetFailed", Assert.Single(plan.Steps.Single(s => s.Step.Kind == "RestartDocker").Step.DependsOn).Kind);
        Assert.Empty(plan.Steps.Single(s => s.Step.Kind == "WriteDropIn").Step.DependsOn);
        // The engine could not be asked which containers run: said, and the restart is still planned.
        Assert.Contains(plan.Notes, n => n.Contains("cannot be listed", StringComparison.Ordinal));
        Assert.Empty(plan.Engine!.RunningBefore);
    }

    [Fact]
    public async Task Intents_that_are_not_automatic_plan_nothing_and_no_engine_is_needed_for_forwarding()
    {
        using var t = new HostTree().File("/proc/sys/net/ipv4/ip_forward", "1\n");
        var planner = new RepairPlanner(CliWrapRunner.Instance, t.Fs, engine: null);
        var none = await planner.PlanAsync([new RepairRequest(Dnat, RepairIntent.Nothing)], new RepairOptions(), CancellationToken.None);
        Assert.Empty(none.Steps);
        var persist = await planner.PlanAsync([new RepairRequest(null, RepairIntent.PersistForwarding(IpFamily.IPv4))], new RepairOptions(), CancellationToken.None);
        Assert.Equal(["WriteDropIn"], persist.Steps.Select(s => s.Step.Kind));
        Assert.Equal(IpForward.DefaultDropInPath, persist.Forwarding!.DropInPath);
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            planner.PlanAsync([new RepairRequest(Dnat, RepairIntent.RestartEngine)], new RepairOptions(), CancellationToken.None));
    }

    [Fact]
    public void Defect2_A_failed_step_skips_only_the_steps_that_depend_on_it()
    {
        var write = new RepairStep("WriteDropIn", "/etc/sysctl.d/x.conf", "Write", "printf", _ => Task.CompletedTask);
        var restart = new RepairStep("RestartDocker", "docker.service", "Restart", "systemctl restart docker", _ => Task.CompletedTask);
        var wait = new RepairStep("WaitForDockerRules", "iptables", "Wait", "iptables -S", _ => Task.CompletedTask, [restart]);
        var runtime = new RepairStep("SetRuntime", "net.ipv4.ip_forward", "Set", "sysctl -w", _ => Task.CompletedTask);
        var run = new RepairRun();
        Assert.Null(run.Blocker(write));
        run.Record(write, RepairStepOutcome.Failed, "Read-only file system");
        Assert.Null(run.Blocker(runtime)); // independent of the failed write: still runs
        run.Record(runtime, RepairStepOutcome.Done);
        run.Record(restart, RepairStepOutcome.Failed, "exit 1");
        Assert.Equal((restart, RepairStepOutcome.Failed), run.Blocker(wait));
        run.Record(wait, RepairStepOutcome.NotAttempted);
        Assert.True(run.ChangedAnything);
        Assert.False(run.AllSkipped);
    }

    [Fact]
    public void Lock_A_second_repair_on_the_host_is_refused_while_the_first_holds_the_lock()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("dht-lock-").FullName, "repair.lock");
        using (var first = RepairLock.TryAcquire(path))
        {
            Assert.NotNull(first);
            var ex = Assert.Throws<RepairInProgressException>(() => RepairLock.TryAcquire(path));
            Assert.Equal(path, ex.LockPath);
        }

        using var again = RepairLock.TryAcquire(path); // released with the first
        Assert.NotNull(again);
        Assert.Null(RepairLock.TryAcquire("/nonexistent-dht/dir/repair.lock")); // no place for a lock: the repair goes on unserialised
    }
}
