using System.Globalization;
using DockerHostTools.Core.DBus;

namespace DockerHostTools.Core.Firewalld;

/// <summary>What firewalld's D-Bus API said, read in process: its state and, when RUNNING, the default zone and the zones.</summary>
public sealed class FirewalldBusRead
{
    /// <summary>Creates a read.</summary>
    public FirewalldBusRead(string? state, string? error = null)
    {
        State = state;
        Error = error;
    }

    /// <summary>firewalld's <c>state</c> property (<c>RUNNING</c>, <c>INIT</c>, <c>FAILED</c>); null when firewalld is not on the bus or did not answer.</summary>
    public string? State { get; }

    /// <summary>
    /// True when firewalld owns its bus name but did not answer within the call's timeout: it is hung (stopped, stuck).
    /// firewall-cmd would ask the same process over the same bus and hang until its own timeout, so it is not tried.
    /// </summary>
    public bool NotResponding { get; init; }

    /// <summary>Why the state, the default zone or a configuration could not be read, or null.</summary>
    public string? Error { get; internal set; }

    /// <summary>The default zone (<c>getDefaultZone</c>), or null when the call failed.</summary>
    public string? DefaultZone { get; internal set; }

    /// <summary>The runtime zones, or null when any call for them failed.</summary>
    public IReadOnlyList<FirewalldZone>? Runtime { get; internal set; }

    /// <summary>The permanent zones, or null when any call for them failed.</summary>
    public IReadOnlyList<FirewalldZone>? Permanent { get; internal set; }
}

/// <summary>
/// Reads firewalld's D-Bus API in process over the one system bus connection, the same methods busctl was asked
/// (<see cref="FirewalldReader.ReadZonesOverDbusAsync"/>): the <c>state</c> property, <c>getDefaultZone</c>;
/// runtime <c>zone.getZones</c> then <c>zone.getZoneSettings2</c> per zone; permanent <c>config.listZones</c> then
/// per zone object its <c>name</c> and <c>config.zone.getSettings2</c>; every call concurrent after the state, no
/// process started. The zones equal those of the busctl road (one builder, <see cref="FirewalldBusctlParser"/>).
/// </summary>
public static class FirewalldDbusReader
{
    /// <summary>What <see cref="FirewalldState.ZonesReadWith"/> says for this road.</summary>
    public const string Road = "dbus";

    private const string BusName = "org.fedoraproject.FirewallD1";
    private const string BusPath = "/org/fedoraproject/FirewallD1";

    /// <summary>
    /// Reads firewalld. Null when there is no system bus (the caller tries busctl, then firewall-cmd); a read with a
    /// null <see cref="FirewalldBusRead.State"/> when the bus is there but firewalld is not on it or did not answer
    /// (the caller asks firewall-cmd --state, whose exit codes classify it).
    /// </summary>
    /// <exception cref="OperationCanceledException">The caller cancelled.</exception>
    public static Task<FirewalldBusRead?> ReadAsync(ISystemBus bus, CancellationToken cancellationToken = default) => ReadAsync(bus, null, cancellationToken);

    /// <summary>
    /// Reads firewalld as <see cref="ReadAsync(ISystemBus, CancellationToken)"/> does, but the permanent configuration
    /// only of the zones <paramref name="permanentZones"/> names (given the default zone and the runtime zones; null: all).
    /// firewalld answers its calls one after another, so a diagnosis that needs the permanent side of two zones asks
    /// for those (four calls) instead of all of them (two calls per zone).
    /// </summary>
    /// <exception cref="OperationCanceledException">The caller cancelled.</exception>
    public static async Task<FirewalldBusRead?> ReadAsync(ISystemBus bus, Func<string?, IReadOnlyList<FirewalldZone>, IReadOnlyList<string>>? permanentZones,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bus);
        string? state;
        try
        {
            var reply = await bus.CallAsync(DBusCall.GetProperty(BusName, BusPath, BusName, "state"), cancellationToken).ConfigureAwait(false);
            state = reply.Count == 1 ? reply[0] as string : null;
        }
        catch (DBusUnavailableException ex) when (ex.BusNotResponding)
        {
            // busctl and firewall-cmd talk to firewalld through the same hung dbus-daemon: they would only wait too.
            return new FirewalldBusRead(null, ex.Message + " busctl and firewall-cmd were not tried, as they would wait on the same process.") { NotResponding = true };
        }
        catch (DBusUnavailableException)
        {
            return null;
        }
        catch (DBusTimeoutException ex)
        {
            // Who did not answer: firewalld (its name is owned, the bus daemon answers) or the bus itself.
            return await OwnsNameAsync(bus, cancellationToken).ConfigureAwait(false) switch
            {
                true => new FirewalldBusRead(null, $"firewalld is not responding: it owns {BusName} on the system bus but did not answer within " +
                    $"{DBusCall.DefaultTimeout.TotalSeconds:0} s (hung or stopped); firewall-cmd was not tried, as it would wait on the same process.") { NotResponding = true },
                null => new FirewalldBusRead(null, $"the D-Bus system bus is not responding: neither firewalld nor dbus-daemon answered within " +
                    $"{DBusCall.DefaultTimeout.TotalSeconds:0} s (hung or stopped); busctl and firewall-cmd were not tried, as they would wait on the same process.") { NotResponding = true },
                false => new FirewalldBusRead(null, ex.Message),
            };
        }
        catch (DBusCallFailedException ex)
        {
            return new FirewalldBusRead(null, ex.Message);
        }

