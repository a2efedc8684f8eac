namespace DockerHostTools.Core.Firewalld;

/// <summary>Whether firewalld answers, as <c>firewall-cmd --state</c> and its exit code tell.</summary>
public enum FirewalldRunState
{
    /// <summary><c>running</c>, exit 0.</summary>
    Running,

    /// <summary><c>not running</c> on stderr, exit 252 (also <c>FirewallD is not running</c> from other queries).</summary>
    NotRunning,

    /// <summary><c>failed</c> on stderr, exit 251: firewalld started but could not load its configuration.</summary>
    Failed,

    /// <summary><c>firewall-cmd</c> is not installed.</summary>
    NotInstalled,

    /// <summary>firewall-cmd could not ask firewalld: the system D-Bus is missing (<c>DBUS_ERROR</c>), the call timed out, or an unexpected answer.</summary>
    Unreachable,
}

/// <summary>Which firewalld configuration a zone or a port was read from.</summary>
public enum FirewalldConfiguration
{
    /// <summary>The running firewall (what filters packets now).</summary>
    Runtime,

    /// <summary>The saved configuration (what the firewall holds after the next reload or restart).</summary>
    Permanent,
}

/// <summary>What opens a port in a zone.</summary>
public enum FirewalldPortSource
{
    /// <summary>A <c>ports:</c> entry of the zone.</summary>
    Port,

    /// <summary>A service of the zone whose definition lists the port.</summary>
    Service,
}

/// <summary>One zone of one configuration, as <c>firewall-cmd --list-all-zones</c> prints it.</summary>
public sealed class FirewalldZone
{
    internal FirewalldZone(string name, FirewalldConfiguration configuration, bool headerActive, bool headerDefault, IReadOnlyDictionary<string, IReadOnlyList<string>> settings)
    {
        Name = name;
        Configuration = configuration;
        Settings = settings;
        Target = One("target") ?? "default";
        Interfaces = Many("interfaces");
        Sources = Many("sources");
        Services = Many("services");
        Ports = Many("ports");
        Protocols = Many("protocols");
        SourcePorts = Many("source-ports");
        IcmpBlocks = Many("icmp-blocks");
        ForwardPorts = Many("forward-ports");
        RichRules = Many("rich rules");
        Masquerade = string.Equals(One("masquerade"), "yes", StringComparison.Ordinal);
        Forward = One("forward") is { } f ? f == "yes" : null;
        IsActive = headerActive || (configuration == FirewalldConfiguration.Runtime && (Interfaces.Count > 0 || Sources.Count > 0));
        IsDefault = headerDefault;
    }

    /// <summary>The zone name.</summary>
    public string Name { get; }

    /// <summary>The configuration it was read from.</summary>
    public FirewalldConfiguration Configuration { get; }

    /// <summary>True for firewalld's default zone (interfaces bound to no zone are in it).</summary>
    public bool IsDefault { get; internal set; }

    /// <summary>True when an interface or a source is bound to it (runtime).</summary>
    public bool IsActive { get; internal set; }

    /// <summary>The target: <c>default</c>, <c>ACCEPT</c>, <c>DROP</c>, <c>%%REJECT%%</c>.</summary>
    public string Target { get; }

    /// <summary>True when the target accepts everything not otherwise matched (<c>ACCEPT</c>, as the <c>trusted</c> and <c>docker</c> zones).</summary>
    public bool AcceptsAll => string.Equals(Target, "ACCEPT", StringComparison.Ordinal);

    /// <summary>Interfaces bound to the zone.</summary>
    public IReadOnlyList<string> Interfaces { get; }

    /// <summary>Source addresses bound to the zone.</summary>
    public IReadOnlyList<string> Sources { get; }

    /// <summary>Services enabled in the zone.</summary>
    public IReadOnlyList<string> Services { get; }

    /// <summary>Ports enabled in the zone, as <c>5000/tcp</c> or <c>8000-8010/tcp</c>.</summary>
    public IReadOnlyList<string> Ports { get; }

