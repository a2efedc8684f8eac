using System.Diagnostics;
using DockerHostTools.Core.Iptables;
using DockerHostTools.Core.Native;
using DockerHostTools.Core.Repair;

namespace DockerHostTools.Core.Docker;

/// <summary>A container that ran before a repair.</summary>
public sealed class DockerContainerBefore
{
    /// <summary>Creates a record.</summary>
    public DockerContainerBefore(string id, string name, string restartPolicy)
    {
        Id = id;
        Name = name;
        RestartPolicy = restartPolicy;
    }

    /// <summary>The id.</summary>
    public string Id { get; }

    /// <summary>The name.</summary>
    public string Name { get; }

    /// <summary>Its restart policy (<c>no</c> means dockerd does not start it again after a restart).</summary>
    public string RestartPolicy { get; }
}

/// <summary>The state after waiting for Docker's rules.</summary>
public sealed class DockerRulesWait
{
    /// <summary>Creates a wait result.</summary>
    public DockerRulesWait(bool chainsBack, bool dnatBack, TimeSpan waited, IReadOnlyList<DockerChainState> chains, IReadOnlyList<DockerPublishedPort> ports,
        IReadOnlyList<DockerContainer> containers)
    {
        ChainsBack = chainsBack;
        DnatBack = dnatBack;
        Waited = waited;
        Chains = chains;
        Ports = ports;
        Containers = containers;
    }

    /// <summary>True when nat DOCKER and filter DOCKER exist and are jumped into.</summary>
    public bool ChainsBack { get; }

    /// <summary>True when every published port of every running container has its DNAT rule.</summary>
    public bool DnatBack { get; }

    /// <summary>How long the wait took.</summary>
    public TimeSpan Waited { get; }

    /// <summary>Docker's chains at the end.</summary>
    public IReadOnlyList<DockerChainState> Chains { get; }

    /// <summary>The published ports at the end.</summary>
    public IReadOnlyList<DockerPublishedPort> Ports { get; }

    /// <summary>The containers at the end.</summary>
    public IReadOnlyList<DockerContainer> Containers { get; }
}

/// <summary>
/// The actions that restore Docker's iptables rules the way that works: <c>systemctl reset-failed docker.service docker.socket</c>
/// (the unit allows few starts a minute), <c>systemctl restart docker.service</c>, a bounded wait until the chains and the
/// DNAT rule of every published port are back, and starting containers that did not come back. The order and the steps
/// are <c>Repair/RepairPlanner</c>'s.
/// </summary>
public sealed class DockerEngineRestart
{
    private readonly INativeRunner _runner;
    private readonly DockerEngineClient _engine;
    private readonly IptablesReader _iptables;
    private readonly IHostFileSystem _fs;

    /// <summary>Creates the actions.</summary>
    public DockerEngineRestart(INativeRunner runner, DockerEngineClient engine, IHostFileSystem fs)
    {
        _runner = runner ?? throw new ArgumentNullException(nameof(runner));
        _engine = engine ?? throw new ArgumentNullException(nameof(engine));
        _fs = fs ?? throw new ArgumentNullException(nameof(fs));
        _iptables = new IptablesReader(runner);
    }

    /// <summary>The running containers and their restart policy (a restart stops those with policy <c>no</c> for good).</summary>
    /// <exception cref="DockerEngineUnavailableException">The engine cannot be asked.</exception>
    public async Task<IReadOnlyList<DockerContainerBefore>> RunningContainersAsync(CancellationToken cancellationToken = default)
    {
        var before = new List<DockerContainerBefore>();
        foreach (var c in (await _engine.GetContainersAsync(all: false, cancellationToken).ConfigureAwait(false)).Where(c => c.State == "running"))
        {
            var details = await _engine.InspectContainerAsync(c.Id, cancellationToken).ConfigureAwait(false);
            before.Add(new DockerContainerBefore(c.Id, c.Name, details.RestartPolicy));
        }

        return before;
    }

    /// <summary>Starts a container through the Engine API (by id or name).</summary>
    public Task StartContainerAsync(string idOrName, CancellationToken cancellationToken = default) => _engine.StartContainerAsync(idOrName, cancellationToken);

