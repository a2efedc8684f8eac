using DockerHostTools.Core.Native;

namespace DockerHostTools.Core.Firewalld;

/// <summary>The zone outside traffic arrives in, and why that one.</summary>
/// <param name="Interface">The interface outside traffic arrives on (null when unknown).</param>
/// <param name="Zone">The zone.</param>
/// <param name="Bound">True when the interface is bound to the zone; false when it falls into the default zone.</param>
/// <param name="Reason">Why that zone, in words.</param>
public sealed record OutsideZoneResolution(string? Interface, string Zone, bool Bound, string Reason);

/// <summary>
/// The one place the module decides where outside traffic arrives: the interface (the default route's, else the first
/// interface that is not loopback or Docker's) and its firewalld zone (the runtime zone listing it, else the default zone).
/// </summary>
public static class OutsideZone
{
    /// <summary>The interface outside traffic arrives on: the IPv4 default route's, else the first that is not loopback or Docker's.</summary>
    public static string? Interface(IHostFileSystem fileSystem)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        return DefaultRouteInterface(fileSystem) ?? FirstPhysicalInterface(fileSystem);
    }

    /// <summary>The zone of <paramref name="interfaceName"/> in the running firewall: the zone listing it, else the default zone.</summary>
    public static OutsideZoneResolution Resolve(FirewalldState state, string? interfaceName)
    {
        ArgumentNullException.ThrowIfNull(state);
        var bound = BoundZone(state.Zones, interfaceName);
        if (bound is not null)
        {
            return new OutsideZoneResolution(interfaceName, bound.Name, true, $"interface {interfaceName} is bound to zone {bound.Name}");
        }

        var zone = state.DefaultZone ?? "public";
        return new OutsideZoneResolution(interfaceName, zone, false,
            $"interface {interfaceName ?? "(unknown)"} is bound to no zone, so it is in the default zone {zone}");
    }

    /// <summary>
    /// The zones a diagnosis needs in firewalld's permanent configuration, known from the runtime zones and the default
    /// zone before the permanent ones are read: the outside zone as <see cref="Resolve"/> decides it (the default zone
    /// too, when the interface is bound elsewhere) and the docker zone.
    /// </summary>
    public static IReadOnlyList<string> PermanentZonesNeeded(string? defaultZone, IReadOnlyList<FirewalldZone> runtimeZones, string? interfaceName)
    {
        ArgumentNullException.ThrowIfNull(runtimeZones);
        var names = new List<string> { defaultZone ?? "public", "docker" };
        if (BoundZone(runtimeZones, interfaceName) is { } bound)
        {
            names.Insert(0, bound.Name);
        }

        return names.Distinct(StringComparer.Ordinal).ToList();
    }

    private static FirewalldZone? BoundZone(IReadOnlyList<FirewalldZone> zones, string? interfaceName) =>
        interfaceName is null ? null : zones.FirstOrDefault(z => z.Interfaces.Contains(interfaceName, StringComparer.Ordinal));

    /// <summary>The interface of the IPv4 default route (from <c>/proc/net/route</c>; no process), or null.</summary>
    public static string? DefaultRouteInterface(IHostFileSystem fileSystem)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        try
        {
            if (!fileSystem.FileExists("/proc/net/route"))
            {
                return null;
            }

            foreach (var line in fileSystem.ReadAllText("/proc/net/route").Split('\n').Skip(1))
            {
                var f = line.Split('\t', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                if (f.Length > 2 && f[1] == "00000000")
                {
                    return f[0];
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return null;
    }

    private static string? FirstPhysicalInterface(IHostFileSystem fs)
    {
        try
        {
            if (!fs.FileExists("/proc/net/dev"))
            {
                return null;
            }

            return fs.ReadAllText("/proc/net/dev").Split('\n').Skip(2)
                .Select(l => l.Split(':')[0].Trim())
                .Where(n => n.Length > 0 && n != "lo" && !n.StartsWith("docker", StringComparison.Ordinal) && !n.StartsWith("br-", StringComparison.Ordinal) &&
                    !n.StartsWith("veth", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal)
                .FirstOrDefault();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
