using System.Globalization;
using DockerHostTools.Core.Native;

namespace DockerHostTools.Core.Systemd;

/// <summary>systemd is not the init system here (a container without systemd, or a machine booted with another init).</summary>
public sealed class SystemdNotRunningException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SystemdNotRunningException(string message)
        : base(message)
    {
    }
}

/// <summary>
/// Reads units over systemd's D-Bus API in process when the runner has a system bus (<see cref="SystemdDbusReader"/>,
/// no process), else with one <c>systemctl show UNIT... -p ...</c> call, and parses its KEY=VALUE blocks.
/// </summary>
public sealed class SystemdReader
{
    /// <summary>The properties read for every unit.</summary>
    public static readonly IReadOnlyList<string> Properties =
    [
        "Id", "LoadState", "ActiveState", "SubState", "ActiveEnterTimestamp", "ActiveEnterTimestampMonotonic", "NRestarts", "After", "Result", "UnitFileState",
        "InvocationID", "InactiveEnterTimestampMonotonic",
    ];

    private readonly INativeRunner _runner;

    /// <summary>Creates a reader.</summary>
    public SystemdReader(INativeRunner runner)
    {
        _runner = runner ?? throw new ArgumentNullException(nameof(runner));
    }

    /// <summary>Shows the units (names without a suffix get <c>.service</c>), in the order asked.</summary>
    /// <exception cref="SystemdNotRunningException">systemd is not PID 1 here.</exception>
    /// <exception cref="NativeProgramNotFoundException">systemctl is not installed.</exception>
    public async Task<IReadOnlyList<SystemdUnitState>> ShowAsync(IEnumerable<string> units, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(units);
        var names = units.Select(NormalizeUnit).ToList();
        if (names.Count == 0)
        {
            return [];
        }

        if (_runner.SystemBus is { } bus && await SystemdDbusReader.ShowAsync(bus, names, cancellationToken).ConfigureAwait(false) is { } fromBus)
        {
            return fromBus;
        }

        var args = new List<string> { "show" };
        args.AddRange(names);
        args.Add("-p");
        args.Add(string.Join(',', Properties));
        var result = await _runner.RunAsync(new NativeCommand("systemctl", [.. args]) { Timeout = TimeSpan.FromSeconds(15) }, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            var text = result.FailureText;
            if (text.Contains("not been booted with systemd", StringComparison.OrdinalIgnoreCase) ||
                text.Contains("Failed to connect to bus", StringComparison.OrdinalIgnoreCase))
            {
                throw new SystemdNotRunningException($"systemd does not run here ({text}): there are no units to read.");
            }

            throw new NativeCommandFailedException(result);
        }

        var blocks = ParseShow(result.StandardOutput);
        return names.Select((n, i) => FromBlock(n, i < blocks.Count ? blocks[i] : new Dictionary<string, string>())).ToList();
    }

    /// <summary>Turns a name into a unit name: <c>docker</c> becomes <c>docker.service</c>; names with a suffix stay.</summary>
    public static string NormalizeUnit(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var n = name.Trim();
        if (n.IndexOfAny([' ', '/', '\0']) >= 0 || n.StartsWith('-'))
        {
            throw new ArgumentException($"'{name}' is not a unit name.", nameof(name));
        }

        return n.Contains('.', StringComparison.Ordinal) ? n : n + ".service";
    }

    /// <summary>Parses <c>systemctl show</c> output: blocks of KEY=VALUE lines separated by blank lines, one block per unit.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> ParseShow(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var blocks = new List<IReadOnlyDictionary<string, string>>();
        var current = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                if (current.Count > 0)
                {
                    blocks.Add(current);
                    current = new Dictionary<string, string>(StringComparer.Ordinal);
                }