    /// <summary>IP protocols enabled in the zone.</summary>
    public IReadOnlyList<string> Protocols { get; }

    /// <summary>Source ports enabled in the zone.</summary>
    public IReadOnlyList<string> SourcePorts { get; }

    /// <summary>Blocked ICMP types.</summary>
    public IReadOnlyList<string> IcmpBlocks { get; }

    /// <summary>Forward ports, one per entry (<c>port=8080:proto=tcp:toport=80:toaddr=192.0.2.2</c>).</summary>
    public IReadOnlyList<string> ForwardPorts { get; }

    /// <summary>Rich rules, one per entry.</summary>
    public IReadOnlyList<string> RichRules { get; }

    /// <summary>True when masquerading is on.</summary>
    public bool Masquerade { get; }

    /// <summary>Intra-zone forwarding (<c>forward:</c>, firewalld 1.0+); null on versions that do not print it (0.6).</summary>
    public bool? Forward { get; }

    /// <summary>Every <c>key: value</c> line as read, values split on spaces (continuation lines as one entry each).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Settings { get; }

    /// <summary>The zone's port entries, parsed.</summary>
    public IReadOnlyList<FirewalldPortSpec> PortSpecs =>
        Ports.Select(p => FirewalldPortSpec.TryParse(p, out var s) ? s : null).OfType<FirewalldPortSpec>().ToList();

    private string? One(string key) => Settings.TryGetValue(key, out var v) && v.Count > 0 ? v[0] : null;

    private IReadOnlyList<string> Many(string key) => Settings.TryGetValue(key, out var v) ? v : [];

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Configuration})";
}

/// <summary>The whole firewalld picture: is it running, which backend, the default and active zones, and every zone in both configurations.</summary>
public sealed class FirewalldState
{
    internal FirewalldState(FirewalldRunState state, string message)
    {
        State = state;
        Message = message;
    }

    /// <summary>Running, NotRunning, Failed, NotInstalled or Unreachable.</summary>
    public FirewalldRunState State { get; }

    /// <summary>True when <see cref="State"/> is Running.</summary>
    public bool IsRunning => State == FirewalldRunState.Running;

    /// <summary>
    /// True when firewalld (or the system bus it speaks through) was there but did not answer within the timeout: a hung
    /// or stopped process, not a firewalld that cannot run here or refused the caller.
    /// </summary>
    public bool NotResponding { get; internal set; }

    /// <summary>The installed firewalld version (read from its Python package; no process), or null.</summary>
    public string? Version { get; internal set; }

    /// <summary><c>FirewallBackend</c> from <c>/etc/firewalld/firewalld.conf</c> (<c>nftables</c>, <c>iptables</c>), or null when the file does not say (0.6 uses iptables).</summary>
    public string? Backend { get; internal set; }

    /// <summary>The default zone (runtime), or the one firewalld.conf names when firewalld does not run.</summary>
    public string? DefaultZone { get; internal set; }

    /// <summary>The rules, passthroughs and chains of the permanent direct configuration (<c>/etc/firewalld/direct.xml</c>).</summary>
    public int DirectRules { get; internal set; }

    /// <summary><c>StrictForwardPorts</c> of firewalld.conf (firewalld 2.3+): yes rejects Docker-published ports without a forward-port; null when unset.</summary>
    public bool? StrictForwardPorts { get; internal set; }

    /// <summary>True when a start or reload of this firewalld flushes Docker's iptables rules (by version, backend, direct rules); null when unknown.</summary>
    public bool? FlushesDockerRules => FirewalldFlushing.FlushesIptables(Version, Backend, DirectRules);

    /// <summary>Names of the zones with an interface or a source bound at runtime.</summary>
    public IReadOnlyList<string> ActiveZones { get; internal set; } = [];

    /// <summary>Every zone of the runtime configuration.</summary>
    public IReadOnlyList<FirewalldZone> Zones { get; internal set; } = [];

    /// <summary>Every zone of the permanent configuration (only those a diagnosis needs when <see cref="PermanentZonesPartial"/>).</summary>
    public IReadOnlyList<FirewalldZone> PermanentZones { get; internal set; } = [];