    /// <summary>
    /// Polls (every 250 ms, at most <paramref name="timeout"/>) until the engine answers, Docker's chains exist and every
    /// published port of every running container has its DNAT rule. Returns the last state seen either way.
    /// </summary>
    public async Task<DockerRulesWait> WaitForRulesAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        DockerRulesWait? last = null;
        while (true)
        {
            try
            {
                var containers = await _engine.GetContainersAsync(all: true, cancellationToken).ConfigureAwait(false);
                var snapshot = await _iptables.ReadAsync(cancellationToken).ConfigureAwait(false);
                var ports = containers.SelectMany(c => c.Ports).Where(p => p.PublicPort is not null).Select(p => p.PublicPort!.Value).ToHashSet();
                var published = DockerPublishedPorts.Build(containers, snapshot, ports.Count == 0 ? [] : ListeningSockets.Read(_fs, ports));
                var chains = snapshot.DockerChains();
                var chainsBack = chains.Any(c => c is { Table: "nat", Chain: "DOCKER", Intact: true }) &&
                    chains.Any(c => c is { Table: "filter", Chain: "DOCKER", Exists: true });
                var dnatBack = published.Where(p => p.ContainerState == "running").All(p => p.DnatRulePresent);
                last = new DockerRulesWait(chainsBack, dnatBack, watch.Elapsed, chains, published, containers);
                if (chainsBack && dnatBack)
                {
                    return last;
                }
            }
            catch (DockerEngineUnavailableException) when (watch.Elapsed < timeout)
            {
                // The engine is still starting: try again.
            }

            if (watch.Elapsed >= timeout)
            {
                return last ?? new DockerRulesWait(false, false, watch.Elapsed, [], [], []);
            }

            await Task.Delay(250, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary><c>systemctl reset-failed docker.service docker.socket</c> (the service alone where there is no socket unit).</summary>
    public async Task ResetFailedAsync(CancellationToken ct)
    {
        var result = await _runner.RunAsync(new NativeCommand("systemctl", "reset-failed", "docker.service", "docker.socket") { Timeout = TimeSpan.FromSeconds(15) }, ct)
            .ConfigureAwait(false);
        if (!result.Succeeded)
        {
            // docker.socket does not exist on every host (older RPM units): reset the service alone.
            var alone = await _runner.RunAsync(new NativeCommand("systemctl", "reset-failed", "docker.service") { Timeout = TimeSpan.FromSeconds(15) }, ct)
                .ConfigureAwait(false);
            if (!alone.Succeeded)
            {
                if (alone.FailureText.Contains("not been booted with systemd", StringComparison.OrdinalIgnoreCase) ||
                    alone.FailureText.Contains("Failed to connect to bus", StringComparison.OrdinalIgnoreCase))
                {
                    throw new Systemd.SystemdNotRunningException($"systemd does not run here ({alone.FailureText}): docker.service cannot be restarted through it.");
                }

                throw new NativeCommandFailedException(alone);
            }
        }
    }

    /// <summary><c>systemctl restart docker.service</c>.</summary>
    public async Task RestartAsync(CancellationToken ct)
    {
        var result = await _runner.RunAsync(new NativeCommand("systemctl", "restart", "docker.service") { Timeout = TimeSpan.FromSeconds(120) }, ct)
            .ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new NativeCommandFailedException(result,
                $"'systemctl restart docker.service' failed with exit code {result.ExitCode}: {result.FailureText} See 'journalctl -u docker.service'.");
        }
    }
}

/// <summary>What Repair-DockerChain did and the state after it.</summary>
public sealed class DockerChainRepairResult
{
    /// <summary>Creates a result.</summary>
    public DockerChainRepairResult(IReadOnlyList<RepairStepResult> steps, DockerRulesWait? after, IReadOnlyList<string> containersNotBack,
        IReadOnlyList<string> containersStarted)
    {
        Steps = steps;
        ChainsRestored = after?.ChainsBack ?? false;
        DnatRestored = after?.DnatBack ?? false;
        Waited = after?.Waited ?? TimeSpan.Zero;
        WaitedMs = Waited.TotalMilliseconds;
        ContainersNotBack = containersNotBack;
        ContainersStarted = containersStarted;
        Chains = after?.Chains ?? [];
        Ports = after?.Ports ?? [];
    }

    /// <summary>Each step and its outcome.</summary>
    public IReadOnlyList<RepairStepResult> Steps { get; }

    /// <summary>True when nat DOCKER (jumped into) and filter DOCKER were back at the end.</summary>
    public bool ChainsRestored { get; }

    /// <summary>True when every published port of every running container had its DNAT rule at the end.</summary>
    public bool DnatRestored { get; }

    /// <summary>How long the wait for the rules took.</summary>
    public TimeSpan Waited { get; }

    /// <summary>The same in milliseconds (for runbooks).</summary>
    public double WaitedMs { get; }

    /// <summary>Containers that ran before and did not run at the end (no restart policy, and not started with -RestartContainers).</summary>
    public IReadOnlyList<string> ContainersNotBack { get; }

    /// <summary>Containers started by -RestartContainers.</summary>
    public IReadOnlyList<string> ContainersStarted { get; }

    /// <summary>Docker's chains at the end.</summary>
    public IReadOnlyList<DockerChainState> Chains { get; }

    /// <summary>The published ports at the end.</summary>
    public IReadOnlyList<DockerPublishedPort> Ports { get; }
}
