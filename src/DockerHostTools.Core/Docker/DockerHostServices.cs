using DockerHostTools.Core.Systemd;

namespace DockerHostTools.Core.Docker;

/// <summary>One service of a Docker host, with where it stands relative to dockerd.</summary>
public sealed class DockerHostService : SystemdUnitState
{
    /// <summary>Creates a service.</summary>
    public DockerHostService(SystemdUnitState unit, bool? activeAfterDocker, string? firewallBackend, DateTimeOffset? firewallReloadedAt)
        : base(unit)
    {
        ActiveAfterDocker = activeAfterDocker;
        FirewallBackend = firewallBackend;
        FirewallReloadedAt = firewallReloadedAt;
    }

    /// <summary>
    /// For a unit other than docker: true when it entered its active state after dockerd did (for firewalld that means it
    /// flushed Docker's rules unless dockerd re-added them); false when before; null when either is not active or for docker itself.
    /// </summary>
    public bool? ActiveAfterDocker { get; }

    /// <summary>For docker: the engine's own firewall backend report (<c>/info</c> FirewallBackend.Driver, API 1.48+); null otherwise.</summary>
    public string? FirewallBackend { get; }

    /// <summary>For docker: when the engine last re-applied its rules after a firewalld reload (ReloadedAt), when it says.</summary>
    public DateTimeOffset? FirewallReloadedAt { get; }

    /// <summary>For docker: the engine's <c>/info</c> IPv4Forwarding (it sees net.ipv4.ip_forward on); null otherwise or when not read.</summary>
    public bool? IPv4Forwarding { get; init; }
}

/// <summary>Reads the services of a Docker host (over systemd's D-Bus API, else one <c>systemctl show</c>) and the engine's firewall report.</summary>
public static class DockerHostServices
{
    /// <summary>The units read by default; the network managers are kept only when present.</summary>
    public static IReadOnlyList<string> DefaultUnits { get; } =
        ["docker.service", "containerd.service", "firewalld.service", "network.service", "NetworkManager.service", "systemd-networkd.service"];

    private static readonly HashSet<string> OptionalUnits = new(StringComparer.Ordinal) { "network.service", "NetworkManager.service", "systemd-networkd.service" };

    /// <summary>Reads the units (the defaults when <paramref name="names"/> is null) and, when docker is active, the engine's <c>/info</c>.</summary>
    /// <param name="systemd">The systemd reader.</param>
    /// <param name="engine">The engine client, or null to skip <c>/info</c>.</param>
    /// <param name="names">Unit names; null for <see cref="DefaultUnits"/>.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    public static async Task<DockerHostServiceSnapshot> ReadAsync(SystemdReader systemd, DockerEngineClient? engine,
        IReadOnlyList<string>? names, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(systemd);
        var units = await systemd.ShowAsync(names ?? DefaultUnits, cancellationToken).ConfigureAwait(false);
        if (names is null)
        {
            units = units.Where(u => u.Exists || !OptionalUnits.Contains(u.Name)).ToList();
        }

        var docker = units.FirstOrDefault(u => u.Name == "docker.service");
        if (docker is null && names is not null)
        {
            docker = (await systemd.ShowAsync(["docker.service"], cancellationToken).ConfigureAwait(false))[0];
        }

        DockerEngineInfo? info = null;
        string? engineError = null;
        if (engine is not null && units.Any(u => u.Name == "docker.service") && docker is { IsActive: true })
        {
            try
            {
                info = await engine.GetInfoAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DockerEngineUnavailableException ex)
            {
                engineError = ex.Message;
            }
        }

        return Build(units, docker, info, engineError);
    }

    /// <summary>
    /// Builds the snapshot from units already read: each unit other than docker is compared with docker.service by
    /// ActiveEnterTimestampMonotonic (both active); docker.service carries the engine's firewall report.
    /// </summary>
    /// <param name="units">The units to report, in order.</param>
    /// <param name="docker">docker.service (one of <paramref name="units"/> or read besides), or null when unknown.</param>
    /// <param name="info">The engine's <c>/info</c>, or null.</param>
    /// <param name="engineError">Why <c>/info</c> could not be read, or null.</param>
    public static DockerHostServiceSnapshot Build(IReadOnlyList<SystemdUnitState> units, SystemdUnitState? docker, DockerEngineInfo? info, string? engineError)
    {
        ArgumentNullException.ThrowIfNull(units);
        var list = units.Select(u =>
        {
            bool? after = null;
            if (u.Name != "docker.service" && docker is { IsActive: true, ActiveEnterMonotonicUs: > 0 } && u.IsActive && u.ActiveEnterMonotonicUs > 0)
            {
                after = u.ActiveEnterMonotonicUs > docker.ActiveEnterMonotonicUs;
            }

            return u.Name == "docker.service"
                ? new DockerHostService(u, null, info?.FirewallBackend, info?.FirewallReloadedAt) { IPv4Forwarding = info?.IPv4Forwarding }
                : new DockerHostService(u, after, null, null);
        }).ToList();
        return new DockerHostServiceSnapshot(list, engineError);
    }
}

/// <summary>The services of a Docker host at one moment.</summary>
public sealed class DockerHostServiceSnapshot
{
    /// <summary>Creates a snapshot.</summary>
    public DockerHostServiceSnapshot(IReadOnlyList<DockerHostService> services, string? engineError)
    {
        Services = services;
        EngineError = engineError;
    }

    /// <summary>The services, in the order asked.</summary>
    public IReadOnlyList<DockerHostService> Services { get; }

    /// <summary>Why the engine's <c>/info</c> could not be read while docker.service was active, or null.</summary>
    public string? EngineError { get; }

    /// <summary>True when firewalld entered its active state after dockerd (cause 2: it flushed Docker's chains); null when not known.</summary>
    public bool? FirewalldActiveAfterDocker => Services.FirstOrDefault(s => s.Name == "firewalld.service")?.ActiveAfterDocker;
}
