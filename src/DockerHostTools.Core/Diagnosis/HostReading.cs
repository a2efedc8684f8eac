using DockerHostTools.Core.Docker;
using DockerHostTools.Core.Firewalld;
using DockerHostTools.Core.Iptables;
using DockerHostTools.Core.Sysctl;

namespace DockerHostTools.Core.Diagnosis;

/// <summary>
/// Everything <see cref="HostReader"/> read from the host in one go, as the readers return it. Nothing here is judged:
/// <see cref="HostFactsBuilder"/> turns it into plain facts, and the checks read only those.
/// </summary>
public sealed record HostReading
{
    /// <summary>When it was read.</summary>
    public DateTimeOffset Taken { get; init; }

    /// <summary>The host's name.</summary>
    public string HostName { get; init; } = string.Empty;

    /// <summary>The published host ports asked for (empty: all).</summary>
    public IReadOnlyCollection<int> PortsOfInterest { get; init; } = [];

    /// <summary>Forwarding per family.</summary>
    public IReadOnlyList<IpForwardState> IpForward { get; init; } = [];

    /// <summary>Configuration that switches forwarding off behind sysctl.d's back.</summary>
    public IReadOnlyList<string> ResetRisks { get; init; } = [];

    /// <summary>The same for IPv6 forwarding.</summary>
    public IReadOnlyList<string> ResetRisks6 { get; init; } = [];

    /// <summary>firewalld (null when it could not be read).</summary>
    public FirewalldState? Firewalld { get; init; }

    /// <summary>The ports of firewalld's service definitions, by service.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<FirewalldPortSpec>> FirewalldServicePorts { get; init; } =
        new Dictionary<string, IReadOnlyList<FirewalldPortSpec>>();

    /// <summary>The interface outside traffic arrives on.</summary>
    public string? OutsideInterface { get; init; }

    /// <summary>Every iptables variant's ruleset (null when iptables could not be read).</summary>
    public IptablesSnapshot? Iptables { get; init; }

    /// <summary>Docker's chains in every variant.</summary>
    public IReadOnlyList<DockerChainState> Chains { get; init; } = [];

    /// <summary>Docker's chains in every ip6tables variant that holds any of them.</summary>
    public IReadOnlyList<DockerChainState> Chains6 { get; init; } = [];

    /// <summary>The engine's version (null when the engine did not answer).</summary>
    public DockerEngineVersion? EngineVersion { get; init; }

    /// <summary>Every container (null when the engine did not answer).</summary>
    public IReadOnlyList<DockerContainer>? Containers { get; init; }

    /// <summary>Why the engine did not answer.</summary>
    public string? EngineError { get; init; }

    /// <summary>The published ports of interest, cross-checked with the rules.</summary>
    public IReadOnlyList<DockerPublishedPort> PublishedPorts { get; init; } = [];

    /// <summary>docker, containerd, firewalld and the network managers present.</summary>
    public IReadOnlyList<DockerHostService> Services { get; init; } = [];

    /// <summary>Docker's Linux bridges (<c>docker0</c>, <c>br-*</c>).</summary>
    public IReadOnlyList<string> DockerBridges { get; init; } = [];

    /// <summary>True when systemd could be asked.</summary>
    public bool SystemdAvailable { get; init; }

    /// <summary>Host files and folders that could not be read (sysctl files, /proc/sys, networkd files): the verdicts drawn from them may be wrong.</summary>
    public IReadOnlyList<Native.UnreadableFile> Unreadable { get; init; } = [];

    /// <summary>The running dockerd's settings (command line, daemon.json); null when not read.</summary>
    public DaemonSettingsFact? Daemon { get; init; }

    /// <summary>Where the engine runs; null when not read.</summary>
    public EngineEndpointFact? Engine { get; init; }

    /// <summary>The engine's <c>/info</c> (null when it did not answer).</summary>
    public DockerEngineInfo? EngineInfo { get; init; }

    /// <summary>The engine's networks (<c>/networks</c>).</summary>
    public IReadOnlyList<DockerNetwork> Networks { get; init; } = [];

    /// <summary>Docker's nftables tables, read when its backend is nftables; null otherwise.</summary>
    public IReadOnlyList<NftDockerTable>? DockerNftables { get; init; }

    /// <summary>What could not be read, one line each.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    /// <summary>nftables.service and ufw: what else may replace Docker's rules (issue 12).</summary>
    public Culprits.CulpritReading Culprits { get; init; } = new();
}
