using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace DockerHostTools.Fleet;

/// <summary>How to reach hosts by name over SSH, as Invoke-Command names it (-HostName, -UserName, -KeyFilePath, -Options).</summary>
internal sealed record SshTarget(string HostName, string? UserName, string? KeyFilePath, Hashtable? Options, int ConnectingTimeoutMs)
{
    /// <summary>The pool's key: one runspace per host, user, key and options.</summary>
    public string Key => string.Join('|', HostName, UserName, KeyFilePath,
        Options is null ? string.Empty : string.Join(',', Options.Keys.Cast<object>().Select(k => $"{k}={Options[k]}").Order(StringComparer.Ordinal)));
}

/// <summary>One host of a fleet run: the host as addressed and its runspace, or why there is none.</summary>
internal sealed record FleetHost(string HostName, Runspace? Runspace, string? Reason, string? Message);

/// <summary>
/// The SSH runspaces the -HostName parameters open. They stay open for the process (warm for the next command, and so
/// that Repair-DockerHost can send a finding back through the runspace it came from) and are closed when the module is
/// removed. Non-interactive: ssh gets BatchMode=yes unless the caller's -Options set it, so nothing waits for a password.
/// </summary>
internal static class FleetConnections
{
    private static readonly ConcurrentDictionary<string, Runspace> Pool = new(StringComparer.Ordinal);

    /// <summary>The hosts of -Session: an open session's runspace, or SessionNotOpened.</summary>
    public static List<FleetHost> FromSessions(IEnumerable<PSSession> sessions) => sessions.Select(s =>
        s.Runspace is { RunspaceStateInfo.State: RunspaceState.Opened } rs
            ? new FleetHost(s.ComputerName, rs, null, null)
            : new FleetHost(s.ComputerName, null, FleetReasons.SessionNotOpened,
                $"The session {s.Name} to {s.ComputerName} is {s.Runspace?.RunspaceStateInfo.State.ToString() ?? "gone"}, not Opened.")).ToList();