    /// <summary>True when <see cref="PermanentZones"/> holds only the zones a diagnosis needs (the outside, default and docker
    /// zones, as Test-DockerHost and Get-DockerHostNetState read them): the other zones' permanent side was not read.</summary>
    public bool PermanentZonesPartial { get; internal set; }

    /// <summary>The policies of the runtime configuration (firewalld 0.9+); null when firewalld does not run, has no policies, or they could not be read.</summary>
    public IReadOnlyList<FirewalldPolicy>? Policies { get; internal set; }

    /// <summary>What the state means, in words (the stderr of firewall-cmd when it failed).</summary>
    public string Message { get; internal set; }

    /// <summary>Wall time of the read in milliseconds.</summary>
    public double ElapsedMs { get; internal set; }

    /// <summary>
    /// How the zones were read: <c>dbus</c> (firewalld's D-Bus API in process, both configurations), <c>busctl</c>
    /// (the same API through busctl, where there is no bus in process), <c>firewall-cmd</c> (both listings),
    /// <c>dbus+firewall-cmd</c> or <c>busctl+firewall-cmd</c> (one each); null when firewalld is not running.
    /// </summary>
    public string? ZonesReadWith { get; internal set; }

    /// <summary>The zone an interface belongs to at runtime: the zone that lists it, else the default zone.</summary>
    public string? ZoneOfInterface(string interfaceName) =>
        Zones.FirstOrDefault(z => z.Interfaces.Contains(interfaceName, StringComparer.Ordinal))?.Name ?? DefaultZone;

    /// <inheritdoc />
    public override string ToString() => $"{State} (default zone {DefaultZone ?? "-"})";
}

/// <summary>One port (or range) with its protocol, as firewalld writes it: <c>5000/tcp</c>, <c>8000-8010/udp</c>.</summary>
public sealed class FirewalldPortSpec : IEquatable<FirewalldPortSpec>
{
    /// <summary>The protocols firewalld accepts for a port.</summary>
    public static readonly IReadOnlyList<string> Protocols = ["tcp", "udp", "sctp", "dccp"];

    /// <summary>Creates a port spec.</summary>
    public FirewalldPortSpec(int from, int to, string protocol)
    {
        From = from;
        To = to;
        Protocol = protocol;
    }

    /// <summary>The first port.</summary>
    public int From { get; }

    /// <summary>The last port (same as <see cref="From"/> for a single port).</summary>
    public int To { get; }

    /// <summary>tcp, udp, sctp or dccp.</summary>
    public string Protocol { get; }

    /// <summary>The port as firewalld writes it: <c>5000</c> or <c>8000-8010</c>.</summary>
    public string Port => From == To ? From.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{From}-{To}";

    /// <summary>True when the given port (or range) lies entirely inside this one, with the same protocol.</summary>
    public bool Covers(FirewalldPortSpec other) =>
        other is not null && string.Equals(Protocol, other.Protocol, StringComparison.Ordinal) && From <= other.From && other.To <= To;

    /// <summary>Parses <c>5000/tcp</c> or <c>8000-8010/udp</c>; false for anything else.</summary>
    public static bool TryParse(string text, out FirewalldPortSpec? spec)
    {
        spec = null;
        var slash = text?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (slash <= 0)
        {
            return false;
        }

        try
        {
            spec = Parse(text![..slash], text[(slash + 1)..]);
            return true;
        }
        catch (FirewalldInputException)
        {
            return false;
        }
    }

