using System.Diagnostics;
using System.Text;
using CliWrap;
using CliWrap.Buffered;

namespace DockerHostTools.Core.Native;

/// <summary>
/// Runs native programs through CliWrap: arguments as an array (no shell), a timeout on every call,
/// cancellation that first interrupts the program and then kills it, exit codes returned instead of thrown.
/// </summary>
public sealed class CliWrapRunner : INativeRunner
{
    private static readonly string[] SbinFolders = ["/usr/local/sbin", "/usr/sbin", "/sbin"];
    private static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(2);

    /// <summary>The runner the module uses.</summary>
    public static CliWrapRunner Instance { get; } = new();

    /// <summary>The machine's system bus, one connection per process (null when DOCKERHOSTTOOLS_NO_DBUS is 1).</summary>
    public DBus.ISystemBus? SystemBus => DBus.SystemBusConnection.Shared;

    /// <inheritdoc />
    public string? Resolve(string program)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(program);
        if (program.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(program) ? program : null;
        }

        var path = System.Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(SbinFolders))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <inheritdoc />
    public async Task<NativeResult> RunAsync(NativeCommand command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        var path = Resolve(command.Program) ?? throw new NativeProgramNotFoundException(command.Program);

        var cli = Cli.Wrap(path)
            .WithArguments(command.Arguments)
            .WithValidation(CommandResultValidation.None);
        if (command.StandardInput is not null)
        {
            cli = cli.WithStandardInputPipe(PipeSource.FromString(command.StandardInput));
        }

        if (command.Environment is not null)
        {
            cli = cli.WithEnvironmentVariables(command.Environment.ToDictionary(kv => kv.Key, kv => (string?)kv.Value));
        }

        // Graceful (SIGINT) at the timeout or on Ctrl+C, forceful (SIGKILL) a grace period later.
        using var graceful = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var forceful = new CancellationTokenSource();
        graceful.CancelAfter(command.Timeout);
        using var escalate = graceful.Token.Register(() => forceful.CancelAfter(GracePeriod));

        var watch = Stopwatch.StartNew();
        try
        {
            var result = await cli.ExecuteBufferedAsync(Encoding.UTF8, Encoding.UTF8, forceful.Token, graceful.Token).ConfigureAwait(false);
            return new NativeResult(command, path, result.ExitCode, result.StandardOutput, result.StandardError, watch.Elapsed);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new NativeTimeoutException(command);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new NativeProgramNotFoundException(command.Program + " (" + ex.Message + ")");
        }
    }
}
