using System.Text.Json;
using System.Text.Json.Serialization;
using DockerHostTools.Core.Firewalld;
using DockerHostTools.Core.Iptables;
using DockerHostTools.Core.Sysctl;

namespace DockerHostTools.Core.Diagnosis;

/// <summary>
/// Everything the checks read, as plain data: it round-trips through JSON, so a snapshot saved on one host (CLIXML keeps
/// the JSON text whole) can be judged on another. The checks see only these facts, never a live tool.
/// </summary>
public sealed record HostFacts
{
    /// <summary>When the facts were gathered.</summary>
    public DateTimeOffset Taken { get; init; }

    /// <summary>The host's name.</summary>
    public string HostName { get; init; } = string.Empty;

    /// <summary>The forwarding switches.</summary>
    public IReadOnlyList<IpForwardFact> IpForward { get; init; } = [];

    /// <summary>Configuration that switches forwarding off behind sysctl.d's back.</summary>
    public IReadOnlyList<string> ResetRisks { get; init; } = [];

    /// <summary>The same for IPv6 forwarding (systemd-networkd <c>IPForward=ipv4|no</c>, <c>IPv6Forwarding=no</c>).</summary>
    public IReadOnlyList<string> ResetRisks6 { get; init; } = [];

    /// <summary>firewalld.</summary>
    public FirewalldFact Firewalld { get; init; } = new();

    /// <summary>Docker's rules, per iptables variant that holds rules.</summary>
    public IReadOnlyList<IptablesVariantFact> Iptables { get; init; } = [];

    /// <summary>Docker's rules in ip6tables, per variant that holds rules (empty: no ip6tables, or a snapshot of an older module).</summary>
    public IReadOnlyList<IptablesVariantFact> Iptables6 { get; init; } = [];

    /// <summary>The variant the <c>iptables</c> command (and firewalld) uses.</summary>
    public IptablesVariant? DefaultIptablesVariant { get; init; }

    /// <summary>The Docker engine.</summary>
    public DockerFact Docker { get; init; } = new();

    /// <summary>The services (systemd units).</summary>
    public IReadOnlyList<ServiceFact> Services { get; init; } = [];

    /// <summary>True when systemd could be asked (it is PID 1).</summary>
    public bool SystemdAvailable { get; init; }

    /// <summary>What could not be read, one line each (the checks say less where facts are missing).</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    /// <summary>Host files and folders that could not be read: the verdicts drawn from them are less certain (HostReadIncomplete).</summary>
    public IReadOnlyList<UnreadableFact> Unreadable { get; init; } = [];

    /// <summary>The running dockerd's own settings (command line, daemon.json): the checks follow them, not the defaults.</summary>
    public DaemonSettingsFact Daemon { get; init; } = new();

    /// <summary>Where the engine runs (this host, rootless, Docker Desktop, another host).</summary>
    public EngineEndpointFact Engine { get; init; } = new();

    /// <summary>Docker's nftables tables (ip and ip6 docker-bridges), read when the engine's firewall backend is nftables; null otherwise.</summary>
    public IReadOnlyList<NftablesDockerTableFact>? DockerNftables { get; init; }

    /// <summary>nftables.service and its script (null: no such unit, or a snapshot of an older module).</summary>
    public NftablesServiceFact? NftablesService { get; init; }