    /// <summary>
    /// Parses and checks user input: a port <c>5000</c>, a range <c>8000-8010</c> (or <c>5000/tcp</c>) and a protocol
    /// (null: the port's own, else tcp). A port that names a protocol other than a non-null <paramref name="protocol"/>
    /// is an error (ConflictingProtocol), never silently one of the two.
    /// </summary>
    /// <exception cref="FirewalldInputException">Port 0, above 65535, a reversed range, not a number, an unknown protocol, or two protocols.</exception>
    public static FirewalldPortSpec Parse(string port, string? protocol)
    {
        var p = (port ?? string.Empty).Trim();
        var proto = (protocol ?? "tcp").Trim().ToLowerInvariant();
        var slash = p.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            var suffix = p[(slash + 1)..].Trim().ToLowerInvariant();
            // A protocol that is not one is that error first (5000/foo -Protocol tcp), whichever of the two it is.
            foreach (var (text, given) in new[] { (suffix, p[(slash + 1)..]), (proto, protocol ?? proto) })
            {
                if (!Protocols.Contains(text, StringComparer.Ordinal))
                {
                    throw new FirewalldInputException(FirewalldInputError.InvalidProtocol, given,
                        $"'{text}' is not a protocol firewalld knows for a port; use tcp, udp, sctp or dccp.");
                }
            }

            if (protocol is not null && suffix != proto)
            {
                throw new FirewalldInputException(FirewalldInputError.ConflictingProtocol, port ?? string.Empty,
                    $"'{port}' names protocol '{suffix}' but -Protocol is '{protocol}': give the protocol once (5000/udp, or 5000 -Protocol udp).");
            }

            proto = suffix;
            p = p[..slash].Trim();
        }

        if (!Protocols.Contains(proto, StringComparer.Ordinal))
        {
            throw new FirewalldInputException(FirewalldInputError.InvalidProtocol, protocol ?? proto,
                $"'{proto}' is not a protocol firewalld knows for a port; use tcp, udp, sctp or dccp.");
        }

        var dash = p.IndexOf('-', StringComparison.Ordinal);
        var fromText = dash >= 0 ? p[..dash] : p;
        var toText = dash >= 0 ? p[(dash + 1)..] : p;
        if (!int.TryParse(fromText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var from)
            || !int.TryParse(toText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var to)
            || from < 1 || to > 65535 || to < 1 || from > 65535 || from > to)
        {
            throw new FirewalldInputException(FirewalldInputError.InvalidPort, port ?? string.Empty,
                $"'{port}' is not a port firewalld can open: use a number from 1 to 65535 or a range such as 8000-8010 (low-high).");
        }

        return new FirewalldPortSpec(from, to, proto);
    }

    /// <inheritdoc />
    public bool Equals(FirewalldPortSpec? other) => other is not null && From == other.From && To == other.To && Protocol == other.Protocol;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as FirewalldPortSpec);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(From, To, Protocol);

    /// <summary><c>5000/tcp</c>.</summary>
    public override string ToString() => $"{Port}/{Protocol}";
}

/// <summary>One port of one zone across both configurations: is it open at runtime, permanently, and by what.</summary>
public sealed class FirewalldPort
{
    internal FirewalldPort(string zone, FirewalldPortSpec spec, FirewalldPortSource source, string? service, bool runtime, bool permanent, bool zoneIsDefault, bool zoneIsActive)
    {
        Zone = zone;
        Port = spec.Port;
        Protocol = spec.Protocol;
        Source = source;
        Service = service;
        Runtime = runtime;
        Permanent = permanent;
        ZoneIsDefault = zoneIsDefault;
        ZoneIsActive = zoneIsActive;
    }

    /// <summary>The zone.</summary>
    public string Zone { get; }

    /// <summary>The port or range (<c>5000</c>, <c>8000-8010</c>).</summary>
    public string Port { get; }

    /// <summary>tcp, udp, sctp or dccp.</summary>
    public string Protocol { get; }

    /// <summary>A port entry, or a service.</summary>
    public FirewalldPortSource Source { get; }

    /// <summary>The service that opens it, when <see cref="Source"/> is Service.</summary>
    public string? Service { get; }

    /// <summary>Open in the running firewall.</summary>
    public bool Runtime { get; }

    /// <summary>Open in the permanent configuration.</summary>
    public bool Permanent { get; }

    /// <summary>True when runtime and permanent disagree: lost at the next reload (runtime only) or not in force now (permanent only).</summary>
    public bool Drift => Runtime != Permanent;

