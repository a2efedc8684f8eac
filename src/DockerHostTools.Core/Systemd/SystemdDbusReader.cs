using System.Globalization;
using System.Text;
using DockerHostTools.Core.DBus;

namespace DockerHostTools.Core.Systemd;

/// <summary>
/// Reads units from systemd's D-Bus API in process (what <c>systemctl show</c> asks for): per unit, concurrently,
/// <c>Properties.GetAll</c> of <c>org.freedesktop.systemd1.Unit</c> and of its type's interface
/// (<c>...Service</c> for a service) on the unit's object path, which loads the unit as systemctl show does. The
/// values are turned into <c>systemctl show</c>'s KEY=VALUE text (<see cref="ToShowBlock"/>) and read by the same
/// <see cref="SystemdReader.FromBlock"/>, so both roads give equal units.
/// </summary>
public static class SystemdDbusReader
{
    private const string BusName = "org.freedesktop.systemd1";
    private const string UnitInterface = "org.freedesktop.systemd1.Unit";

    private static readonly HashSet<string> Timestamps = new(StringComparer.Ordinal)
    {
        "ActiveEnterTimestamp", "ActiveExitTimestamp", "InactiveEnterTimestamp", "InactiveExitTimestamp", "StateChangeTimestamp",
    };

    /// <summary>
    /// The units, in the order asked (names already normalized). Null when the bus is not there, systemd is not on it,
    /// or any call failed: the caller then runs systemctl.
    /// </summary>
    /// <exception cref="OperationCanceledException">The caller cancelled.</exception>
    public static async Task<IReadOnlyList<SystemdUnitState>?> ShowAsync(ISystemBus bus, IReadOnlyList<string> units, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentNullException.ThrowIfNull(units);
        try
        {
            var blocks = await Task.WhenAll(units.Select(u => ReadUnitAsync(bus, u, cancellationToken))).ConfigureAwait(false);
            return units.Select((u, i) => SystemdReader.FromBlock(u, blocks[i])).ToList();
        }
        catch (Exception ex) when (ex is DBusUnavailableException or DBusCallFailedException or DBusTimeoutException)
        {
            return null;
        }
    }

    /// <summary>The object path of a unit: <c>/org/freedesktop/systemd1/unit/</c> plus the name escaped as sd_bus_path_encode does.</summary>
    public static string UnitPath(string unit)
    {
        ArgumentException.ThrowIfNullOrEmpty(unit);
        var sb = new StringBuilder("/org/freedesktop/systemd1/unit/");
        for (var i = 0; i < unit.Length; i++)
        {
            var c = unit[i];
            if ((c is >= 'a' and <= 'z' or >= 'A' and <= 'Z') || (i > 0 && c is >= '0' and <= '9'))
            {
                sb.Append(c);
            }
            else
            {
                foreach (var b in Encoding.UTF8.GetBytes(c.ToString()))
                {
                    sb.Append('_').Append(b.ToString("x2", CultureInfo.InvariantCulture));
                }
            }
        }

        return sb.ToString();
    }

    /// <summary>The D-Bus interface of a unit's type (<c>docker.service</c>: <c>org.freedesktop.systemd1.Service</c>), or null.</summary>
    public static string? TypeInterface(string unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        var dot = unit.LastIndexOf('.');
        var type = dot < 0 ? string.Empty : unit[(dot + 1)..];
        return type is "service" or "socket" or "target" or "device" or "mount" or "automount" or "swap" or "timer" or "path" or "slice" or "scope"
            ? "org.freedesktop.systemd1." + char.ToUpperInvariant(type[0]) + type[1..]
            : null;
    }

    /// <summary>
    /// The properties <see cref="SystemdReader.Properties"/> names, from D-Bus values, as <c>systemctl show</c> prints
    /// them: strings as they are, string lists joined by spaces, booleans yes/no, numbers invariant, byte arrays
    /// (InvocationID) as lower-case hex, timestamps (microseconds since the epoch; 0 is empty) as
    /// <c>Wed 2026-11-25 19:11:40 UTC</c>.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ToShowBlock(IReadOnlyDictionary<string, object?> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        var block = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in SystemdReader.Properties)
        {
            if (properties.TryGetValue(key, out var value) && value is not null)
            {
                block[key] = Timestamps.Contains(key) && value is ulong us ? FormatTimestamp(us) : Format(value);
            }
        }

        return block;
    }

    private static string FormatTimestamp(ulong microseconds) => microseconds == 0 ? string.Empty
        : DateTimeOffset.FromUnixTimeMilliseconds((long)(microseconds / 1000)).UtcDateTime.ToString("ddd yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string Format(object value) => value switch
    {
        string s => s,
        bool b => b ? "yes" : "no",
        byte[] bytes => Convert.ToHexStringLower(bytes),
        object?[] list => string.Join(' ', list.Select(x => x is null ? string.Empty : Format(x))),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static async Task<IReadOnlyDictionary<string, string>> ReadUnitAsync(ISystemBus bus, string unit, CancellationToken cancellationToken)
    {
        var path = UnitPath(unit);
        var typeInterface = TypeInterface(unit);
        var unitTask = bus.CallAsync(DBusCall.GetAllProperties(BusName, path, UnitInterface), cancellationToken);
        var typeTask = typeInterface is null ? Task.FromResult<IReadOnlyList<object?>>([]) : bus.CallAsync(DBusCall.GetAllProperties(BusName, path, typeInterface), cancellationToken);
        await Task.WhenAll(unitTask, typeTask).ConfigureAwait(false);
        var merged = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var reply in new[] { unitTask.Result, typeTask.Result })
        {
            if (reply is [IReadOnlyDictionary<string, object?> dict])
            {
                foreach (var (k, v) in dict)
                {
                    merged[k] = v;
                }
            }
        }

        return ToShowBlock(merged);
    }
}
