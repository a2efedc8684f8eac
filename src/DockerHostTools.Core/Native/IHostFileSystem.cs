namespace DockerHostTools.Core.Native;

/// <summary>
/// The seam for files: every path is a host path (<c>/etc/sysctl.d/x.conf</c>) read under a root, so the
/// same code reads the live host (<c>/</c>) or a saved copy of a host's files (a folder holding <c>etc/</c>, <c>usr/</c>...).
/// </summary>
public interface IHostFileSystem
{
    /// <summary>The folder that stands for <c>/</c>.</summary>
    string Root { get; }

    /// <summary>True when the root is the live machine's <c>/</c>.</summary>
    bool IsLive { get; }

    /// <summary>Maps a host path to the path under the root.</summary>
    string Map(string hostPath);

    /// <summary>
    /// The real path under the root with links resolved; under a saved copy, inside the copy (an absolute link names a
    /// path of the copy, never of the live host). <paramref name="followFinal"/> false leaves a final link itself.
    /// </summary>
    string Resolve(string hostPath, bool followFinal = true);

    /// <summary>True when a regular file (or a link to one) exists.</summary>
    bool FileExists(string hostPath);

    /// <summary>True when a directory exists.</summary>
    bool DirectoryExists(string hostPath);

    /// <summary>The type of the entry at a host path (links followed), or null when there is none.</summary>
    HostFileType? TypeOf(string hostPath);

    /// <summary>The text of a regular file, at most <see cref="HostFileSystem.DefaultMaxBytes"/>.</summary>
    /// <exception cref="HostFileUnreadableException">Not a regular file (not opened), too large, or not readable.</exception>
    /// <exception cref="FileNotFoundException">It does not exist.</exception>
    string ReadAllText(string hostPath);

    /// <summary>The text of a regular file, at most <paramref name="maxBytes"/> bytes; the token is checked between chunks.</summary>
    /// <exception cref="HostFileUnreadableException">Not a regular file (not opened), too large, or not readable.</exception>
    /// <exception cref="FileNotFoundException">It does not exist.</exception>
    string ReadAllText(string hostPath, int maxBytes, CancellationToken cancellationToken);

    /// <summary>The entries (files and links, not folders) directly in a directory, as host paths; empty when it does not exist.</summary>
    /// <exception cref="HostFileUnreadableException">The folder cannot be listed (AccessDenied).</exception>
    IReadOnlyList<string> ListFiles(string hostDirectory);

    /// <summary>The target of a symbolic link as stored in the link, or null when the path is not a link.</summary>
    string? ReadLink(string hostPath);

    /// <summary>
    /// Writes a file atomically: a temporary file in the same folder, fsynced, renamed over the target, then the folder
    /// fsynced (the folder is created when missing). The owner, group and mode of the file replaced are kept; a new file
    /// is 0644 whatever the umask. Temporary files of the writer's own naming left by a killed writer are removed.
    /// </summary>
    /// <exception cref="SymlinkWriteRefusedException">The target is a symbolic link.</exception>
    void WriteAllTextAtomic(string hostPath, string content);

    /// <summary>As <see cref="WriteAllTextAtomic(string, string)"/>; <see cref="AtomicWriteOptions.FollowSymlinks"/> writes through a link.</summary>
    /// <exception cref="SymlinkWriteRefusedException">The target is a symbolic link and the options do not follow links.</exception>
    void WriteAllTextAtomic(string hostPath, string content, AtomicWriteOptions options);

    /// <summary>Copies a file (used for backups); fails when the destination exists.</summary>
    void CopyFile(string hostSource, string hostDestination);
}
