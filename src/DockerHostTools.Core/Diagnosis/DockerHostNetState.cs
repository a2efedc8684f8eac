using System.Globalization;
using DockerHostTools.Core.Docker;
using DockerHostTools.Core.Firewalld;
using DockerHostTools.Core.Iptables;
using DockerHostTools.Core.Native;
using DockerHostTools.Core.Sysctl;
using DockerHostTools.Core.Systemd;

namespace DockerHostTools.Core.Diagnosis;

/// <summary>
/// One snapshot of everything that decides whether a Docker host's published ports answer from outside:
/// the forwarding switches, firewalld, Docker's chains, the published ports and the services with their start order.
/// The rich objects are for people and pipelines; <see cref="Facts"/> (also as <see cref="FactsJson"/>) is what the checks read.
/// </summary>
public sealed class DockerHostNetState
{
    internal DockerHostNetState(HostFacts facts, IReadOnlyList<IpForwardState> ipForward, FirewalldState? firewalld,
        IReadOnlyList<DockerChainState> chains, IReadOnlyList<DockerPublishedPort> publishedPorts, IReadOnlyList<DockerHostService> services)
    {
        Facts = facts;
        IpForward = ipForward;
        Firewalld = firewalld;
        Chains = chains;
        PublishedPorts = publishedPorts;
        Services = services;
    }

    /// <summary>When it was taken.</summary>
    public DateTimeOffset Taken => Facts.Taken;

    /// <summary>The host.</summary>
    public string HostName => Facts.HostName;

    /// <summary>The forwarding switches (IPv4, IPv6).</summary>
    public IReadOnlyList<IpForwardState> IpForward { get; }

    /// <summary>firewalld's state and zones (null when it could not be read).</summary>
    public FirewalldState? Firewalld { get; }

    /// <summary>Docker's chains in every iptables variant that holds rules.</summary>
    public IReadOnlyList<DockerChainState> Chains { get; }

    /// <summary>The published ports of interest, cross-checked with the rules.</summary>
    public IReadOnlyList<DockerPublishedPort> PublishedPorts { get; }

    /// <summary>docker, containerd, firewalld and the network managers present.</summary>
    public IReadOnlyList<DockerHostService> Services { get; }

    /// <summary>True when firewalld entered its active state after dockerd did; null when either is not active.</summary>
    public bool? FirewalldStartedAfterDocker => Services.FirstOrDefault(s => s.Name == "firewalld.service")?.ActiveAfterDocker;

    /// <summary>What could not be read.</summary>
    public IReadOnlyList<string> Problems => Facts.Problems;

    /// <summary>The plain facts the checks read.</summary>
    public HostFacts Facts { get; }

    /// <summary>The facts as JSON: survives Export-Clixml / Import-Clixml, so Test-DockerHost can judge the snapshot later.</summary>
    public string FactsJson => Facts.ToJson();
}

/// <summary>Gathers a <see cref="DockerHostNetState"/>: the reads run concurrently.</summary>
public sealed class DockerHostNetStateReader
{
    private readonly INativeRunner _runner;
    private readonly IHostFileSystem _fs;
    private readonly string _socket;

    /// <summary>Creates the reader.</summary>
    public DockerHostNetStateReader(INativeRunner runner, IHostFileSystem fs, string socket = DockerEngineClient.DefaultSocket)
    {
        _runner = runner ?? throw new ArgumentNullException(nameof(runner));
        _fs = fs ?? throw new ArgumentNullException(nameof(fs));
        _socket = socket ?? throw new ArgumentNullException(nameof(socket));
    }