    /// <summary>ufw (null: not installed, or a snapshot of an older module).</summary>
    public UfwFact? Ufw { get; init; }

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = false, Converters = { new JsonStringEnumConverter() } };

    /// <summary>The facts as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Options);

    /// <summary>Reads facts back from <see cref="ToJson"/>.</summary>
    /// <exception cref="JsonException">The text is not a snapshot's facts.</exception>
    public static HostFacts FromJson(string json)
    {
        var facts = JsonSerializer.Deserialize<HostFacts>(json, Options) ?? throw new JsonException("The snapshot holds no facts.");
        // A snapshot written by hand or by another tool may say null where a list is meant: the checks read an empty list.
        return facts with
        {
            HostName = facts.HostName ?? string.Empty,
            // Found by build.ps1 Fuzz (target facts): a null Key or Assignments in a forwarding fact (or a null entry)
            // reached the checks as a NullReferenceException; the same holds for them as for the lists above.
            IpForward = (facts.IpForward ?? []).Where(f => f is not null)
                .Select(f => f with { Key = f.Key ?? string.Empty, Assignments = f.Assignments ?? [], Unreadable = f.Unreadable ?? [] }).ToList(),
            ResetRisks = facts.ResetRisks ?? [],
            ResetRisks6 = facts.ResetRisks6 ?? [],
            Firewalld = facts.Firewalld ?? new FirewalldFact { State = FirewalldRunState.Unreachable, Message = "The snapshot holds no firewalld facts." },
            Iptables = facts.Iptables ?? [],
            Iptables6 = facts.Iptables6 ?? [],
            Docker = facts.Docker is { } dk ? dk with { Networks = dk.Networks ?? [] } : new DockerFact(),
            Services = facts.Services ?? [],
            Problems = facts.Problems ?? [],
            Daemon = facts.Daemon is { } d ? d with { CommandLine = d.CommandLine ?? [], Sources = d.Sources ?? [] } : new DaemonSettingsFact(),
            Engine = facts.Engine is { } e ? e with { SecurityOptions = e.SecurityOptions ?? [], Evidence = e.Evidence ?? [] } : new EngineEndpointFact(),
            DockerNftables = facts.DockerNftables?.Where(t => t is not null).Select(t => t with
            {
                Family = t.Family ?? "ip", BaseChains = t.BaseChains ?? [], DnatRules = t.DnatRules ?? [], ForwardAccepts = t.ForwardAccepts ?? [],
            }).ToList(),
            Unreadable = (facts.Unreadable ?? []).Where(u => u is not null).Select(u => u with { Path = u.Path ?? string.Empty }).ToList(),
            NftablesService = facts.NftablesService is { } n
                ? n with { Unit = n.Unit ?? "nftables.service", LoadState = n.LoadState ?? string.Empty, ConfigFile = n.ConfigFile ?? "/etc/nftables.conf", Tables = (n.Tables ?? []).Where(t => t is not null).ToList(), Includes = n.Includes ?? [] }
                : null,
            Ufw = facts.Ufw is { } u2
                ? u2 with { Rules = (u2.Rules ?? []).Where(r => r is not null).Select(r => r with { Action = r.Action ?? string.Empty, Protocol = r.Protocol ?? "any", Ports = r.Ports ?? "any", Source = r.Source ?? string.Empty, Direction = r.Direction ?? "in", Text = r.Text ?? string.Empty }).ToList(), Unreadable = u2.Unreadable ?? [] }
                : null,
        };
    }
}

/// <summary>One forwarding switch.</summary>
public sealed record IpForwardFact
{
    /// <summary>The plain fact of a state read by Get-IpForward.</summary>
    public static IpForwardFact From(Sysctl.IpForwardState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new IpForwardFact
        {
            Family = state.Family,
            Key = state.Key,
            RuntimeValue = state.RuntimeValue,
            Status = state.Status,
            PersistedSource = state.PersistedSource?.Source,
            PersistedFile = state.PersistedSource?.File,
            PersistedKey = state.PersistedSource?.Key,
            PersistedValue = state.PersistedSource?.Value,
            Assignments = state.Assignments.Select(a => $"{a.Source}: {a.Key} = {a.Value}{(a.InForce ? " (in force)" : string.Empty)}").ToList(),
            Unreadable = state.Unreadable.Select(u => u.ToString()).ToList(),
        };
    }

    /// <summary>Files that could not be read and may set this key (<c>path (Reason)</c>): the verdict may be wrong.</summary>
    public IReadOnlyList<string> Unreadable { get; init; } = [];

    /// <summary>High when every file that could decide the verdict was read; Low otherwise.</summary>
    [JsonIgnore]
    public VerdictConfidence Confidence => Unreadable.Count == 0 ? VerdictConfidence.High : VerdictConfidence.Low;

    /// <summary>IPv4 or IPv6.</summary>
    public IpFamily Family { get; init; } = IpFamily.IPv4;

    /// <summary>The key.</summary>
    public string Key { get; init; } = string.Empty;

    /// <summary>The runtime value, null when unreadable.</summary>
    public string? RuntimeValue { get; init; }

    /// <summary>The verdict of Get-IpForward (its Status).</summary>
    public IpForwardStatus Status { get; init; } = IpForwardStatus.Unknown;

    /// <summary>The assignment in force (<c>file:line</c>), null when no file sets it.</summary>
    public string? PersistedSource { get; init; }

