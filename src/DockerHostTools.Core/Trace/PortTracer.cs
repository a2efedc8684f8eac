using System.Diagnostics;
using DockerHostTools.Core.Iptables;
using DockerHostTools.Core.Native;

namespace DockerHostTools.Core.Trace;

/// <summary>A trace table of another live process is armed: two traces would take each other's table away.</summary>
public sealed class TraceInProgressException(int pid)
    : InvalidOperationException($"Another Trace-DockerHostPort (process {pid}) has the trace table {TraceTable.Family} {TraceTable.Name} armed; wait for it to end.")
{
    /// <summary>The process that holds the table.</summary>
    public int Pid { get; } = pid;
}

/// <summary>
/// Arms the module's trace table, listens to <c>nft -a monitor trace</c> while real clients try the port, and returns one
/// classified packet per trace. The table is removed when the trace ends, on Ctrl+C and on error; a table left by a
/// killed process (its pid no longer runs) is removed first.
/// </summary>
public sealed class PortTracer
{
    /// <summary>How long one nft call may take.</summary>
    public static readonly TimeSpan NftTimeout = TimeSpan.FromSeconds(15);

    /// <summary>How long the monitor listens before the table is armed (so its rule cache holds every other rule).</summary>
    public static readonly TimeSpan MonitorWarmup = TimeSpan.FromMilliseconds(400);

    /// <summary>How long the trace goes on after the last wanted packet arrived, for its remaining events.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);

    private readonly INativeRunner _runner;

    /// <summary>Creates a tracer that runs nft through <paramref name="runner"/>.</summary>
    public PortTracer(INativeRunner runner) => _runner = runner ?? throw new ArgumentNullException(nameof(runner));

    /// <summary>Called once the table is armed (the command tells the user to try now).</summary>
    public Action<string>? Armed { get; init; }

    /// <summary>Why the trace cannot judge Docker's rules (they are in iptables-legacy), or null.</summary>
    public async Task<string?> LegacyReasonAsync(CancellationToken cancellationToken)
    {
        try
        {
            var snapshot = await new IptablesReader(_runner).ReadAsync(cancellationToken).ConfigureAwait(false);
            return snapshot.Saves.Any(s => s.Variant == IptablesVariant.Legacy && IptablesSnapshot.HasDockerChains(s.Ruleset))
                ? "Docker's rules are in iptables-legacy (x_tables), which the nftables trace does not see"
                : null;
        }
        catch (Exception ex) when (ex is NativeCommandFailedException or NativeProgramNotFoundException or NativeTimeoutException)
        {
            return null;
        }
    }

    /// <summary>Removes a trace table left by a process that no longer runs; true when it removed one.</summary>
    /// <exception cref="TraceInProgressException">A live process holds it.</exception>
    public async Task<bool> RemoveStaleAsync(CancellationToken cancellationToken)
    {
        var list = await RunNft(cancellationToken, null, "list", "table", TraceTable.Family, TraceTable.Name).ConfigureAwait(false);
        if (!list.Succeeded)
        {
            return false;
        }

        if (TraceTable.OwnerPid(list.StandardOutput) is { } pid && pid != Environment.ProcessId && Alive(pid))
        {
            throw new TraceInProgressException(pid);
        }

        await RemoveAsync().ConfigureAwait(false);
        return true;
    }

    /// <summary>Deletes the trace table, whatever state the caller is in (no cancellation); quiet when it is not there.</summary>
    public async Task RemoveAsync()
    {
        var r = await RunNft(CancellationToken.None, null, "delete", "table", TraceTable.Family, TraceTable.Name).ConfigureAwait(false);
        if (!r.Succeeded && !r.StandardError.Contains("No such file or directory", StringComparison.Ordinal))
        {
            throw new NativeCommandFailedException(r);
        }
    }

    /// <summary>Traces <paramref name="request"/>; the packets in the order they came.</summary>
    /// <exception cref="NativeProgramNotFoundException">nft is not installed.</exception>
    /// <exception cref="NativeCommandFailedException">nft could not add the table.</exception>
    /// <exception cref="OperationCanceledException">Ctrl+C (the table is removed first).</exception>
    public async Task<IReadOnlyList<TracedPacket>> TraceAsync(TraceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        if (_runner.Resolve("nft") is null)
        {
            throw new NativeProgramNotFoundException("nft");
        }

        var legacy = await LegacyReasonAsync(cancellationToken).ConfigureAwait(false);
        var chains = await RunNft(cancellationToken, null, "-j", "list", "chains").ConfigureAwait(false);
        var hooks = NftTraceParser.ParseChainHooks(chains.Succeeded ? chains.StandardOutput : string.Empty);
        await RemoveStaleAsync(cancellationToken).ConfigureAwait(false);

        var lines = new List<string>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        using var stop = new CancellationTokenSource();
        var gate = new object();
        void OnLine(string line)
        {
            lock (gate)
            {
                lines.Add(line);
                if (NftTraceParser.ParseLine(line) is { Table: TraceTable.Name } e && ids.Add(e.Id) && ids.Count == request.Count)
                {
                    stop.CancelAfter(Settle);
                }
            }
        }

        var monitor = new NativeCommand("nft", "-a", "monitor", "trace") { Timeout = request.Duration + MonitorWarmup };
        var armed = false;
        try
        {
            var streaming = NativeLineStream.RunAsync(_runner, monitor, OnLine, stop.Token, cancellationToken);
            await Task.WhenAny(streaming, Task.Delay(MonitorWarmup, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (streaming.IsCompleted)
            {
                var early = await streaming.ConfigureAwait(false);
                throw new InvalidOperationException($"nft monitor trace ended at once (exit {early.ExitCode}): {early.StandardError.Trim()}");
            }

            armed = true;
            var add = await RunNft(cancellationToken, TraceTable.Script(request, Environment.ProcessId), "-f", "-").ConfigureAwait(false);
            if (!add.Succeeded)
            {
                await stop.CancelAsync().ConfigureAwait(false);
                await streaming.ConfigureAwait(false);
                throw new NativeCommandFailedException(add);
            }

            Armed?.Invoke($"{TraceTable.Family} {TraceTable.Name}");
            await streaming.ConfigureAwait(false);
        }
        finally
        {
            if (armed)
            {
                await RemoveAsync().ConfigureAwait(false);
            }
        }

        List<string> copy;
        lock (gate)
        {
            copy = [.. lines];
        }

        return NftTraceParser.Parse(copy, request.Port, request.Protocol, hooks, TraceTable.Name, legacy).Take(request.Count).ToList();
    }

    private Task<NativeResult> RunNft(CancellationToken cancellationToken, string? input, params string[] args) =>
        _runner.RunAsync(new NativeCommand("nft", args) { Timeout = NftTimeout, StandardInput = input }, cancellationToken);

    private static bool Alive(int pid)
    {
        // /proc/PID/stat, not kill -0: a zombie is not alive (the lab's PID 1 reaps late).
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state != "Z" && state != "X";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }
}
