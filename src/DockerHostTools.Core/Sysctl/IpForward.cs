using System.Globalization;
using System.Text;
using DockerHostTools.Core.Native;
using DockerHostTools.Core.Repair;

namespace DockerHostTools.Core.Sysctl;

/// <summary>Reads and repairs the IP forwarding switches.</summary>
public sealed class IpForward
{
    /// <summary>The drop-in that <see cref="PlanRepair"/> writes unless told otherwise; it sorts after <c>99-*.conf</c> hardening files.</summary>
    public const string DefaultDropInPath = "/etc/sysctl.d/99-zz-dockerhosttools-ipforward.conf";

    /// <summary>The marker put in front of a line that a forced repair comments out.</summary>
    public const string DisabledMarker = "# disabled by DockerHostTools Repair-IpForward: ";

    private readonly INativeRunner _runner;
    private readonly IHostFileSystem _fs;

    /// <summary>Creates the reader over a runner (for <c>sysctl</c>) and a file system (for <c>/proc/sys</c> and the files).</summary>
    public IpForward(INativeRunner runner, IHostFileSystem fs)
    {
        _runner = runner ?? throw new ArgumentNullException(nameof(runner));
        _fs = fs ?? throw new ArgumentNullException(nameof(fs));
    }

    /// <summary>The key that decides a family's forwarding.</summary>
    public static string KeyOf(IpFamily family) => family switch
    {
        IpFamily.IPv4 => "net.ipv4.ip_forward",
        IpFamily.IPv6 => "net.ipv6.conf.all.forwarding",
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "Unknown IP family."),
    };

    /// <summary>
    /// The keys that set the same switch. For IPv4 the kernel ties <c>net.ipv4.ip_forward</c> and
    /// <c>net.ipv4.conf.all.forwarding</c> together: writing either sets both.
    /// </summary>
    public static IReadOnlyList<string> AliasesOf(IpFamily family) => family switch
    {
        IpFamily.IPv4 => ["net.ipv4.ip_forward", "net.ipv4.conf.all.forwarding"],
        IpFamily.IPv6 => ["net.ipv6.conf.all.forwarding"],
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "Unknown IP family."),
    };

    /// <summary>
    /// The keys a repair of a family sets and persists: IPv4 <c>net.ipv4.ip_forward</c>; IPv6 <c>net.ipv6.conf.all.forwarding</c>
    /// and <c>net.ipv6.conf.default.forwarding</c> (dockerd sets both at start, and its nftables backend refuses to start
    /// unless both are 1; writing <c>all</c> sets <c>default</c> too, but a later write of <c>default</c> alone does not follow).
    /// </summary>
    public static IReadOnlyList<string> KeysOf(IpFamily family) => family switch
    {
        IpFamily.IPv4 => ["net.ipv4.ip_forward"],
        IpFamily.IPv6 => ["net.ipv6.conf.all.forwarding", DefaultIPv6Key],
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "Unknown IP family."),
    };

    /// <summary><c>net.ipv6.conf.default.forwarding</c>: the forwarding of interfaces created from now on (Docker's new bridges).</summary>
    public const string DefaultIPv6Key = "net.ipv6.conf.default.forwarding";

    /// <summary>The keys that set the same switch as <paramref name="key"/> (see <see cref="AliasesOf(IpFamily)"/>).</summary>
    public static IReadOnlyList<string> AliasesOf(string key) => key switch
    {
        "net.ipv4.ip_forward" or "net.ipv4.conf.all.forwarding" => AliasesOf(IpFamily.IPv4),
        "net.ipv6.conf.all.forwarding" => AliasesOf(IpFamily.IPv6),
        _ => [key],
    };

    /// <summary>The <c>/proc/sys</c> path of a key.</summary>
    public static string ProcPath(string key) => "/proc/sys/" + key.Replace('.', '/');

    /// <summary>Reads one family's state: the runtime value from <c>/proc/sys</c>, the persisted one from the files.</summary>
    public IpForwardState Get(IpFamily family) => Get(family, SysctlConfiguration.Load(_fs));

    /// <summary>Reads one family's state against an already loaded configuration.</summary>
    public IpForwardState Get(IpFamily family, SysctlConfiguration configuration) => Get(family, KeyOf(family), configuration);

    /// <summary>Every switch of a family (<see cref="KeysOf"/>): IPv6 gives <c>all</c> and <c>default</c>.</summary>
    public IReadOnlyList<IpForwardState> GetAll(IpFamily family, SysctlConfiguration configuration) =>
        KeysOf(family).Select(k => Get(family, k, configuration)).ToList();

    /// <summary>Reads one key of a family (<see cref="KeysOf"/>) against an already loaded configuration.</summary>
    public IpForwardState Get(IpFamily family, string key, SysctlConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrEmpty(key);
        string? runtime = null;
        var unreadable = configuration.Unreadable.ToList();
        try
        {
            runtime = _fs.ReadAllText(ProcPath(key), 64, CancellationToken.None).Trim();
        }
        catch (FileNotFoundException)
        {
            // A saved copy of a host has no /proc: the runtime value is unknown, not an error.
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (_fs.IsLive)
            {
                unreadable.Add(UnreadableFile.From(ProcPath(key), ex));
            }
        }

        return new IpForwardState(family, key, runtime, configuration.AssignmentsOf(AliasesOf(key)),
            configuration.Files.Where(f => f.Masked).ToList(), _fs.Root, unreadable);
    }

    /// <summary>
    /// Plans the repair of the given families: a drop-in that sets each key to 1 (written atomically, only when its
    /// text changes), the overriding lines that a later file applies (commented out only with <paramref name="force"/>),
    /// and the runtime value (only on the live host, only when it is not 1).
    /// </summary>
    /// <exception cref="ArgumentException">The drop-in path is not a <c>.conf</c> file directly in a sysctl.d folder.</exception>
    public IpForwardRepairPlan PlanRepair(IReadOnlyCollection<IpFamily> families, string? dropInPath, bool force)
    {
        ArgumentNullException.ThrowIfNull(families);
        var path = string.IsNullOrWhiteSpace(dropInPath) ? DefaultDropInPath : dropInPath;
        if (CheckRepairPath(path) is { } reason)
        {
            throw new ArgumentException(reason, nameof(dropInPath));
        }

        var before = SysctlConfiguration.Load(_fs);
        var keys = families.Distinct().SelectMany(KeysOf).ToList();
        var oldText = _fs.FileExists(path) ? _fs.ReadAllText(path) : null;
        var newText = RenderDropIn(oldText, keys);
        var steps = new List<RepairStep>();
        if (oldText != newText)
        {
            steps.Add(new RepairStep("WriteDropIn", path, $"Write {string.Join(", ", keys.Select(k => k + " = 1"))}",
                $"printf '%s' ... > {path}", _ => Task.Run(() => _fs.WriteAllTextAtomic(path, newText))));
        }

        // What the files will say once the drop-in is there: any assignment applied after ours still overrides it.
        var after = SysctlConfiguration.Load(_fs, new Dictionary<string, string> { [path] = newText });
        var overrides = new List<SysctlAssignment>();
        foreach (var key in keys)
        {
            var list = after.AssignmentsOf(AliasesOf(key));
            var ours = list.LastOrDefault(a => a.File == path);
            overrides.AddRange(list.Where(a => a.File != path && a.Enabled != true && (ours is null || a.Order > ours.Order)));
        }

        if (force)
        {
            foreach (var group in overrides.GroupBy(a => a.File))
            {
                steps.Add(NeutraliseStep(group.Key, group.Select(a => a.Line).ToHashSet(), before));
            }
        }

        if (_fs.IsLive)
        {
            foreach (var key in keys)
            {
                string? now = null;
                try
                {
                    now = _fs.ReadAllText(ProcPath(key)).Trim();
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Not readable: write it anyway.
                }

                if (now != "1")
                {
                    var cmd = new NativeCommand("sysctl", "-q", "-w", key + "=1") { Timeout = TimeSpan.FromSeconds(10) };
                    steps.Add(new RepairStep("SetRuntime", key, "Set the runtime value to 1", cmd.ToString(), async ct =>
                    {
                        var r = await _runner.RunAsync(cmd, ct).ConfigureAwait(false);
                        if (!r.Succeeded)
                        {
                            throw new NativeCommandFailedException(r);
                        }
                    }));
                }
            }
        }

        return new IpForwardRepairPlan(path, steps, force ? [] : overrides);
    }

    /// <summary>The folders a repair may write its drop-in to: persistent and the admin's own (not /run, not the vendor's).</summary>
    public static IReadOnlyList<string> RepairDirectories { get; } = ["/etc/sysctl.d", "/usr/local/lib/sysctl.d"];

    /// <summary>
    /// Why <paramref name="path"/> cannot be the drop-in a repair writes, or null when it can: a normalised absolute path of
    /// a <c>.conf</c> file directly in <see cref="RepairDirectories"/>, its name without wildcard characters, white space
    /// or control characters. <c>/run/sysctl.d</c> is lost at reboot; <c>/usr/lib/sysctl.d</c> and <c>/lib/sysctl.d</c>
    /// belong to packages, which replace their files on upgrade.
    /// </summary>
    public static string? CheckRepairPath(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return "The drop-in path is empty.";
        }

        var shown = new string(path.Select(c => char.IsControl(c) ? '?' : c).ToArray());
        if (path.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)) || path.IndexOfAny(['*', '?', '[', ']', '\\']) >= 0)
        {
            return $"'{shown}' contains a wildcard character, white space, a backslash or a control character (newline, NUL); name one file.";
        }

        if (!path.StartsWith('/') || Path.GetFullPath(path) != path || path.Contains("//", StringComparison.Ordinal))
        {
            return $"'{shown}' is not a normalised absolute path (no relative part, '.', '..' or '//'); write it as {(path.StartsWith('/') ? Path.GetFullPath(path) : "/etc/sysctl.d/NAME.conf")}.";
        }

        var dir = Path.GetDirectoryName(path);
        if (dir is "/run/sysctl.d")
        {
            return $"'{shown}' is under /run, which is lost at reboot: the repair must persist. Use /etc/sysctl.d.";
        }

        if (dir is "/usr/lib/sysctl.d" or "/lib/sysctl.d")
        {
            return $"'{shown}' is in a vendor folder: packages replace their files there on upgrade. Use /etc/sysctl.d.";
        }

        if (!SysctlConfiguration.IsDropInPath(path) || !RepairDirectories.Contains(dir, StringComparer.Ordinal))
        {
            return $"'{shown}' is not a .conf file directly in {string.Join(" or ", RepairDirectories)}.";
        }

        return null;
    }

    /// <summary>
    /// The text of the drop-in: the existing text with every line of the keys set to 1, and the missing keys appended.
    /// Other lines (an admin's own file named by -Path) are kept as they are.
    /// </summary>
    internal static string RenderDropIn(string? existing, IReadOnlyList<string> keys)
    {
        var sb = new StringBuilder();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (existing is null)
        {
            sb.Append("# Written by DockerHostTools (Repair-IpForward): Docker's published ports need IP forwarding.\n");
            sb.Append("# Run Repair-IpForward again rather than editing this file.\n");
        }
        else
        {
            var lines = existing.Split('\n');
            var count = existing.EndsWith('\n') ? lines.Length - 1 : lines.Length;
            for (var i = 0; i < count; i++)
            {
                var entry = SysctlFileParser.Parse(lines[i]);
                if (entry.Count == 1 && keys.Contains(entry[0].Key))
                {
                    seen.Add(entry[0].Key);
                    sb.Append(entry[0].Value == "1" ? lines[i] : entry[0].Key + " = 1").Append('\n');
                }
                else
                {
                    sb.Append(lines[i]).Append('\n');
                }
            }
        }

        foreach (var key in keys.Where(k => !seen.Contains(k)))
        {
            sb.Append(key).Append(" = 1\n");
        }

        return sb.ToString();
    }

    // A line in /etc is commented out in place (after a backup); a line in a vendor or runtime folder is neutralised by
    // a same-name copy in /etc/sysctl.d, which hides the vendor file the way systemd intends, leaving the package's file alone.
    private RepairStep NeutraliseStep(string file, IReadOnlySet<int> lines, SysctlConfiguration config)
    {
        var inEtc = file.StartsWith("/etc/", StringComparison.Ordinal);
        var target = inEtc ? file : "/etc/sysctl.d/" + Path.GetFileName(file);
        var text = config.TextOf(file);
        var stamp = DateTime.UtcNow.ToString("yyyyMMddTHHmmssZ", CultureInfo.InvariantCulture);
        var rendered = CommentOut(text, lines);
        var what = inEtc
            ? $"Comment out line {string.Join(", ", lines.Order())} (backup {file}.dht-backup-{stamp})"
            : $"Hide {file} with a copy in /etc/sysctl.d whose line {string.Join(", ", lines.Order())} is commented out";
        return new RepairStep("NeutraliseOverride", target, what, $"sed -i 's/^/# /' {target} (lines {string.Join(",", lines.Order())})", _ => Task.Run(() =>
        {
            if (inEtc)
            {
                _fs.CopyFile(file, $"{file}.dht-backup-{stamp}");
            }

            // Debian's /etc/sysctl.d/99-sysctl.conf is a link to ../sysctl.conf: that one link is written through; any other is refused.
            var link = _fs.ReadLink(target);
            var toSysctlConf = link is not null && Path.GetFullPath(link, Path.GetDirectoryName(target)!) == SysctlConfiguration.SysctlConf;
            _fs.WriteAllTextAtomic(target, rendered, new AtomicWriteOptions { FollowSymlinks = toSysctlConf });
        }));
    }

    internal static string CommentOut(string text, IReadOnlySet<int> lines)
    {
        var parts = text.Split('\n');
        for (var i = 0; i < parts.Length; i++)
        {
            if (lines.Contains(i + 1))
            {
                parts[i] = DisabledMarker + parts[i];
            }
        }

        return string.Join('\n', parts);
    }
}

