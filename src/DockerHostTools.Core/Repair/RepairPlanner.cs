using DockerHostTools.Core.Diagnosis;
using DockerHostTools.Core.Docker;
using DockerHostTools.Core.Firewalld;
using DockerHostTools.Core.Native;
using DockerHostTools.Core.Sysctl;

namespace DockerHostTools.Core.Repair;

/// <summary>One intent to carry out, and the finding it comes from (null for a direct command such as Repair-IpForward).</summary>
/// <param name="Finding">The finding's key.</param>
/// <param name="Intent">What to do.</param>
public sealed record RepairRequest(FindingKey? Finding, RepairIntent Intent);

/// <summary>How the planner builds the steps.</summary>
public sealed record RepairOptions
{
    /// <summary>The sysctl.d drop-in for forwarding (null: <see cref="IpForward.DefaultDropInPath"/>).</summary>
    public string? DropInPath { get; init; }

    /// <summary>How long the wait for Docker's rules after an engine restart may take.</summary>
    public TimeSpan RulesTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>After an engine restart, start the containers that ran before and that dockerd does not start again by itself.</summary>
    public bool StartContainersNotBack { get; init; } = true;

    /// <summary>firewalld as already read (a snapshot taken just before); null: read it when a firewalld intent needs it.</summary>
    public FirewalldState? Firewalld { get; init; }
}

/// <summary>A step of a plan and the findings it serves.</summary>
/// <param name="Step">The change.</param>
/// <param name="Serves">The findings it addresses (empty for a direct command).</param>
public sealed record PlannedStep(RepairStep Step, IReadOnlyList<FindingKey> Serves);

/// <summary>What an engine restart saw: filled in while its steps run.</summary>
public sealed class EngineRestartRecord
{
    /// <summary>The containers that ran before the restart (empty when the engine could not be asked).</summary>
    public IReadOnlyList<DockerContainerBefore> RunningBefore { get; internal set; } = [];

    /// <summary>The last wait for Docker's rules.</summary>
    public DockerRulesWait? LastWait { get; internal set; }

    /// <summary>The containers a step started.</summary>
    public List<string> Started { get; } = [];

    /// <summary>Containers that ran before and do not run at the end.</summary>
    public IReadOnlyList<DockerContainerBefore> NotBack =>
        LastWait is null ? [] : RunningBefore.Where(b => !LastWait.Containers.Any(c => c.Id == b.Id && c.State == "running")).ToList();
}

/// <summary>The ordered steps of a repair, and what the cmdlets report beside them.</summary>
public sealed class RepairPlan
{
    internal RepairPlan(IReadOnlyList<PlannedStep> steps, IpForwardRepairPlan? forwarding, EngineRestartRecord? engine, IReadOnlyList<string> notes)
    {
        Steps = steps;
        Forwarding = forwarding;
        Engine = engine;
        Notes = notes;
    }

    /// <summary>The steps, in the safe order.</summary>
    public IReadOnlyList<PlannedStep> Steps { get; }

    /// <summary>The forwarding part (drop-in path, overrides that remain), when the plan has one.</summary>
    public IpForwardRepairPlan? Forwarding { get; }

    /// <summary>The engine restart's record, when the plan restarts the engine.</summary>
    public EngineRestartRecord? Engine { get; }

    /// <summary>What a person should know about the plan (said as warnings).</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>The steps that serve a finding.</summary>
    public IEnumerable<RepairStep> StepsFor(FindingKey key) => Steps.Where(s => s.Serves.Contains(key)).Select(s => s.Step);
}

/// <summary>Docker's rules were not all back in time after the engine restart (the engine was restarted).</summary>
public sealed class DockerRulesNotBackException : TimeoutException
{
    /// <summary>Creates the exception.</summary>
    public DockerRulesNotBackException(DockerRulesWait wait, TimeSpan timeout)
        : base(Describe(wait, timeout))
    {
        Wait = wait;
    }

    /// <summary>The state seen at the end of the wait.</summary>
    public DockerRulesWait Wait { get; }

