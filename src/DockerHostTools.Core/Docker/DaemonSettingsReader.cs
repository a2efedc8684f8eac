using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DockerHostTools.Core.Diagnosis;
using DockerHostTools.Core.Native;

namespace DockerHostTools.Core.Docker;

/// <summary>One dockerd process as /proc shows it.</summary>
/// <param name="ProcessId">Its pid.</param>
/// <param name="CommandLine">Its command line.</param>
/// <param name="Uid">Its real uid (a rootless dockerd runs as the user's uid).</param>
/// <param name="RootlessKit">The command line of the rootlesskit process above it, null when it has none.</param>
public sealed record DockerdProcess(int ProcessId, IReadOnlyList<string> CommandLine, int? Uid, IReadOnlyList<string>? RootlessKit);

/// <summary>
/// Reads the running dockerd's effective settings: its command line (<c>/proc/PID/cmdline</c>), the daemon.json it was
/// started with (<c>--config-file</c>, else <c>/etc/docker/daemon.json</c>), and where the engine the user's CLI talks to
/// runs (DOCKER_HOST, the Docker context, <c>/info</c>). In-process reads only (no program runs).
/// </summary>
public static class DaemonSettingsReader
{
    /// <summary>The daemon.json dockerd reads when its command line names none.</summary>
    public const string DefaultConfigFile = "/etc/docker/daemon.json";

    private const int MaxConfigBytes = 1 << 20;

    /// <summary>Every dockerd process (by <c>/proc/PID/comm</c>), with the rootlesskit above it when there is one.</summary>
    public static IReadOnlyList<DockerdProcess> FindDockerd(IHostFileSystem fs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fs);
        var proc = fs.Map("/proc");
        var list = new List<DockerdProcess>();
        if (!Directory.Exists(proc))
        {
            return list;
        }

