using DockerHostTools.Core.Docker;
using DockerHostTools.Core.Firewalld;
using DockerHostTools.Core.Iptables;
using DockerHostTools.Core.Native;
using DockerHostTools.Core.Sysctl;
using DockerHostTools.Core.Systemd;

namespace DockerHostTools.Core.Diagnosis;

/// <summary>
/// Reads the host once, concurrently: firewalld, every iptables variant, the engine's containers and version, systemd's
/// units, while the in-process reads (sysctl files, /proc) run. What cannot be read becomes a problem line, not an error.
/// The result is a <see cref="DockerHostNetState"/>, whose facts <see cref="HostFactsBuilder"/> builds.
/// </summary>
public sealed class HostReader
{
    private readonly INativeRunner _runner;
    private readonly IHostFileSystem _fs;
    private readonly string _socket;

    /// <summary>Creates the reader.</summary>
    public HostReader(INativeRunner runner, IHostFileSystem fs, string socket = DockerEngineClient.DefaultSocket)
    {
        _runner = runner ?? throw new ArgumentNullException(nameof(runner));
        _fs = fs ?? throw new ArgumentNullException(nameof(fs));
        _socket = socket ?? throw new ArgumentNullException(nameof(socket));
    }

    /// <summary>Where the Engine API requests are reported with their durations (the runner and file system report their own).</summary>
    public IReadLog? Log { get; init; }