    /// <summary>Opens (or reuses) one runspace per target, at most <paramref name="throttle"/> at once.</summary>
    public static async Task<List<FleetHost>> OpenAsync(IReadOnlyList<SshTarget> targets, int throttle, CancellationToken ct)
    {
        using var gate = new SemaphoreSlim(throttle);
        var tasks = targets.Select(async t =>
        {
            await gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                return await Task.Run(() => Open(t, ct), ct).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        return [.. await Task.WhenAll(tasks).ConfigureAwait(false)];
    }

    private static FleetHost Open(SshTarget target, CancellationToken ct)
    {
        if (Pool.TryGetValue(target.Key, out var pooled))
        {
            if (pooled.RunspaceStateInfo.State == RunspaceState.Opened)
            {
                return new FleetHost(target.HostName, pooled, null, null);
            }

            Pool.TryRemove(target.Key, out _);
            pooled.Dispose();
        }

        if (Unresolvable(target, ct) is { } why)
        {
            // PowerShell's SSH transport writes to an ssh that already exited (a name it cannot resolve) and the whole
            // process dies of a broken pipe on a thread of its own (found by Hostile.Tests): that host is unreachable instead.
            return new FleetHost(target.HostName, null, FleetReasons.HostUnreachable, $"No SSH session to {target.HostName}: {why}");
        }

        Runspace? runspace = null;
        try
        {
            runspace = RunspaceFactory.CreateRunspace(ConnectionInfo(target));
            using (ct.Register(() => runspace.Dispose()))
            {
                runspace.Open();
            }

            ct.ThrowIfCancellationRequested();
            if (!Pool.TryAdd(target.Key, runspace))
            {
                runspace.Dispose(); // the same target twice in one call: one runspace
                return new FleetHost(target.HostName, Pool[target.Key], null, null);
            }

            return new FleetHost(target.HostName, runspace, null, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !ct.IsCancellationRequested)
        {
            runspace?.Dispose();
            return new FleetHost(target.HostName, null, FleetReasons.HostUnreachable,
                $"No SSH session to {target.HostName}: {ex.Message.Trim()}");
        }
    }

    /// <summary>
    /// Why ssh could not reach <paramref name="target"/>'s name, or null: the host name ssh would use (<c>ssh -G</c>, so
    /// ~/.ssh/config aliases count) is resolved here first, within the connecting timeout. Null too when ssh -G itself
    /// cannot say (the session then tells).
    /// </summary>
    private static string? Unresolvable(SshTarget target, CancellationToken ct)
    {
        var args = new List<string> { "-G" };
        if (target.UserName is { Length: > 0 } user)
        {
            args.AddRange(["-l", user]);
        }

        foreach (var key in target.Options?.Keys.Cast<object>() ?? [])
        {
            args.AddRange(["-o", $"{key}={target.Options![key]}"]);
        }

        args.AddRange(["--", target.HostName]);
        string? name;
        try
        {
            var result = Core.Native.CliWrapRunner.Instance.RunAsync(new Core.Native.NativeCommand("ssh", [.. args]) { Timeout = TimeSpan.FromSeconds(5) }, ct)
                .GetAwaiter().GetResult();
            name = result.ExitCode != 0 ? null : result.StandardOutput.Split('\n')
                .Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("hostname ", StringComparison.Ordinal))?["hostname ".Length..].Trim();
        }
        catch (Exception ex) when (ex is Core.Native.NativeProgramNotFoundException or Core.Native.NativeTimeoutException or Core.Native.NativeCommandFailedException)
        {
            return null;
        }

        if (string.IsNullOrEmpty(name) || System.Net.IPAddress.TryParse(name.Trim('[', ']'), out _))
        {
            return null;
        }

        try
        {
            var addresses = System.Net.Dns.GetHostAddressesAsync(name, ct).WaitAsync(TimeSpan.FromMilliseconds(Math.Max(1000, target.ConnectingTimeoutMs)), ct).GetAwaiter().GetResult();
            return addresses.Length > 0 ? null : $"ssh cannot resolve {name} (no address).";
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            return $"ssh cannot resolve {name}: {ex.Message}";
        }
        catch (TimeoutException)
        {
            return $"ssh cannot resolve {name}: no answer within {Math.Max(1000, target.ConnectingTimeoutMs) / 1000} s.";
        }
    }

    /// <summary>
    /// PowerShell's SSHConnectionInfo (PowerShell 7; this layer compiles against PowerShell Standard, which predates it),
    /// built with the same arguments New-PSSession -HostName gives it.
    /// </summary>
    private static RunspaceConnectionInfo ConnectionInfo(SshTarget target)
    {
        var type = typeof(PSObject).Assembly.GetType("System.Management.Automation.Runspaces.SSHConnectionInfo", throwOnError: true)!;
        var options = new Hashtable(StringComparer.OrdinalIgnoreCase);
        if (target.Options is not null)
        {
            foreach (DictionaryEntry e in target.Options)
            {
                options[e.Key.ToString()!] = e.Value?.ToString();
            }
        }

        if (!options.ContainsKey("BatchMode"))
        {
            options["BatchMode"] = "yes"; // never a password prompt: a runbook has no one to answer it
        }

        var (host, user) = SplitUser(target.HostName, target.UserName);
        var port = 0;
        if (options["Port"] is string p && int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            port = n;
            options.Remove("Port");
        }

        return (RunspaceConnectionInfo)Activator.CreateInstance(type, user, host, target.KeyFilePath ?? string.Empty, port, "powershell",
            target.ConnectingTimeoutMs, options)!;
    }

    /// <summary>user@host as ssh and New-PSSession -HostName take it; -UserName wins over the host's user part.</summary>
    internal static (string Host, string? User) SplitUser(string hostName, string? userName)
    {
        var at = hostName.LastIndexOf('@');
        return at > 0 ? (hostName[(at + 1)..], userName ?? hostName[..at]) : (hostName, userName);
    }

    /// <summary>Closes every pooled runspace (the module is being removed).</summary>
    public static void CloseAll()
    {
        foreach (var key in Pool.Keys)
        {
            if (Pool.TryRemove(key, out var rs))
            {
                rs.Dispose();
            }
        }
    }
}

/// <summary>Closes the fleet's pooled runspaces when the module is removed.</summary>
public sealed class FleetModuleCleanup : IModuleAssemblyCleanup
{
    /// <inheritdoc />
    public void OnRemove(PSModuleInfo psModuleInfo) => FleetConnections.CloseAll();
}
