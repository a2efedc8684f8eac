using DockerHostTools.Core.Iptables;
using DockerHostTools.Core.Repair;
using DockerHostTools.Core.Sysctl;

namespace DockerHostTools.Core.Diagnosis;

/// <summary>How bad a finding is.</summary>
public enum FindingSeverity
{
    /// <summary>Outside traffic to a published port is blocked now.</summary>
    Error,

    /// <summary>It works now but breaks at the next reboot, reload or restart.</summary>
    Warning,

    /// <summary>Worth knowing; nothing breaks because of it.</summary>
    Info,
}

/// <summary>
/// The finding ids: a public contract (scripts match on them). Each is documented in Test-DockerHost's help.
/// </summary>
public static class FindingIds
{
    /// <summary>net.ipv4.ip_forward is 0 now: forwarded traffic to containers is dropped.</summary>
    public const string IpForwardDisabled = nameof(IpForwardDisabled);

    /// <summary>Forwarding is on only at runtime (dockerd turned it on); no sysctl file keeps it on.</summary>
    public const string IpForwardNotPersisted = nameof(IpForwardNotPersisted);

    /// <summary>The sysctl file applied last sets forwarding to 0 (possibly overriding an earlier 1).</summary>
    public const string IpForwardOverridden = nameof(IpForwardOverridden);

    /// <summary>Something on the host is configured to switch forwarding off again (systemd-networkd IPForward=no, ...).</summary>
    public const string IpForwardResetRisk = nameof(IpForwardResetRisk);

    /// <summary>firewalld runs and the published port is not open in the zone the outside traffic arrives in.</summary>
    public const string FirewalldPortClosed = nameof(FirewalldPortClosed);

    /// <summary>The port is open only at runtime (lost at the next reload) or only permanently (not in force now).</summary>
    public const string FirewalldRuntimePermanentDrift = nameof(FirewalldRuntimePermanentDrift);

    /// <summary>The port is open, but in a zone the outside interface is not in.</summary>
    public const string FirewalldZoneMismatch = nameof(FirewalldZoneMismatch);

    /// <summary>firewalld entered its active state after dockerd did (its start flushed Docker's rules).</summary>
    public const string FirewalldStartedAfterDocker = nameof(FirewalldStartedAfterDocker);

    /// <summary>
    /// dockerd started while firewalld was not running and firewalld started later: dockerd has no handler for firewalld's
    /// reloads (and made no docker zone or docker-forwarding policy), so rules a flushing firewalld removes stay gone.
    /// </summary>
    public const string FirewalldStartedWithoutDockerHandler = nameof(FirewalldStartedWithoutDockerHandler);

    /// <summary>firewalld's StrictForwardPorts=yes (2.3+) rejects Docker-published ports that have no forward-port.</summary>
    public const string FirewalldStrictForwardPorts = nameof(FirewalldStrictForwardPorts);

    /// <summary>docker.service is not active.</summary>
    public const string DockerServiceDown = nameof(DockerServiceDown);

    /// <summary>One of Docker's iptables chains is missing.</summary>
    public const string DockerChainMissing = nameof(DockerChainMissing);

    /// <summary>The DNAT rule of a published port is missing.</summary>
    public const string DockerDnatMissing = nameof(DockerDnatMissing);

    /// <summary>Docker's rules live in the other iptables variant than the one firewalld and `iptables` use.</summary>
    public const string DockerRulesInOtherVariant = nameof(DockerRulesInOtherVariant);

    /// <summary>The FORWARD chain's policy is DROP and nothing accepts the published port's forwarded traffic.</summary>
    public const string ForwardPolicyDrop = nameof(ForwardPolicyDrop);

    /// <summary>DOCKER-USER drops or rejects traffic before Docker's own rules see it.</summary>
    public const string DockerUserDrop = nameof(DockerUserDrop);

    /// <summary>The container that publishes the port is not running.</summary>
    public const string ContainerNotRunning = nameof(ContainerNotRunning);

    /// <summary>
    /// A port is published only on an IPv6 host address (<c>[::]</c>): IPv4 clients are refused. Where the engine's IPv6
    /// rules are not in play, docker-proxy serves the binding and only its listener and firewalld's zone decide (Info;
    /// Warning when firewalld does not open the port or nothing listens).
    /// </summary>
    public const string PublishedOnIPv6Only = nameof(PublishedOnIPv6Only);

