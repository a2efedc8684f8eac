using System.Diagnostics;
using System.Xml.Linq;
using DockerHostTools.Core.Native;

namespace DockerHostTools.Core.Firewalld;

/// <summary>
/// Reads firewalld: the whole picture in one go (<see cref="GetStateAsync(INativeRunner, IHostFileSystem, CancellationToken)"/>), the ports by zone and configuration,
/// and whether a port is open where the traffic arrives. Every firewall-cmd call is a Python start (0.3-1 s), so the
/// reader asks firewalld's D-Bus API in process (<see cref="FirewalldDbusReader"/>, the runner's system bus), else
/// through <c>busctl</c> (milliseconds each), concurrently, and firewall-cmd where neither can.
/// </summary>
public static class FirewalldReader
{
    /// <summary>The program.</summary>
    public const string FirewallCmd = "firewall-cmd";

    /// <summary>firewalld's configuration file.</summary>
    public const string ConfPath = "/etc/firewalld/firewalld.conf";

    /// <summary>How long one firewall-cmd call may take.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    private static readonly string[] VersionFiles =
    [
        "/usr/lib/python3/dist-packages/firewall/config/__init__.py",
        "/usr/lib/python3/site-packages/firewall/config/__init__.py",
        "/usr/lib/python2.7/site-packages/firewall/config/__init__.py",
    ];

    private static readonly string[] ServiceFolders = ["/usr/lib/firewalld/services", "/etc/firewalld/services"];

    /// <summary>systemd's D-Bus tool, used to read firewalld's state and default zone without a Python start.</summary>
    public const string Busctl = "busctl";

    /// <summary>
    /// A busctl command on firewalld's main object and interface. <c>--auto-start=no</c>: reading must never start a
    /// stopped firewalld through D-Bus activation.
    /// </summary>
    public static NativeCommand BusctlCommand(string verb, string @interface, string member) =>
        new(Busctl, "--system", "--auto-start=no", verb, "org.fedoraproject.FirewallD1", "/org/fedoraproject/FirewallD1", @interface, member) { Timeout = TimeSpan.FromSeconds(5) };

    private const string BusName = "org.fedoraproject.FirewallD1";
    private const string BusPath = "/org/fedoraproject/FirewallD1";

