using System.Text;

namespace DockerHostTools.Core.Native;

/// <summary>Files of a host under a root folder (<c>/</c> for the live machine).</summary>
public sealed class HostFileSystem : IHostFileSystem
{
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

        var normal = Path.GetFullPath(hostPath);
        return IsLive ? normal : Path.Join(Root, normal);
    }

    /// <inheritdoc />
    public bool FileExists(string hostPath) => File.Exists(Map(hostPath));

    /// <inheritdoc />
    public bool DirectoryExists(string hostPath) => Directory.Exists(Map(hostPath));

    /// <inheritdoc />
    public string ReadAllText(string hostPath) => File.ReadAllText(Map(hostPath), Encoding.UTF8);

    /// <inheritdoc />
    public IReadOnlyList<string> ListFiles(string hostDirectory)
    {
        var dir = Map(hostDirectory);
        if (!Directory.Exists(dir))
        {
            return [];
        }

        var list = new List<string>();
        foreach (var entry in new DirectoryInfo(dir).EnumerateFileSystemInfos())
        {
            // A link counts as a file even when it dangles or points at /dev/null (a masked file).
            if (entry is FileInfo || entry.LinkTarget is not null)
            {
                list.Add(hostDirectory.TrimEnd('/') + "/" + entry.Name);
            }
        }

        list.Sort(StringComparer.Ordinal);
        return list;
    }

    /// <inheritdoc />
    public string? ReadLink(string hostPath)
    {
        var info = new FileInfo(Map(hostPath));
        return info.Exists || info.LinkTarget is not null ? info.LinkTarget : null;
    }

    /// <inheritdoc />
    public void WriteAllTextAtomic(string hostPath, string content)
    {
        var target = Map(hostPath);
        // A link (Debian's /etc/sysctl.d/99-sysctl.conf -> ../sysctl.conf) stays a link: the file it points to is written.
        for (var hops = 0; hops < 16 && new FileInfo(target).LinkTarget is { } link; hops++)
        {
            target = link.StartsWith('/') ? Map(link) : Path.GetFullPath(link, Path.GetDirectoryName(target)!);
        }

        var dir = Path.GetDirectoryName(target) ?? throw new ArgumentException($"'{hostPath}' has no folder.", nameof(hostPath));
        var temp = Path.Combine(dir, "." + Path.GetFileName(target) + ".dht-" + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        var mode = File.Exists(target) ? File.GetUnixFileMode(target)
            : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        Directory.CreateDirectory(dir);
        try
        {
            using (var stream = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = mode,
            }))
            {
                var bytes = new UTF8Encoding(false).GetBytes(content);
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, target, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(temp);
            }
            catch (IOException)
            {
                // The temporary file could not be created in the first place (read-only folder): nothing to clean.
            }
            catch (UnauthorizedAccessException)
            {
                // Same as above.
            }

            throw;
        }
    }

    /// <inheritdoc />
    public void CopyFile(string hostSource, string hostDestination) => File.Copy(Map(hostSource), Map(hostDestination), overwrite: false);
}
