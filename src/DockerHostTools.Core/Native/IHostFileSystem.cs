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

    /// <summary>True when a regular file (or a link to one) exists.</summary>
    bool FileExists(string hostPath);

    /// <summary>True when a directory exists.</summary>
    bool DirectoryExists(string hostPath);

    /// <summary>The text of a file.</summary>
    string ReadAllText(string hostPath);

    /// <summary>The entries (files and links, not folders) directly in a directory, as host paths; empty when it does not exist.</summary>
    IReadOnlyList<string> ListFiles(string hostDirectory);

    /// <summary>The target of a symbolic link as stored in the link, or null when the path is not a link.</summary>
    string? ReadLink(string hostPath);

    /// <summary>
    /// Writes a file atomically: a temporary file in the same folder, flushed, then renamed over the target
    /// (the folder is created when missing).
    /// The target's mode is kept when it exists (0644 otherwise).
    /// </summary>
    void WriteAllTextAtomic(string hostPath, string content);

    /// <summary>Copies a file (used for backups); fails when the destination exists.</summary>
    void CopyFile(string hostSource, string hostDestination);
}