    /// <summary>A <c>busctl --system --auto-start=no --json=short</c> command (any object and interface of firewalld's API).</summary>
    public static NativeCommand BusctlJsonCommand(params string[] arguments) =>
        new(Busctl, ["--system", "--auto-start=no", "--json=short", .. arguments]) { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>A firewall-cmd command with the reader's timeout.</summary>
    public static NativeCommand Command(params string[] arguments) => new(FirewallCmd, arguments) { Timeout = CallTimeout };

    /// <summary>
    /// The whole firewalld picture: state, version, backend, default and active zones, every zone at runtime and
    /// permanently. Never throws because firewalld is absent, stopped, failed or unreachable: that is the
    /// <see cref="FirewalldState.State"/>. Reads everything over D-Bus in process when the runner has a system bus
    /// (<see cref="FirewalldDbusReader.ReadAsync(DBus.ISystemBus, CancellationToken)"/>: no process; busctl is not asked when firewalld is not on that bus).
    /// Without one, asks firewalld's D-Bus <c>state</c> property through <c>busctl</c> first
    /// (milliseconds); when it is RUNNING, reads the default zone and both configurations' zones over D-Bus too
    /// (<see cref="ReadZonesOverDbusAsync"/>, concurrently; no firewall-cmd call), falling back to
    /// <c>--list-all-zones</c> / <c>--permanent --list-all-zones</c> for a configuration D-Bus cannot give. Without
    /// busctl, or when firewalld is not RUNNING, it runs <c>firewall-cmd --state</c> and <c>--get-default-zone</c>
    /// with the listings instead, all concurrently.
    /// </summary>
    /// <exception cref="OperationCanceledException">The caller cancelled.</exception>
    public static Task<FirewalldState> GetStateAsync(INativeRunner runner, IHostFileSystem fileSystem, CancellationToken cancellationToken = default) =>
        GetStateAsync(runner, fileSystem, null, cancellationToken);

    /// <summary>
    /// Reads firewalld as <see cref="GetStateAsync(INativeRunner, IHostFileSystem, CancellationToken)"/> does; over D-Bus
    /// in process, the permanent configuration only of the zones <paramref name="permanentZonesNeeded"/> names (given the
    /// default zone and the runtime zones; null: all). <see cref="FirewalldState.PermanentZones"/> then holds those only.
    /// </summary>
    /// <exception cref="OperationCanceledException">The caller cancelled.</exception>
    public static async Task<FirewalldState> GetStateAsync(INativeRunner runner, IHostFileSystem fileSystem,
        Func<string?, IReadOnlyList<FirewalldZone>, IReadOnlyList<string>>? permanentZonesNeeded, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(fileSystem);
        var watch = Stopwatch.StartNew();
        var conf = ReadConf(fileSystem);
        conf.TryGetValue("FirewallBackend", out var backend);
        conf.TryGetValue("DefaultZone", out var confDefault);
        var version = ReadVersion(fileSystem);
        var directRules = FirewalldFlushing.ReadDirectRuleCount(fileSystem);
        bool? strict = conf.TryGetValue("StrictForwardPorts", out var sfp) ? sfp.Trim().Equals("yes", StringComparison.OrdinalIgnoreCase) : null;

        if (runner.Resolve(FirewallCmd) is null)
        {
            return new FirewalldState(FirewalldRunState.NotInstalled, "firewall-cmd is not installed: firewalld cannot be running.")
            {
                Version = version, Backend = backend, DefaultZone = confDefault, ElapsedMs = watch.Elapsed.TotalMilliseconds,
                DirectRules = directRules, StrictForwardPorts = strict,
            };
        }

        // Fast path: firewalld's D-Bus state property through busctl (a few ms, no Python). When it says RUNNING, the
        // default zone and every zone of both configurations are read over D-Bus too, concurrently; firewall-cmd lists
        // a configuration only where D-Bus cannot (firewalld before 0.9 has no getZoneSettings2, D-Bus errors). When
        // busctl is missing or firewalld is not RUNNING, firewall-cmd --state (whose exit codes are the documented
        // contract) classifies it, with the default zone and both listings asked concurrently.
        // Fastest: D-Bus in process over the one system bus connection (no process at all); busctl only when there is
        // no bus to connect to in process, and neither when the bus is there but firewalld is not on it.
        Task<(NativeResult? Result, Exception? Error)> stateTask, defaultTask;
        Task<IReadOnlyList<FirewalldZone>?> runtimeBus, permanentBus;
        var inProcess = runner.SystemBus is { } systemBus ? await FirewalldDbusReader.ReadAsync(systemBus,
            // the default zone as the state will name it: firewalld.conf's when firewalld's own answer is missing
            permanentZonesNeeded is null ? null : (d, rt) => permanentZonesNeeded(d ?? confDefault, rt), cancellationToken).ConfigureAwait(false) : null;
        if (inProcess is { NotResponding: true })
        {
            // firewalld owns its name but does not answer: firewall-cmd would wait on the same process for its 30 s.
            return new FirewalldState(FirewalldRunState.Unreachable, inProcess.Error ?? "firewalld is not responding.")
            {
                Version = version, Backend = backend, DefaultZone = confDefault, ElapsedMs = watch.Elapsed.TotalMilliseconds,
                DirectRules = directRules, StrictForwardPorts = strict, NotResponding = true,
            };
        }

        (NativeResult? Result, Exception? Error)? busState = inProcess is not null || runner.Resolve(Busctl) is null ? null
            : await TryRunAsync(runner, BusctlCommand("get-property", "org.fedoraproject.FirewallD1", "state"), cancellationToken).ConfigureAwait(false);
        if (inProcess is { State: "RUNNING" })
        {
            stateTask = defaultTask = Task.FromResult<(NativeResult? Result, Exception? Error)>((null, null));
            runtimeBus = Task.FromResult(inProcess.Runtime);
            permanentBus = Task.FromResult(inProcess.Permanent);
        }
        else if (busState.HasValue && busState.Value.Result is { } bs && FirewallCmdParser.ParseBusctlString(bs.ExitCode, bs.StandardOutput) == "RUNNING")
        {
            stateTask = Task.FromResult(busState.Value);
            defaultTask = TryRunAsync(runner, BusctlCommand("call", "org.fedoraproject.FirewallD1", "getDefaultZone"), cancellationToken);
            runtimeBus = ReadZonesOverDbusAsync(runner, FirewalldConfiguration.Runtime, cancellationToken);
            permanentBus = ReadZonesOverDbusAsync(runner, FirewalldConfiguration.Permanent, cancellationToken);
        }
        else
        {
            stateTask = TryRunAsync(runner, Command("--state"), cancellationToken);
            defaultTask = TryRunAsync(runner, Command("--get-default-zone"), cancellationToken);
            runtimeBus = permanentBus = Task.FromResult<IReadOnlyList<FirewalldZone>?>(null);
        }

        // firewall-cmd listings start at once on the slow road, and only after a D-Bus read failed on the fast one.
        var runtimeTask = ListingAsync(runner, runtimeBus, ["--list-all-zones"], cancellationToken);
        var permanentTask = ListingAsync(runner, permanentBus, ["--permanent", "--list-all-zones"], cancellationToken);
        await Task.WhenAll(stateTask, defaultTask, runtimeTask, permanentTask).ConfigureAwait(false);

        var (stateResult, stateError) = stateTask.Result;
        FirewalldRunState runState;
        string message;
        if (inProcess is { State: "RUNNING" } || stateResult?.Command.Program == Busctl)
        {
            (runState, message) = (FirewalldRunState.Running, "firewalld is running.");
        }
        else if (stateResult is null)
        {
            (runState, message) = stateError is NativeProgramNotFoundException
                ? (FirewalldRunState.NotInstalled, "firewall-cmd is not installed: firewalld cannot be running.")
                : (FirewalldRunState.Unreachable, stateError?.Message ?? "firewall-cmd --state failed.");
        }
        else
        {
            (runState, message) = FirewallCmdParser.ParseState(stateResult.ExitCode, stateResult.StandardOutput, stateResult.StandardError);
        }

        var state = new FirewalldState(runState, message)
        {
            Version = version, Backend = backend, DefaultZone = confDefault, DirectRules = directRules, StrictForwardPorts = strict,
            // firewall-cmd --state that ran out of time waited on a hung firewalld or bus
            NotResponding = runState == FirewalldRunState.Unreachable && stateResult is null && stateError is NativeTimeoutException,
        };
        if (runState == FirewalldRunState.Running)
        {
            var (d, _) = defaultTask.Result;
            if (inProcess is { State: "RUNNING" })
            {
                state.DefaultZone = inProcess.DefaultZone ?? confDefault;
            }
            else if (d is { Succeeded: true })
            {
                state.DefaultZone = (d.Command.Program == Busctl ? FirewallCmdParser.ParseBusctlString(d.ExitCode, d.StandardOutput)
                    : FirewallCmdParser.ParseDefaultZone(d.StandardOutput)) ?? confDefault;
            }

            var (runtimeZones, runtimeListing) = runtimeTask.Result;
            var (permanentZones, permanentListing) = permanentTask.Result;
            state.Zones = ZonesOf(runtimeZones, runtimeListing.Result, FirewalldConfiguration.Runtime, state.DefaultZone);
            state.PermanentZones = ZonesOf(permanentZones, permanentListing.Result, FirewalldConfiguration.Permanent, state.DefaultZone);
            // Only the in-process read is narrowed: a firewall-cmd or busctl listing has every zone.
            state.PermanentZonesPartial = permanentZonesNeeded is not null && inProcess is { State: "RUNNING" } && permanentZones is not null;
            var road = inProcess is { State: "RUNNING" } ? FirewalldDbusReader.Road : Busctl;
            state.ZonesReadWith = (runtimeZones is null, permanentZones is null) switch
            {
                (false, false) => road,
                (true, true) => FirewallCmd,
                _ => road + "+" + FirewallCmd,
            };
            foreach (var pz in state.PermanentZones)
            {
                pz.IsActive = state.Zones.Any(z => z.Name == pz.Name && z.IsActive);
            }

            state.ActiveZones = state.Zones.Where(z => z.IsActive).Select(z => z.Name).ToList();
            var failed = (inProcess is { State: "RUNNING" } ? [] : new[] { defaultTask.Result })
                .Concat(runtimeZones is null ? [runtimeListing] : [])
                .Concat(permanentZones is null ? [permanentListing] : [])
                .Where(r => r.Result is not { Succeeded: true }).Select(f => f.Result?.FailureText ?? f.Error?.Message)
                .Concat(inProcess is { State: "RUNNING", Error: { } busError } ? [busError] : []).ToList();
            if (failed.Count > 0)
            {
                state.Message += " Some queries failed: " + string.Join("; ", failed);
            }
        }

        state.ElapsedMs = watch.Elapsed.TotalMilliseconds;
        return state;
    }

    /// <summary>The installed firewalld version, read from its Python package (no process), or null.</summary>
    public static string? ReadVersion(IHostFileSystem fileSystem)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        foreach (var file in VersionFiles)
        {
            try
            {
                if (!fileSystem.FileExists(file))
                {
                    continue;
                }

                foreach (var line in fileSystem.ReadAllText(file).Split('\n'))
                {
                    var t = line.Trim();
                    if (t.StartsWith("VERSION", StringComparison.Ordinal) && t.Contains('=', StringComparison.Ordinal))
                    {
                        return t[(t.IndexOf('=', StringComparison.Ordinal) + 1)..].Trim().Trim('"', '\'');
                    }
                }
            }
            catch (IOException)
            {
                // unreadable: try the next place
            }
            catch (UnauthorizedAccessException)
            {
                // same
            }
        }

        return null;
    }