    /// <summary>
    /// Docker's firewalld zone <c>docker</c> (dockerd 20.10+, target ACCEPT, holding Docker's bridges) is missing or
    /// altered while dockerd uses firewalld: a bridge not in it, or a target other than ACCEPT.
    /// </summary>
    public const string DockerFirewalldZoneMissing = nameof(DockerFirewalldZoneMissing);

    /// <summary>
    /// Docker's firewalld policy <c>docker-forwarding</c> (dockerd 27+: ingress ANY, egress docker, target ACCEPT) is
    /// missing or altered while dockerd uses firewalld.
    /// </summary>
    public const string DockerForwardingPolicyMissing = nameof(DockerForwardingPolicyMissing);

    /// <summary>
    /// firewalld is installed but did not answer (hung or stopped, or the system bus it speaks through is): its zones,
    /// ports and policies could not be checked, and firewall-cmd would hang on the same process.
    /// </summary>
    public const string FirewalldNotResponding = nameof(FirewalldNotResponding);

    /// <summary>Some host files could not be read (a 0600 drop-in read by non-root, a FIFO): the verdicts that depend on them may be wrong.</summary>
    public const string HostReadIncomplete = nameof(HostReadIncomplete);

    /// <summary>The daemon runs with <c>iptables: false</c>: Docker does not manage the firewall (Info).</summary>
    public const string DockerFirewallUnmanaged = nameof(DockerFirewallUnmanaged);

    /// <summary>A published port's network has a gateway mode other than nat: other rules are expected (Info; Warning for isolated).</summary>
    public const string DockerGatewayMode = nameof(DockerGatewayMode);

    /// <summary>The engine's firewall backend is nftables and its table <c>ip docker-bridges</c> is missing (Error).</summary>
    public const string DockerNftablesMissing = nameof(DockerNftablesMissing);

    /// <summary>The nftables backend accepts the port, but an iptables filter FORWARD policy DROP drops it (Error).</summary>
    public const string NftablesForwardDroppedByIptables = nameof(NftablesForwardDroppedByIptables);

    /// <summary>The engine is a rootless dockerd: the host's forwarding and Docker-chain checks do not apply (Warning).</summary>
    public const string RootlessEngine = nameof(RootlessEngine);

    /// <summary>A rootless engine's published port has no listener on the host (its port driver does not hold it) (Error).</summary>
    public const string RootlessPortNotListening = nameof(RootlessPortNotListening);

    /// <summary>The engine runs elsewhere (Docker Desktop's VM, another host): this host's firewall says nothing about it (Warning).</summary>
    public const string EngineNotOnThisHost = nameof(EngineNotOnThisHost);

    /// <summary>
    /// nftables.service is enabled or active and its script (<c>/etc/nftables.conf</c>) runs <c>flush ruleset</c> while
    /// Docker's rules live in nf_tables (iptables-nft): each start, restart or reload of it deletes them. Error when it ran
    /// after dockerd and Docker's rules are gone.
    /// </summary>
    public const string NftablesServiceFlushesRuleset = nameof(NftablesServiceFlushesRuleset);

    /// <summary>ufw is active: its rules do not filter Docker-published ports (DNATed traffic goes through FORWARD, DOCKER-USER).</summary>
    public const string UfwDoesNotFilterPublishedPorts = nameof(UfwDoesNotFilterPublishedPorts);

    /// <summary>A ufw rule that denies, rejects, limits or restricts by source a Docker-published port: it has no effect on that port.</summary>
    public const string UfwRuleIgnoredForPublishedPort = nameof(UfwRuleIgnoredForPublishedPort);
}

/// <summary>What kind of thing a finding is about.</summary>
public enum SubjectKind
{
    /// <summary>A family's forwarding switch.</summary>
    Forwarding,

    /// <summary>A published host port.</summary>
    Port,

    /// <summary>One of Docker's iptables chains in one variant.</summary>
    Chain,

    /// <summary>A systemd unit.</summary>
    Unit,

    /// <summary>An iptables variant as a whole.</summary>
    IptablesVariant,

    /// <summary>firewalld: its state (no zone), one zone's open ports, or its ruleset.</summary>
    Firewalld,

    /// <summary>The host's configuration files as a whole (what could not be read of them).</summary>
    HostFiles,

    /// <summary>The Docker engine as a whole: where it runs and how it is configured.</summary>
    Engine,
}

/// <summary>
/// What a finding is about, typed: findings are matched by id and subject (before and after a repair, or read back from a
/// file), never by parsing their <see cref="Finding.Target"/> text. Plain data, so it survives JSON and CLIXML.
/// </summary>
public sealed record FindingSubject
{
    /// <summary>The kind of thing.</summary>
    public SubjectKind Kind { get; init; }

