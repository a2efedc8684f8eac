namespace DockerHostTools.Core.Repair;

/// <summary>Another repair of this module holds the host's repair lock.</summary>
public sealed class RepairInProgressException : IOException
{
    /// <summary>Creates the exception.</summary>
    public RepairInProgressException(string path, Exception? inner = null)
        : base($"Another DockerHostTools repair is running on this host (it holds {path}). Wait for it to end, then run this one again. Nothing was changed.", inner)
    {
        LockPath = path;
    }

    /// <summary>The lock file.</summary>
    public string LockPath { get; }
}

/// <summary>
/// Serialises the module's own repairs on a host: an exclusive advisory lock (flock, through .NET's FileShare.None) on a file
/// under /run, taken before the first change and released when the repair ends, also when the process dies.
/// </summary>
public sealed class RepairLock : IDisposable
{
    /// <summary>The lock file of the host.</summary>
    public const string DefaultPath = "/run/dockerhosttools-repair.lock";

    private readonly FileStream _stream;

    private RepairLock(FileStream stream) => _stream = stream;

    /// <summary>
    /// Takes the lock, or throws at once when another repair holds it. Null when no lock file can be made here (no /run, a
    /// read-only /run, no permission): the repair then goes on unserialised, as it did before locks existed.
    /// </summary>
    /// <exception cref="RepairInProgressException">Another repair holds it.</exception>
    public static RepairLock? TryAcquire(string path = DefaultPath)
    {
        try
        {
            return new RepairLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None));
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or DirectoryNotFoundException or FileNotFoundException)
        {
            return null;
        }
        catch (IOException ex) when (ex.HResult == 30 || ex.Message.Contains("Read-only", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        catch (IOException ex)
        {
            throw new RepairInProgressException(path, ex);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();
}
