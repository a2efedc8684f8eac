namespace DockerHostTools.Core.Native;

/// <summary>The seam through which every native program runs.</summary>
public interface INativeRunner
{
    /// <summary>
    /// Runs a program and returns its exit code and output; a non-zero exit code is returned, not thrown.
    /// </summary>
    /// <exception cref="NativeProgramNotFoundException">The program is not installed.</exception>
    /// <exception cref="NativeTimeoutException">The program did not finish within <see cref="NativeCommand.Timeout"/>.</exception>
    /// <exception cref="OperationCanceledException">The caller cancelled (Ctrl+C).</exception>
    Task<NativeResult> RunAsync(NativeCommand command, CancellationToken cancellationToken = default);

    /// <summary>The full path of a program, or null when it is not installed.</summary>
    string? Resolve(string program);

    /// <summary>
    /// The D-Bus system bus that the readers ask in process before they run <c>busctl</c> or <c>systemctl</c>; null:
    /// none, so the readers run the programs. The live runner gives the machine's system bus; a runner that feeds
    /// captured output gives none unless it says otherwise.
    /// </summary>
    DBus.ISystemBus? SystemBus => null;
}
