using System.Text;
using CliWrap;

namespace DockerHostTools.Core.Native;

/// <summary>
/// Runs a long-lived program whose output is read as it comes (<c>nft monitor trace</c>): each line goes to a callback;
/// the run ends when the caller's stop token fires, when the program exits, when <see cref="NativeCommand.Timeout"/> passes (the
/// planned end of a watch, not a failure) or on Ctrl+C. The program is stopped with SIGINT, then SIGKILL two seconds later.
/// Arguments go to CliWrap as an array: no shell.
/// </summary>
public static class NativeLineStream
{
    private static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(2);

    /// <summary>What ended a stream.</summary>
    public enum StreamEnd
    {
        /// <summary>The program exited by itself.</summary>
        Exited,

        /// <summary>The caller's stop token ended it.</summary>
        Stopped,

        /// <summary>The command's timeout passed.</summary>
        TimedOut,
    }

    /// <summary>
    /// Runs <paramref name="command"/>, hands each line of standard output to <paramref name="onLine"/> until
    /// <paramref name="stopToken"/> fires (a planned end), and returns what ended it, the exit code (null when stopped) and standard error.
    /// </summary>
    /// <exception cref="NativeProgramNotFoundException">The program is not installed.</exception>
    /// <exception cref="OperationCanceledException">The caller cancelled (Ctrl+C).</exception>
    public static async Task<(StreamEnd End, int? ExitCode, string StandardError)> RunAsync(INativeRunner runner, NativeCommand command,
        Action<string> onLine, CancellationToken stopToken, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(onLine);
        var path = runner.Resolve(command.Program) ?? throw new NativeProgramNotFoundException(command.Program);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopToken);
        using var forceful = new CancellationTokenSource();
        using var escalate = stop.Token.Register(() => forceful.CancelAfter(GracePeriod));
        stop.CancelAfter(command.Timeout);
        var stderr = new StringBuilder();
        var cli = Cli.Wrap(path).WithArguments(command.Arguments).WithValidation(CommandResultValidation.None)
            .WithStandardOutputPipe(PipeTarget.ToDelegate(onLine, Encoding.UTF8))
            .WithStandardErrorPipe(PipeTarget.ToStringBuilder(stderr, Encoding.UTF8));
        try
        {
            var result = await cli.ExecuteAsync(forceful.Token, stop.Token).ConfigureAwait(false);
            return (StreamEnd.Exited, result.ExitCode, stderr.ToString());
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (stopToken.IsCancellationRequested ? StreamEnd.Stopped : StreamEnd.TimedOut, null, stderr.ToString());
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new NativeProgramNotFoundException(command.Program + " (" + ex.Message + ")");
        }
    }
}