/// <summary>The steps that repair IP forwarding, and what would still override the result.</summary>
public sealed class IpForwardRepairPlan
{
    internal IpForwardRepairPlan(string dropInPath, IReadOnlyList<RepairStep> steps, IReadOnlyList<SysctlAssignment> remainingOverrides)
    {
        DropInPath = dropInPath;
        Steps = steps;
        RemainingOverrides = remainingOverrides;
    }

    /// <summary>The drop-in the repair writes.</summary>
    public string DropInPath { get; }

    /// <summary>The changes, in the order they are made; empty when nothing needs to change.</summary>
    public IReadOnlyList<RepairStep> Steps { get; }

    /// <summary>Lines applied after the drop-in that still set the key to something other than 1 (left alone without -Force).</summary>
    public IReadOnlyList<SysctlAssignment> RemainingOverrides { get; }
}

/// <summary>What Repair-IpForward did and the state after it.</summary>
public sealed class IpForwardRepairResult
{
    /// <summary>Creates the result.</summary>
    public IpForwardRepairResult(string dropInPath, IReadOnlyList<RepairStepResult> steps, IReadOnlyList<SysctlAssignment> remainingOverrides,
        IReadOnlyList<IpForwardState> after)
    {
        DropInPath = dropInPath;
        Steps = steps;
        RemainingOverrides = remainingOverrides;
        After = after;
    }

    /// <summary>True when anything was changed.</summary>
    public bool Changed => Steps.Any(s => s.Outcome == RepairStepOutcome.Done);

    /// <summary>The drop-in the repair manages.</summary>
    public string DropInPath { get; }

    /// <summary>Each planned change and whether it was made.</summary>
    public IReadOnlyList<RepairStepResult> Steps { get; }

    /// <summary>Lines that still override the drop-in (use -Force to comment them out).</summary>
    public IReadOnlyList<SysctlAssignment> RemainingOverrides { get; }

    /// <summary>The state of each family afterwards.</summary>
    public IReadOnlyList<IpForwardState> After { get; }

    /// <summary>True when every family is <see cref="IpForwardStatus.Ok"/> afterwards.</summary>
    public bool Ok => After.All(s => s.Status == IpForwardStatus.Ok);
}
