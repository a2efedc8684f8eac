using DockerHostTools.Core.Firewalld;
using DockerHostTools.Core.Iptables;

namespace DockerHostTools.Core.Diagnosis;

/// <summary>
/// Turns one <see cref="HostReading"/> into <see cref="HostFacts"/>: pure (no program, no file), so the same reading always
/// gives the same facts. The outside zone comes from <see cref="OutsideZone"/>, the one place that decides it.
/// </summary>
public static class HostFactsBuilder
{
    /// <summary>The facts of a reading.</summary>
    public static HostFacts Build(HostReading reading)
    {
        ArgumentNullException.ThrowIfNull(reading);
        var ports = reading.PortsOfInterest;
        var published = reading.PublishedPorts;

        // Each published port with its own protocol; a port asked for that nothing publishes is looked at as tcp.
        var interesting = published.Select(p => (p.Port, p.Protocol))
            .Concat(ports.Where(p => published.All(x => x.Port != p)).Select(p => (p, "tcp"))).Distinct().ToList();
        var docker = reading.Services.FirstOrDefault(s => s.Name == "docker.service");
        var ipt = reading.Iptables;
        return new HostFacts
        {
            Taken = reading.Taken,
            HostName = reading.HostName,
            IpForward = reading.IpForward.Select(IpForwardFact.From).ToList(),
            ResetRisks = reading.ResetRisks,
            ResetRisks6 = reading.ResetRisks6,
            Firewalld = Firewalld(reading.Firewalld, reading.FirewalldServicePorts, reading.OutsideInterface, interesting),
            Iptables = ipt is null ? [] : ipt.Saves.Select(s => new IptablesVariantFact
            {
                Variant = s.Variant,
                ForwardPolicy = DockerChains.ForwardPolicy(s.Ruleset),
                HoldsDockerRules = IptablesSnapshot.HasDockerChains(s.Ruleset),
                Chains = reading.Chains.Where(c => c.Variant == s.Variant).Select(c => new ChainFact
                {
                    Table = c.Table, Chain = c.Chain, Exists = c.Exists, JumpCount = c.JumpCount, Rules = c.Rules,
                }).ToList(),
            }).ToList(),
            Iptables6 = ipt is null ? [] : ipt.Saves6.Select(s => new IptablesVariantFact
            {
                Variant = s.Variant,
                ForwardPolicy = DockerChains.ForwardPolicy(s.Ruleset),
                HoldsDockerRules = IptablesSnapshot.HasDockerChains(s.Ruleset),
                Chains = reading.Chains6.Where(c => c.Variant == s.Variant).Select(c => new ChainFact
                {
                    Table = c.Table, Chain = c.Chain, Exists = c.Exists, JumpCount = c.JumpCount, Rules = c.Rules,
                }).ToList(),
            }).ToList(),
            DefaultIptablesVariant = ipt?.DefaultVariant,
            Docker = new DockerFact
            {
                EngineReachable = reading.Containers is not null,
                EngineError = reading.EngineError,
                Version = reading.EngineVersion?.Version,
                FirewallBackend = docker?.FirewallBackend ?? reading.EngineInfo?.FirewallBackend,
                FirewallReloadedAt = docker?.FirewallReloadedAt,
                IPv4Forwarding = docker?.IPv4Forwarding,
                Bridges = reading.DockerBridges,
                IPv6Networks = (reading.Containers ?? []).Where(c => c.State == "running").SelectMany(c => c.Networks6.Keys).Distinct().Order(StringComparer.Ordinal).ToList(),
                Ports = published.Where(p => p.ContainerState == "running").Select(p => new PublishedPortFact
                {
                    ContainerName = p.ContainerName, ContainerId = p.ContainerId, HostIp = p.HostIp, Family = p.Family, Port = p.Port, Protocol = p.Protocol,
                    ContainerIp = p.ContainerIp, ContainerPort = p.ContainerPort, DnatRulePresent = p.DnatRulePresent,
                    RuleVariant = p.RuleVariant, ForwardAccepted = p.ForwardAccepted, ProxyListening = p.ProxyListening,
                    ServiceName = p.ServiceName, Network = p.Network, RuleSource = p.RuleSource, Listener = p.Listener,
                    GatewayMode = reading.Networks.FirstOrDefault(n => n.Name == p.Network) is { } net
                        ? (p.Family == Sysctl.IpFamily.IPv6 ? net.GatewayModeIPv6 : net.GatewayModeIPv4) : null,
                    IptablesForwardAccepts = reading.DockerNftables is null ? null : IptablesForwardAccepts(ipt, p, reading.Networks),
                }).ToList(),
                Networks = reading.Networks.Select(n => new DockerNetworkFact
                {
                    Name = n.Name, Bridge = n.Bridge, GatewayModeIPv4 = n.GatewayModeIPv4, GatewayModeIPv6 = n.GatewayModeIPv6,
                }).ToList(),
                SwarmActive = reading.EngineInfo?.SwarmNodeState is { } swarm ? swarm == "active" : null,
                StoppedContainers = (reading.Containers ?? []).Where(c => c.State != "running").Select(c => new StoppedContainerFact
                {
                    Name = c.Name, Id = c.Id, State = c.State, Status = c.Status,
                    Ports = c.Ports.Where(p => p.PublicPort is not null).Select(p => $"{p.PublicPort}/{p.Type}").Distinct().ToList(),
                }).ToList(),
            },
            Services = reading.Services.Select(s => new ServiceFact
            {
                Name = s.Name, LoadState = s.LoadState, ActiveState = ServiceFact.ParseActiveState(s.ActiveState), SubState = s.SubState,
                ActiveSince = s.ActiveSince, ActiveEnterMonotonicUs = s.ActiveEnterMonotonicUs, InactiveEnterMonotonicUs = s.InactiveEnterMonotonicUs,
            }).ToList(),
            SystemdAvailable = reading.SystemdAvailable,
            Daemon = reading.Daemon ?? new DaemonSettingsFact(),
            Engine = reading.Engine ?? new EngineEndpointFact(),
            DockerNftables = reading.DockerNftables?.Select(t => new NftablesDockerTableFact
            {
                Family = t.Family, Exists = t.Exists, BaseChains = t.BaseChains.Select(c => c.ToString()).ToList(),
                DnatRules = t.DnatRules.Select(r => r.ToString()).ToList(), ForwardAccepts = t.ForwardAccepts.Select(a => a.ToString()).ToList(),
            }).ToList(),
            Unreadable = reading.Unreadable.Select(u => new UnreadableFact { Path = u.Path, Reason = u.Reason, Message = u.Message }).ToList(),
            NftablesService = reading.Culprits?.NftablesService,
            Ufw = reading.Culprits?.Ufw is { } ufw ? Ufw(ufw, ipt) : null,
            Problems = reading.Problems,
        };
    }

