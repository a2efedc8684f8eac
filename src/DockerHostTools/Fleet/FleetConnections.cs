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

        string? why;
        try
        {
            why = Unreachable(target, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !ct.IsCancellationRequested)
        {
            why = ex.Message.Trim(); // one host's check never ends the run for the others
        }

        if (why is not null)
        {
            // PowerShell's SSH transport must not meet an ssh that fails at once (see Unreachable): that host is
            // unreachable, said here.
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
    /// Why ssh could not reach <paramref name="target"/>, or null: the host name and port ssh would use (<c>ssh -G</c>, so
    /// ~/.ssh/config aliases and Port count) are resolved and a TCP connection is opened here first, within the connecting
    /// timeout. PowerShell's SSH transport must not meet an ssh that fails at once: when ssh writes its error and exits
    /// before the transport's first write is flushed, the transport's error thread closes stdin into a broken pipe and the
    /// whole process dies (PowerShell 7.6; found by Hostile.Tests with a name that does not resolve and by a CI run with a
    /// refused port). Null when ssh -G cannot say, or when ssh reaches the host through a proxy (ProxyCommand,
    /// ProxyJump), which only ssh can try.
    /// </summary>
    private static string? Unreachable(SshTarget target, CancellationToken ct)
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
        Dictionary<string, string> config;
        try
        {
            var result = Core.Native.CliWrapRunner.Instance.RunAsync(new Core.Native.NativeCommand("ssh", [.. args]) { Timeout = TimeSpan.FromSeconds(5) }, ct)
                .GetAwaiter().GetResult();
            if (result.ExitCode != 0)
            {
                // ssh refuses the options or the name before it connects anywhere: the session's ssh would fail at once too.
                var said = result.StandardError.Trim();
                return $"ssh refuses to connect with these options (ssh -G exit {result.ExitCode.ToString(CultureInfo.InvariantCulture)}{(said.Length > 0 ? ": " + said : string.Empty)}).";
            }

            config = SshConfig(result.StandardOutput);
        }
        catch (Exception ex) when (ex is Core.Native.NativeProgramNotFoundException or Core.Native.NativeTimeoutException or Core.Native.NativeCommandFailedException)
        {
            return null;
        }

        if (!config.TryGetValue("hostname", out var name) || name.Length == 0 ||
            !config.TryGetValue("port", out var portText) || !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) ||
            (config.TryGetValue("proxycommand", out var proxy) && proxy != "none") ||
            (config.TryGetValue("proxyjump", out var jump) && jump != "none") ||
            (config.TryGetValue("bindaddress", out var bind) && bind != "none") ||
            (config.TryGetValue("bindinterface", out var bindIf) && bindIf != "none"))
        {
            return null; // only ssh can try a proxy or a bound source address
        }

        // ssh's AddressFamily: only the addresses ssh would use are tried.
        var family = config.GetValueOrDefault("addressfamily", "any");
        bool Usable(System.Net.IPAddress a) => family switch
        {
            "inet" => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork,
            "inet6" => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6,
            _ => true,
        };

        var timeout = TimeSpan.FromMilliseconds(Math.Max(1000, target.ConnectingTimeoutMs));
        System.Net.IPAddress[] addresses;
        if (System.Net.IPAddress.TryParse(name.Trim('[', ']'), out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = System.Net.Dns.GetHostAddressesAsync(name, ct).WaitAsync(timeout, ct).GetAwaiter().GetResult();
            }
            catch (System.Net.Sockets.SocketException ex)
            {
                return $"ssh cannot resolve {name}: {ex.Message}";
            }
            catch (TimeoutException)
            {
                return $"ssh cannot resolve {name}: no answer within {timeout.TotalSeconds:0} s.";
            }

            if (addresses.Length == 0)
            {
                return $"ssh cannot resolve {name} (no address).";
            }
        }

        addresses = [.. addresses.Where(Usable)];
        if (addresses.Length == 0)
        {
            return $"ssh cannot connect to {name}: it has no address of the family ssh's AddressFamily {family} allows.";
        }

        var failures = new List<string>();
        foreach (var address in addresses)
        {
            try
            {
                // Inside the try: a controller without IPv6 cannot even make the socket of an AAAA answer.
                using var client = new System.Net.Sockets.TcpClient(address.AddressFamily);
                client.ConnectAsync(address, port, ct).AsTask().WaitAsync(timeout, ct).GetAwaiter().GetResult();
                return null;
            }
            catch (System.Net.Sockets.SocketException ex)
            {
                failures.Add($"{Endpoint(address, port)}: {ex.Message}");
            }
            catch (TimeoutException)
            {
                failures.Add($"{Endpoint(address, port)}: no answer within {timeout.TotalSeconds:0} s");
            }
        }

        return $"ssh cannot connect to {name} port {port.ToString(CultureInfo.InvariantCulture)} ({string.Join("; ", failures)}).";
    }

    private static string Endpoint(System.Net.IPAddress address, int port) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{address}]:{port.ToString(CultureInfo.InvariantCulture)}"
            : $"{address}:{port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>ssh -G's "key value" lines, keys in lower case as ssh prints them; the first of a repeated key wins.</summary>
    internal static Dictionary<string, string> SshConfig(string text)
    {
        var config = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var trimmed = line.Trim();
            var space = trimmed.IndexOf(' ');
            if (space > 0)
            {
                config.TryAdd(trimmed[..space], trimmed[(space + 1)..].Trim());
            }
        }

        return config;
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
