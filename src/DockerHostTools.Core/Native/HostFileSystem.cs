using System.Text;
using System.Text.RegularExpressions;

namespace DockerHostTools.Core.Native;

/// <summary>How <see cref="IHostFileSystem.WriteAllTextAtomic(string, string, AtomicWriteOptions)"/> writes.</summary>
public sealed class AtomicWriteOptions
{
    /// <summary>The defaults: a link at the target is refused.</summary>
    public static AtomicWriteOptions Default { get; } = new();

    /// <summary>
    /// Write the file a symbolic link at the target points to (the link stays a link). Off by default: a link in a
    /// folder such as <c>/etc/sysctl.d</c> could lead the write to any file on the host.
    /// </summary>
    public bool FollowSymlinks { get; init; }
}

/// <summary>
/// Files of a host under a root folder (<c>/</c> for the live machine). The one place the module reads and writes host
/// files: reads are bounded, open only regular files (a FIFO or a device is reported, never opened, so nothing blocks),
/// and check the token between chunks; writes are atomic (temp, fsync, rename, fsync of the folder), keep the owner,
/// group and mode of the file they replace, and refuse to go through a link unless asked. Under a saved copy of a host
/// (<c>-Root</c>), links are resolved inside the copy: an absolute link names a path under the root, never the live host.
/// </summary>
public sealed partial class HostFileSystem : IHostFileSystem
{
    /// <summary>The largest file the reader reads (sysctl, networkd and firewalld files are a few KB).</summary>
    public const int DefaultMaxBytes = 4 * 1024 * 1024;

    /// <summary>The mode of a new file, whatever the umask: rw-r--r--.</summary>
    public const UnixFileMode NewFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private const int MaxLinkHops = 40;

    /// <summary>The live machine.</summary>
    public static HostFileSystem Live { get; } = new("/");

    /// <summary>Creates a file system rooted at <paramref name="root"/>.</summary>
    public HostFileSystem(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
        IsLive = Root == "/";
    }

    /// <inheritdoc />
    public string Root { get; }

    /// <inheritdoc />
    public bool IsLive { get; }

    /// <inheritdoc />
    public string Map(string hostPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(hostPath);
        if (!hostPath.StartsWith('/'))
        {
            throw new ArgumentException($"'{hostPath}' is not an absolute host path.", nameof(hostPath));
        }

        if (hostPath.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("The host path contains a NUL character.", nameof(hostPath));
        }

        var normal = Path.GetFullPath(hostPath);
        return IsLive ? normal : Path.Join(Root, normal);
    }

    /// <summary>
    /// The real path of a host path: on the live host <see cref="Map"/>'s (the kernel resolves links); under a saved copy,
    /// every link resolved inside the copy (an absolute target is a path under the root, <c>..</c> stops at the root).
    /// </summary>
    /// <exception cref="HostFileUnreadableException">A loop of links.</exception>
    public string Resolve(string hostPath, bool followFinal = true)
    {
        var mapped = Map(hostPath);
        return IsLive ? mapped : Map(ResolveInRoot(hostPath, followFinal));
    }

    /// <inheritdoc />
    public bool FileExists(string hostPath)
    {
        var st = TryStat(hostPath, follow: true);
        return st is not null && st.Value.Type != HostFileType.Directory;
    }

    /// <inheritdoc />
    public bool DirectoryExists(string hostPath) => TryStat(hostPath, follow: true)?.Type == HostFileType.Directory;

    /// <inheritdoc />
    public HostFileType? TypeOf(string hostPath) => TryStat(hostPath, follow: true)?.Type;

    /// <inheritdoc />
    public string ReadAllText(string hostPath) => ReadAllText(hostPath, DefaultMaxBytes, CancellationToken.None);

