using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using DockerHostTools.Core.Docker;
using DockerHostTools.Fleet;
using DockerHostTools.Core.Native;
using DockerHostTools.Core.Watch;

namespace DockerHostTools.Commands;

/// <summary>
/// <para type="synopsis">Streams a NetStateChange each time something that matters for published ports changes, with its likely cause from the journal.</para>
/// </summary>
[Cmdlet(VerbsCommon.Watch, "DockerHostNetState", HelpUri = ProjectInfo.HelpBase + "Watch-DockerHostNetState.md", DefaultParameterSetName = LocalSet)]
[OutputType(typeof(NetStateChange))]
public sealed class WatchDockerHostNetStateCommand : FleetCapableCmdlet
{
    private const string LocalSet = "Local";

    /// <summary>The shortest interval: reads take about a millisecond, and the timer ticks no faster.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>The longest duration a single watch can be given (a cancellation timer's limit).</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(24);

    /// <summary>How often ip_forward is read (a number is seconds; default 1 s).</summary>
    [Parameter(Position = 0)]
    [SecondsTransformation]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Stop after this long (a number is seconds); runs until Ctrl+C by default.</summary>
    [Parameter]
    [SecondsTransformation]
    public TimeSpan? Duration { get; set; }

    /// <summary>Stop after this many changes.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? Count { get; set; }

    /// <summary>Published host ports whose DNAT rules are watched (all by default).</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int[]? Port { get; set; }

    /// <summary>Every how many intervals the costlier reads (systemctl, iptables-save, nft) run; default 15.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int SlowEvery { get; set; } = 15;

    /// <summary>The Docker Engine API socket whose answers are watched with the slow reads (as the Docker commands take it).</summary>
    [Parameter(ParameterSetName = LocalSet)]
    [ValidateHostPath(Absolute = true)]
    public string Socket { get; set; } = DockerEngineClient.DefaultSocket;

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (Interval < MinInterval || Interval > TimeSpan.FromHours(1))
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentOutOfRangeException(nameof(Interval), Interval, $"The interval must be from {MinInterval.TotalMilliseconds} ms to 1 hour."),
                "InvalidInterval", ErrorCategory.InvalidArgument, Interval));
        }

        // CancelAfter takes at most int.MaxValue ms (24.8 days).
        if (Duration is { } d && (d <= TimeSpan.Zero || d > MaxDuration))
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentOutOfRangeException(nameof(Duration), d, $"The duration must be more than 0 and at most {MaxDuration.TotalDays:0} days."),
                "InvalidDuration", ErrorCategory.InvalidArgument, d));
        }

        if (ParameterSetName != LocalSet)
        {
            WatchFleet();
            return;
        }

        // The watch says from its own threads how it learns of changes; -Verbose shows it from the pipeline's thread.
        // It does not use the read log's runner: a watch runs for days, and its reads would pile up in the log.
        var said = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var saying = new SemaphoreSlim(0);
        var watcher = new NetStateWatcher(CliWrapRunner.Instance, HostFileSystem.Live, new WatchOptions
        {
            Interval = Interval, SlowEvery = SlowEvery, Ports = Port ?? [], Socket = Socket,
            Log = m =>
            {
                said.Enqueue(m);
                try
                {
                    saying.Release();
                }
                catch (ObjectDisposedException)
                {
                    // the watch has ended; what a late D-Bus callback says is not shown
                }
            },
        });
        using var window = CancellationTokenSource.CreateLinkedTokenSource(CancellationToken);
        if (Duration is { } duration)
        {
            window.CancelAfter(duration);
        }

        var seen = 0;
        Task? sayWait = null;
        var changes = watcher.WatchAsync(window.Token).GetAsyncEnumerator(window.Token);
        try
        {
            while (true)
            {
                bool more;
                try
                {
                    var next = changes.MoveNextAsync().AsTask();
                    while (!next.IsCompleted)
                    {
                        sayWait ??= saying.WaitAsync(CancellationToken.None);
                        Task.WaitAny(next, sayWait);
                        if (sayWait.IsCompleted)
                        {
                            sayWait = null;
                        }

                        while (said.TryDequeue(out var m))
                        {
                            WriteVerbose(m);
                        }
                    }

                    more = next.GetAwaiter().GetResult();
                }
                catch (OperationCanceledException) when (!CancellationToken.IsCancellationRequested)
                {
                    return; // the duration is over
                }
                catch (Exception ex) when (ex is not OperationCanceledException and not PipelineStoppedException)
                {
                    ThrowTerminatingError(ToErrorRecord(ex, "WatchFailed", null));
                    return;
                }

                if (!more)
                {
                    return;
                }

                WriteObject(changes.Current);
                if (Count is { } count && ++seen >= count)
                {
                    return;
                }
            }
        }
        finally
        {
            try
            {
                Await(_ => changes.DisposeAsync().AsTask());
            }
            catch (OperationCanceledException)
            {
                // Already stopping.
            }
        }
    }

    /// <summary>Every host watches itself in its own session; the changes are written here as they come.</summary>
    private void WatchFleet()
    {
        var names = FleetCommand.UsableHostNames(this, HostName, UserName, KeyFilePath, Options);
        if (ParameterSetName == FleetCommand.HostNameSet && names.Length == 0)
        {
            return;
        }

        var hosts = Await(ct => FleetCommand.HostsAsync(ParameterSetName, Session, names, UserName, KeyFilePath, Options,
            ConnectingTimeout, FleetCommand.DefaultThrottle, ct));
        foreach (var host in hosts.Where(h => h.Runspace is null))
        {
            WriteError(FleetCommand.HostError(host));
        }

        using var watch = new FleetWatch();
        watch.Start(hosts, Interval, SlowEvery, Port, Duration);
        var end = Duration is { } d ? DateTime.UtcNow + d + TimeSpan.FromSeconds(5) : DateTime.MaxValue;
        var running = watch.Count;
        var seen = 0;
        while (running > 0 && !CancellationToken.IsCancellationRequested && DateTime.UtcNow < end)
        {
            if (watch.Next(TimeSpan.FromMilliseconds(250), CancellationToken) is not { } item)
            {
                continue;
            }

            if (item.Ended)
            {
                running--;
            }
            else if (item.Error is { } error)
            {
                WriteError(new ErrorRecord(error, new RemoteException($"{item.Host.HostName}: {error}", error.Exception)));
            }
            else if (item.Change is not null)
            {
                WriteObject(FleetWatch.Tag(item));
                if (Count is { } count && ++seen >= count)
                {
                    return;
                }
            }
        }
    }
}
