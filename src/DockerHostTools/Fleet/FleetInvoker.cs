using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace DockerHostTools.Fleet;

/// <summary>What one host's remote script gave back.</summary>
internal sealed record RemoteCall(FleetHost Host, IReadOnlyList<PSObject> Output, IReadOnlyList<ErrorRecord> Errors,
    IReadOnlyList<string> Warnings, Exception? Failure)
{
    /// <summary>What went wrong, for a message: the failure, else the host's errors, else <paramref name="nothing"/>.</summary>
    public string FailureText(string nothing)
    {
        var text = Failure?.Message ?? string.Join("; ", Errors.Select(e => e.ToString()));
        return text.Length > 0 ? text : nothing;
    }
}

/// <summary>
/// The fan-out: one PowerShell instance per host on that host's runspace, at most ThrottleLimit at once, each stopped on
/// Ctrl+C. A host that fails is that host's result; the others go on.
/// </summary>
internal static class FleetInvoker
{
    public static async Task<List<RemoteCall>> InvokeAsync(IReadOnlyList<FleetHost> hosts, string script,
        Func<FleetHost, object?[]> arguments, int throttle, CancellationToken ct)
    {
        using var gate = new SemaphoreSlim(throttle);
        var tasks = hosts.Where(h => h.Runspace is not null).Select(async h =>
        {
            await gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                return await Task.Run(() => Invoke(h, script, arguments(h), ct), ct).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        return [.. await Task.WhenAll(tasks).ConfigureAwait(false)];
    }

    private static RemoteCall Invoke(FleetHost host, string script, object?[] arguments, CancellationToken ct)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = host.Runspace;
        ps.AddScript(script);
        foreach (var a in arguments)
        {
            ps.AddArgument(a);
        }

        try
        {
            Collection<PSObject> output;
            using (ct.Register(() => ps.BeginStop(null, null)))
            {
                output = ps.Invoke();
            }

            ct.ThrowIfCancellationRequested();
            return new RemoteCall(host, output.Where(o => o is not null).ToList(), [.. ps.Streams.Error],
                ps.Streams.Warning.Select(w => w.Message).ToList(), null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !ct.IsCancellationRequested)
        {
            return new RemoteCall(host, [], [.. ps.Streams.Error], [], ex);
        }
    }
}
