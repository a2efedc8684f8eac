using DockerHostTools.Core.Docker;
using DockerHostTools.Core.Firewalld;
using DockerHostTools.Core.Iptables;
using DockerHostTools.Core.Sysctl;

namespace DockerHostTools.Core.Diagnosis;

/// <summary>
/// One snapshot of everything that decides whether a Docker host's published ports answer from outside:
/// the forwarding switches, firewalld, Docker's chains, the published ports and the services with their start order.
/// The rich objects are for people and pipelines; the facts the checks read are kept once, as <see cref="FactsJson"/> (a string:
/// it survives Export-Clixml, remoting and ConvertTo-Json whole), and as objects from <see cref="GetFacts"/> (a method, so
/// that serializers do not write a second copy).
/// </summary>
public sealed class DockerHostNetState
{
    /// <summary>The snapshot of one reading; its facts are built from it by <see cref="HostFactsBuilder"/>.</summary>
    public DockerHostNetState(HostReading reading)
    {
        ArgumentNullException.ThrowIfNull(reading);
        _facts = HostFactsBuilder.Build(reading);
        IpForward = reading.IpForward;
        Firewalld = reading.Firewalld;
        Chains = reading.Chains;
        PublishedPorts = reading.PublishedPorts;
        Services = reading.Services;
    }

    /// <summary>When it was taken.</summary>
    public DateTimeOffset Taken => _facts.Taken;

    /// <summary>The host.</summary>
    public string HostName => _facts.HostName;

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

    /// <summary>The engine's version (Engine API <c>/version</c>), null when the engine did not answer.</summary>
    public string? EngineVersion => _facts.Docker.Version;

    /// <summary>The engine's <c>/info</c> IPv4Forwarding: whether dockerd sees net.ipv4.ip_forward on; null when not read.</summary>
    public bool? EngineIPv4Forwarding => _facts.Docker.IPv4Forwarding;

    /// <summary>The engine's <c>/info</c> FirewallBackend Driver (<c>iptables</c>, <c>iptables+firewalld</c>, <c>nftables</c>; Engine 28.1+), null when it does not say.</summary>
    public string? EngineFirewallBackend => _facts.Docker.FirewallBackend;

    /// <summary>The engine's <c>/info</c> FirewallBackend ReloadedAt: when dockerd last re-applied its rules after a firewalld reload.</summary>
    public DateTimeOffset? EngineFirewallReloadedAt => _facts.Docker.FirewallReloadedAt;

    /// <summary>The running dockerd's settings (command line, daemon.json) that the checks follow.</summary>
    public DaemonSettingsFact Daemon => _facts.Daemon;

    /// <summary>Where the engine runs: Local, Rootless, DockerDesktop, Remote.</summary>
    public string EngineLocation => _facts.Engine.Location.ToString();

    /// <summary>
    /// The daemon's effective settings in one line: iptables, ip6tables, ip-forward, ip-forward-no-drop, userland-proxy,
    /// firewall-backend, allow-direct-routing (each "(default)" when nothing sets it) and each network's gateway modes.
    /// </summary>
    public string DaemonSettings
    {
        get
        {
            var d = _facts.Daemon;
            static string B(bool? v, bool dflt) => v is null ? $"{(dflt ? "true" : "false")} (default)" : v.Value ? "true" : "false";
            var modes = string.Join(", ", _facts.Docker.Networks.Where(n => n.Bridge is not null).Select(n => $"{n.Name} {n.GatewayModeIPv4}/{n.GatewayModeIPv6}"));
            return $"iptables {B(d.Iptables, true)}, ip6tables {B(d.Ip6tables, true)}, ip-forward {B(d.IpForward, true)}, ip-forward-no-drop {B(d.IpForwardNoDrop, false)}, " +
                $"userland-proxy {B(d.UserlandProxy, true)}, firewall-backend {d.FirewallBackend ?? "iptables (default)"}, allow-direct-routing {B(d.AllowDirectRouting, false)}" +
                (modes.Length > 0 ? $"; gateway modes {modes}" : string.Empty) +
                (d.ProcessFound ? $"; dockerd pid {d.ProcessId}, {d.ConfigFile}" : "; no dockerd process seen (defaults and /etc/docker/daemon.json)") +
                (_facts.Engine.Location == Diagnosis.EngineLocation.Local ? string.Empty : $"; engine {_facts.Engine.Location}") +
                (_facts.Docker.SwarmActive == true ? "; swarm active" : string.Empty);
        }
    }

    /// <summary>What could not be read.</summary>
    public IReadOnlyList<string> Problems => _facts.Problems;

    /// <summary>firewalld's state in one word (Running, NotRunning, NotInstalled...), from the facts.</summary>
    public string FirewalldRunState => _facts.Firewalld.State.ToString();

    /// <summary>The zone outside traffic arrives in, when firewalld runs.</summary>
    public string? OutsideZone => _facts.Firewalld.OutsideZone;

    /// <summary>Why that zone (the interface and how it is bound).</summary>
    public string? OutsideZoneReason => _facts.Firewalld.OutsideZoneReason;

    /// <summary>The facts as JSON: survives Export-Clixml / Import-Clixml, so Test-DockerHost can judge the snapshot later.</summary>
    public string FactsJson => _facts.ToJson();

    private readonly HostFacts _facts;

    /// <summary>The plain facts the checks read (a method, not a property: the snapshot serializes them once, as FactsJson).</summary>
    public HostFacts GetFacts() => _facts;
}

