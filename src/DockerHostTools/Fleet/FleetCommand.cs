using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace DockerHostTools.Fleet;

/// <summary>The fleet parameters every -Session/-HostName command shares, turned into hosts (the cmdlets only declare them).</summary>
internal static class FleetCommand
{
    public const string SessionSet = "Session";
    public const string HostNameSet = "HostName";

    /// <summary>Default of -ThrottleLimit, as Invoke-Command's.</summary>
    public const int DefaultThrottle = 32;

    /// <summary>Default of -ConnectingTimeout in milliseconds.</summary>
    public const int DefaultConnectingTimeout = 15000;

    public static async Task<List<FleetHost>> HostsAsync(string parameterSet, PSSession[]? sessions, string[]? hostNames,
        string? userName, string? keyFilePath, Hashtable? options, int connectingTimeout, int throttle, CancellationToken ct)
    {
        if (parameterSet == SessionSet)
        {
            return FleetConnections.FromSessions(sessions ?? []);
        }

        var targets = (hostNames ?? []).Select(h => new SshTarget(h, userName, keyFilePath, options, connectingTimeout)).ToList();
        return await FleetConnections.OpenAsync(targets, throttle, ct).ConfigureAwait(false);
    }

    /// <summary>The version of the controlling module (the one the hosts must have).</summary>
    public static string Version(PSCmdlet cmdlet) =>
        cmdlet.MyInvocation.MyCommand.Module?.Version?.ToString() ?? typeof(FleetCommand).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>A per-host error record for a host the command could not use (the run goes on).</summary>
    public static ErrorRecord HostError(FleetHost host) => new(
        new InvalidOperationException(host.Message ?? $"{host.HostName} is unreachable."),
        host.Reason ?? FleetReasons.HostUnreachable,
        host.Reason == FleetReasons.HostUnreachable || host.Reason == FleetReasons.SessionNotOpened ? ErrorCategory.ConnectionError
            : host.Reason == FleetReasons.ModuleNotInstalled ? ErrorCategory.ObjectNotFound : ErrorCategory.InvalidResult,
        host.HostName);

    /// <summary>Whether the runspace is a live one.</summary>
    public static bool IsOpen(Runspace? rs) => rs?.RunspaceStateInfo.State == RunspaceState.Opened;
}