    /// <summary>
    /// With Docker's nftables backend, iptables still filters: an iptables filter FORWARD policy DROP drops what nftables
    /// accepted unless an iptables rule in FORWARD (or DOCKER-USER, which FORWARD may jump to) accepts the port's traffic
    /// (to its container address, out of its bridge, or everything). An IPv6 port is judged by ip6tables (its packets never
    /// meet iptables' FORWARD). Null when no variant's FORWARD policy of the port's family is DROP.
    /// </summary>
    private static bool? IptablesForwardAccepts(Iptables.IptablesSnapshot? ipt, Docker.DockerPublishedPort port, IReadOnlyList<Docker.DockerNetwork> networks)
    {
        var v6 = port.Family == Sysctl.IpFamily.IPv6;
        var saves = v6 ? ipt?.Saves6 : ipt?.Saves;
        var dropping = saves?.Where(s => DockerChains.ForwardPolicy(s.Ruleset) == "DROP").ToList() ?? [];
        if (dropping.Count == 0)
        {
            return null;
        }

        var bridge = networks.FirstOrDefault(n => n.Name == port.Network)?.Bridge;
        return dropping.All(s => (s.Ruleset.Table("filter")?.Rules ?? []).Any(r =>
            r.Chain is "FORWARD" or "DOCKER-USER" && r.Target == "ACCEPT" &&
            !r.Text.Contains("--ctstate", StringComparison.Ordinal) && !r.Text.Contains("--state", StringComparison.Ordinal) &&
            r.Value("-i") is null && r.Value("-s") is null &&
            (r.Value("-d") is not { } d || Docker.DockerPublishedPorts.SameAddress(Iptables.DockerChains.StripHostMask(d), port.ContainerIp)) &&
            (r.Value("-o") is not { } o || o == bridge) &&
            (r.Value("-p") is not { } proto || proto == port.Protocol) &&
            (r.Value("--dport") is not { } dport || dport == port.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture))));
    }

    // ufw is active now when its chains are loaded where the iptables command puts them; DOCKER-USER jumping to one of
    // them (the ufw-docker recipes) makes its rules see forwarded traffic.
    private static UfwFact Ufw(UfwFact ufw, IptablesSnapshot? ipt)
    {
        var filter = ipt?.Saves.FirstOrDefault(s => s.Variant == ipt.DefaultVariant)?.Ruleset.Table("filter");
        var loaded = filter?.Chain(Culprits.UfwConfig.UserInputChain) is not null;
        var jumps = ipt?.Saves.Any(s => s.Ruleset.Table("filter")?.RulesOf("DOCKER-USER").Any(r => r.Target?.StartsWith("ufw-", StringComparison.Ordinal) == true) == true) == true;
        return ufw with { ChainsLoaded = loaded, DockerUserJumpsToUfw = jumps };
    }

    private static FirewalldFact Firewalld(FirewalldState? fw, IReadOnlyDictionary<string, IReadOnlyList<FirewalldPortSpec>> servicePorts, string? outside,
        IReadOnlyList<(int Port, string Protocol)> ports)
    {
        if (fw is null)
        {
            return new FirewalldFact { State = FirewalldRunState.Unreachable, Message = "firewalld could not be read." };
        }

        var running = fw.State == FirewalldRunState.Running;
        var zone = running ? OutsideZone.Resolve(fw, outside) : null;
        var portFacts = new List<FirewalldPortFact>();
        if (zone is not null)
        {
            foreach (var (port, protocol) in ports)
            {
                var spec = new FirewalldPortSpec(port, port, protocol);
                foreach (var name in fw.Zones.Select(z => z.Name).Union(fw.PermanentZones.Select(z => z.Name)))
                {
                    var test = FirewalldReader.TestPort(fw, servicePorts, spec, name, null);
                    if (name == zone.Zone || test.RuntimeOpenBy is not null || test.PermanentOpenBy is not null)
                    {
                        portFacts.Add(new FirewalldPortFact
                        {
                            Zone = name, Port = port, Protocol = protocol, RuntimeOpenBy = test.RuntimeOpenBy, PermanentOpenBy = test.PermanentOpenBy,
                        });
                    }
                }
            }
        }

        return new FirewalldFact
        {
            State = fw.State,
            Backend = fw.Backend,
            Version = fw.Version,
            DirectRules = fw.DirectRules,
            StrictForwardPorts = fw.StrictForwardPorts,
            NotResponding = fw.NotResponding,
            ForwardPorts = zone is null ? [] : fw.Zones.FirstOrDefault(z => z.Name == zone.Zone)?.ForwardPorts ?? [],
            DefaultZone = fw.DefaultZone,
            OutsideInterface = outside,
            OutsideZone = zone?.Zone,
            OutsideZoneReason = zone?.Reason,
            Ports = portFacts,
            Message = fw.Message,
            RuntimeZones = running ? fw.Zones.Select(z => z.Name).ToList() : null,
            DockerZone = running && fw.Zones.FirstOrDefault(z => z.Name == "docker") is { } dz
                ? new FirewalldDockerZoneFact { Target = dz.Target, Interfaces = dz.Interfaces } : null,
            Policies = running ? fw.Policies?.Select(p => new FirewalldPolicyFact
            {
                Name = p.Name, Target = p.Target, IngressZones = p.IngressZones, EgressZones = p.EgressZones,
            }).ToList() : null,
        };
    }
}