    /// <summary>The file of the assignment in force.</summary>
    public string? PersistedFile { get; init; }

    /// <summary>The key as written in the assignment in force.</summary>
    public string? PersistedKey { get; init; }

    /// <summary>The value of the assignment in force.</summary>
    public string? PersistedValue { get; init; }

    /// <summary>Every assignment, as <c>file:line: key = value</c>, in the order applied.</summary>
    public IReadOnlyList<string> Assignments { get; init; } = [];
}

/// <summary>A host file or folder that could not be read.</summary>
public sealed record UnreadableFact
{
    /// <summary>The host path.</summary>
    public string Path { get; init; } = string.Empty;

    /// <summary>Why (AccessDenied, NotRegularFile, TooLarge, LinkOutsideRoot, IoError).</summary>
    public Native.UnreadableReason Reason { get; init; } = Native.UnreadableReason.IoError;

    /// <summary>What went wrong, in one sentence.</summary>
    public string? Message { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Path} ({Reason})";
}

/// <summary>firewalld, as the checks need it.</summary>
public sealed record FirewalldFact
{
    /// <summary>Running, NotRunning, Failed, NotInstalled, Unreachable.</summary>
    public FirewalldRunState State { get; init; } = FirewalldRunState.NotInstalled;

    /// <summary>firewalld (or its bus) was there but did not answer in time (hung or stopped).</summary>
    public bool NotResponding { get; init; }

    /// <summary>The backend (firewalld.conf).</summary>
    public string? Backend { get; init; }

    /// <summary>The installed firewalld version.</summary>
    public string? Version { get; init; }

    /// <summary>The permanent direct rules, passthroughs and chains.</summary>
    public int DirectRules { get; init; }

    /// <summary>StrictForwardPorts of firewalld.conf (firewalld 2.3+), null when unset.</summary>
    public bool? StrictForwardPorts { get; init; }

    /// <summary>The outside zone's forward-ports at runtime, as firewalld lists them (<c>port=5000:proto=tcp:toport=5000:toaddr=192.0.2.2</c>).</summary>
    public IReadOnlyList<string> ForwardPorts { get; init; } = [];

    /// <summary>The default zone.</summary>
    public string? DefaultZone { get; init; }

    /// <summary>The interface outside traffic arrives on (the default route's, else the first non-Docker interface).</summary>
    public string? OutsideInterface { get; init; }

    /// <summary>The zone of that interface.</summary>
    public string? OutsideZone { get; init; }

    /// <summary>Why that zone.</summary>
    public string? OutsideZoneReason { get; init; }

    /// <summary>Per zone and port of interest: open at runtime and permanently, and by what.</summary>
    public IReadOnlyList<FirewalldPortFact> Ports { get; init; } = [];

    /// <summary>What firewalld said when it is not running.</summary>
    public string? Message { get; init; }

    /// <summary>The names of the runtime zones; null when they were not read (firewalld not running, or a snapshot of an older module).</summary>
    public IReadOnlyList<string>? RuntimeZones { get; init; }

    /// <summary>Docker's zone <c>docker</c> at runtime (dockerd 20.10+ creates it, target ACCEPT, and puts its bridges in it); null when there is none.</summary>
    public FirewalldDockerZoneFact? DockerZone { get; init; }

    /// <summary>The runtime policies (firewalld 0.9+); null when they were not read (firewalld not running, too old, or unreadable).</summary>
    public IReadOnlyList<FirewalldPolicyFact>? Policies { get; init; }
}

/// <summary>Docker's firewalld zone, as the checks need it.</summary>
public sealed record FirewalldDockerZoneFact
{
    /// <summary>The zone's target (dockerd makes it ACCEPT).</summary>
    public string Target { get; init; } = "default";

    /// <summary>The interfaces bound to it at runtime.</summary>
    public IReadOnlyList<string> Interfaces { get; init; } = [];
}

/// <summary>One firewalld policy, as the checks need it.</summary>
public sealed record FirewalldPolicyFact
{
    /// <summary>The name.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>The target.</summary>
    public string Target { get; init; } = "CONTINUE";

    /// <summary>The ingress zones.</summary>
    public IReadOnlyList<string> IngressZones { get; init; } = [];

    /// <summary>The egress zones.</summary>
    public IReadOnlyList<string> EgressZones { get; init; } = [];
}

