namespace DockerHostTools.Core.Native;

/// <summary>A native program to run: the program name or path and its arguments as an array (never one string).</summary>
public sealed class NativeCommand
{
    /// <summary>Default time a native call may take before it is stopped.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Creates a command.</summary>
    /// <param name="program">A program name looked up on PATH (plus the sbin folders), or an absolute path.</param>
    /// <param name="arguments">The arguments, each passed to the program as it is; no shell sees them.</param>
    public NativeCommand(string program, params string[] arguments)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(program);
        Program = program;
        Arguments = arguments ?? [];
    }

    /// <summary>The program name or path.</summary>
    public string Program { get; }

    /// <summary>The arguments.</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>How long the call may take; the program is stopped after that.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>Text written to the program's standard input, if any.</summary>
    public string? StandardInput { get; init; }

    /// <summary>Extra environment variables for the program.</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>The command as a person would type it (for messages only; never executed).</summary>
    public override string ToString() =>
        Arguments.Count == 0 ? Program : Program + " " + string.Join(' ', Arguments.Select(Quote));

    private static string Quote(string a) =>
        a.Length > 0 && a.All(c => char.IsLetterOrDigit(c) || "-_./=:,@+%".Contains(c)) ? a : "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}

/// <summary>What a native program did: its exit code and output. A non-zero exit code is data, not an exception.</summary>
public sealed class NativeResult
{
    /// <summary>Creates a result.</summary>
    public NativeResult(NativeCommand command, string resolvedPath, int exitCode, string standardOutput, string standardError, TimeSpan duration)
    {
        Command = command;
        ResolvedPath = resolvedPath;
        ExitCode = exitCode;
        StandardOutput = standardOutput;
        StandardError = standardError;
        Duration = duration;
    }

    /// <summary>The command that ran.</summary>
    public NativeCommand Command { get; }

    /// <summary>The full path of the program that ran.</summary>
    public string ResolvedPath { get; }

    /// <summary>The exit code.</summary>
    public int ExitCode { get; }

    /// <summary>Standard output.</summary>
    public string StandardOutput { get; }

    /// <summary>Standard error.</summary>
    public string StandardError { get; }

    /// <summary>Wall time of the call.</summary>
    public TimeSpan Duration { get; }

    /// <summary>True when the exit code is 0.</summary>
    public bool Succeeded => ExitCode == 0;

    /// <summary>Standard error, else standard output, trimmed: the text to show when the call failed.</summary>
    public string FailureText => (string.IsNullOrWhiteSpace(StandardError) ? StandardOutput : StandardError).Trim();
}
