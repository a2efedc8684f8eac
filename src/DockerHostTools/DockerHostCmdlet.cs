using System.Management.Automation;
using DockerHostTools.Core.Diagnosis;
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

    private ReadLog? _readLog;
    private bool? _verbose;
    private INativeRunner? _observedRunner;
    private IHostFileSystem? _observedLive;

    /// <summary>True when verbose records are shown (-Verbose or $VerbosePreference): only then are reads timed.</summary>
    protected bool VerboseWanted => _verbose ??= MyInvocation.BoundParameters.TryGetValue("Verbose", out var v)
        ? v is SwitchParameter { IsPresent: true } || v is true
        : (GetVariableValue("VerbosePreference") is var p && (p is PSObject o ? o.BaseObject : p) is ActionPreference a
            && a is not ActionPreference.SilentlyContinue and not ActionPreference.Ignore);

    /// <summary>Where the core reports each read and its duration (null unless verbose records are shown).</summary>
    protected IReadLog? ReadLog => VerboseWanted ? _readLog ??= new ReadLog() : null;

    /// <summary>The runner every native call goes through (reporting each program and D-Bus call under -Verbose).</summary>
    protected INativeRunner Runner => ReadLog is { } log ? _observedRunner ??= new ObservedRunner(CliWrapRunner.Instance, log) : CliWrapRunner.Instance;

    /// <summary>The live machine's files (reporting each file read under -Verbose).</summary>
    protected IHostFileSystem LiveFiles => ReadLog is { } log ? _observedLive ??= new ObservedFileSystem(HostFileSystem.Live, log) : HostFileSystem.Live;

    /// <summary>A file system that reports its reads under -Verbose.</summary>
    protected IHostFileSystem Observe(IHostFileSystem fs) => ReadLog is { } log ? new ObservedFileSystem(fs, log) : fs;

    /// <summary>Writes what was read since the last call, with durations, as verbose records (on the pipeline thread).</summary>
    protected void WriteReadLog()
    {
        if (_readLog is null || CancellationToken.IsCancellationRequested)
        {
            return;
        }

        foreach (var entry in _readLog.Drain())
        {
            WriteVerbose("Read " + entry);
        }
    }

    /// <inheritdoc />
    protected override void StopProcessing() => _cancellation.Cancel();

    /// <summary>Runs asynchronous core work on the pipeline thread, honouring Ctrl+C: the one bridge from PowerShell's
    /// synchronous ProcessRecord to the core's async code.</summary>
    protected T Await<T>(Func<CancellationToken, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        try
        {
            return work(CancellationToken).GetAwaiter().GetResult();
        }
        finally
        {
            WriteReadLog();
        }
    }

    /// <summary>Runs asynchronous core work on the pipeline thread, honouring Ctrl+C.</summary>
    protected void Await(Func<CancellationToken, Task> work) => Await(async ct =>
    {
        await work(ct).ConfigureAwait(false);
        return true;
    });

    /// <summary>The runner Trace-DockerHostPort and Test-DockerHost -Trace hand to the core's tracer.</summary>
    internal INativeRunner TraceRunner => Runner;

    /// <summary>Runs the trace on the pipeline thread (the one bridge, for the trace's callers).</summary>
    internal T AwaitTrace<T>(Func<CancellationToken, Task<T>> work) => Await(work);

    /// <summary>True when -WhatIf was given: nothing is changed, so root is not needed.</summary>
    protected bool WhatIfOnly =>
        MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w) && w is SwitchParameter { IsPresent: true };

    /// <summary>Reads the host once (Diagnosis/HostReader); stops the command with HostStateReadFailed when it cannot.</summary>
    protected DockerHostNetState ReadHostState(IReadOnlyCollection<int> ports, string socket)
    {
        var reader = new HostReader(Runner, LiveFiles, socket) { Log = ReadLog };
        try
        {
            return Await(ct => reader.ReadAsync(ports.Count == 0 ? null : ports, ct));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(ToErrorRecord(ex, "HostStateReadFailed", "/"));
            throw;
        }
    }

    /// <summary>
    /// Carries out repair steps in order, each behind ShouldProcess (-WhatIf lists them, -Confirm asks). A declined step is
    /// Skipped; a failed step skips only the steps that depend on it (NotAttempted), every other step still runs. The
    /// module's repair lock is taken before the first change, so two repairs on one host never interleave. Returns the
    /// run and one error per failed step (not yet written: the caller adds its own details).
    /// </summary>
    protected (RepairRun Run, List<ErrorRecord> Failures) ExecuteSteps(IEnumerable<RepairStep> steps,
        Func<Exception, RepairStep, ErrorRecord>? toError = null)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var run = new RepairRun();
        var failures = new List<ErrorRecord>();
        RepairLock? repairLock = null;
        var locked = false;
        try
        {
            foreach (var step in steps)
            {
                if (run.Blocker(step) is { } blocker)
                {
                    if (blocker.Outcome == RepairStepOutcome.Skipped)
                    {
                        // Its dependency was declined: under -WhatIf it is still listed; otherwise it is not asked about.
                        if (WhatIfOnly)
                        {
                            ShouldProcess(step.Target, step.Action);
                        }

                        run.Record(step, RepairStepOutcome.Skipped);
                    }
                    else
                    {
                        run.Record(step, RepairStepOutcome.NotAttempted, $"not attempted: '{blocker.Step.Action}' ({blocker.Step.Target}) was {blocker.Outcome.ToString().ToLowerInvariant()}");
                    }

                    continue;
                }

                if (!ShouldProcess(step.Target, step.Action))
                {
                    run.Record(step, RepairStepOutcome.Skipped);
                    continue;
                }

                if (!locked)
                {
                    locked = true;
                    try
                    {
                        repairLock = RepairLock.TryAcquire();
                    }
                    catch (RepairInProgressException ex)
                    {
                        ThrowTerminatingError(new ErrorRecord(ex, "RepairInProgress", ErrorCategory.ResourceBusy, ex.LockPath));
                    }
                }

                try
                {
                    WriteVerbose($"{step.Action}: {step.Target} ({step.Command})");
                    Await(step.ExecuteAsync);
                    run.Record(step, RepairStepOutcome.Done);
                }
                catch (Exception ex) when (ex is not PipelineStoppedException and not OperationCanceledException)
                {
                    run.Record(step, RepairStepOutcome.Failed, ex.Message);
                    failures.Add(toError?.Invoke(ex, step) ?? ToErrorRecord(ex, "RepairStepFailed", step.Target));
                }
            }
        }
        finally
        {
            repairLock?.Dispose();
        }

        return (run, failures);
    }

    /// <summary>Says, in an error's details, what a repair did and did not do around a failed step.</summary>
    protected static void Explain(ErrorRecord error, RepairRun run, string command)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(run);
        var failed = run.Results.FirstOrDefault(r => r.Outcome == RepairStepOutcome.Failed);
        var done = run.Results.Where(r => r.Outcome == RepairStepOutcome.Done).Select(r => $"{r.Action} ({r.Target})").ToList();
        var skipped = run.Results.Where(r => r.Outcome == RepairStepOutcome.NotAttempted).Select(r => $"{r.Action} ({r.Target})").ToList();
        error.ErrorDetails = new ErrorDetails(
            $"{command} could not {failed?.Action.ToLowerInvariant() ?? "finish"} ({failed?.Target}): {failed?.Error ?? error.Exception.Message} " +
            (done.Count > 0 ? $"Done: {string.Join("; ", done)}. " : "Nothing was changed. ") +
            (skipped.Count > 0 ? $"Not attempted, as they depend on it: {string.Join("; ", skipped)}." : string.Empty));
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
    protected internal static ErrorRecord ToErrorRecord(Exception exception, string fallbackId, object? target)
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
            IOException io when NoSpaceLeftException.IsNoSpace(io) => ("NoSpaceLeft", ErrorCategory.WriteError),
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
