using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace DockerHostTools.Fleet;

/// <summary>What became of one host of a fleet diagnosis.</summary>
public enum FleetHostStatus
{
    /// <summary>The host was read and its snapshot judged.</summary>
    Diagnosed,

    /// <summary>No session could be opened to the host, or its session is broken.</summary>
    Unreachable,

    /// <summary>The host answers but has no DockerHostTools module.</summary>
    ModuleNotInstalled,

    /// <summary>The host has DockerHostTools in another version than the controlling one: it was not read.</summary>
    ModuleVersionDiffers,

    /// <summary>The host answered and has the module, but reading it failed.</summary>
    Failed,
}

/// <summary>The constant reason ids of a fleet host's result (a public contract: scripts match on them).</summary>
public static class FleetReasons
{
    /// <summary>The host was read and judged.</summary>
    public const string Diagnosed = nameof(Diagnosed);

    /// <summary>Opening the SSH session failed (no route, refused, key not accepted, timeout).</summary>
    public const string HostUnreachable = nameof(HostUnreachable);

    /// <summary>A -Session given is not open (closed, broken, disconnected).</summary>
    public const string SessionNotOpened = nameof(SessionNotOpened);

    /// <summary>DockerHostTools is not installed on the host.</summary>
    public const string ModuleNotInstalled = nameof(ModuleNotInstalled);

    /// <summary>DockerHostTools on the host has another version than the controlling one.</summary>
    public const string ModuleVersionDiffers = nameof(ModuleVersionDiffers);

    /// <summary>The remote command failed (the module did not import, the host could not be read).</summary>
    public const string RemoteCommandFailed = nameof(RemoteCommandFailed);
}

/// <summary>
/// One host of a fleet diagnosis (Test-DockerHost -Session/-HostName): its status with a constant reason, the versions
/// that decide its rules, the counts, the top finding, and the findings themselves (each tagged with HostName and
/// PSComputerName).
/// </summary>
public sealed class DockerHostFleetResult
{
    internal DockerHostFleetResult(string hostName, FleetHostStatus status, string reason, string message)
    {
        HostName = hostName;
        Status = status;
        Reason = reason;
        Message = message;
    }

    /// <summary>The host as it was addressed (the session's ComputerName).</summary>
    public string HostName { get; }

    /// <summary>The host as it was addressed, under the name Invoke-Command gives it.</summary>
    public string PSComputerName => HostName;

    /// <summary>The machine's own name (from its snapshot), when it was read.</summary>
    public string? MachineName { get; internal set; }

    /// <summary>Diagnosed, Unreachable, ModuleNotInstalled, ModuleVersionDiffers or Failed.</summary>
    public FleetHostStatus Status { get; }

    /// <summary>The constant reason id (FleetReasons).</summary>
    public string Reason { get; }

    /// <summary>What happened, in words.</summary>
    public string Message { get; }

    /// <summary>The DockerHostTools version on the host, when it has one.</summary>
    public string? ModuleVersion { get; internal set; }

    /// <summary>The Docker engine's version on the host.</summary>
    public string? EngineVersion { get; internal set; }

    /// <summary>firewalld's version on the host.</summary>
    public string? FirewalldVersion { get; internal set; }

    /// <summary>Findings of severity Error.</summary>
    public int Errors { get; internal set; }

    /// <summary>Findings of severity Warning.</summary>
    public int Warnings { get; internal set; }

    /// <summary>The id of the first Error finding, else of the first Warning; null when there is none.</summary>
    public string? TopFinding { get; internal set; }

    /// <summary>The findings (Test-DockerHost's Finding objects), each with the NoteProperties HostName and PSComputerName.</summary>
    public PSObject[] Findings { get; internal set; } = [];

    /// <summary>The one-column summary the table view shows: the top finding, "clean", or the reason.</summary>
    public string Result => Status != FleetHostStatus.Diagnosed ? Reason : TopFinding ?? "clean";

    /// <summary>The runspace the host was read through (where its findings are repaired).</summary>
    internal Runspace? Runspace { get; set; }

    /// <inheritdoc />
    public override string ToString() => $"{HostName}: {Result}";
}
