using DockerHostTools.Core.Iptables;
using DockerHostTools.Core.Native;

namespace DockerHostTools.Core.Docker;

/// <summary>One published port of a container, cross-checked with the rules Docker built for it and the listening sockets.</summary>
public sealed class DockerPublishedPort
{
    /// <summary>Creates a port.</summary>
    public DockerPublishedPort(DockerContainer container, string? hostIp, int port, string protocol, string? containerIp, int containerPort,
        bool dnatRulePresent, IptablesVariant? ruleVariant, bool forwardAccepted, bool proxyListening, string? listener)
    {
        ContainerId = container.Id;
        ContainerName = container.Name;
        Image = container.Image;
        ContainerState = container.State;
        HostIp = hostIp;
        Port = port;
        Protocol = protocol;
        ContainerIp = containerIp;
        ContainerPort = containerPort;
        DnatRulePresent = dnatRulePresent;
        RuleVariant = ruleVariant;
        ForwardAccepted = forwardAccepted;
        ProxyListening = proxyListening;
        Listener = listener;
    }

    /// <summary>The container id.</summary>
    public string ContainerId { get; }

    /// <summary>The container name.</summary>
    public string ContainerName { get; }

    /// <summary>The image.</summary>
    public string Image { get; }

    /// <summary>The container state (<c>running</c>...).</summary>
    public string ContainerState { get; }

    /// <summary>The host address the port is published on (<c>0.0.0.0</c> = every address).</summary>
    public string? HostIp { get; }

    /// <summary>The host port.</summary>
    public int Port { get; }

    /// <summary><c>tcp</c>, <c>udp</c>, <c>sctp</c>.</summary>
    public string Protocol { get; }

    /// <summary>The container's address on its network, null when it has none.</summary>
    public string? ContainerIp { get; }

    /// <summary>The container port.</summary>
    public int ContainerPort { get; }

    /// <summary>True when nat DOCKER holds the DNAT rule that sends the host port to the container.</summary>
    public bool DnatRulePresent { get; }

    /// <summary>The iptables variant holding the DNAT rule, null when there is none.</summary>
    public IptablesVariant? RuleVariant { get; }

    /// <summary>True when filter DOCKER accepts forwarded traffic to the container port and FORWARD (through Docker's chains) reaches it.</summary>
    public bool ForwardAccepted { get; }

    /// <summary>True when docker-proxy listens on the host port (it answers from the host itself even when the DNAT rule is gone).</summary>
    public bool ProxyListening { get; }

    /// <summary>The listening socket on the host port as <c>address:port (process[pid])</c>, null when nothing listens.</summary>
    public string? Listener { get; }

    /// <summary>IPv4, or IPv6 for a <c>[::]</c> binding of a container with an IPv6 address (its rules are in ip6tables).</summary>
    public Sysctl.IpFamily Family { get; init; } = Sysctl.IpFamily.IPv4;

    /// <summary>For a swarm service's port (routing mesh, nat DOCKER-INGRESS): the service's name; null for a container's port.</summary>
    public string? ServiceName { get; init; }

    /// <summary>The network the container address belongs to (null when unknown).</summary>
    public string? Network { get; init; }

    /// <summary>Where the rules for this port were looked for: <c>iptables nat/DOCKER</c>, <c>nft ip docker-bridges</c>, <c>iptables nat/DOCKER-INGRESS</c>.</summary>
    public string RuleSource { get; init; } = "iptables nat/DOCKER";

    /// <summary>True when the path Docker built for outside traffic is intact (DNAT rule and forward accept).</summary>
    public bool PathIntact => DnatRulePresent && ForwardAccepted;

    /// <inheritdoc />
    public override string ToString() => $"{ContainerName} {HostIp}:{Port}/{Protocol} -> {ContainerIp}:{ContainerPort}";
}