/// <summary>Whether one port is open in one zone.</summary>
public sealed record FirewalldPortFact
{
    /// <summary>The zone.</summary>
    public string Zone { get; init; } = string.Empty;

    /// <summary>The port.</summary>
    public int Port { get; init; }

    /// <summary>The protocol.</summary>
    public string Protocol { get; init; } = "tcp";

    /// <summary>What opens it at runtime (port, range, service, target), null when closed.</summary>
    public string? RuntimeOpenBy { get; init; }

    /// <summary>What opens it permanently, null when closed.</summary>
    public string? PermanentOpenBy { get; init; }
}

/// <summary>Docker's rules in one iptables variant.</summary>
public sealed record IptablesVariantFact
{
    /// <summary>Nft or Legacy.</summary>
    public IptablesVariant Variant { get; init; } = IptablesVariant.Unknown;

    /// <summary>The FORWARD chain's policy.</summary>
    public string? ForwardPolicy { get; init; }

    /// <summary>Docker's chains (expected ones, present or not).</summary>
    public IReadOnlyList<ChainFact> Chains { get; init; } = [];

    /// <summary>True when any Docker chain exists in this variant.</summary>
    public bool HoldsDockerRules { get; init; }
}

/// <summary>One of Docker's chains.</summary>
public sealed record ChainFact
{
    /// <summary>nat or filter.</summary>
    public string Table { get; init; } = string.Empty;

    /// <summary>The chain.</summary>
    public string Chain { get; init; } = string.Empty;

    /// <summary>True when it exists.</summary>
    public bool Exists { get; init; }

    /// <summary>How many rules jump into it.</summary>
    public int JumpCount { get; init; }

    /// <summary>Its rules, as iptables-save prints them.</summary>
    public IReadOnlyList<string> Rules { get; init; } = [];
}

/// <summary>The Docker engine and its published ports.</summary>
public sealed record DockerFact
{
    /// <summary>True when the Engine API answered.</summary>
    public bool EngineReachable { get; init; }

    /// <summary>Why it did not.</summary>
    public string? EngineError { get; init; }

    /// <summary>The engine's version.</summary>
    public string? Version { get; init; }

    /// <summary>The engine's firewall backend report (API 1.48+).</summary>
    public string? FirewallBackend { get; init; }

    /// <summary>When the engine last re-applied its rules after a firewalld reload (API 1.48+).</summary>
    public DateTimeOffset? FirewallReloadedAt { get; init; }

    /// <summary>The engine's <c>/info</c> IPv4Forwarding (whether it sees net.ipv4.ip_forward on); null when not read.</summary>
    public bool? IPv4Forwarding { get; init; }

    /// <summary>
    /// The networks on which a container has an IPv6 address (IPv6 enabled: <c>"ipv6": true</c> for the default bridge, or
    /// <c>docker network create --ipv6</c>); empty on an IPv4-only engine.
    /// </summary>
    public IReadOnlyList<string> IPv6Networks { get; init; } = [];

    /// <summary>Docker's Linux bridges on the host (<c>docker0</c>, <c>br-*</c>).</summary>
    public IReadOnlyList<string> Bridges { get; init; } = [];

    /// <summary>Published ports of running containers, cross-checked with the rules.</summary>
    public IReadOnlyList<PublishedPortFact> Ports { get; init; } = [];

    /// <summary>Containers that are not running.</summary>
    public IReadOnlyList<StoppedContainerFact> StoppedContainers { get; init; } = [];

    /// <summary>The engine's networks with their gateway modes (<c>/networks</c>).</summary>
    public IReadOnlyList<DockerNetworkFact> Networks { get; init; } = [];

    /// <summary><c>/info</c> Swarm.LocalNodeState is active (services publish through nat DOCKER-INGRESS); null when not read.</summary>
    public bool? SwarmActive { get; init; }
}

/// <summary>A published port.</summary>
public sealed record PublishedPortFact
{
    /// <summary>The container's name.</summary>
    public string ContainerName { get; init; } = string.Empty;

    /// <summary>The container's id.</summary>
    public string ContainerId { get; init; } = string.Empty;

    /// <summary>The host address it is bound to.</summary>
    public string? HostIp { get; init; }

    /// <summary>IPv4, or IPv6 for the <c>[::]</c> binding of a container with an IPv6 address (its rules are in ip6tables).</summary>
    public IpFamily Family { get; init; } = IpFamily.IPv4;

    /// <summary>The host port.</summary>
    public int Port { get; init; }