    /// <summary>
    /// Forwarding: the family. Port, Chain and IptablesVariant: <see cref="IpFamily.IPv6"/> for an IPv6 binding or an
    /// ip6tables chain, null for IPv4 (so the keys of IPv4 findings stay as they were).
    /// </summary>
    public IpFamily? Family { get; init; }

    /// <summary>Forwarding: the key when it is not the family's main one (<c>net.ipv6.conf.default.forwarding</c>), else null.</summary>
    public string? Key { get; init; }

    /// <summary>Port: the host port.</summary>
    public int? Port { get; init; }

    /// <summary>Port: the protocol.</summary>
    public string? Protocol { get; init; }

    /// <summary>Chain and IptablesVariant: the variant.</summary>
    public IptablesVariant? Variant { get; init; }

    /// <summary>Chain: the table.</summary>
    public string? Table { get; init; }

    /// <summary>Chain: the chain.</summary>
    public string? Chain { get; init; }

    /// <summary>Unit: the unit's name.</summary>
    public string? Unit { get; init; }

    /// <summary>Firewalld: the zone (null: firewalld itself).</summary>
    public string? Zone { get; init; }

    /// <summary>Firewalld: true for firewalld's own nftables ruleset.</summary>
    public bool Ruleset { get; init; }

    /// <summary>Firewalld: a policy (null: none).</summary>
    public string? Policy { get; init; }

    /// <summary>A family's forwarding switch.</summary>
    public static FindingSubject ForForwarding(IpFamily family) => new() { Kind = SubjectKind.Forwarding, Family = family };

    /// <summary>One key of a family's forwarding (<c>net.ipv6.conf.default.forwarding</c> beside <c>all</c>).</summary>
    public static FindingSubject ForForwarding(IpFamily family, string key) =>
        new() { Kind = SubjectKind.Forwarding, Family = family, Key = key == IpForward.KeyOf(family) ? null : key };

    /// <summary>A published host port.</summary>
    public static FindingSubject ForPort(int port, string protocol) => new() { Kind = SubjectKind.Port, Port = port, Protocol = protocol };

    /// <summary>A published host port of one family (IPv6: Docker's <c>[::]</c> binding, judged on ip6tables).</summary>
    public static FindingSubject ForPort(int port, string protocol, IpFamily family) =>
        new() { Kind = SubjectKind.Port, Port = port, Protocol = protocol, Family = family == IpFamily.IPv6 ? family : null };

    /// <summary>One of Docker's chains.</summary>
    public static FindingSubject ForChain(IptablesVariant variant, string table, string chain) =>
        new() { Kind = SubjectKind.Chain, Variant = variant, Table = table, Chain = chain };

    /// <summary>One of Docker's chains in one family (IPv6: ip6tables).</summary>
    public static FindingSubject ForChain(IptablesVariant variant, string table, string chain, IpFamily family) =>
        new() { Kind = SubjectKind.Chain, Variant = variant, Table = table, Chain = chain, Family = family == IpFamily.IPv6 ? family : null };

    /// <summary>A systemd unit.</summary>
    public static FindingSubject ForUnit(string unit) => new() { Kind = SubjectKind.Unit, Unit = unit };

    /// <summary>An iptables variant.</summary>
    public static FindingSubject ForVariant(IptablesVariant variant) => new() { Kind = SubjectKind.IptablesVariant, Variant = variant };

    /// <summary>An iptables variant of one family (IPv6: ip6tables).</summary>
    public static FindingSubject ForVariant(IptablesVariant variant, IpFamily family) =>
        new() { Kind = SubjectKind.IptablesVariant, Variant = variant, Family = family == IpFamily.IPv6 ? family : null };

    /// <summary>firewalld itself, one of its zones, or its ruleset.</summary>
    public static FindingSubject ForFirewalld(string? zone = null, bool ruleset = false) => new() { Kind = SubjectKind.Firewalld, Zone = zone, Ruleset = ruleset };

    /// <summary>One of firewalld's policies.</summary>
    public static FindingSubject ForFirewalldPolicy(string policy) => new() { Kind = SubjectKind.Firewalld, Policy = policy };

    /// <summary>The host's configuration files.</summary>
    public static FindingSubject ForHostFiles() => new() { Kind = SubjectKind.HostFiles };