/// <summary>Builds the published-port picture from the Engine API, the iptables rules and the listening sockets.</summary>
public static class DockerPublishedPorts
{
    /// <summary>Cross-checks every published port of <paramref name="containers"/> with the rules and sockets.</summary>
    public static IReadOnlyList<DockerPublishedPort> Build(IReadOnlyList<DockerContainer> containers, IptablesSnapshot iptables,
        IReadOnlyList<ListeningSocket> listeners)
    {
        ArgumentNullException.ThrowIfNull(containers);
        ArgumentNullException.ThrowIfNull(iptables);
        ArgumentNullException.ThrowIfNull(listeners);
        var dnat = iptables.DnatRules;
        var accepts = iptables.ForwardRules;
        var dockerReachable = iptables.Saves.ToDictionary(s => s.Variant, s => FilterDockerReached(s.Ruleset));
        var dnat6 = iptables.DnatRules6;
        var accepts6 = iptables.ForwardRules6;
        var dockerReachable6 = iptables.Saves6.ToDictionary(s => s.Variant, s => FilterDockerReached(s.Ruleset));
        var list = new List<DockerPublishedPort>();
        foreach (var c in containers)
        {
            var containerIp = c.Networks.Values.FirstOrDefault(ip => !string.IsNullOrEmpty(ip));
            var containerIp6 = c.Networks6.Values.FirstOrDefault(ip => !string.IsNullOrEmpty(ip));
            var seen = new HashSet<(int, int, string)>();
            var seen6 = new HashSet<(int, int, string)>();
            // The engine lists one entry per address family (0.0.0.0 and ::) for one -p: keep the IPv4 one, and, for a
            // container with an IPv6 address (an IPv6-enabled network), the IPv6 one too, judged on ip6tables.
            foreach (var p in c.Ports.Where(p => p.PublicPort is not null).OrderBy(p => IsIPv6(p.IP)))
            {
                if (containerIp6 is not null && IsIPv6(p.IP))
                {
                    if (seen6.Add((p.PublicPort!.Value, p.PrivatePort, p.Type)))
                    {
                        var rule6 = dnat6.FirstOrDefault(r => r.HostPort == p.PublicPort && r.Protocol == p.Type && r.ContainerPort == p.PrivatePort &&
                            SameAddress(r.ContainerIp, containerIp6) && (r.HostIp is null || p.IP is "::" || SameAddress(r.HostIp, p.IP)));
                        var accepted6 = accepts6.Any(a => a.ContainerPort == p.PrivatePort && a.Protocol == p.Type && SameAddress(a.ContainerIp, containerIp6) &&
                            dockerReachable6.TryGetValue(a.Variant, out var reached6) && reached6);
                        var (proxy6, listener6) = Listener(listeners, p.PublicPort.Value, p.Type);
                        list.Add(new DockerPublishedPort(c, p.IP, p.PublicPort.Value, p.Type, containerIp6, p.PrivatePort, rule6 is not null, rule6?.Variant,
                            accepted6, proxy6, listener6)
                        { Family = Sysctl.IpFamily.IPv6 });
                    }

                    continue;
                }

                if (!seen.Add((p.PublicPort!.Value, p.PrivatePort, p.Type)) && IsIPv6(p.IP))
                {
                    continue;
                }

                var rule = dnat.FirstOrDefault(r => r.HostPort == p.PublicPort && r.Protocol == p.Type && r.ContainerPort == p.PrivatePort &&
                    containerIp is not null && r.ContainerIp == containerIp && (r.HostIp is null || p.IP is null or "0.0.0.0" or "::" || r.HostIp == p.IP));
                var accepted = accepts.Any(a => a.ContainerPort == p.PrivatePort && a.Protocol == p.Type && containerIp is not null && a.ContainerIp == containerIp &&
                    dockerReachable.TryGetValue(a.Variant, out var reached) && reached);
                var (proxy, listener) = Listener(listeners, p.PublicPort.Value, p.Type);
                list.Add(new DockerPublishedPort(c, p.IP, p.PublicPort.Value, p.Type, containerIp, p.PrivatePort, rule is not null, rule?.Variant,
                    accepted, proxy, listener)
                {
                    Network = c.Networks.FirstOrDefault(n => n.Value == containerIp).Key,
                });
            }
        }

        return list;
    }