        foreach (var dir in Directory.EnumerateDirectories(proc))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || Comm(fs, pid) != "dockerd")
            {
                continue;
            }

            var cmdline = CommandLine(fs, pid);
            if (cmdline is null)
            {
                continue;
            }

            // rootlesskit -> its child (comm "exe", in the user namespace) -> dockerd: look a few parents up.
            IReadOnlyList<string>? kit = null;
            var parent = ParentOf(fs, pid);
            for (var depth = 0; depth < 4 && parent is > 1; depth++)
            {
                if (Comm(fs, parent.Value) == "rootlesskit")
                {
                    kit = CommandLine(fs, parent.Value) ?? ["rootlesskit"];
                    break;
                }

                parent = ParentOf(fs, parent.Value);
            }

            list.Add(new DockerdProcess(pid, cmdline, UidOf(fs, pid), kit));
        }

        return list;
    }

    /// <summary>The dockerd that serves <paramref name="socket"/>: one whose <c>-H</c> names it, else the rootless one for a socket under /run/user, else the rootful one.</summary>
    public static DockerdProcess? Pick(IReadOnlyList<DockerdProcess> processes, string socket)
    {
        ArgumentNullException.ThrowIfNull(processes);
        ArgumentNullException.ThrowIfNull(socket);
        var named = processes.FirstOrDefault(p => Hosts(p.CommandLine).Any(h => h == "unix://" + socket || h == socket));
        if (named is not null)
        {
            return named;
        }

        return socket.StartsWith("/run/user/", StringComparison.Ordinal)
            ? processes.FirstOrDefault(p => p.RootlessKit is not null)
            : processes.FirstOrDefault(p => p.RootlessKit is null) ?? processes.FirstOrDefault();
    }

    /// <summary>Reads the settings of <paramref name="process"/> (null: no dockerd found; daemon.json is still read).</summary>
    public static DaemonSettingsFact Read(IHostFileSystem fs, DockerdProcess? process, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fs);
        var cmdline = process?.CommandLine ?? [];
        var configFile = FlagValue(cmdline, "--config-file") ?? (process?.RootlessKit is not null && process.Uid is { } uid
            ? RootlessConfig(fs, process, uid) : DefaultConfigFile);
        string? text = null;
        string? error = null;
        try
        {
            if (fs.FileExists(configFile))
            {
                text = fs.ReadAllText(configFile, MaxConfigBytes, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error = $"{configFile} could not be read: {ex.Message}";
        }

        return Parse(cmdline, configFile, text, error) with { ProcessFound = process is not null, ProcessId = process?.ProcessId };
    }

    /// <summary>
    /// The settings from a command line and a daemon.json text (null: absent). dockerd refuses to start when both set one
    /// key, so either source is the truth for a key; the command line is looked at first.
    /// </summary>
    public static DaemonSettingsFact Parse(IReadOnlyList<string> commandLine, string? configFile, string? configText, string? configError)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var sources = new List<string>();
        JsonElement? json = null;
        if (!string.IsNullOrWhiteSpace(configText))
        {
            try
            {
                using var doc = JsonDocument.Parse(configText, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
                json = doc.RootElement.ValueKind == JsonValueKind.Object ? doc.RootElement.Clone() : null;
                if (json is null)
                {
                    configError ??= $"{configFile} is not a JSON object.";
                }
            }
            catch (JsonException ex)
            {
                configError ??= $"{configFile} is not valid JSON: {ex.Message}";
            }
        }

        bool? Bool(string key)
        {
            if (BoolFlag(commandLine, "--" + key) is { } flag)
            {
                sources.Add($"dockerd command line: --{key}={(flag ? "true" : "false")}");
                return flag;
            }

            if (json is { } j && j.TryGetProperty(key, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                sources.Add($"{configFile}: \"{key}\": {(v.GetBoolean() ? "true" : "false")}");
                return v.GetBoolean();
            }

            return null;
        }

        string? backend = FlagValue(commandLine, "--firewall-backend");
        if (backend is not null)
        {
            sources.Add($"dockerd command line: --firewall-backend={backend}");
        }
        else if (json is { } j && j.TryGetProperty("firewall-backend", out var fb) && fb.ValueKind == JsonValueKind.String)
        {
            backend = fb.GetString();
            sources.Add($"{configFile}: \"firewall-backend\": \"{backend}\"");
        }

        return new DaemonSettingsFact
        {
            CommandLine = commandLine,
            ConfigFile = configFile,
            ConfigError = configError,
            Iptables = Bool("iptables"),
            Ip6tables = Bool("ip6tables"),
            IpForward = Bool("ip-forward"),
            IpForwardNoDrop = Bool("ip-forward-no-drop"),
            UserlandProxy = Bool("userland-proxy"),
            AllowDirectRouting = Bool("allow-direct-routing"),
            FirewallBackend = string.IsNullOrWhiteSpace(backend) ? null : backend.Trim(),
            Sources = sources,
        };
    }

    /// <summary>
    /// Where the engine runs: <c>/info</c> (OperatingSystem <c>Docker Desktop</c>; SecurityOptions <c>name=rootless</c>), the
    /// dockerd process (under rootlesskit), the socket (under /run/user/UID), and the user's Docker CLI (DOCKER_HOST, else
    /// the current context's endpoint, from <paramref name="home"/>/.docker).
    /// </summary>
    public static EngineEndpointFact Locate(IHostFileSystem fs, string socket, DockerEngineInfo? info, DockerdProcess? process,
        string? dockerHost, string? dockerContext, string? home)
    {
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentNullException.ThrowIfNull(socket);
        var evidence = new List<string>();
        var (context, contextHost) = CliEndpoint(fs, dockerHost, dockerContext, home);
        var location = EngineLocation.Local;
        string? driver = null;
        if (info?.OperatingSystem is { } os && os.Contains("Docker Desktop", StringComparison.OrdinalIgnoreCase))
        {
            location = EngineLocation.DockerDesktop;
            evidence.Add($"Engine /info: OperatingSystem {os}");
        }
        else if (info?.SecurityOptions.Any(o => o.Split(',').Contains("name=rootless", StringComparer.Ordinal)) == true)
        {
            location = EngineLocation.Rootless;
            evidence.Add("Engine /info: SecurityOptions name=rootless");
        }
        else if (info is null && contextHost is not null && Classify(contextHost) is var kind and not EngineLocation.Local && !SameSocket(contextHost, socket))
        {
            // The module found no engine on its socket, and the user's CLI talks to one elsewhere.
            location = kind;
            evidence.Add(dockerHost is not null ? $"DOCKER_HOST={dockerHost}" : $"Docker context {context}: {contextHost}");
        }
        else if (info is null && socket.StartsWith("/run/user/", StringComparison.Ordinal))
        {
            location = EngineLocation.Rootless;
            evidence.Add($"socket {socket} is under /run/user/UID (a rootless dockerd's)");
        }

        if (location == EngineLocation.Rootless || process?.RootlessKit is not null && socket.StartsWith("/run/user/", StringComparison.Ordinal))
        {
            location = EngineLocation.Rootless;
            if (process?.RootlessKit is { } kit)
            {
                evidence.Add($"dockerd pid {process.ProcessId} runs under rootlesskit ({string.Join(' ', kit)})");
                driver = FlagValue(kit, "--port-driver") ?? "builtin";
            }
        }

        if (location == EngineLocation.Local && contextHost is not null && Classify(contextHost) is var other and not EngineLocation.Local && !SameSocket(contextHost, socket))
        {
            evidence.Add($"note: the Docker CLI talks to {contextHost}{(context is null ? string.Empty : " (context " + context + ")")}, not to {socket}");
        }

        return new EngineEndpointFact
        {
            Location = location, Socket = socket, DockerHost = dockerHost, Context = context, ContextHost = contextHost,
            OperatingSystem = info?.OperatingSystem, SecurityOptions = info?.SecurityOptions ?? [], RootlessPortDriver = driver, Evidence = evidence,
        };
    }

    /// <summary>What an endpoint of the Docker CLI names: this host's rootful engine, a rootless one, Docker Desktop, or another host.</summary>
    public static EngineLocation Classify(string endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint.StartsWith("unix://", StringComparison.Ordinal) || endpoint.StartsWith('/'))
        {
            var path = endpoint.StartsWith('/') ? endpoint : endpoint["unix://".Length..];
            return path.Contains("/.docker/desktop/", StringComparison.Ordinal) ? EngineLocation.DockerDesktop
                : path.StartsWith("/run/user/", StringComparison.Ordinal) ? EngineLocation.Rootless : EngineLocation.Local;
        }

        if (Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "tcp" or "http" or "https" &&
            (uri.IsLoopback || uri.Host is "localhost"))
        {
            return EngineLocation.Local;
        }

        return EngineLocation.Remote;
    }

    /// <summary>The Docker CLI's endpoint: DOCKER_HOST, else the current context's (DOCKER_CONTEXT, else config.json currentContext; <c>default</c>: none).</summary>
    public static (string? Context, string? Host) CliEndpoint(IHostFileSystem fs, string? dockerHost, string? dockerContext, string? home)
    {
        ArgumentNullException.ThrowIfNull(fs);
        if (!string.IsNullOrWhiteSpace(dockerHost) && string.IsNullOrWhiteSpace(dockerContext))
        {
            return (null, dockerHost.Trim());
        }

        if (string.IsNullOrEmpty(home))
        {
            return (null, null);
        }

        var context = dockerContext;
        if (string.IsNullOrWhiteSpace(context))
        {
            var config = ReadJson(fs, Path.Combine(home, ".docker", "config.json"));
            context = config is { } c && c.TryGetProperty("currentContext", out var cc) && cc.ValueKind == JsonValueKind.String ? cc.GetString() : null;
        }

        if (string.IsNullOrWhiteSpace(context) || context == "default")
        {
            return (null, null);
        }

        // The CLI keeps a context's metadata in contexts/meta/<sha256 of its name>/meta.json.
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(context)));
        var meta = ReadJson(fs, Path.Combine(home, ".docker", "contexts", "meta", digest, "meta.json"));
        var host = meta is { } m && m.TryGetProperty("Endpoints", out var eps) && eps.ValueKind == JsonValueKind.Object &&
            eps.TryGetProperty("docker", out var d) && d.ValueKind == JsonValueKind.Object && d.TryGetProperty("Host", out var h) && h.ValueKind == JsonValueKind.String
            ? h.GetString() : null;
        return (context, host);
    }

    /// <summary>The <c>-H</c>/<c>--host</c> values of a dockerd command line.</summary>
    public static IReadOnlyList<string> Hosts(IReadOnlyList<string> commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var list = new List<string>();
        for (var i = 0; i < commandLine.Count; i++)
        {
            var a = commandLine[i];
            if ((a is "-H" or "--host") && i + 1 < commandLine.Count)
            {
                list.Add(commandLine[++i]);
            }
            else if (a.StartsWith("--host=", StringComparison.Ordinal) || a.StartsWith("-H=", StringComparison.Ordinal))
            {
                list.Add(a[(a.IndexOf('=', StringComparison.Ordinal) + 1)..]);
            }
        }

        return list;
    }

    /// <summary>A Go boolean flag: <c>--name</c> (true) or <c>--name=true|false</c>; null when absent. The last one wins.</summary>
    public static bool? BoolFlag(IReadOnlyList<string> commandLine, string name)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        bool? value = null;
        foreach (var a in commandLine)
        {
            if (a == name)
            {
                value = true;
            }
            else if (a.StartsWith(name + "=", StringComparison.Ordinal) && bool.TryParse(a[(name.Length + 1)..], out var b))
            {
                value = b;
            }
            else if (a.StartsWith(name + "=", StringComparison.Ordinal))
            {
                value = a[(name.Length + 1)..] switch { "1" or "t" or "T" => true, "0" or "f" or "F" => false, _ => value };
            }
        }

        return value;
    }

    /// <summary>A flag with a value: <c>--name VALUE</c> or <c>--name=VALUE</c>; null when absent.</summary>
    public static string? FlagValue(IReadOnlyList<string> commandLine, string name)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        string? value = null;
        for (var i = 0; i < commandLine.Count; i++)
        {
            if (commandLine[i] == name && i + 1 < commandLine.Count)
            {
                value = commandLine[++i];
            }
            else if (commandLine[i].StartsWith(name + "=", StringComparison.Ordinal))
            {
                value = commandLine[i][(name.Length + 1)..];
            }
        }

        return value;
    }

    private static bool SameSocket(string endpoint, string socket) =>
        endpoint == "unix://" + socket || endpoint == socket ||
        (socket is "/run/docker.sock" or "/var/run/docker.sock" && endpoint is "unix:///run/docker.sock" or "unix:///var/run/docker.sock");

    private static string RootlessConfig(IHostFileSystem fs, DockerdProcess process, int uid)
    {
        // dockerd-rootless.sh leaves the config at $XDG_CONFIG_HOME/docker/daemon.json (~/.config/docker/daemon.json).
        var home = PasswdHome(fs, uid);
        return home is null ? DefaultConfigFile : home.TrimEnd('/') + "/.config/docker/daemon.json";
    }

    private static string? PasswdHome(IHostFileSystem fs, int uid)
    {
        try
        {
            foreach (var line in fs.ReadAllText("/etc/passwd").Split('\n'))
            {
                var f = line.Split(':');
                if (f.Length >= 6 && f[2] == uid.ToString(CultureInfo.InvariantCulture))
                {
                    return f[5];
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return null;
    }

    private static JsonElement? ReadJson(IHostFileSystem fs, string path)
    {
        try
        {
            if (!fs.FileExists(path))
            {
                return null;
            }

            using var doc = JsonDocument.Parse(fs.ReadAllText(path, MaxConfigBytes, CancellationToken.None));
            return doc.RootElement.ValueKind == JsonValueKind.Object ? doc.RootElement.Clone() : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    private static string? Comm(IHostFileSystem fs, int pid) => TryRead(fs, $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/comm")?.Trim();

    private static IReadOnlyList<string>? CommandLine(IHostFileSystem fs, int pid) =>
        TryRead(fs, $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cmdline")?.Split('\0', StringSplitOptions.RemoveEmptyEntries);

    private static int? ParentOf(IHostFileSystem fs, int pid)
    {
        // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses, so read after the last ')'.
        var stat = TryRead(fs, $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        var close = stat?.LastIndexOf(')') ?? -1;
        if (stat is null || close < 0)
        {
            return null;
        }

        var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 1 && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ppid) ? ppid : null;
    }

    private static int? UidOf(IHostFileSystem fs, int pid)
    {
        var status = TryRead(fs, $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status");
        var line = status?.Split('\n').FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        var f = line?.Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
        return f is { Length: > 1 } && int.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out var uid) ? uid : null;
    }

    private static string? TryRead(IHostFileSystem fs, string path)
    {
        try
        {
            return fs.ReadAllText(path, 64 * 1024, CancellationToken.None);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