        var read = new FirewalldBusRead(state);
        if (state != "RUNNING")
        {
            return read;
        }

        var errors = new List<string>();
        var defaultTask = TryCallAsync(bus, new DBusCall(BusName, BusPath, BusName, "getDefaultZone"), errors, cancellationToken);
        var runtimeTask = ReadRuntimeZonesAsync(bus, errors, cancellationToken);
        var permanentTask = permanentZones is null
            ? ReadPermanentZonesAsync(bus, errors, cancellationToken)
            : ReadSomePermanentZonesAsync(bus, defaultTask, runtimeTask, permanentZones, errors, cancellationToken);
        await Task.WhenAll(defaultTask, runtimeTask, permanentTask).ConfigureAwait(false);
        read.DefaultZone = defaultTask.Result is [string zone] ? zone : null;
        read.Runtime = runtimeTask.Result;
        read.Permanent = permanentTask.Result;
        lock (errors)
        {
            read.Error = errors.Count == 0 ? null : string.Join("; ", errors);
        }

        return read;
    }

    /// <summary>
    /// True when the bus daemon says firewalld's name has an owner (<c>org.freedesktop.DBus.NameHasOwner</c>); false when
    /// it has none or the bus daemon itself does not answer either (then firewall-cmd is the fallback, as before).
    /// </summary>
    /// <summary>Whether firewalld owns its name; null when dbus-daemon itself does not answer (hung or stopped).</summary>
    private static async Task<bool?> OwnsNameAsync(ISystemBus bus, CancellationToken cancellationToken)
    {
        try
        {
            var reply = await bus.CallAsync(new DBusCall(DBusDaemon, "/org/freedesktop/DBus", DBusDaemon, "NameHasOwner", BusName)
            {
                Timeout = TimeSpan.FromSeconds(2),
            }, cancellationToken).ConfigureAwait(false);
            return reply is [true];
        }
        catch (DBusTimeoutException)
        {
            return null;
        }
        catch (Exception ex) when (ex is DBusCallFailedException or DBusUnavailableException)
        {
            return false;
        }
    }

    private const string DBusDaemon = "org.freedesktop.DBus";

    /// <summary>
    /// Builds a zone from a settings dictionary as D-Bus gives it (<c>a{sv}</c> of <c>getZoneSettings2</c> or
    /// <c>getSettings2</c>, values as <see cref="ISystemBus"/> gives them), exactly as the busctl road builds it.
    /// </summary>
    public static FirewalldZone ZoneFromSettings(string name, FirewalldConfiguration configuration, IReadOnlyDictionary<string, object?> settings)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(settings);
        object? Get(string key) => settings.TryGetValue(key, out var v) ? v : null;
        List<string> Strings(string key) => Get(key) is object?[] a ? a.OfType<string>().ToList() : [];
        List<string[]> Tuples(string key) => Get(key) is object?[] a
            ? a.OfType<object?[]>().Select(t => t.Select(x => Convert.ToString(x, CultureInfo.InvariantCulture) ?? string.Empty).ToArray()).ToList()
            : [];
        bool? Flag(string key) => Get(key) is bool b ? b : null;
        return FirewalldBusctlParser.BuildZone(name, configuration, Strings, Tuples, Flag, Get("target") as string);
    }

    private static async Task<IReadOnlyList<FirewalldZone>?> ReadRuntimeZonesAsync(ISystemBus bus, List<string> errors, CancellationToken cancellationToken)
    {
        var list = await TryCallAsync(bus, new DBusCall(BusName, BusPath, BusName + ".zone", "getZones"), errors, cancellationToken).ConfigureAwait(false);
        if (list is not [object?[] names] || !names.All(n => n is string))
        {
            return null;
        }

        var settings = await Task.WhenAll(names.Cast<string>().Select(n =>
            TryCallAsync(bus, new DBusCall(BusName, BusPath, BusName + ".zone", "getZoneSettings2", n), errors, cancellationToken))).ConfigureAwait(false);
        var zones = new List<FirewalldZone>();
        for (var i = 0; i < names.Length; i++)
        {
            if (settings[i] is not [IReadOnlyDictionary<string, object?> dict])
            {
                return null;
            }

            zones.Add(ZoneFromSettings((string)names[i]!, FirewalldConfiguration.Runtime, dict));
        }

        return zones;
    }

    private static async Task<IReadOnlyList<FirewalldZone>?> ReadPermanentZonesAsync(ISystemBus bus, List<string> errors, CancellationToken cancellationToken)
    {
        var list = await TryCallAsync(bus, new DBusCall(BusName, BusPath + "/config", BusName + ".config", "listZones"), errors, cancellationToken).ConfigureAwait(false);
        if (list is not [object?[] paths] || !paths.All(p => p is string))
        {
            return null;
        }

        var calls = paths.Cast<string>().Select(p => (
            Name: TryCallAsync(bus, DBusCall.GetProperty(BusName, p, BusName + ".config.zone", "name"), errors, cancellationToken),
            Settings: TryCallAsync(bus, new DBusCall(BusName, p, BusName + ".config.zone", "getSettings2"), errors, cancellationToken))).ToList();
        await Task.WhenAll(calls.SelectMany(c => new[] { c.Name, c.Settings })).ConfigureAwait(false);
        var zones = new List<FirewalldZone>();
        foreach (var (name, settings) in calls)
        {
            if (name.Result is not [string n] || settings.Result is not [IReadOnlyDictionary<string, object?> dict])
            {
                return null;
            }

            zones.Add(ZoneFromSettings(n, FirewalldConfiguration.Permanent, dict));
        }

        return zones.OrderBy(z => z.Name, StringComparer.Ordinal).ToList();
    }

    private static async Task<IReadOnlyList<FirewalldZone>?> ReadSomePermanentZonesAsync(ISystemBus bus, Task<IReadOnlyList<object?>?> defaultTask,
        Task<IReadOnlyList<FirewalldZone>?> runtimeTask, Func<string?, IReadOnlyList<FirewalldZone>, IReadOnlyList<string>> wanted, List<string> errors,
        CancellationToken cancellationToken)
    {
        // The default zone is known first (one call) and is nearly always wanted: its read starts before the runtime zones are in.
        var reads = new Dictionary<string, Task<(bool Ok, FirewalldZone? Zone)>>(StringComparer.Ordinal);
        void Start(string name)
        {
            if (!reads.ContainsKey(name))
            {
                reads[name] = ReadPermanentZoneAsync(bus, name, errors, cancellationToken);
            }
        }

        var defaultZone = await defaultTask.ConfigureAwait(false) is [string d] ? d : null;
        if (defaultZone is not null)
        {
            Start(defaultZone);
        }

        Start("docker");
        var runtime = await runtimeTask.ConfigureAwait(false);
        if (runtime is not null)
        {
            foreach (var name in wanted(defaultZone, runtime))
            {
                Start(name);
            }
        }

        await Task.WhenAll(reads.Values).ConfigureAwait(false);
        if (runtime is null || reads.Values.Any(r => !r.Result.Ok))
        {
            return null; // the caller lists the permanent configuration with firewall-cmd
        }

        return reads.Values.Select(r => r.Result.Zone).OfType<FirewalldZone>().OrderBy(z => z.Name, StringComparer.Ordinal).ToList();
    }

    // One zone's permanent settings: its config object (getZoneByName), then getSettings2. A zone that exists only at
    // runtime is simply not there (firewalld answers INVALID_ZONE).
    private static async Task<(bool Ok, FirewalldZone? Zone)> ReadPermanentZoneAsync(ISystemBus bus, string name, List<string> errors, CancellationToken cancellationToken)
    {
        IReadOnlyList<object?> path;
        try
        {
            path = await bus.CallAsync(new DBusCall(BusName, BusPath + "/config", BusName + ".config", "getZoneByName", name), cancellationToken).ConfigureAwait(false);
        }
        catch (DBusCallFailedException ex) when (ex.Message.Contains("INVALID_ZONE", StringComparison.Ordinal))
        {
            return (true, null);
        }
        catch (Exception ex) when (ex is DBusCallFailedException or DBusTimeoutException or DBusUnavailableException)
        {
            lock (errors)
            {
                errors.Add(ex.Message);
            }

            return (false, null);
        }

        if (path is not [string p])
        {
            return (false, null);
        }

        var settings = await TryCallAsync(bus, new DBusCall(BusName, p, BusName + ".config.zone", "getSettings2"), errors, cancellationToken).ConfigureAwait(false);
        return settings is [IReadOnlyDictionary<string, object?> dict] ? (true, ZoneFromSettings(name, FirewalldConfiguration.Permanent, dict)) : (false, null);
    }

    private static async Task<IReadOnlyList<object?>?> TryCallAsync(ISystemBus bus, DBusCall call, List<string> errors, CancellationToken cancellationToken)
    {
        try
        {
            return await bus.CallAsync(call, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DBusCallFailedException or DBusTimeoutException or DBusUnavailableException)
        {
            lock (errors)
            {
                errors.Add(ex.Message);
            }

            return null;
        }
    }
}