    /// <summary>
    /// The same ports judged against Docker's nftables backend (29+, <c>firewall-backend: nftables</c>) instead of iptables:
    /// the DNAT rule in <c>nat-prerouting-and-output</c>, the accept in <c>filter-forward-in__BRIDGE</c>.
    /// </summary>
    public static IReadOnlyList<DockerPublishedPort> WithNftables(IReadOnlyList<DockerPublishedPort> ports, IReadOnlyList<DockerContainer> containers,
        IReadOnlyList<NftDockerTable> tables)
    {
        ArgumentNullException.ThrowIfNull(ports);
        ArgumentNullException.ThrowIfNull(containers);
        ArgumentNullException.ThrowIfNull(tables);
        var dnat = tables.SelectMany(t => t.DnatRules).ToList();
        var accepts = tables.SelectMany(t => t.ForwardAccepts).ToList();
        return ports.Select(p =>
        {
            var c = containers.FirstOrDefault(x => x.Id == p.ContainerId) ?? new DockerContainer(p.ContainerId, p.ContainerName, p.Image, p.ContainerState, string.Empty, [], new Dictionary<string, string>());
            var rule = dnat.Any(r => r.HostPort == p.Port && r.Protocol == p.Protocol && r.ContainerPort == p.ContainerPort && SameAddress(r.ContainerIp, p.ContainerIp) &&
                (r.HostIp is null || p.HostIp is null or "0.0.0.0" or "::" || SameAddress(r.HostIp, p.HostIp)));
            var accepted = accepts.Any(a => SameAddress(a.ContainerIp, p.ContainerIp) && a.Protocol == p.Protocol && a.ContainerPort == p.ContainerPort);
            return new DockerPublishedPort(c, p.HostIp, p.Port, p.Protocol, p.ContainerIp, p.ContainerPort, rule, null, accepted, p.ProxyListening, p.Listener)
            {
                Family = p.Family, Network = p.Network,
                RuleSource = p.Family == Sysctl.IpFamily.IPv6 ? "nft ip6 docker-bridges" : "nft ip docker-bridges",
            };
        }).ToList();
    }

    /// <summary>
    /// The published ports of swarm services (routing mesh, PublishMode ingress), cross-checked with nat and filter
    /// <c>DOCKER-INGRESS</c>; a host-mode port has no ingress rules and is listed as such.
    /// </summary>
    public static IReadOnlyList<DockerPublishedPort> BuildServices(IReadOnlyList<DockerService> services, IptablesSnapshot iptables, IReadOnlyList<ListeningSocket> listeners)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(iptables);
        ArgumentNullException.ThrowIfNull(listeners);
        var ingress = iptables.Saves.SelectMany(s => DockerIngress.NatChainReached(s.Ruleset) ? DockerIngress.Rules(s.Ruleset) : []).ToList();
        var list = new List<DockerPublishedPort>();
        foreach (var s in services)
        {
            var pseudo = new DockerContainer(s.Id, s.Name, s.Image, "running", "swarm service", [], new Dictionary<string, string>());
            foreach (var p in s.Ports.Where(p => p.PublishMode == "ingress"))
            {
                var rule = ingress.FirstOrDefault(r => r.Port == p.PublishedPort && r.Protocol == p.Protocol && r.Destination is not null);
                var accepted = ingress.Any(r => r.Port == p.PublishedPort && r.Protocol == p.Protocol && r.Accepted);
                var to = rule?.Destination?.Split(':');
                var listener = listeners.FirstOrDefault(l => l.Port == p.PublishedPort && l.Protocol == p.Protocol);
                list.Add(new DockerPublishedPort(pseudo, "0.0.0.0", p.PublishedPort, p.Protocol, to?[0], p.TargetPort, rule is not null, rule?.Variant, accepted, false,
                    listener is null ? null : $"{listener.Address}:{listener.Port} ({listener.ProcessName ?? "?"})")
                {
                    ServiceName = s.Name, Network = "ingress", RuleSource = "iptables nat/DOCKER-INGRESS",
                });
            }
        }