    private static string Describe(DockerRulesWait wait, TimeSpan timeout)
    {
        var missing = wait.Ports.Where(p => p.ContainerState == "running" && !p.DnatRulePresent).Select(p => $"{p.ContainerName} {p.Port}/{p.Protocol}").ToList();
        return $"Docker was restarted, but its rules were not all back {timeout.TotalSeconds:0} s later: chains {(wait.ChainsBack ? "back" : "missing")}; " +
            $"ports without DNAT: {(missing.Count == 0 ? "none" : string.Join(", ", missing))}. See 'journalctl -u docker.service'.";
    }
}

/// <summary>
/// The one planner: turns repair intents into ordered steps. The order is the point: forwarding first, then firewalld's
/// ports (both configurations, no reload), then the engine (reset-failed, restart, a bounded wait for its rules, the
/// containers that did not come back), then stopped containers. Restarting the engine after the firewalld changes means no
/// later change flushes what it re-created. Each step names what it depends on; nothing else orders the run.
/// </summary>
public sealed class RepairPlanner
{
    private static readonly HashSet<string> SelfRestarting = new(StringComparer.Ordinal) { "always", "unless-stopped" };
    private readonly INativeRunner _runner;
    private readonly IHostFileSystem _fs;
    private readonly DockerEngineClient? _engine;

    /// <summary>Creates the planner; <paramref name="engine"/> may be null when no intent touches the engine or containers.</summary>
    public RepairPlanner(INativeRunner runner, IHostFileSystem fs, DockerEngineClient? engine)
    {
        _runner = runner ?? throw new ArgumentNullException(nameof(runner));
        _fs = fs ?? throw new ArgumentNullException(nameof(fs));
        _engine = engine;
    }

    private DockerEngineClient Engine => _engine ?? throw new InvalidOperationException("This repair needs the Docker Engine API, and the planner was given no engine client.");

    /// <summary>Plans the steps for the requests (intents that are not automatic are left out).</summary>
    /// <exception cref="ArgumentException">The drop-in path is not a sysctl.d drop-in.</exception>
    public async Task<RepairPlan> PlanAsync(IReadOnlyList<RepairRequest> requests, RepairOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(options);
        var steps = new List<PlannedStep>();
        var notes = new List<string>();
        var todo = requests.Where(r => r.Intent.IsAutomatic).ToList();
        static IReadOnlyList<FindingKey> Keys(IEnumerable<RepairRequest> rs) => rs.Where(r => r.Finding is not null).Select(r => r.Finding!).Distinct().ToList();

        // 1. Forwarding: one drop-in for every family concerned; later files neutralised when any intent asks for it.
        IpForwardRepairPlan? forwarding = null;
        var forward = todo.Where(r => r.Intent.Action == RepairAction.PersistForwarding).ToList();
        if (forward.Count > 0)
        {
            var families = forward.SelectMany(r => r.Intent.Families).Distinct().Order().ToList();
            forwarding = new IpForward(_runner, _fs).PlanRepair(families, options.DropInPath, forward.Any(r => r.Intent.OverrideLaterFiles));
            steps.AddRange(forwarding.Steps.Select(s => new PlannedStep(s, Keys(forward))));
        }

        // 2. firewalld: each port in its zone, in the configurations asked, without a reload.
        var open = todo.Where(r => r.Intent.Action == RepairAction.OpenFirewalldPort && r.Intent.Port is not null && r.Intent.Zone is not null).ToList();
        if (open.Count > 0)
        {
            var state = options.Firewalld ?? await FirewalldReader.GetStateAsync(_runner, _fs, cancellationToken).ConfigureAwait(false);
            foreach (var group in open.GroupBy(r => (r.Intent.Port!.Value, r.Intent.Protocol ?? "tcp", r.Intent.Zone!)))
            {
                var configurations = group.SelectMany(r => r.Intent.Configurations).Distinct().Order().ToList();
                var spec = new FirewalldPortSpec(group.Key.Value, group.Key.Value, group.Key.Item2);
                var items = FirewalldPortChanger.Plan(_runner, state, spec, group.Key.Item3, configurations, add: true);
                steps.AddRange(items.Where(i => i.Step is not null).Select(i => new PlannedStep(i.Step!, Keys(group))));
            }
        }

        // 3. The engine: restart once, then wait (bounded) for its chains and every DNAT rule, then the containers.
        EngineRestartRecord? engine = null;
        var restart = todo.Where(r => r.Intent.Action == RepairAction.RestartEngine).ToList();
        if (restart.Count > 0)
        {
            engine = new EngineRestartRecord();
            steps.AddRange((await EngineStepsAsync(engine, options, notes, cancellationToken).ConfigureAwait(false)).Select(s => new PlannedStep(s, Keys(restart))));
        }

        // 4. Containers that are not running.
        foreach (var group in todo.Where(r => r.Intent.Action == RepairAction.StartContainers).SelectMany(r => r.Intent.Containers.Select(c => (Name: c, Request: r)))
            .GroupBy(x => x.Name, StringComparer.Ordinal))
        {
            var name = group.Key;
            var actions = new DockerEngineRestart(_runner, Engine, _fs);
            steps.Add(new PlannedStep(new RepairStep("StartContainer", name, "Start the container", "docker start " + name,
                ct => actions.StartContainerAsync(name, ct)), Keys(group.Select(x => x.Request))));
        }

        return new RepairPlan(steps, forwarding, engine, notes);
    }

