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

    private static readonly System.Text.RegularExpressions.Regex HostPattern = new(
        @"^(?:[A-Za-z0-9_][A-Za-z0-9._-]{0,63}@)?(?:[A-Za-z0-9][A-Za-z0-9.-]{0,252}|\[[0-9A-Fa-f:.%A-Za-z]{2,60}\]|[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:.]{1,60})$",
        System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private static readonly System.Text.RegularExpressions.Regex UserPattern = new(@"^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$",
        System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>
    /// What reaches ssh is checked first: a host name ssh would refuse (white space, wildcards, a leading dash that ssh
    /// would take for an option, control characters) is an InvalidHostName error for that host (the others go on); a
    /// -UserName, -KeyFilePath or -Options value that cannot be one stops the command. Returns the usable host names.
    /// </summary>
    public static string[] UsableHostNames(PSCmdlet cmdlet, string[]? hostNames, string? userName, string? keyFilePath, Hashtable? options)
    {
        static bool Control(string s) => s.Any(char.IsControl);
        void Stop(string id, string message, object target) => cmdlet.ThrowTerminatingError(
            new ErrorRecord(new ArgumentException(message), id, ErrorCategory.InvalidArgument, target));
        if (userName is not null && !UserPattern.IsMatch(userName))
        {
            Stop("InvalidUserName", "The user name is not one ssh takes (letters, digits, '.', '_', '-'; at most 64).", userName);
        }

        if (keyFilePath is not null && (Control(keyFilePath) || keyFilePath.Length > 4096 || keyFilePath.StartsWith('-')))
        {
            Stop("InvalidKeyFilePath", "The key file path holds control characters, starts with '-' or is too long.", keyFilePath);
        }

        foreach (DictionaryEntry e in options ?? new Hashtable())
        {
            var key = e.Key?.ToString() ?? string.Empty;
            var value = e.Value?.ToString() ?? string.Empty;
            if (!System.Text.RegularExpressions.Regex.IsMatch(key, "^[A-Za-z][A-Za-z0-9]{0,63}$") || Control(value) || value.Length > 4096)
            {
                Stop("InvalidSshOption", $"The ssh option '{key}' is not a name=value ssh takes (a name of letters and digits, a value without control characters).", options!);
            }
        }

        var usable = new List<string>();
        foreach (var name in hostNames ?? [])
        {
            if (name is { Length: > 0 } && HostPattern.IsMatch(name))
            {
                usable.Add(name);
                continue;
            }

            cmdlet.WriteError(new ErrorRecord(new ArgumentException(
                "The host name is not one ssh takes: a DNS name, an IPv4 or IPv6 address, optionally user@ before it (no white space, wildcards or control characters, no leading '-')."),
                "InvalidHostName", ErrorCategory.InvalidArgument, name));
        }

        return [.. usable];
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