    /// <summary>firewalld.conf as key/value pairs (empty when missing or unreadable).</summary>
    public static IReadOnlyDictionary<string, string> ReadConf(IHostFileSystem fileSystem)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        try
        {
            return fileSystem.FileExists(ConfPath) ? FirewallCmdParser.ParseConf(fileSystem.ReadAllText(ConfPath)) : new Dictionary<string, string>();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new Dictionary<string, string>();
        }
    }

    /// <summary>
    /// The ports each service opens, from the service definitions (<c>/usr/lib/firewalld/services</c>, overridden by
    /// <c>/etc/firewalld/services</c> file by file). Read from files: no process.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<FirewalldPortSpec>> ReadServicePorts(IHostFileSystem fileSystem)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        var result = new Dictionary<string, IReadOnlyList<FirewalldPortSpec>>(StringComparer.Ordinal);
        foreach (var folder in ServiceFolders)
        {
            IReadOnlyList<string> files;
            try
            {
                files = fileSystem.ListFiles(folder);
            }
            catch (IOException)
            {
                continue; // an unlistable folder: its services are unknown, as firewalld itself would not read them as this user
            }

            foreach (var file in files.Where(f => f.EndsWith(".xml", StringComparison.Ordinal)))
            {
                try
                {
                    result[Path.GetFileNameWithoutExtension(file)] = ParseServiceXml(fileSystem.ReadAllText(file));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Xml.XmlException)
                {
                    // a broken or unreadable service file: firewalld ignores it too
                }
            }
        }

        return result;
    }

    /// <summary>The <c>&lt;port protocol= port=/&gt;</c> entries of a service definition.</summary>
    public static IReadOnlyList<FirewalldPortSpec> ParseServiceXml(string xml)
    {
        var doc = XDocument.Parse(xml);
        var list = new List<FirewalldPortSpec>();
        foreach (var p in doc.Root?.Elements("port") ?? [])
        {
            var port = (string?)p.Attribute("port");
            var proto = (string?)p.Attribute("protocol");
            if (!string.IsNullOrEmpty(port) && FirewalldPortSpec.TryParse(port + "/" + proto, out var spec))
            {
                list.Add(spec!);
            }
        }

        return list;
    }

    /// <summary>
    /// One <see cref="FirewalldPort"/> per zone and port/protocol across both configurations: port entries and the
    /// ports of each enabled service (named), each with whether it is in the runtime and the permanent configuration.
    /// </summary>
    public static IReadOnlyList<FirewalldPort> GetPorts(FirewalldState state, IReadOnlyDictionary<string, IReadOnlyList<FirewalldPortSpec>> servicePorts)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(servicePorts);
        var rows = new List<FirewalldPort>();
        var names = state.Zones.Select(z => z.Name).Concat(state.PermanentZones.Select(z => z.Name)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var rt = state.Zones.FirstOrDefault(z => z.Name == name);
            var pm = state.PermanentZones.FirstOrDefault(z => z.Name == name);
            if (pm is null && state.PermanentZonesPartial)
            {
                continue; // its permanent side was not read (a diagnosis reads the zones it needs only): no row says "not permanent"
            }

            var entries = new List<(FirewalldPortSpec Spec, FirewalldPortSource Source, string? Service, bool Runtime, bool Permanent)>();
            foreach (var spec in (rt?.PortSpecs ?? []).Concat(pm?.PortSpecs ?? []).Distinct())
            {
                entries.Add((spec, FirewalldPortSource.Port, null,
                    rt?.PortSpecs.Contains(spec) == true, pm?.PortSpecs.Contains(spec) == true));
            }

            foreach (var service in (rt?.Services ?? []).Concat(pm?.Services ?? []).Distinct(StringComparer.Ordinal))
            {
                var inRt = rt?.Services.Contains(service, StringComparer.Ordinal) == true;
                var inPm = pm?.Services.Contains(service, StringComparer.Ordinal) == true;
                foreach (var spec in servicePorts.TryGetValue(service, out var sp) ? sp : [])
                {
                    entries.Add((spec, FirewalldPortSource.Service, service, inRt, inPm));
                }
            }

            var isDefault = name == state.DefaultZone;
            var isActive = rt?.IsActive == true;
            rows.AddRange(entries
                .OrderBy(e => e.Spec.From).ThenBy(e => e.Spec.Protocol, StringComparer.Ordinal).ThenBy(e => e.Source)
                .Select(e => new FirewalldPort(name, e.Spec, e.Source, e.Service, e.Runtime, e.Permanent, isDefault, isActive)));
        }

        return rows;
    }

    /// <summary>
    /// Whether a port is open in a zone at runtime and permanently, and by what: a port entry (or a range that covers
    /// it), a service, or a target that accepts everything. <paramref name="zone"/> null: the zone of
    /// <paramref name="interfaceName"/> (the zone listing it, else the default zone); both null: the interface of the
    /// default route.
    /// </summary>
    /// <exception cref="FirewalldInputException">The named zone does not exist (InvalidZone).</exception>
    public static FirewalldPortTest TestPort(FirewalldState state, IReadOnlyDictionary<string, IReadOnlyList<FirewalldPortSpec>> servicePorts,
        FirewalldPortSpec spec, string? zone, string? interfaceName)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(servicePorts);
        ArgumentNullException.ThrowIfNull(spec);
        if (state.State != FirewalldRunState.Running)
        {
            var z = zone ?? state.DefaultZone ?? "-";
            return new FirewalldPortTest(spec, interfaceName, z, "firewalld is not running", null, null, state.State,
                $"firewalld is not running ({state.State}); it filters nothing, so it neither opens nor blocks {spec} now (IsOpen is empty). " +
                $"When it starts, {spec} is open only if its permanent configuration opens it: start firewalld and test again. {state.Message}".TrimEnd());
        }

        string zoneName;
        string reason;
        if (zone is not null)
        {
            if (!state.Zones.Any(x => x.Name == zone) && !state.PermanentZones.Any(x => x.Name == zone))
            {
                throw new FirewalldInputException(FirewalldInputError.InvalidZone, zone,
                    $"firewalld has no zone '{zone}' (INVALID_ZONE). Zones: {string.Join(", ", state.Zones.Select(x => x.Name))}.");
            }

            zoneName = zone;
            reason = "named";
        }
        else
        {
            var outside = OutsideZone.Resolve(state, interfaceName);
            zoneName = outside.Zone;
            reason = outside.Reason;
        }

        var rt = OpenBy(state.Zones.FirstOrDefault(x => x.Name == zoneName), servicePorts, spec);
        var pm = OpenBy(state.PermanentZones.FirstOrDefault(x => x.Name == zoneName), servicePorts, spec);
        var message = (rt, pm) switch
        {
            (not null, not null) => $"{spec} is open in zone {zoneName} at runtime ({rt}) and permanently ({pm}).",
            (not null, null) => $"{spec} is open in zone {zoneName} at runtime only ({rt}): the next reload or restart of firewalld closes it. Run Add-FirewalldPort -Port {spec.Port} -Protocol {spec.Protocol} -Zone {zoneName} -Permanent.",
            (null, not null) => $"{spec} is open in zone {zoneName} only in the permanent configuration ({pm}): it is not in force until a reload. Run Add-FirewalldPort -Port {spec.Port} -Protocol {spec.Protocol} -Zone {zoneName} -Runtime.",
            _ => $"{spec} is not open in zone {zoneName} ({reason}): outside clients are rejected. Run Add-FirewalldPort -Port {spec.Port} -Protocol {spec.Protocol} -Zone {zoneName}.",
        };
        return new FirewalldPortTest(spec, interfaceName, zoneName, reason, rt, pm, state.State, message);
    }

    private static string? OpenBy(FirewalldZone? zone, IReadOnlyDictionary<string, IReadOnlyList<FirewalldPortSpec>> servicePorts, FirewalldPortSpec spec)
    {
        if (zone is null)
        {
            return null;
        }

        if (zone.AcceptsAll)
        {
            return "target ACCEPT";
        }

        var port = zone.PortSpecs.FirstOrDefault(p => p.Covers(spec));
        if (port is not null)
        {
            return "port " + port;
        }

        var service = zone.Services.FirstOrDefault(s => servicePorts.TryGetValue(s, out var ps) && ps.Any(p => p.Covers(spec)));
        return service is null ? null : "service " + service;
    }

    private static IReadOnlyList<FirewalldZone> ZonesOf(IReadOnlyList<FirewalldZone>? fromBus, NativeResult? listing, FirewalldConfiguration configuration, string? defaultZone)
    {
        IReadOnlyList<FirewalldZone> zones = fromBus
            ?? (listing is { Succeeded: true } ? FirewallCmdParser.ParseZones(listing.StandardOutput, configuration) : []);
        foreach (var z in zones)
        {
            z.IsDefault = z.Name == defaultZone;
        }

        return zones;
    }

    private static async Task<(IReadOnlyList<FirewalldZone>? Zones, (NativeResult? Result, Exception? Error) Listing)> ListingAsync(
        INativeRunner runner, Task<IReadOnlyList<FirewalldZone>?> fromBus, string[] arguments, CancellationToken cancellationToken)
    {
        var zones = await fromBus.ConfigureAwait(false);
        return zones is not null ? (zones, (null, null)) : (null, await TryRunAsync(runner, Command(arguments), cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Every zone of one configuration over firewalld's D-Bus API through <c>busctl --json=short</c>, one process per
    /// call, the per-zone calls concurrent. Runtime: <c>zone.getZones</c>, then <c>zone.getZoneSettings2</c> per zone
    /// (firewall-cmd's order). Permanent: <c>config.listZones</c>, then per zone object its <c>name</c> property and
    /// <c>config.zone.getSettings2</c> (sorted by name, as firewall-cmd prints them). Null when any call fails or
    /// answers something unexpected (firewalld before 0.9 has no getZoneSettings2; busctl missing; D-Bus errors): the
    /// caller then asks firewall-cmd. The zones equal what <see cref="FirewallCmdParser.ParseZones"/> makes of
    /// firewall-cmd's listing of the same state, except that firewall-cmd also lists, permanently, interfaces that
    /// NetworkManager binds to a zone.
    /// </summary>
    /// <exception cref="OperationCanceledException">The caller cancelled.</exception>
    public static async Task<IReadOnlyList<FirewalldZone>?> ReadZonesOverDbusAsync(INativeRunner runner, FirewalldConfiguration configuration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runner);
        if (configuration == FirewalldConfiguration.Runtime)
        {
            var (list, _) = await TryRunAsync(runner, BusctlJsonCommand("call", BusName, BusPath, BusName + ".zone", "getZones"), cancellationToken).ConfigureAwait(false);
            var names = list is null ? null : FirewalldBusctlParser.ParseStringArray(list.ExitCode, list.StandardOutput);
            if (names is null)
            {
                return null;
            }

            var settings = await Task.WhenAll(names.Select(n =>
                TryRunAsync(runner, BusctlJsonCommand("call", BusName, BusPath, BusName + ".zone", "getZoneSettings2", "s", n), cancellationToken))).ConfigureAwait(false);
            var zones = names.Zip(settings, (n, s) => s.Result is { } r ? FirewalldBusctlParser.ParseZoneSettings(n, configuration, r.ExitCode, r.StandardOutput) : null).ToList();
            return zones.Contains(null) ? null : zones.OfType<FirewalldZone>().ToList();
        }
        else
        {
            var (list, _) = await TryRunAsync(runner, BusctlJsonCommand("call", BusName, BusPath + "/config", BusName + ".config", "listZones"), cancellationToken).ConfigureAwait(false);
            var paths = list is null ? null : FirewalldBusctlParser.ParseStringArray(list.ExitCode, list.StandardOutput);
            if (paths is null)
            {
                return null;
            }

            var calls = paths.Select(p => (
                Name: TryRunAsync(runner, BusctlJsonCommand("get-property", BusName, p, BusName + ".config.zone", "name"), cancellationToken),
                Settings: TryRunAsync(runner, BusctlJsonCommand("call", BusName, p, BusName + ".config.zone", "getSettings2"), cancellationToken))).ToList();
            await Task.WhenAll(calls.SelectMany(c => new[] { c.Name, c.Settings })).ConfigureAwait(false);
            var zones = new List<FirewalldZone>();
            foreach (var (nameTask, settingsTask) in calls)
            {
                var n = nameTask.Result.Result;
                var s = settingsTask.Result.Result;
                var name = n is null ? null : FirewalldBusctlParser.ParseString(n.ExitCode, n.StandardOutput);
                var zone = name is null || s is null ? null : FirewalldBusctlParser.ParseZoneSettings(name, configuration, s.ExitCode, s.StandardOutput);
                if (zone is null)
                {
                    return null;
                }

                zones.Add(zone);
            }

            return zones.OrderBy(z => z.Name, StringComparer.Ordinal).ToList();
        }
    }

    private static async Task<(NativeResult? Result, Exception? Error)> TryRunAsync(INativeRunner runner, NativeCommand command, CancellationToken cancellationToken)
    {
        try
        {
            return (await runner.RunAsync(command, cancellationToken).ConfigureAwait(false), null);
        }
        catch (Exception ex) when (ex is NativeProgramNotFoundException or NativeTimeoutException)
        {
            return (null, ex);
        }
    }
}