    private async Task<IReadOnlyList<RepairStep>> EngineStepsAsync(EngineRestartRecord record, RepairOptions options, List<string> notes, CancellationToken ct)
    {
        var actions = new DockerEngineRestart(_runner, Engine, _fs);
        try
        {
            // The containers running now: a restart stops those without a restart policy, and the repair must not.
            record.RunningBefore = await actions.RunningContainersAsync(ct).ConfigureAwait(false);
        }
        catch (DockerEngineUnavailableException ex)
        {
            // A stopped engine is one of the things a restart fixes: go on, but the containers that ran are unknown.
            notes.Add($"{ex.Message} The containers that ran before cannot be listed; the restart goes on.");
        }

        var timeout = options.RulesTimeout;
        var reset = new RepairStep("ResetFailed", "docker.service docker.socket", "Reset the failed state and start limit",
            "systemctl reset-failed docker.service docker.socket", actions.ResetFailedAsync);
        var restart = new RepairStep("RestartDocker", "docker.service", "Restart the Docker engine (containers without a restart policy stay stopped)",
            "systemctl restart docker.service", actions.RestartAsync, [reset]); // where systemd cannot reset the unit, it cannot restart it either
        var wait = new RepairStep("WaitForDockerRules", "iptables", $"Wait up to {timeout.TotalSeconds:0} s for Docker's chains and DNAT rules",
            "iptables -t nat -S DOCKER", async c =>
            {
                record.LastWait = await actions.WaitForRulesAsync(timeout, c).ConfigureAwait(false);
                if (!record.LastWait.ChainsBack || !record.LastWait.DnatBack)
                {
                    throw new DockerRulesNotBackException(record.LastWait, timeout);
                }
            }, [restart]);
        var list = new List<RepairStep> { reset, restart, wait };
        if (options.StartContainersNotBack)
        {
            // dockerd starts containers with policy always or unless-stopped again by itself; the others stay stopped.
            foreach (var c in record.RunningBefore.Where(c => !SelfRestarting.Contains(c.RestartPolicy)))
            {
                list.Add(new RepairStep("StartContainer", c.Name, "Start the container that ran before the engine restart", "docker start " + c.Name, async x =>
                {
                    var now = record.LastWait?.Containers ?? [];
                    if (!now.Any(n => n.Id == c.Id && n.State == "running"))
                    {
                        await actions.StartContainerAsync(c.Id, x).ConfigureAwait(false);
                        record.Started.Add(c.Name);
                    }

                    record.LastWait = await actions.WaitForRulesAsync(timeout, x).ConfigureAwait(false);
                }, [restart]));
            }
        }

        return list;
    }
}