    /// <summary>Reads the host. <paramref name="ports"/> narrows it to published host ports of interest (null: all).</summary>
    public async Task<DockerHostNetState> ReadAsync(IReadOnlyCollection<int>? ports, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        using var engine = new DockerEngineClient(_socket, TimeSpan.FromSeconds(10));
        var iptables = new IptablesReader(_runner);

        var firewalldTask = Capture(() => FirewalldReader.GetStateAsync(_runner, _fs, cancellationToken));
        var iptablesTask = Capture(() => iptables.ReadAsync(cancellationToken));
        var containersTask = Capture(() => engine.GetContainersAsync(all: true, cancellationToken));
        var versionTask = Capture(() => engine.GetVersionAsync(cancellationToken));
        var servicesTask = Capture(() => DockerHostServices.ReadAsync(new SystemdReader(_runner), engine, null, cancellationToken));

        // The cheap, in-process reads while the programs run.
        var sysctl = new IpForward(_runner, _fs);
        var configuration = SysctlConfiguration.Load(_fs);
        var forwarding = new[] { IpFamily.IPv4, IpFamily.IPv6 }.Select(f => sysctl.Get(f, configuration)).ToList();
        var resetRisks = ResetRisks.Find(_fs);
        var servicePorts = FirewalldReader.ReadServicePorts(_fs);
        var outside = OutsideInterface(_fs);

        await Task.WhenAll(firewalldTask, iptablesTask, containersTask, versionTask, servicesTask).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();

        var (fw, fwError) = firewalldTask.Result;
        var (ipt, iptError) = iptablesTask.Result;
        var (containers, engineError) = containersTask.Result;
        var (version, _) = versionTask.Result;
        var (services, servicesError) = servicesTask.Result;
        if (fwError is not null) { problems.Add("firewalld: " + fwError.Message); }
        if (iptError is not null) { problems.Add("iptables: " + iptError.Message); }
        if (engineError is not null) { problems.Add("Docker Engine API: " + engineError.Message); }
        if (servicesError is not null) { problems.Add("systemd: " + servicesError.Message); }

        var engineMajor = int.TryParse(version?.Version?.Split('.')[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var m) ? m : (int?)null;
        var chains = ipt?.DockerChains(engineMajor) ?? [];
        IReadOnlyList<DockerPublishedPort> published = [];
        if (containers is not null && ipt is not null)
        {
            var wanted = containers.SelectMany(c => c.Ports).Where(p => p.PublicPort is not null).Select(p => p.PublicPort!.Value).ToHashSet();
            published = DockerPublishedPorts.Build(containers, ipt, wanted.Count == 0 ? [] : ListeningSockets.Read(_fs, wanted));
        }

        if (ports is { Count: > 0 })
        {
            published = published.Where(p => ports.Contains(p.Port)).ToList();
        }

        // Each published port with its own protocol; a port asked for that nothing publishes is looked at as tcp.
        var interesting = published.Select(p => (p.Port, p.Protocol))
            .Concat((ports ?? []).Where(p => published.All(x => x.Port != p)).Select(p => (p, "tcp"))).Distinct().ToList();
        var serviceList = services?.Services ?? [];
        var docker = serviceList.FirstOrDefault(s => s.Name == "docker.service");
        var facts = new HostFacts
        {
            Taken = DateTimeOffset.Now,
            HostName = System.Environment.MachineName,
            IpForward = forwarding.Select(IpForwardFact.From).ToList(),
            ResetRisks = resetRisks,
            Firewalld = ToFact(fw, servicePorts, outside, interesting),
            Iptables = ipt is null ? [] : ipt.Saves.Select(s => new IptablesVariantFact
            {
                Variant = s.Variant.ToString(),
                ForwardPolicy = DockerChains.ForwardPolicy(s.Ruleset),
                HoldsDockerRules = IptablesSnapshot.HasDockerChains(s.Ruleset),
                Chains = chains.Where(c => c.Variant == s.Variant).Select(c => new ChainFact
                {
                    Table = c.Table, Chain = c.Chain, Exists = c.Exists, JumpCount = c.JumpCount, Rules = c.Rules,
                }).ToList(),
            }).ToList(),
            DefaultIptablesVariant = ipt?.DefaultVariant.ToString(),
            Docker = new DockerFact
            {
                EngineReachable = containers is not null,
                EngineError = engineError?.Message,
                Version = version?.Version,
                FirewallBackend = docker?.FirewallBackend,
                FirewallReloadedAt = docker?.FirewallReloadedAt,
                Ports = published.Where(p => p.ContainerState == "running").Select(p => new PublishedPortFact
                {
                    ContainerName = p.ContainerName, ContainerId = p.ContainerId, HostIp = p.HostIp, Port = p.Port, Protocol = p.Protocol,
                    ContainerIp = p.ContainerIp, ContainerPort = p.ContainerPort, DnatRulePresent = p.DnatRulePresent,
                    RuleVariant = p.RuleVariant?.ToString(), ForwardAccepted = p.ForwardAccepted, ProxyListening = p.ProxyListening,
                }).ToList(),
                StoppedContainers = (containers ?? []).Where(c => c.State != "running").Select(c => new StoppedContainerFact
                {
                    Name = c.Name, Id = c.Id, State = c.State, Status = c.Status,
                    Ports = c.Ports.Where(p => p.PublicPort is not null).Select(p => $"{p.PublicPort}/{p.Type}").Distinct().ToList(),
                }).ToList(),
            },
            Services = serviceList.Select(s => new ServiceFact
            {
                Name = s.Name, LoadState = s.LoadState, ActiveState = s.ActiveState, SubState = s.SubState,
                ActiveSince = s.ActiveSince, ActiveEnterMonotonicUs = s.ActiveEnterMonotonicUs,
            }).ToList(),
            SystemdAvailable = services is not null,
            Problems = problems,
        };
        return new DockerHostNetState(facts, forwarding, fw, chains, published, serviceList);
    }

    /// <summary>The interface outside traffic arrives on: the default route's, else the first that is not loopback or Docker's.</summary>
    public static string? OutsideInterface(IHostFileSystem fs)
    {
        ArgumentNullException.ThrowIfNull(fs);
        var byRoute = FirewalldReader.DefaultRouteInterface(fs);
        if (byRoute is not null)
        {
            return byRoute;
        }

        try
        {
            if (!fs.FileExists("/proc/net/dev"))
            {
                return null;
            }

            return fs.ReadAllText("/proc/net/dev").Split('\n').Skip(2)
                .Select(l => l.Split(':')[0].Trim())
                .Where(n => n.Length > 0 && n != "lo" && !n.StartsWith("docker", StringComparison.Ordinal) && !n.StartsWith("br-", StringComparison.Ordinal) &&
                    !n.StartsWith("veth", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal)
                .FirstOrDefault();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static FirewalldFact ToFact(FirewalldState? fw, IReadOnlyDictionary<string, IReadOnlyList<FirewalldPortSpec>> servicePorts, string? outside,
        IReadOnlyList<(int Port, string Protocol)> ports)
    {
        if (fw is null)
        {
            return new FirewalldFact { State = "Unreachable", Message = "firewalld could not be read." };
        }

        var running = fw.State == FirewalldRunState.Running;
        var outsideZone = running ? fw.Zones.FirstOrDefault(z => outside is not null && z.Interfaces.Contains(outside, StringComparer.Ordinal)) : null;
        var zoneName = outsideZone?.Name ?? fw.DefaultZone;
        var portFacts = new List<FirewalldPortFact>();
        if (running)
        {
            foreach (var (port, protocol) in ports)
            {
                var spec = new FirewalldPortSpec(port, port, protocol);
                foreach (var zone in fw.Zones.Select(z => z.Name).Union(fw.PermanentZones.Select(z => z.Name)))
                {
                    var test = FirewalldReader.TestPort(fw, servicePorts, spec, zone, null);
                    if (zone == zoneName || test.RuntimeOpenBy is not null || test.PermanentOpenBy is not null)
                    {
                        portFacts.Add(new FirewalldPortFact
                        {
                            Zone = zone, Port = port, Protocol = protocol, RuntimeOpenBy = test.RuntimeOpenBy, PermanentOpenBy = test.PermanentOpenBy,
                        });
                    }
                }
            }
        }

        return new FirewalldFact
        {
            State = fw.State.ToString(),
            Backend = fw.Backend,
            DefaultZone = fw.DefaultZone,
            OutsideInterface = outside,
            OutsideZone = running ? zoneName : null,
            OutsideZoneReason = !running ? null : outsideZone is not null
                ? $"interface {outside} is bound to zone {outsideZone.Name}"
                : $"interface {outside ?? "(unknown)"} is bound to no zone, so it is in the default zone {fw.DefaultZone}",
            Ports = portFacts,
            Message = fw.Message,
        };
    }

    private static async Task<(T? Value, Exception? Error)> Capture<T>(Func<Task<T>> read) where T : class
    {
        try
        {
            return (await read().ConfigureAwait(false), null);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            return (null, ex);
        }
    }
}
