using System.Management.Automation;
using DockerHostTools.Core.Native;
using DockerHostTools.Core.Repair;

namespace DockerHostTools.Commands;

/// <summary>
/// The base of every command: one cancellation source that Ctrl+C (StopProcessing) cancels and that every native call
/// and socket gets, and one mapping from the core's exceptions to ErrorRecords with constant ids.
/// </summary>
public abstract class DockerHostCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _cancellation = new();
    private bool _disposed;

    /// <summary>Cancelled when the user presses Ctrl+C or the pipeline stops.</summary>
    protected CancellationToken CancellationToken => _cancellation.Token;

    /// <summary>The runner every native call goes through.</summary>
    protected static INativeRunner Runner => CliWrapRunner.Instance;

    /// <inheritdoc />
    protected override void StopProcessing() => _cancellation.Cancel();

    /// <summary>Runs asynchronous core work on the pipeline thread, honouring Ctrl+C.</summary>
    protected T Await<T>(Func<CancellationToken, Task<T>> work) => work(CancellationToken).GetAwaiter().GetResult();

    /// <summary>Runs asynchronous core work for a helper outside the command class, honouring this command's Ctrl+C.</summary>
    internal T AwaitCore<T>(Func<CancellationToken, Task<T>> work) => Await(work);

    /// <summary>Runs asynchronous core work on the pipeline thread, honouring Ctrl+C.</summary>
    protected void Await(Func<CancellationToken, Task> work) => work(CancellationToken).GetAwaiter().GetResult();

    /// <summary>
    /// Carries out repair steps in order, each behind ShouldProcess (-WhatIf lists them, -Confirm asks): a declined step is
    /// Skipped; after a failure the later steps are NotAttempted, since each builds on the ones before it. Returns what
    /// happened to every step and the error of the failed one (not yet written: the caller adds its own details).
    /// </summary>
    protected (List<RepairStepResult> Results, ErrorRecord? Failure) ExecuteSteps(IEnumerable<RepairStep> steps,
        Func<Exception, RepairStep, ErrorRecord>? toError = null)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var results = new List<RepairStepResult>();
        ErrorRecord? failure = null;
        foreach (var step in steps)
        {
            if (failure is not null)
            {
                results.Add(new RepairStepResult(step, RepairStepOutcome.NotAttempted));
                continue;
            }

            if (!ShouldProcess(step.Target, step.Action))
            {
                results.Add(new RepairStepResult(step, RepairStepOutcome.Skipped));
                continue;
            }

            try
            {
                WriteVerbose($"{step.Action}: {step.Target} ({step.Command})");
                Await(step.ExecuteAsync);
                results.Add(new RepairStepResult(step, RepairStepOutcome.Done));
            }
            catch (Exception ex) when (ex is not PipelineStoppedException and not OperationCanceledException)
            {
                results.Add(new RepairStepResult(step, RepairStepOutcome.Failed, ex.Message));
                failure = toError?.Invoke(ex, step) ?? ToErrorRecord(ex, "RepairStepFailed", step.Target);
            }
        }

        return (results, failure);
    }

    /// <summary>True when the process runs as root.</summary>
    protected static bool IsRoot => Environment.IsPrivilegedProcess;

    /// <summary>Stops the command with a PermissionDenied error when it does not run as root.</summary>
    protected void RequireRoot(string what, object? target)
    {
        if (!IsRoot)
        {
            ThrowTerminatingError(new ErrorRecord(
                new UnauthorizedAccessException($"{what} needs root. Run pwsh with sudo. Nothing was changed."),
                "NotRoot", ErrorCategory.PermissionDenied, target));
        }
    }

    /// <summary>An ErrorRecord for an exception from the core, with a constant id and the right category.</summary>
    protected static ErrorRecord ToErrorRecord(Exception exception, string fallbackId, object? target)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var (id, category) = exception switch
        {
            NativeProgramNotFoundException => ("NativeProgramNotFound", ErrorCategory.ObjectNotFound),
            NativeTimeoutException => ("NativeCallTimedOut", ErrorCategory.OperationTimeout),
            NativeCommandFailedException => (fallbackId, ErrorCategory.InvalidResult),
            UnauthorizedAccessException => ("AccessDenied", ErrorCategory.PermissionDenied),
            SymlinkWriteRefusedException => ("SymlinkWriteRefused", ErrorCategory.SecurityError),
            HostFileUnreadableException { Reason: UnreadableReason.AccessDenied } => ("AccessDenied", ErrorCategory.PermissionDenied),
            HostFileUnreadableException => ("HostFileUnreadable", ErrorCategory.ReadError),
            IOException io when IsReadOnlyFileSystem(io) => ("ReadOnlyFileSystem", ErrorCategory.WriteError),
            IOException => (fallbackId, ErrorCategory.WriteError),
            ArgumentException => (fallbackId, ErrorCategory.InvalidArgument),
            TimeoutException => ("OperationTimedOut", ErrorCategory.OperationTimeout),
            _ => (fallbackId, ErrorCategory.NotSpecified),
        };
        return new ErrorRecord(exception, id, category, target);
    }

    /// <summary>True when an I/O error says the file system is read-only (EROFS).</summary>
    protected static bool IsReadOnlyFileSystem(IOException exception) =>
        exception?.Message.Contains("Read-only file system", StringComparison.OrdinalIgnoreCase) == true || (exception?.HResult & 0xFFFF) == 30;

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the cancellation source.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (!_disposed && disposing)
        {
            _cancellation.Dispose();
        }

        _disposed = true;
    }
}
