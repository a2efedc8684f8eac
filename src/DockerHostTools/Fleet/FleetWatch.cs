using System.Collections.Concurrent;
using System.Management.Automation;

namespace DockerHostTools.Fleet;

/// <summary>
/// Watch-DockerHostNetState on every host at once: one Watch-DockerHostNetState per host in its own session, its
/// changes streamed back as they come (each tagged with HostName and PSComputerName) until the duration ends, the count
/// is reached or Ctrl+C stops every host's watch.
/// </summary>
internal sealed class FleetWatch : IDisposable
{
    /// <summary>The remote script: the host's own watch. Arguments: interval and slow-every, ports, duration (s or 0).</summary>
    internal const string WatchScript = """
        param([double] $Interval, [int] $SlowEvery, [int[]] $Port, [double] $Duration)
        if (-not (Get-Module -Name DockerHostTools)) { Import-Module DockerHostTools -ErrorAction Stop }
        $a = @{ Interval = $Interval; SlowEvery = $SlowEvery }
        if ($Port) { $a.Port = $Port }
        if ($Duration -gt 0) { $a.Duration = $Duration }
        Watch-DockerHostNetState @a
        """;

    /// <summary>What the pipeline thread is handed: a change, an error, or a host whose watch ended.</summary>
    internal sealed record Item(FleetHost Host, PSObject? Change, ErrorRecord? Error, bool Ended);

    private readonly BlockingCollection<Item> _items = new();
    private readonly List<(FleetHost Host, PowerShell Shell)> _shells = [];

    /// <summary>Starts the watch on every host that has a runspace.</summary>
    public void Start(IEnumerable<FleetHost> hosts, TimeSpan interval, int slowEvery, int[]? ports, TimeSpan? duration)
    {
        foreach (var host in hosts.Where(h => h.Runspace is not null))
        {
            var ps = PowerShell.Create();
            ps.Runspace = host.Runspace;
            ps.AddScript(WatchScript).AddArgument(interval.TotalSeconds).AddArgument(slowEvery).AddArgument(ports)
                .AddArgument(duration?.TotalSeconds ?? 0);
            var output = new PSDataCollection<PSObject>();
            output.DataAdded += (_, e) => Add(new Item(host, output[e.Index], null, false));
            ps.Streams.Error.DataAdded += (_, e) => Add(new Item(host, null, ps.Streams.Error[e.Index], false));
            _shells.Add((host, ps));
            ps.BeginInvoke<PSObject, PSObject>(null, output, null, ar =>
            {
                Exception? failure = null;
                try
                {
                    ps.EndInvoke(ar);
                }
                catch (Exception ex)
                {
                    failure = ex;
                }

                if (failure is not null and not PipelineStoppedException)
                {
                    Add(new Item(host, null, new ErrorRecord(failure, FleetReasons.RemoteCommandFailed, ErrorCategory.ConnectionError, host.HostName), false));
                }

                Add(new Item(host, null, null, true));
            }, null);
        }
    }

    /// <summary>How many hosts are watched.</summary>
    public int Count => _shells.Count;

    private void Add(Item item)
    {
        try
        {
            _items.Add(item);
        }
        catch (InvalidOperationException)
        {
            // the watch is over: a late change is not shown
        }
    }

    /// <summary>The next item, or null when <paramref name="wait"/> passed without one.</summary>
    public Item? Next(TimeSpan wait, CancellationToken ct)
    {
        try
        {
            return _items.TryTake(out var item, (int)Math.Max(1, wait.TotalMilliseconds), ct) ? item : null;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>A change tagged with its host.</summary>
    public static PSObject Tag(Item item)
    {
        FleetOrigin.Note(item.Change!, "HostName", item.Host.HostName);
        FleetOrigin.Note(item.Change!, "PSComputerName", item.Host.HostName);
        return item.Change!;
    }

    /// <summary>Stops every host's watch (Ctrl+C, the count reached, the duration over).</summary>
    public void Dispose()
    {
        _items.CompleteAdding();
        foreach (var (_, ps) in _shells)
        {
            try
            {
                ps.Stop();
            }
            catch (Exception ex) when (ex is InvalidOperationException or PSInvalidOperationException or System.Management.Automation.Remoting.PSRemotingTransportException)
            {
                // the host's watch has ended or its session broke: nothing to stop
            }

            ps.Dispose();
        }

        _items.Dispose();
    }
}