    /// <inheritdoc />
    public string ReadAllText(string hostPath, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        var path = Resolve(hostPath);
        PosixStat? st;
        try
        {
            st = Posix.Stat(path, follow: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Unreadable(hostPath, ex);
        }

        if (st is null)
        {
            throw new FileNotFoundException($"'{hostPath}' does not exist.", hostPath);
        }

        CheckReadable(hostPath, st.Value, maxBytes);
        try
        {
            // O_NONBLOCK: should the file have become a FIFO since the stat, the open does not wait for a writer.
            using var handle = Posix.OpenRead(path, noFollow: !IsLive);
            CheckReadable(hostPath, Posix.Stat(handle, path), maxBytes);
            var buffer = new MemoryStream();
            var chunk = new byte[64 * 1024];
            long offset = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var n = RandomAccess.Read(handle, chunk, offset);
                if (n == 0)
                {
                    break;
                }

                offset += n;
                if (offset > maxBytes)
                {
                    throw new HostFileUnreadableException(hostPath, UnreadableReason.TooLarge, $"it is larger than {maxBytes} bytes.");
                }

                buffer.Write(chunk, 0, n);
            }

            return new UTF8Encoding(false).GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (Exception ex) when (ex is (IOException or UnauthorizedAccessException) and not HostFileUnreadableException and not FileNotFoundException)
        {
            throw Unreadable(hostPath, ex);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<string> ListFiles(string hostDirectory)
    {
        var dir = Resolve(hostDirectory);
        if (!Directory.Exists(dir))
        {
            return [];
        }

        var list = new List<string>();
        try
        {
            foreach (var entry in new DirectoryInfo(dir).EnumerateFileSystemInfos())
            {
                // A link counts as a file even when it dangles or points at /dev/null (a masked file). A FIFO or device
                // counts too: the reader reports it rather than the listing hiding it.
                if (entry is FileInfo || entry.LinkTarget is not null)
                {
                    list.Add(hostDirectory.TrimEnd('/') + "/" + entry.Name);
                }
            }
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new HostFileUnreadableException(hostDirectory, UnreadableReason.AccessDenied, "the folder cannot be listed (permission denied).", ex);
        }

        list.Sort(StringComparer.Ordinal);
        return list;
    }

    /// <inheritdoc />
    public string? ReadLink(string hostPath)
    {
        var info = new FileInfo(Resolve(hostPath, followFinal: false));
        return info.Exists || info.LinkTarget is not null ? info.LinkTarget : null;
    }

    /// <inheritdoc />
    public void WriteAllTextAtomic(string hostPath, string content) => WriteAllTextAtomic(hostPath, content, AtomicWriteOptions.Default);

    /// <inheritdoc />
    public void WriteAllTextAtomic(string hostPath, string content, AtomicWriteOptions options)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(options);
        var target = Resolve(hostPath, followFinal: false);
        var existing = Posix.Stat(target, follow: false);
        if (existing is { Type: HostFileType.SymbolicLink })
        {
            var link = new FileInfo(target).LinkTarget ?? string.Empty;
            if (!options.FollowSymlinks)
            {
                throw new SymlinkWriteRefusedException(hostPath, link);
            }

            // The link stays a link: the file it points to is written (inside the root for a saved copy).
            target = IsLive ? FollowLive(target) : Resolve(hostPath, followFinal: true);
            existing = Posix.Stat(target, follow: false);
        }

        if (existing is { Type: not HostFileType.Regular } other)
        {
            throw new IOException($"'{hostPath}' is a {other.Type}, not a regular file; it was not written.");
        }

        var dir = Path.GetDirectoryName(target) ?? throw new ArgumentException($"'{hostPath}' has no folder.", nameof(hostPath));
        var name = Path.GetFileName(target);
        Directory.CreateDirectory(dir);
        RemoveStaleTemporaryFiles(dir, name);
        var temp = Path.Combine(dir, TemporaryName(name, Guid.NewGuid().ToString("N")[..8]));
        try
        {
            using (var stream = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                // Private while it is written; the final mode is set below, whatever the umask.
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            {
                var bytes = new UTF8Encoding(false).GetBytes(content);
                stream.Write(bytes);
                var handle = stream.SafeFileHandle;
                if (existing is { } old)
                {
                    var mine = Posix.Stat(handle, temp);
                    if (mine.Uid != old.Uid || mine.Gid != old.Gid)
                    {
                        Posix.Chown(handle, old.Uid, old.Gid, temp);
                    }
                }

                // After chown: chown clears set-id bits, so the mode goes last.
                Posix.Chmod(handle, existing?.Mode ?? NewFileMode, temp);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, target, overwrite: true);
        }
        catch (Exception ex) when (NoSpaceLeftException.IsNoSpace(ex))
        {
            TryDelete(temp);
            throw new NoSpaceLeftException(hostPath, ex);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        // The rename is durable only once the folder's entry is on disk.
        Posix.FsyncDirectory(dir);
    }

    /// <inheritdoc />
    public void CopyFile(string hostSource, string hostDestination) => File.Copy(Resolve(hostSource), Resolve(hostDestination, followFinal: false), overwrite: false);

    /// <summary>The name of the writer's temporary file for <paramref name="name"/> (hidden, in the same folder).</summary>
    internal static string TemporaryName(string name, string id) => "." + name + ".dht-" + id + ".tmp";

    /// <summary>Removes temporary files of this writer's naming for one target, left behind by a writer killed mid-write.</summary>
    internal static void RemoveStaleTemporaryFiles(string dir, string name)
    {
        IEnumerable<string> candidates;
        try
        {
            candidates = Directory.EnumerateFiles(dir, "." + name + ".dht-*.tmp").ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return;
        }

        foreach (var file in candidates)
        {
            if (TempSuffix().IsMatch(Path.GetFileName(file)[(name.Length + 1)..]))
            {
                TryDelete(file);
            }
        }
    }

    [GeneratedRegex("^\\.dht-[0-9a-f]{8}\\.tmp$", RegexOptions.CultureInvariant)]
    private static partial Regex TempSuffix();

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Could not be created in the first place (read-only folder), or is gone already: nothing to clean.
        }
    }

    private static void CheckReadable(string hostPath, PosixStat st, int maxBytes)
    {
        if (st.Type != HostFileType.Regular)
        {
            throw new HostFileUnreadableException(hostPath, UnreadableReason.NotRegularFile, $"it is a {st.Type}, not a regular file; it was not opened.");
        }

        if (st.Size > maxBytes)
        {
            throw new HostFileUnreadableException(hostPath, UnreadableReason.TooLarge, $"it is {st.Size} bytes, more than the {maxBytes} allowed.");
        }
    }

    private static HostFileUnreadableException Unreadable(string hostPath, Exception ex) => ex switch
    {
        HostFileUnreadableException u => u,
        UnauthorizedAccessException => new HostFileUnreadableException(hostPath, UnreadableReason.AccessDenied, "permission denied.", ex),
        IOException { HResult: Posix.EAccess } => new HostFileUnreadableException(hostPath, UnreadableReason.AccessDenied, "permission denied.", ex),
        IOException { HResult: Posix.ELoop } => new HostFileUnreadableException(hostPath, UnreadableReason.LinkOutsideRoot, "a link could not be followed.", ex),
        _ => new HostFileUnreadableException(hostPath, UnreadableReason.IoError, ex.Message, ex),
    };

    private static string FollowLive(string path)
    {
        var target = path;
        for (var hops = 0; hops < MaxLinkHops && new FileInfo(target).LinkTarget is { } link; hops++)
        {
            target = Path.GetFullPath(link, Path.GetDirectoryName(target)!);
        }

        return target;
    }

    private PosixStat? TryStat(string hostPath, bool follow)
    {
        try
        {
            return Posix.Stat(Resolve(hostPath, follow), follow);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // Resolves a host path under the root the way the kernel would inside a chroot: component by component, a link's
    // absolute target restarts at the root, ".." never climbs above it.
    private string ResolveInRoot(string hostPath, bool followFinal)
    {
        var pending = new Stack<string>(Path.GetFullPath(hostPath).Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        var done = new List<string>();
        var hops = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (done.Count > 0)
                {
                    done.RemoveAt(done.Count - 1);
                }

                continue;
            }

            var candidate = Path.Join(Root, "/" + string.Join('/', done.Append(part)));
            string? link = null;
            if ((pending.Count > 0 || followFinal) && Posix.Stat(candidate, follow: false) is { Type: HostFileType.SymbolicLink })
            {
                link = new FileInfo(candidate).LinkTarget;
            }

            if (link is null)
            {
                done.Add(part);
                continue;
            }

            if (++hops > MaxLinkHops)
            {
                throw new HostFileUnreadableException(hostPath, UnreadableReason.LinkOutsideRoot, "too many levels of links (a loop).");
            }

            if (link.StartsWith('/'))
            {
                done.Clear();
            }

            foreach (var p in link.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse())
            {
                pending.Push(p);
            }
        }

        return "/" + string.Join('/', done);
    }
}
