namespace DockerHostTools.Core.Native;

/// <summary>Why a host file could not be read.</summary>
public enum UnreadableReason
{
    /// <summary>Permission denied (a 0600 file or a 0700 folder, read as non-root).</summary>
    AccessDenied,

    /// <summary>Not a regular file: a FIFO, a device, a socket or a folder. It was not opened.</summary>
    NotRegularFile,

    /// <summary>Larger than the bound the reader allows.</summary>
    TooLarge,

    /// <summary>A link that leads outside the saved copy of a host (<c>-Root</c>), or a loop of links.</summary>
    LinkOutsideRoot,

    /// <summary>Any other I/O error.</summary>
    IoError,
}

/// <summary>A host file that the module would not or could not read; the message says which file and why.</summary>
public sealed class HostFileUnreadableException : IOException
{
    /// <summary>Creates the exception.</summary>
    public HostFileUnreadableException(string hostPath, UnreadableReason reason, string detail, Exception? inner = null)
        : base($"'{hostPath}' could not be read ({reason}): {detail}", inner)
    {
        HostPath = hostPath;
        Reason = reason;
    }

    /// <summary>The host path.</summary>
    public string HostPath { get; }

    /// <summary>Why.</summary>
    public UnreadableReason Reason { get; }
}

/// <summary>A write would have gone through a symbolic link, which the writer refuses unless asked to follow links.</summary>
public sealed class SymlinkWriteRefusedException : IOException
{
    /// <summary>Creates the exception.</summary>
    public SymlinkWriteRefusedException(string hostPath, string linkTarget)
        : base($"'{hostPath}' is a symbolic link to '{linkTarget}'; it was not written through (a link could lead the write outside the folder). Nothing was changed.")
    {
        HostPath = hostPath;
        LinkTarget = linkTarget;
    }

    /// <summary>The link's host path.</summary>
    public string HostPath { get; }

    /// <summary>Where it points, as stored in the link.</summary>
    public string LinkTarget { get; }
}

/// <summary>
/// A write failed because the file system is full (ENOSPC) or the user's quota is used up (EDQUOT). The writer removed
/// its temporary file: the file it would have replaced is untouched.
/// </summary>
public sealed class NoSpaceLeftException : IOException
{
    /// <summary>ENOSPC.</summary>
    public const int ENoSpc = 28;

    /// <summary>EDQUOT.</summary>
    public const int EDQuot = 122;

    /// <summary>Creates the exception.</summary>
    public NoSpaceLeftException(string hostPath, Exception inner)
        : base($"'{hostPath}' could not be written: {inner?.Message} (no space left on its file system). The file was not changed; free some space and run the command again.", inner)
    {
        HostPath = hostPath;
        HResult = ENoSpc;
    }

    /// <summary>The host path that was to be written.</summary>
    public string HostPath { get; }

    /// <summary>True when an I/O error is ENOSPC or EDQUOT (as .NET reports them on Linux: the errno as HResult, or its text).</summary>
    public static bool IsNoSpace(Exception? exception) => exception is IOException io &&
        ((io.HResult & 0xFFFF) is ENoSpc or EDQuot ||
         io.Message.Contains("No space left on device", StringComparison.OrdinalIgnoreCase) ||
         io.Message.Contains("Disk quota exceeded", StringComparison.OrdinalIgnoreCase));
}

/// <summary>One file (or folder) that a reader could not read, and why: kept in results so a verdict says what it did not see.</summary>
public sealed class UnreadableFile
{
    /// <summary>Creates the entry.</summary>
    public UnreadableFile(string path, UnreadableReason reason, string message)
    {
        Path = path;
        Reason = reason;
        Message = message;
    }

    /// <summary>The host path.</summary>
    public string Path { get; }

    /// <summary>Why it could not be read.</summary>
    public UnreadableReason Reason { get; }

    /// <summary>What went wrong, in one sentence.</summary>
    public string Message { get; }

    /// <summary>An entry for an exception from <see cref="IHostFileSystem"/>.</summary>
    public static UnreadableFile From(string path, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var reason = exception switch
        {
            HostFileUnreadableException u => u.Reason,
            UnauthorizedAccessException => UnreadableReason.AccessDenied,
            _ => UnreadableReason.IoError,
        };
        return new UnreadableFile(path, reason, exception.Message);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Path} ({Reason})";
}
