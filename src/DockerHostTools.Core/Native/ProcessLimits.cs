namespace DockerHostTools.Core.Native;

/// <summary>Limits of this process that decide how much may run at once.</summary>
public static class ProcessLimits
{
    /// <summary>Descriptors kept free for the runtime, PowerShell and the native programs the module starts.</summary>
    public const int ReservedDescriptors = 64;

    /// <summary>The soft open-file limit (RLIMIT_NOFILE), or null when unlimited or unknown.</summary>
    public static long? OpenFileLimit() => Posix.OpenFileLimit();

    /// <summary>How many descriptors are open now (entries of /proc/self/fd), or null when that cannot be read.</summary>
    public static int? OpenDescriptors()
    {
        try
        {
            return Directory.EnumerateFileSystemEntries("/proc/self/fd").Count();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// How many sockets may be open at once under the open-file limit: the limit less what is open now and a reserve.
    /// Null when there is no limit to respect.
    /// </summary>
    public static int? SocketBudget()
    {
        if (OpenFileLimit() is not { } limit)
        {
            return null;
        }

        var budget = limit - (OpenDescriptors() ?? 0) - ReservedDescriptors;
        return (int)Math.Clamp(budget, 0, int.MaxValue);
    }
}
