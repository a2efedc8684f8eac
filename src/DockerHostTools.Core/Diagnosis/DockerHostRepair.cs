using DockerHostTools.Core.Docker;
using DockerHostTools.Core.Firewalld;
using DockerHostTools.Core.Native;
using DockerHostTools.Core.Repair;
using DockerHostTools.Core.Sysctl;

namespace DockerHostTools.Core.Diagnosis;

/// <summary>A repair step and the findings it fixes.</summary>
/// <param name="Step">The change.</param>
/// <param name="Fixes">The finding keys (<c>Id|Target</c>) it addresses.</param>
public sealed record PlannedRepair(RepairStep Step, IReadOnlyList<string> Fixes);

/// <summary>
/// Plans the repair of findings in a safe order: ip_forward first, then firewalld ports (runtime and permanent, no reload),
/// then Docker's rules (reset-failed and restart docker, then a bounded wait until the chains and DNAT rules are back),
/// then containers that are not running. Restarting docker last means no later firewalld change flushes what it re-created.
/// </summary>
public sealed class DockerHostRepair
{
    /// <summary>How long the wait for Docker's rules may take.</summary>
    public static readonly TimeSpan RulesTimeout = TimeSpan.FromSeconds(30);

    private static readonly string[] ForwardIds = [FindingIds.IpForwardDisabled, FindingIds.IpForwardNotPersisted, FindingIds.IpForwardOverridden];
    private static readonly string[] FirewalldIds = [FindingIds.FirewalldPortClosed, FindingIds.FirewalldRuntimePermanentDrift, FindingIds.FirewalldZoneMismatch];
    private static readonly string[] DockerIds = [FindingIds.DockerChainMissing, FindingIds.DockerDnatMissing, FindingIds.FirewalldStartedAfterDocker, FindingIds.DockerServiceDown];

    private readonly INativeRunner _runner;
    private readonly IHostFileSystem _fs;
    private readonly DockerEngineClient _engine;

    /// <summary>Creates the planner.</summary>
    public DockerHostRepair(INativeRunner runner, IHostFileSystem fs, DockerEngineClient engine)
    {
        _runner = runner ?? throw new ArgumentNullException(nameof(runner));
        _fs = fs ?? throw new ArgumentNullException(nameof(fs));
        _engine = engine ?? throw new ArgumentNullException(nameof(engine));
    }

    /// <summary>The key a finding is matched by before and after the repair.</summary>
    public static string KeyOf(Finding finding) => $"{finding?.Id}|{finding?.Target}";