    /// <summary>Reads the host. <paramref name="ports"/> narrows it to published host ports of interest (null or empty: all).</summary>
    public async Task<DockerHostNetState> ReadAsync(IReadOnlyCollection<int>? ports, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        using var engine = new DockerEngineClient(_socket, TimeSpan.FromSeconds(10)) { Log = Log };
        var iptables = new IptablesReader(_runner);

        // The checks need firewalld's permanent configuration of the outside zone only (and docker's, for the facts):
        // over D-Bus only those are read (firewalld answers one call after another); every zone at runtime.
        var outsideInterface = OutsideZone.Interface(_fs);
        var firewalldTask = Capture(() => FirewalldReader.GetStateAsync(_runner, _fs,
            (defaultZone, runtime) => OutsideZone.PermanentZonesNeeded(defaultZone, runtime, outsideInterface), cancellationToken));
        var policiesTask = FirewalldPolicies.ReadHostAsync(_runner, cancellationToken);
        var iptablesTask = Capture(() => iptables.ReadAsync(cancellationToken));
        var containersTask = Capture(() => engine.GetContainersAsync(all: true, cancellationToken));
        var versionTask = Capture(() => engine.GetVersionAsync(cancellationToken));
        var servicesTask = Capture(() => DockerHostServices.ReadAsync(new SystemdReader(_runner), engine, null, cancellationToken));
        // The engine's own word on itself (rootless, Desktop, swarm, its firewall backend) and its networks' gateway modes.
        var infoTask = Capture(() => engine.GetInfoAsync(cancellationToken));
        var networksTask = Capture(() => engine.GetNetworksAsync(cancellationToken));

        // The running dockerd's settings (in-process: /proc and daemon.json); its nftables tables when that is its backend.
        var dockerd = DaemonSettingsReader.Pick(DaemonSettingsReader.FindDockerd(_fs, cancellationToken), _socket);
        var daemon = DaemonSettingsReader.Read(_fs, dockerd, cancellationToken);
        if (daemon.ConfigError is not null) { problems.Add("Docker daemon.json: " + daemon.ConfigError); }
        var nftTask = string.Equals(daemon.FirewallBackend, "nftables", StringComparison.OrdinalIgnoreCase)
            ? Capture(() => NftablesDocker.ReadAsync(_runner, cancellationToken)) : null;
        // What else replaces Docker's rules: nftables.service's script, ufw's files (issue 12).
        var culpritsTask = Capture(() => Culprits.CulpritReader.ReadAsync(_runner, _fs, cancellationToken));

        // The cheap, in-process reads while the programs run.
        var sysctl = new IpForward(_runner, _fs);
        var configuration = SysctlConfiguration.Load(_fs);
        // IPv6: net.ipv6.conf.all.forwarding and net.ipv6.conf.default.forwarding, each judged as ip_forward is.
        var forwarding = new[] { IpFamily.IPv4, IpFamily.IPv6 }.SelectMany(f => sysctl.GetAll(f, configuration)).ToList();
        var unreadable = forwarding.SelectMany(f => f.Unreadable).ToList();
        var resetRisks = ResetRisks.Find(_fs, unreadable);
        var resetRisks6 = ResetRisks.Find(_fs, unreadable, IpFamily.IPv6);
        unreadable = unreadable.DistinctBy(u => u.Path, StringComparer.Ordinal).ToList();
        problems.AddRange(unreadable.Select(u => $"host file: {u.Path} could not be read ({u.Reason}): {u.Message}"));
        var servicePorts = FirewalldReader.ReadServicePorts(_fs);
        var outside = outsideInterface;
        var bridges = DockerBridges.Read(_fs);

        await Task.WhenAll(firewalldTask, iptablesTask, containersTask, versionTask, servicesTask, policiesTask, infoTask, networksTask, culpritsTask).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var (info, _) = infoTask.Result;
        var (networks, _) = networksTask.Result;
        if (nftTask is null && info?.FirewallBackend is { } engineBackend && engineBackend.StartsWith("nftables", StringComparison.OrdinalIgnoreCase))
        {
            nftTask = Capture(() => NftablesDocker.ReadAsync(_runner, cancellationToken));
        }

        IReadOnlyList<NftDockerTable>? nftTables = null;
        if (nftTask is not null)
        {
            var (tables, nftError) = await nftTask.ConfigureAwait(false);
            nftTables = tables;
            if (nftError is not null) { problems.Add("nftables: " + nftError.Message); }
        }

        IReadOnlyList<DockerService> swarmServices = [];
        if (info?.SwarmNodeState == "active")
        {
            var (svc, svcError) = await Capture(() => engine.GetServicesAsync(cancellationToken)).ConfigureAwait(false);
            swarmServices = svc ?? [];
            if (svcError is not null) { problems.Add("Docker Engine API /services (swarm): " + svcError.Message); }
        }

        var endpoint = DaemonSettingsReader.Locate(_fs, _socket, info, dockerd, System.Environment.GetEnvironmentVariable("DOCKER_HOST"),
            System.Environment.GetEnvironmentVariable("DOCKER_CONTEXT"), System.Environment.GetEnvironmentVariable("HOME"));

        var (fw, fwError) = firewalldTask.Result;
        var (ipt, iptError) = iptablesTask.Result;
        var (containers, engineError) = containersTask.Result;
        var (version, _) = versionTask.Result;
        var (services, servicesError) = servicesTask.Result;
        if (fwError is not null) { problems.Add("firewalld: " + fwError.Message); }
        if (fw is not null) { FirewalldPolicies.Apply(fw, policiesTask.Result.Policies); }
        if (fw is { IsRunning: true } && policiesTask.Result.Error is { } policyError) { problems.Add("firewalld: " + policyError); }
        if (iptError is not null) { problems.Add("iptables: " + iptError.Message); }
        if (ipt?.IPv6Problem is { } ip6Problem) { problems.Add("ip6tables: " + ip6Problem); }
        if (engineError is not null) { problems.Add("Docker Engine API: " + engineError.Message); }
        if (servicesError is not null) { problems.Add("systemd: " + servicesError.Message); }

        var engineMajor = VersionNumber.Major(version?.Version);
        IReadOnlyList<DockerPublishedPort> published = [];
        if (containers is not null && ipt is not null)
        {
            var wanted = containers.SelectMany(c => c.Ports).Where(p => p.PublicPort is not null).Select(p => p.PublicPort!.Value).ToHashSet();
            wanted.UnionWith(swarmServices.SelectMany(sv => sv.Ports).Select(p => p.PublishedPort));
            var listening = wanted.Count == 0 ? [] : ListeningSockets.Read(_fs, wanted);
            published = DockerPublishedPorts.Build(containers, ipt, listening);
            if (nftTables is not null)
            {
                published = DockerPublishedPorts.WithNftables(published, containers, nftTables);
            }

            published = [.. published, .. DockerPublishedPorts.BuildServices(swarmServices, ipt, listening)];
        }

        if (ports is { Count: > 0 })
        {
            published = published.Where(p => ports.Contains(p.Port)).ToList();
        }

        return new DockerHostNetState(new HostReading
        {
            Taken = DateTimeOffset.Now,
            HostName = System.Environment.MachineName,
            PortsOfInterest = ports ?? [],
            IpForward = forwarding,
            ResetRisks = resetRisks,
            ResetRisks6 = resetRisks6,
            Firewalld = fw,
            FirewalldServicePorts = servicePorts,
            OutsideInterface = outside,
            Iptables = ipt,
            Chains = ipt?.DockerChains(engineMajor) ?? [],
            Chains6 = ipt?.DockerChains6(engineMajor) ?? [],
            EngineVersion = version,
            Containers = containers,
            EngineError = engineError?.Message,
            PublishedPorts = published,
            DockerBridges = bridges,
            Services = services?.Services ?? [],
            SystemdAvailable = services is not null,
            Unreadable = unreadable,
            Culprits = culpritsTask.Result.Value ?? new Culprits.CulpritReading(),
            Problems = problems,
            Daemon = daemon,
            Engine = endpoint,
            EngineInfo = info,
            Networks = networks ?? [],
            DockerNftables = nftTables,
        });
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
