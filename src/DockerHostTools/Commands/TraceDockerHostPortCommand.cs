using System.Management.Automation;
using DockerHostTools.Core.Native;
using DockerHostTools.Core.Trace;

namespace DockerHostTools.Commands;

/// <summary>
/// <para type="synopsis">Follows real clients' packets to a published port through the host with the kernel's nftables trace and names the rule or switch that stops them.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Trace, "DockerHostPort", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low,
    HelpUri = ProjectInfo.HelpBase + "Trace-DockerHostPort.md")]
[OutputType(typeof(TracedPacket))]
public sealed class TraceDockerHostPortCommand : DockerHostCmdlet
{
    /// <summary>The published port clients try.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public int Port { get; set; }

    /// <summary>tcp (the default: SYNs only) or udp (the first packet of each flow).</summary>
    [Parameter]
    [ValidateSet("tcp", "udp")]
    public string Protocol { get; set; } = "tcp";

    /// <summary>Only clients from this address or prefix.</summary>
    [Parameter]
    public string? From { get; set; }

    /// <summary>How long to wait for clients (a number is seconds; 30 s by default).</summary>
    [Parameter]
    [SecondsTransformation]
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Stop after this many traced packets (5 by default).</summary>
    [Parameter]
    public int Count { get; set; } = 5;

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        var request = Validated(new TraceRequest { Port = Port, Protocol = Protocol.ToLowerInvariant(), From = From, Duration = Duration, Count = Count }, this);
        if (!ShouldProcess($"nftables table {TraceTable.Family} {TraceTable.Name} (removed when the trace ends)",
                "Add the trace table:\n" + TraceTable.Script(request, Environment.ProcessId)))
        {
            return;
        }

        RequireRoot("Tracing a port", $"{Port}/{request.Protocol}");
        foreach (var packet in RunTrace(this, request))
        {
            WriteObject(packet);
        }
    }

    /// <summary>The request checked; a bad value stops the command with a constant id (nothing is added).</summary>
    internal static TraceRequest Validated(TraceRequest request, DockerHostCmdlet cmdlet)
    {
        try
        {
            return request.Validate();
        }
        catch (ArgumentException ex)
        {
            var (id, target) = ex.ParamName switch
            {
                nameof(TraceRequest.Port) => ("InvalidPort", (object)request.Port),
                nameof(TraceRequest.From) => ("InvalidFrom", request.From!),
                nameof(TraceRequest.Count) => ("InvalidCount", request.Count),
                nameof(TraceRequest.Duration) => ("InvalidDuration", request.Duration),
                _ => ("InvalidProtocol", request.Protocol),
            };
            cmdlet.ThrowTerminatingError(new ErrorRecord(ex, id, ErrorCategory.InvalidArgument, target));
            throw;
        }
    }

    /// <summary>Runs the trace (the table is removed at the end, on Ctrl+C and on error); errors stop the command.</summary>
    internal static IReadOnlyList<TracedPacket> RunTrace(TraceDockerHostPortCommand? self, TraceRequest request, DockerHostCmdlet? other = null)
    {
        DockerHostCmdlet cmdlet = (DockerHostCmdlet?)self ?? other!;
        var tracer = new PortTracer(cmdlet.TraceRunner);
        cmdlet.WriteInformation(new InformationRecord(
            $"Tracing new {request.Protocol} connections to port {request.Port}" + (request.From is null ? string.Empty : $" from {request.From}") +
            $" for {request.Duration.TotalSeconds:0.#} s (at most {request.Count}): try the port from outside now.", "Trace-DockerHostPort"));
        try
        {
            return cmdlet.AwaitTrace(ct => tracer.TraceAsync(request, ct));
        }
        catch (TraceInProgressException ex)
        {
            cmdlet.ThrowTerminatingError(new ErrorRecord(ex, "TraceInProgress", ErrorCategory.ResourceBusy, $"{TraceTable.Family} {TraceTable.Name}"));
            throw;
        }
        catch (Exception ex) when (ex is NativeProgramNotFoundException or NativeCommandFailedException or NativeTimeoutException or InvalidOperationException)
        {
            cmdlet.ThrowTerminatingError(ToErrorRecord(ex, "TraceFailed", $"{request.Port}/{request.Protocol}"));
            throw;
        }
    }
}