    /// <summary>tcp or udp.</summary>
    public string Protocol { get; init; } = "tcp";

    /// <summary>The container's address.</summary>
    public string? ContainerIp { get; init; }

    /// <summary>The container's port.</summary>
    public int ContainerPort { get; init; }

    /// <summary>The DNAT rule exists.</summary>
    public bool DnatRulePresent { get; init; }

    /// <summary>The variant holding the DNAT rule.</summary>
    public IptablesVariant? RuleVariant { get; init; }

    /// <summary>A filter rule accepts the forwarded traffic.</summary>
    public bool ForwardAccepted { get; init; }

    /// <summary>docker-proxy holds the host port.</summary>
    public bool ProxyListening { get; init; }

    /// <summary>For a swarm service's port: the service (its rules are in nat DOCKER-INGRESS); null for a container.</summary>
    public string? ServiceName { get; init; }

    /// <summary>The container's network.</summary>
    public string? Network { get; init; }

    /// <summary>That network's IPv4 gateway mode (<c>nat</c>, <c>nat-unprotected</c>, <c>routed</c>, <c>isolated</c>); null when unknown (nat).</summary>
    public string? GatewayMode { get; init; }

    /// <summary>Where its rules were looked for (<c>iptables nat/DOCKER</c>, <c>nft ip docker-bridges</c>, <c>iptables nat/DOCKER-INGRESS</c>).</summary>
    public string? RuleSource { get; init; }

    /// <summary>The listening socket on the host port (<c>address:port (process[pid])</c>), null when none.</summary>
    public string? Listener { get; init; }

    /// <summary>
    /// With the nftables backend: false when an iptables filter FORWARD policy is DROP and no iptables rule accepts this
    /// port's forwarded traffic (it then drops what nftables accepted); true when one does; null when no policy is DROP.
    /// </summary>
    public bool? IptablesForwardAccepts { get; init; }
}

/// <summary>A container that is not running, and the ports it would publish.</summary>
public sealed record StoppedContainerFact
{
    /// <summary>The container's name.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>The container's id.</summary>
    public string Id { get; init; } = string.Empty;

    /// <summary>Its state (exited, created, ...).</summary>
    public string State { get; init; } = string.Empty;

    /// <summary>Its status line.</summary>
    public string Status { get; init; } = string.Empty;

    /// <summary>The host ports it publishes when running, as <c>5000/tcp</c>.</summary>
    public IReadOnlyList<string> Ports { get; init; } = [];
}

/// <summary>A systemd unit's ActiveState (systemd's closed set; Unknown when it was not read or is new).</summary>
public enum UnitActiveState
{
    /// <summary>Not read, or a value this module does not know.</summary>
    Unknown,

    /// <summary>active.</summary>
    Active,

    /// <summary>reloading.</summary>
    Reloading,

    /// <summary>inactive.</summary>
    Inactive,

    /// <summary>failed.</summary>
    Failed,

    /// <summary>activating.</summary>
    Activating,

    /// <summary>deactivating.</summary>
    Deactivating,

    /// <summary>maintenance.</summary>
    Maintenance,

    /// <summary>refreshing.</summary>
    Refreshing,
}

/// <summary>A systemd unit.</summary>
public sealed record ServiceFact
{
    /// <summary>The unit.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>loaded, not-found...</summary>
    public string LoadState { get; init; } = string.Empty;

    /// <summary>active, inactive, failed...</summary>
    public UnitActiveState ActiveState { get; init; } = UnitActiveState.Unknown;

    /// <summary>running, dead...</summary>
    public string SubState { get; init; } = string.Empty;

    /// <summary>When it last became active.</summary>
    public DateTimeOffset? ActiveSince { get; init; }

    /// <summary>The same on the monotonic clock (µs).</summary>
    public ulong ActiveEnterMonotonicUs { get; init; }

    /// <summary>When it last went inactive, on the monotonic clock (µs; 0: never since boot).</summary>
    public ulong InactiveEnterMonotonicUs { get; init; }

    /// <summary>systemd's ActiveState text as the enum (unknown text: <see cref="UnitActiveState.Unknown"/>).</summary>
    public static UnitActiveState ParseActiveState(string? text) =>
        Enum.TryParse<UnitActiveState>(text, ignoreCase: true, out var v) && Enum.IsDefined(v) ? v : UnitActiveState.Unknown;
}