                continue;
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                current[line[..eq]] = line[(eq + 1)..];
            }
        }

        if (current.Count > 0)
        {
            blocks.Add(current);
        }

        return blocks;
    }

    /// <summary>Builds a unit state from one parsed block.</summary>
    public static SystemdUnitState FromBlock(string unit, IReadOnlyDictionary<string, string> block)
    {
        ArgumentNullException.ThrowIfNull(block);
        string? Get(string key) => block.TryGetValue(key, out var v) && v.Length > 0 ? v : null;
        ulong.TryParse(Get("ActiveEnterTimestampMonotonic"), NumberStyles.None, CultureInfo.InvariantCulture, out var mono);
        int? restarts = int.TryParse(Get("NRestarts"), NumberStyles.None, CultureInfo.InvariantCulture, out var r) ? r : null;
        ulong.TryParse(Get("InactiveEnterTimestampMonotonic"), NumberStyles.None, CultureInfo.InvariantCulture, out var inactive);
        return new SystemdUnitState(Get("Id") ?? unit, Get("LoadState") ?? "unknown", Get("ActiveState") ?? "unknown", Get("SubState") ?? "unknown",
            ParseTimestamp(Get("ActiveEnterTimestamp")), mono, restarts, (Get("After") ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries),
            Get("Result"), Get("UnitFileState"), Get("InvocationID")) { InactiveEnterMonotonicUs = inactive };
    }

    /// <summary>Parses systemd's timestamp (<c>Wed 2026-11-25 19:11:40 UTC</c>); null when empty or not understood.</summary>
    public static DateTimeOffset? ParseTimestamp(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text == "n/a")
        {
            return null;
        }

        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 3)
        {
            return null;
        }

        if (!DateTime.TryParseExact(parts[1] + " " + parts[2], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return null;
        }

        var zone = parts.Length > 3 ? parts[3] : "UTC";
        if (zone is "UTC" or "GMT" or "Z")
        {
            return new DateTimeOffset(local, TimeSpan.Zero);
        }

        // Another zone abbreviation: systemctl prints the machine's local zone, the same the module runs in.
        return new DateTimeOffset(local, TimeZoneInfo.Local.GetUtcOffset(local));
    }
}

/// <summary>One unit as <c>systemctl show</c> reports it.</summary>
public class SystemdUnitState
{
    /// <summary>Creates a state.</summary>
    public SystemdUnitState(string name, string loadState, string activeState, string subState, DateTimeOffset? activeSince,
        ulong activeEnterMonotonicUs, int? nRestarts, IReadOnlyList<string> after, string? result, string? unitFileState, string? invocationId = null)
    {
        InvocationId = invocationId;
        Name = name;
        LoadState = loadState;
        ActiveState = activeState;
        SubState = subState;
        ActiveSince = activeSince;
        ActiveEnterMonotonicUs = activeEnterMonotonicUs;
        NRestarts = nRestarts;
        After = after;
        Result = result;
        UnitFileState = unitFileState;
    }

    /// <summary>A copy of another unit's state (for types that add to it).</summary>
    protected SystemdUnitState(SystemdUnitState unit)
        : this((unit ?? throw new ArgumentNullException(nameof(unit))).Name, unit.LoadState, unit.ActiveState, unit.SubState, unit.ActiveSince,
            unit.ActiveEnterMonotonicUs, unit.NRestarts, unit.After, unit.Result, unit.UnitFileState, unit.InvocationId)
    {
        InactiveEnterMonotonicUs = unit.InactiveEnterMonotonicUs;
    }

    /// <summary>The unit name (<c>docker.service</c>).</summary>
    public string Name { get; }

    /// <summary><c>loaded</c>, <c>not-found</c>, <c>masked</c>...</summary>
    public string LoadState { get; }

    /// <summary><c>active</c>, <c>inactive</c>, <c>failed</c>, <c>activating</c>...</summary>
    public string ActiveState { get; }

    /// <summary><c>running</c>, <c>dead</c>, <c>exited</c>...</summary>
    public string SubState { get; }

    /// <summary>When the unit last entered the active state (ActiveEnterTimestamp), null when never.</summary>
    public DateTimeOffset? ActiveSince { get; }

    /// <summary>ActiveEnterTimestampMonotonic in microseconds since boot (0 when never): the clock to compare units by.</summary>
    public ulong ActiveEnterMonotonicUs { get; }

    /// <summary>InactiveEnterTimestampMonotonic in microseconds since boot (0 when never): when it last stopped.</summary>
    public ulong InactiveEnterMonotonicUs { get; init; }

    /// <summary>How often systemd restarted it (NRestarts; null on systemd before 235).</summary>
    public int? NRestarts { get; }

    /// <summary>The units it is ordered after.</summary>
    public IReadOnlyList<string> After { get; }

    /// <summary>The result of the last run (<c>success</c>, <c>exit-code</c>, <c>start-limit-hit</c>...).</summary>
    public string? Result { get; }

    /// <summary><c>enabled</c>, <c>disabled</c>, <c>static</c>...</summary>
    public string? UnitFileState { get; }

    /// <summary>The unit's current invocation id (InvocationID, 32 hex digits), null when it has none (inactive).</summary>
    public string? InvocationId { get; }

    /// <summary>True when the unit file exists.</summary>
    public bool Exists => LoadState != "not-found";

    /// <summary>True when it is active.</summary>
    public bool IsActive => ActiveState == "active";
}