    /// <summary>The zone is the default zone.</summary>
    public bool ZoneIsDefault { get; }

    /// <summary>The zone has interfaces or sources bound at runtime.</summary>
    public bool ZoneIsActive { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Zone}: {Port}/{Protocol}";
}

/// <summary>Whether a port is open in the zone the traffic arrives in, at runtime and permanently, and why not.</summary>
public sealed class FirewalldPortTest
{
    internal FirewalldPortTest(FirewalldPortSpec spec, string? interfaceName, string zone, string zoneReason,
        string? runtimeBy, string? permanentBy, FirewalldRunState state, string message)
    {
        Port = spec.Port;
        Protocol = spec.Protocol;
        Interface = interfaceName;
        Zone = zone;
        ZoneReason = zoneReason;
        RuntimeOpenBy = runtimeBy;
        PermanentOpenBy = permanentBy;
        FirewalldState = state;
        Message = message;
    }

    /// <summary>The port or range asked about.</summary>
    public string Port { get; }

    /// <summary>The protocol.</summary>
    public string Protocol { get; }

    /// <summary>The interface whose zone was used, when one was.</summary>
    public string? Interface { get; }

    /// <summary>The zone the traffic arrives in.</summary>
    public string Zone { get; }

    /// <summary>Why that zone: bound to the interface, the default zone, or named.</summary>
    public string ZoneReason { get; }

    /// <summary>What opens it at runtime (<c>port 5000/tcp</c>, <c>service http</c>, <c>target ACCEPT</c>), or null when closed.</summary>
    public string? RuntimeOpenBy { get; }

    /// <summary>What opens it permanently, or null when closed.</summary>
    public string? PermanentOpenBy { get; }

    /// <summary>Open at runtime; null when firewalld does not run (it has no runtime configuration and filters nothing).</summary>
    public bool? Runtime => FirewalldState == FirewalldRunState.Running ? RuntimeOpenBy is not null : null;

    /// <summary>Open in the permanent configuration; null when firewalld does not run (it was not asked).</summary>
    public bool? Permanent => FirewalldState == FirewalldRunState.Running ? PermanentOpenBy is not null : null;

    /// <summary>
    /// Open now and after the next reload; null when firewalld does not run: then it neither opens nor blocks the port
    /// (the message says so), and the answer comes when it runs again.
    /// </summary>
    public bool? IsOpen => FirewalldState == FirewalldRunState.Running ? RuntimeOpenBy is not null && PermanentOpenBy is not null : null;

    /// <summary>The firewalld state when asked.</summary>
    public FirewalldRunState FirewalldState { get; }

    /// <summary>Why it is (not) open, and what to do.</summary>
    public string Message { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Port}/{Protocol} in {Zone}: {IsOpen switch { true => "open", false => "not open", null => "not filtered (firewalld is not running)" }}";
}

/// <summary>What Add-/Remove-FirewalldPort did to one port in one configuration.</summary>
public sealed class FirewalldPortChange
{
    internal FirewalldPortChange(string zone, FirewalldPortSpec spec, FirewalldConfiguration configuration, string action, bool changed, string message)
    {
        Zone = zone;
        Port = spec.Port;
        Protocol = spec.Protocol;
        Configuration = configuration;
        Action = action;
        Changed = changed;
        Message = message;
    }

    /// <summary>The zone.</summary>
    public string Zone { get; }

    /// <summary>The port or range.</summary>
    public string Port { get; }

    /// <summary>The protocol.</summary>
    public string Protocol { get; }

    /// <summary>Runtime or Permanent.</summary>
    public FirewalldConfiguration Configuration { get; }

    /// <summary><c>Add</c> or <c>Remove</c>.</summary>
    public string Action { get; }

    /// <summary>False when there was nothing to do (already open, or already closed).</summary>
    public bool Changed { get; }

    /// <summary>What happened, in words.</summary>
    public string Message { get; }

    /// <inheritdoc />
    public override string ToString() => Message;
}
