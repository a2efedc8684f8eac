namespace DockerHostTools.Core.Native;

/// <summary>The program to run is not installed (not found on PATH or in the sbin folders).</summary>
public sealed class NativeProgramNotFoundException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NativeProgramNotFoundException(string program)
        : base($"The program '{program}' was not found. Install it, or check PATH (searched PATH, /usr/local/sbin, /usr/sbin, /sbin).")
    {
        Program = program;
    }

    /// <summary>The program that was not found.</summary>
    public string Program { get; }
}

/// <summary>A native program did not finish within its timeout and was stopped (a hung daemon, usually).</summary>
public sealed class NativeTimeoutException : TimeoutException
{
    /// <summary>Creates the exception.</summary>
    public NativeTimeoutException(NativeCommand command)
        : base($"'{command}' did not finish within {command.Timeout.TotalSeconds:0.#} s and was stopped. The service it talks to may be hung.")
    {
        Command = command;
    }

    /// <summary>The command that timed out.</summary>
    public NativeCommand Command { get; }
}

/// <summary>A native program ran but reported a failure that the caller cannot go on with.</summary>
public sealed class NativeCommandFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NativeCommandFailedException(NativeResult result, string? message = null)
        : base(message ?? $"'{result.Command}' failed with exit code {result.ExitCode}: {result.FailureText}")
    {
        Result = result;
    }

    /// <summary>The failed call.</summary>
    public NativeResult Result { get; }
}