    /// <summary>Plans the steps for the repairable findings, against the live state in <paramref name="state"/>.</summary>
    public IReadOnlyList<PlannedRepair> Plan(IReadOnlyList<Finding> findings, DockerHostNetState state)
    {
        ArgumentNullException.ThrowIfNull(findings);
        ArgumentNullException.ThrowIfNull(state);
        var plan = new List<PlannedRepair>();
        var todo = findings.Where(f => f.CanRepair).ToList();

        // 1. ip_forward: one drop-in for the families concerned; -Force when a later file overrides it.
        var forward = todo.Where(f => ForwardIds.Contains(f.Id)).ToList();
        if (forward.Count > 0)
        {
            var families = forward.Select(f => f.Target.StartsWith("net.ipv6", StringComparison.Ordinal) ? IpFamily.IPv6 : IpFamily.IPv4).Distinct().ToList();
            var force = forward.Any(f => f.Id == FindingIds.IpForwardOverridden);
            var ipf = new IpForward(_runner, _fs).PlanRepair(families, null, force);
            plan.AddRange(ipf.Steps.Select(s => new PlannedRepair(s, forward.Select(KeyOf).ToList())));
        }

        // 2. firewalld: open each port in the outside zone, in both configurations, without a reload.
        var fw = todo.Where(f => FirewalldIds.Contains(f.Id)).ToList();
        if (fw.Count > 0 && state.Firewalld is { } fwState && state.Facts.Firewalld.OutsideZone is { } zone)
        {
            foreach (var group in fw.GroupBy(f => f.Target))
            {
                var spec = FirewalldPortSpec.Parse(group.Key.Split('/')[0], group.Key.Split('/')[1]);
                var items = FirewalldPortChanger.Plan(_runner, fwState, spec, zone, [FirewalldConfiguration.Runtime, FirewalldConfiguration.Permanent], add: true);
                plan.AddRange(items.Where(i => i.Step is not null).Select(i => new PlannedRepair(i.Step!, group.Select(KeyOf).ToList())));
            }
        }

        // 3. Docker's rules: restart the engine once, then wait (bounded) for the chains and every DNAT rule.
        var docker = todo.Where(f => DockerIds.Contains(f.Id)).ToList();
        if (docker.Count > 0)
        {
            var repair = new DockerChainRepair(_runner, _engine, _fs);
            var keys = docker.Select(KeyOf).ToList();
            // The containers running now: a restart stops those without a restart policy, and the repair must not.
            IReadOnlyList<DockerContainerBefore> runningBefore;
            try
            {
                runningBefore = repair.PlanAsync().GetAwaiter().GetResult().RunningBefore;
            }
            catch (DockerEngineUnavailableException)
            {
                runningBefore = []; // the engine is down: nothing runs that a restart could stop
            }

            foreach (var step in repair.PlanStepsOnlyAsync().GetAwaiter().GetResult())
            {
                plan.Add(new PlannedRepair(step, keys));
            }

            plan.Add(new PlannedRepair(new RepairStep("WaitForDockerRules", "iptables", $"Wait up to {RulesTimeout.TotalSeconds:0} s for Docker's chains and DNAT rules",
                "iptables -t nat -S DOCKER", async ct =>
                {
                    var wait = await repair.WaitForRulesAsync(RulesTimeout, ct).ConfigureAwait(false);
                    if (!wait.ChainsBack || !wait.DnatBack)
                    {
                        throw new TimeoutException($"Docker's rules did not come back within {RulesTimeout.TotalSeconds:0} s (chains back: {wait.ChainsBack}, DNAT back: {wait.DnatBack}).");
                    }
                }), keys));
            if (runningBefore.Count > 0)
            {
                plan.Add(new PlannedRepair(new RepairStep("StartContainersNotBack", string.Join(", ", runningBefore.Select(c => c.Name)),
                    "Start the containers that ran before the restart and did not come back by themselves", "docker start NAME...", async ct =>
                    {
                        var now = await _engine.GetContainersAsync(all: true, ct).ConfigureAwait(false);
                        foreach (var c in runningBefore.Where(b => !now.Any(n => n.Id == b.Id && n.State == "running")))
                        {
                            await _engine.StartContainerAsync(c.Id, ct).ConfigureAwait(false);
                        }

                        var rules = await repair.WaitForRulesAsync(RulesTimeout, ct).ConfigureAwait(false);
                        if (!rules.DnatBack)
                        {
                            throw new TimeoutException($"The restarted containers' DNAT rules did not appear within {RulesTimeout.TotalSeconds:0} s.");
                        }
                    }), keys));
            }
        }

        // 4. Containers that are not running.
        foreach (var f in todo.Where(f => f.Id == FindingIds.ContainerNotRunning))
        {
            var port = f.Target.Split('/')[0];
            foreach (var c in state.Facts.Docker.StoppedContainers.Where(c => c.Ports.Any(p => p.StartsWith(port + "/", StringComparison.Ordinal))))
            {
                plan.Add(new PlannedRepair(new RepairStep("StartContainer", c.Name, "Start the container", "docker start " + c.Name,
                    async ct => await _engine.StartContainerAsync(c.Id, ct).ConfigureAwait(false)), [KeyOf(f)]));
            }
        }

        return plan;
    }
}

/// <summary>What Repair-DockerHost did about one finding, and whether the check afterwards shows it gone.</summary>
public sealed class DockerHostRepairResult
{
    /// <summary>Creates the record.</summary>
    public DockerHostRepairResult(Finding finding, IReadOnlyList<RepairStepResult> steps, bool verified, Finding? remaining)
    {
        Id = finding?.Id ?? throw new ArgumentNullException(nameof(finding));
        Target = finding.Target;
        Severity = finding.Severity;
        Message = finding.Message;
        Steps = steps;
        Verified = verified;
        Remaining = remaining?.Message;
    }

    /// <summary>The finding id.</summary>
    public string Id { get; }

    /// <summary>The finding's target.</summary>
    public string Target { get; }

    /// <summary>Its severity before the repair.</summary>
    public FindingSeverity Severity { get; }

    /// <summary>What it said.</summary>
    public string Message { get; }

    /// <summary>The steps taken for it (a step shared by several findings appears under each).</summary>
    public IReadOnlyList<RepairStepResult> Steps { get; }

    /// <summary>True when the check after the repair no longer finds it.</summary>
    public bool Verified { get; }

    /// <summary>What the check after the repair still says, when it is not fixed.</summary>
    public string? Remaining { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Id} {Target}: {(Verified ? "fixed" : "not fixed")}";
}