        return list;
    }

    // Whether docker-proxy holds the port, and the socket that serves it as the port's text: docker-proxy's (or an unnamed
    // process's), else a rootless engine's port driver; null when nothing listens. Both families of a binding ask the same.
    private static (bool Proxy, string? Listener) Listener(IReadOnlyList<ListeningSocket> listeners, int port, string protocol)
    {
        var l = listeners.FirstOrDefault(l => l.Port == port && l.Protocol == protocol && (l.ProcessName == "docker-proxy" || l.ProcessName is null))
            ?? PortDriverListener(listeners, port, protocol);
        var proxy = listeners.Any(l => l.Port == port && l.Protocol == protocol && l.ProcessName == "docker-proxy");
        return (proxy, l is null ? null
            : $"{l.Address}:{l.Port} ({l.ProcessName ?? "?"}[{l.ProcessId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}])");
    }

    // A rootless engine's port is held on the host by its port driver: rootlesskit's builtin driver, slirp4netns, or pasta (rootlesskit's
    // implicit driver runs pasta with --tcp-ports=auto --udp-ports=auto, so pasta itself binds the port; pasta.avx2 where it execs that build).
    private static ListeningSocket? PortDriverListener(IReadOnlyList<ListeningSocket> listeners, int port, string protocol) =>
        listeners.FirstOrDefault(l => l.Port == port && l.Protocol == protocol && l.ProcessName is "rootlesskit" or "slirp4netns" or "pasta" or "pasta.avx2");

    private static bool IsIPv6(string? ip) => ip is not null && ip.Contains(':', StringComparison.Ordinal);

    /// <summary>True when two address texts name the same address (ip6tables and the engine may write an IPv6 address differently).</summary>
    internal static bool SameAddress(string? a, string? b) =>
        a is not null && b is not null && (string.Equals(a, b, StringComparison.OrdinalIgnoreCase) ||
            System.Net.IPAddress.TryParse(a, out var x) && System.Net.IPAddress.TryParse(b, out var y) && x.Equals(y));

    /// <summary>True when forwarded traffic reaches filter DOCKER: FORWARD jumps to it directly, or through Docker 28's DOCKER-FORWARD/DOCKER-BRIDGE.</summary>
    public static bool FilterDockerReached(IptablesRuleset ruleset)
    {
        var filter = ruleset?.Table("filter");
        if (filter?.Chain("DOCKER") is null)
        {
            return false;
        }

        var reached = new HashSet<string>(StringComparer.Ordinal) { "FORWARD" };
        // Follow jumps from FORWARD a few levels deep (FORWARD -> DOCKER-FORWARD -> DOCKER-BRIDGE -> DOCKER).
        for (var depth = 0; depth < 4; depth++)
        {
            foreach (var rule in filter.Rules.Where(r => reached.Contains(r.Chain) && r.Target is not null).ToList())
            {
                reached.Add(rule.Target!);
            }
        }

        return reached.Contains("DOCKER");
    }

    /// <summary>
    /// Every container, each with the ports it publishes: a running one as the engine lists them, one that does not run
    /// with its configured bindings (the engine lists no ports for it), so a published port whose container is down shows.
    /// </summary>
    public static async Task<IReadOnlyList<DockerContainer>> GetContainersAsync(DockerEngineClient client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var list = new List<DockerContainer>();
        foreach (var c in await client.GetContainersAsync(all: true, cancellationToken).ConfigureAwait(false))
        {
            if (c.State == "running" || c.Ports.Any(p => p.PublicPort is not null))
            {
                list.Add(c);
                continue;
            }

            var details = await client.InspectContainerAsync(c.Id, cancellationToken).ConfigureAwait(false);
            list.Add(new DockerContainer(c.Id, c.Name, c.Image, c.State, c.Status, details.PortBindings, c.Networks) { Networks6 = c.Networks6 });
        }

        return list;
    }

    /// <summary>
    /// Reads everything and cross-checks: the containers (every state) from the engine, every iptables variant in one
    /// save each, and the listening sockets from /proc/net.
    /// </summary>
    public static async Task<IReadOnlyList<DockerPublishedPort>> ReadAsync(DockerEngineClient client, IptablesReader iptables, IHostFileSystem fs,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(iptables);
        var containers = await GetContainersAsync(client, cancellationToken).ConfigureAwait(false);
        var snapshot = await iptables.ReadAsync(cancellationToken).ConfigureAwait(false);
        var ports = containers.SelectMany(c => c.Ports).Where(p => p.PublicPort is not null).Select(p => p.PublicPort!.Value).ToHashSet();
        var listeners = ports.Count == 0 ? [] : ListeningSockets.Read(fs, ports);
        return Build(containers, snapshot, listeners);
    }
}
