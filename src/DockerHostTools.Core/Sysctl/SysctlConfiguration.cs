using DockerHostTools.Core.Native;

namespace DockerHostTools.Core.Sysctl;

/// <summary>
/// The sysctl configuration of a host as systemd-sysctl and <c>sysctl --system</c> apply it: the sysctl.d folders
/// merged by file name (for one name, <c>/etc</c> hides <c>/run</c> hides <c>/usr/local/lib</c> hides <c>/usr/lib</c>
/// hides <c>/lib</c>; a link to <c>/dev/null</c> masks the name), the chosen files applied in lexical order of their
/// names, then <c>/etc/sysctl.conf</c> last (procps). The last assignment of a key wins.
/// </summary>
public sealed class SysctlConfiguration
{
    /// <summary>The sysctl.d folders, highest priority first.</summary>
    public static IReadOnlyList<string> Directories { get; } =
        ["/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d", "/lib/sysctl.d"];

    /// <summary>The file procps applies after all sysctl.d files.</summary>
    public const string SysctlConf = "/etc/sysctl.conf";

    private readonly IReadOnlyDictionary<string, string> _texts;

    private SysctlConfiguration(IReadOnlyList<SysctlConfigFile> files, IReadOnlyDictionary<string, string> texts, IReadOnlyList<UnreadableFile> unreadable)
    {
        Files = files;
        _texts = texts;
        Unreadable = unreadable;
    }

    /// <summary>
    /// Files and folders that could not be read (permission denied, a FIFO or device, too large): what they set is not
    /// known, so any verdict drawn from this configuration may be wrong. Empty when everything was read.
    /// </summary>
    public IReadOnlyList<UnreadableFile> Unreadable { get; }

    /// <summary>The files in the order they are applied (masked ones included, flagged).</summary>
    public IReadOnlyList<SysctlConfigFile> Files { get; }

    /// <summary>True when <paramref name="hostPath"/> lies directly in one of the sysctl.d folders and ends in <c>.conf</c>.</summary>
    public static bool IsDropInPath(string hostPath)
    {
        ArgumentNullException.ThrowIfNull(hostPath);
        if (!hostPath.StartsWith('/') || !hostPath.EndsWith(".conf", StringComparison.Ordinal) || hostPath.Contains("/../", StringComparison.Ordinal))
        {
            return false;
        }

        var dir = Path.GetDirectoryName(hostPath);
        var name = Path.GetFileName(hostPath);
        return name.Length > ".conf".Length && !name.StartsWith('.') && Directories.Contains(dir, StringComparer.Ordinal);
    }

    /// <summary>
    /// Reads the configuration. <paramref name="overlay"/> stands in for files as they would be after a change
    /// (host path to new text), so a repair can be planned before anything is written.
    /// </summary>
    public static SysctlConfiguration Load(IHostFileSystem fs, IReadOnlyDictionary<string, string>? overlay = null) =>
        Load(fs, overlay, CancellationToken.None);

    /// <summary>As <see cref="Load(IHostFileSystem, IReadOnlyDictionary{string, string}?)"/>; the token is checked between files.</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public static SysctlConfiguration Load(IHostFileSystem fs, IReadOnlyDictionary<string, string>? overlay, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fs);
        overlay ??= new Dictionary<string, string>();
        var unreadable = new List<UnreadableFile>();
        var byName = new Dictionary<string, (string Path, List<string> Hidden)>(StringComparer.Ordinal);
        var realPaths = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var dir in Directories)
        {
            cancellationToken.ThrowIfCancellationRequested();
            IReadOnlyList<string> listed;
            try
            {
                listed = fs.ListFiles(dir);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                unreadable.Add(UnreadableFile.From(dir, ex));
                listed = [];
            }

            var names = listed.Concat(overlay.Keys.Where(k => Path.GetDirectoryName(k) == dir)).Distinct(StringComparer.Ordinal);
            foreach (var path in names.Where(p => p.EndsWith(".conf", StringComparison.Ordinal)))
            {
                var name = Path.GetFileName(path);
                if (byName.TryGetValue(name, out var chosen))
                {
                    // /lib is a link to /usr/lib on merged-/usr systems: the same file twice is not "hidden".
                    if (RealPath(fs, path, realPaths) != RealPath(fs, chosen.Path, realPaths))
                    {
                        chosen.Hidden.Add(path);
                    }
                }
                else
                {
                    byName[name] = (path, []);
                }
            }
        }

        var files = new List<SysctlConfigFile>();
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, chosen) in byName.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var masked = !overlay.ContainsKey(chosen.Path) && fs.ReadLink(chosen.Path) == "/dev/null";
            files.Add(new SysctlConfigFile(chosen.Path, masked, chosen.Hidden));
            if (!masked)
            {
                texts[chosen.Path] = overlay.TryGetValue(chosen.Path, out var t) ? t : TryRead(fs, chosen.Path, unreadable, cancellationToken);
            }
        }

        if (overlay.ContainsKey(SysctlConf) || fs.FileExists(SysctlConf))
        {
            files.Add(new SysctlConfigFile(SysctlConf, false, []));
            texts[SysctlConf] = overlay.TryGetValue(SysctlConf, out var t) ? t : TryRead(fs, SysctlConf, unreadable, cancellationToken);
        }

        return new SysctlConfiguration(files, texts, unreadable);
    }

    /// <summary>The text of an applied file as read (or as overlaid).</summary>
    public string TextOf(string hostPath) => _texts.TryGetValue(hostPath, out var t) ? t : string.Empty;

    /// <summary>
    /// Every assignment that sets one of <paramref name="keys"/> (aliases of one switch), in the order applied, with the
    /// one in force marked. A glob line counts only when no line names a key explicitly (systemd-sysctl's rule).
    /// </summary>
    public IReadOnlyList<SysctlAssignment> AssignmentsOf(IReadOnlyCollection<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var all = new List<SysctlAssignment>();
        var order = 0;
        foreach (var file in Files.Where(f => !f.Masked))
        {
            foreach (var e in SysctlFileParser.Parse(TextOf(file.Path)))
            {
                if (keys.Any(k => SysctlFileParser.Matches(e.Key, k)))
                {
                    all.Add(new SysctlAssignment(file.Path, e.Line, e.Key, e.Value, e.IgnoreFailure, order));
                }

                order++;
            }
        }

        var anyExplicit = all.Any(a => !SysctlFileParser.IsGlob(a.Key));
        var deciding = all.LastOrDefault(a => !anyExplicit || !SysctlFileParser.IsGlob(a.Key));
        if (deciding is not null)
        {
            deciding.InForce = true;
        }

        return all;
    }

    private static string TryRead(IHostFileSystem fs, string path, List<UnreadableFile> unreadable, CancellationToken cancellationToken)
    {
        try
        {
            return fs.ReadAllText(path, HostFileSystem.DefaultMaxBytes, cancellationToken);
        }
        catch (FileNotFoundException)
        {
            return string.Empty; // a dangling link: systemd-sysctl skips it too
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            unreadable.Add(UnreadableFile.From(path, ex));
            return string.Empty;
        }
    }

    private static string RealPath(IHostFileSystem fs, string hostPath, Dictionary<string, string> cache)
    {
        if (!cache.TryGetValue(hostPath, out var real))
        {
            // Links resolved inside the root: an absolute link in a saved copy names a path of the copy, not of this host.
            real = Path.Join(fs.Resolve(Path.GetDirectoryName(hostPath)!), Path.GetFileName(hostPath));
            cache[hostPath] = real;
        }

        return real;
    }
}
