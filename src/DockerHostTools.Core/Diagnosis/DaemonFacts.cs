using System.Text.Json.Serialization;

namespace DockerHostTools.Core.Diagnosis;

/// <summary>
/// The running dockerd's own settings that change what is true on the host, from its command line, the daemon.json it
/// was started with (<c>--config-file</c>, else <c>/etc/docker/daemon.json</c>) and the engine's <c>/info</c>. A null
/// setting is not set anywhere: the engine's default applies (the <c>...On</c> properties say which).
/// </summary>
public sealed record DaemonSettingsFact
{
    /// <summary>True when a dockerd process was found and its command line read.</summary>
    public bool ProcessFound { get; init; }

    /// <summary>The dockerd process id.</summary>
    public int? ProcessId { get; init; }

    /// <summary>Its command line.</summary>
    public IReadOnlyList<string> CommandLine { get; init; } = [];

    /// <summary>The daemon.json it reads (its <c>--config-file</c>, else <c>/etc/docker/daemon.json</c>).</summary>
    public string? ConfigFile { get; init; }

    /// <summary>Why that file could not be read or parsed (null: read, or absent).</summary>
    public string? ConfigError { get; init; }

    /// <summary><c>iptables</c> (also governs the nftables backend's IPv4 rules); null: not set.</summary>
    public bool? Iptables { get; init; }

    /// <summary><c>ip6tables</c>; null: not set.</summary>
    public bool? Ip6tables { get; init; }

    /// <summary><c>ip-forward</c>: dockerd switches forwarding on at start; null: not set.</summary>
    public bool? IpForward { get; init; }

    /// <summary><c>ip-forward-no-drop</c>: dockerd leaves the FORWARD policy alone when it switches forwarding on (28+); null: not set.</summary>
    public bool? IpForwardNoDrop { get; init; }

    /// <summary><c>userland-proxy</c>: docker-proxy listens on published ports; null: not set.</summary>
    public bool? UserlandProxy { get; init; }

    /// <summary><c>firewall-backend</c> as configured (<c>iptables</c>, <c>nftables</c>); null: not set.</summary>
    public string? FirewallBackend { get; init; }

    /// <summary><c>allow-direct-routing</c> (28+): no direct-access protection for containers; null: not set.</summary>
    public bool? AllowDirectRouting { get; init; }

    /// <summary>Where each set value came from, one line each (<c>command line: --userland-proxy=false</c>, <c>/etc/docker/daemon.json: "iptables": false</c>).</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];

    /// <summary>True when dockerd makes firewall rules (iptables or nftables) for IPv4.</summary>
    [JsonIgnore]
    public bool IptablesOn => Iptables ?? true;

    /// <summary>True when dockerd switches forwarding on at start.</summary>
    [JsonIgnore]
    public bool IpForwardOn => IpForward ?? true;

    /// <summary>True when docker-proxy runs for published ports.</summary>
    [JsonIgnore]
    public bool UserlandProxyOn => UserlandProxy ?? true;

    /// <summary>The backend dockerd uses, from its configuration (<c>iptables</c> when not set).</summary>
    [JsonIgnore]
    public string Backend => string.IsNullOrEmpty(FirewallBackend) ? "iptables" : FirewallBackend;
}

/// <summary>Where the engine runs, as seen from this host.</summary>
public enum EngineLocation
{
    /// <summary>A rootful dockerd on this host (the module's checks apply).</summary>
    Local,

    /// <summary>A rootless dockerd on this host (rootlesskit: no DNAT, ip_forward irrelevant, ports held by its port driver).</summary>
    Rootless,

    /// <summary>Docker Desktop: the engine runs in a VM; this host's firewall, sysctl and iptables say nothing about it.</summary>
    DockerDesktop,

    /// <summary>The Docker context or DOCKER_HOST points at another host.</summary>
    Remote,
}

/// <summary>The engine the user's Docker CLI talks to, and the one the module read.</summary>
public sealed record EngineEndpointFact
{
    /// <summary>Where the engine runs.</summary>
    public EngineLocation Location { get; init; } = EngineLocation.Local;

    /// <summary>The socket the module read.</summary>
    public string? Socket { get; init; }

    /// <summary>DOCKER_HOST, when set.</summary>
    public string? DockerHost { get; init; }

    /// <summary>The current Docker context (DOCKER_CONTEXT, else config.json currentContext), when not the default.</summary>
    public string? Context { get; init; }

    /// <summary>The endpoint of that context or DOCKER_HOST (<c>unix:///...</c>, <c>tcp://...</c>, <c>ssh://...</c>).</summary>
    public string? ContextHost { get; init; }

    /// <summary><c>/info</c> OperatingSystem.</summary>
    public string? OperatingSystem { get; init; }

    /// <summary><c>/info</c> SecurityOptions.</summary>
    public IReadOnlyList<string> SecurityOptions { get; init; } = [];

    /// <summary>For a rootless dockerd: rootlesskit's port driver (<c>builtin</c>, <c>slirp4netns</c>, <c>none</c>...), null when not read.</summary>
    public string? RootlessPortDriver { get; init; }

    /// <summary>Why the location was decided, one line each.</summary>
    public IReadOnlyList<string> Evidence { get; init; } = [];
}

/// <summary>A Docker network and its gateway modes (Docker 28+; <c>nat</c> when unset).</summary>
public sealed record DockerNetworkFact
{
    /// <summary>The network's name.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>Its Linux bridge.</summary>
    public string? Bridge { get; init; }

    /// <summary>com.docker.network.bridge.gateway_mode_ipv4.</summary>
    public string GatewayModeIPv4 { get; init; } = "nat";

    /// <summary>com.docker.network.bridge.gateway_mode_ipv6.</summary>
    public string GatewayModeIPv6 { get; init; } = "nat";
}

/// <summary>Docker's nftables table (<c>ip docker-bridges</c> or <c>ip6 docker-bridges</c>) as the checks need it.</summary>
public sealed record NftablesDockerTableFact
{
    /// <summary><c>ip</c> or <c>ip6</c>.</summary>
    public string Family { get; init; } = "ip";

    /// <summary>True when the table exists.</summary>
    public bool Exists { get; init; }

    /// <summary>The base chains with their hook and policy, as <c>filter-FORWARD (forward, accept)</c>.</summary>
    public IReadOnlyList<string> BaseChains { get; init; } = [];

    /// <summary>Its DNAT rules, as <c>tcp 8080 -> 192.0.2.2:80</c>.</summary>
    public IReadOnlyList<string> DnatRules { get; init; } = [];

    /// <summary>Its per-port forward accepts, as <c>192.0.2.2 tcp 80</c>.</summary>
    public IReadOnlyList<string> ForwardAccepts { get; init; } = [];
}