    /// <summary>The Docker engine as a whole.</summary>
    public static FindingSubject ForEngine() => new() { Kind = SubjectKind.Engine };

    /// <summary>The Docker engine's rules of one family (IPv6: its <c>ip6 docker-bridges</c> table); IPv4 is <see cref="ForEngine()"/>.</summary>
    public static FindingSubject ForEngine(IpFamily family) => family == IpFamily.IPv6 ? new() { Kind = SubjectKind.Engine, Family = IpFamily.IPv6 } : ForEngine();

    /// <summary>
    /// The subject as the finding's Target shows it (<c>net.ipv4.ip_forward</c>, <c>5000/tcp</c>, <c>Nft:filter/DOCKER</c>; IPv6:
    /// <c>net.ipv6.conf.all.forwarding</c>, <c>[::]:5000/tcp</c>, <c>ip6tables-Nft:filter/DOCKER</c>).
    /// </summary>
    public override string ToString() => Kind switch
    {
        SubjectKind.Forwarding => Key ?? IpForward.KeyOf(Family ?? IpFamily.IPv4),
        SubjectKind.Port => Family == IpFamily.IPv6 ? $"[::]:{Port}/{Protocol}" : $"{Port}/{Protocol}",
        SubjectKind.Chain => Family == IpFamily.IPv6 ? $"ip6tables-{Variant}:{Table}/{Chain}" : $"{Variant}:{Table}/{Chain}",
        SubjectKind.Unit => Unit ?? string.Empty,
        SubjectKind.IptablesVariant => Family == IpFamily.IPv6 ? $"ip6tables-{Variant}" : $"iptables-{Variant}",
        SubjectKind.Firewalld => Ruleset ? "firewalld ruleset" : Policy is not null ? $"firewalld policy {Policy}" : Zone is null ? "firewalld" : $"firewalld zone {Zone}",
        SubjectKind.HostFiles => "host files",
        SubjectKind.Engine => Family == IpFamily.IPv6 ? "docker engine ip6" : "docker engine",
        _ => Kind.ToString(),
    };
}

/// <summary>What identifies a finding: its id and its subject.</summary>
/// <param name="Id">The finding id.</param>
/// <param name="Subject">What it is about.</param>
public sealed record FindingKey(string Id, FindingSubject Subject)
{
    /// <inheritdoc />
    public override string ToString() => $"{Id} {Subject}";
}

/// <summary>One thing Test-DockerHost found: what, how bad, the evidence, the exact remedy, and what a repair does.</summary>
public sealed class Finding
{
    /// <summary>Creates a finding.</summary>
    public Finding(string id, FindingSeverity severity, FindingSubject subject, string message, IReadOnlyList<string> evidence,
        IReadOnlyList<Remedy> remedy, RepairIntent intent)
    {
        Id = id ?? throw new ArgumentNullException(nameof(id));
        Severity = severity;
        Subject = subject ?? throw new ArgumentNullException(nameof(subject));
        Message = message;
        Evidence = new TextList<string>(evidence ?? []);
        Remedy = new RemedyList(remedy ?? []);
        Intent = intent ?? RepairIntent.Nothing;
    }

    /// <summary>The finding id (see <see cref="FindingIds"/>).</summary>
    public string Id { get; }

    /// <summary>How bad it is.</summary>
    public FindingSeverity Severity { get; }

    /// <summary>What it is about, for example <c>5000/tcp</c> or <c>net.ipv4.ip_forward</c> (the <see cref="Subject"/> as text).</summary>
    public string Target => Subject.ToString();

    /// <summary>One line a person can act on.</summary>
    public string Message { get; }

    /// <summary>What was observed, each with its source (as text: joined with "; ").</summary>
    public IReadOnlyList<string> Evidence { get; }

    /// <summary>
    /// The ways to fix it by hand: alternatives, each a whole command for the shell it names (as text: <c>Shell: command</c>
    /// joined with "; ").
    /// </summary>
    public IReadOnlyList<Remedy> Remedy { get; }

    /// <summary>True when Repair-DockerHost can fix it.</summary>
    public bool CanRepair => Intent.IsAutomatic;

    /// <summary>What the finding is about, typed.</summary>
    public FindingSubject Subject { get; }

    /// <summary>What Repair-DockerHost does about it.</summary>
    public RepairIntent Intent { get; }

    /// <summary>The id and subject that identify it.</summary>
    public FindingKey Key => new(Id, Subject);

    /// <inheritdoc />
    public override string ToString() => $"{Severity} {Id} {Target}: {Message}";
}
