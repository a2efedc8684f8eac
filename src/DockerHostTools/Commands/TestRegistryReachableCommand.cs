using System.Management.Automation;
using System.Net;
using DockerHostTools.Core.Native;
using DockerHostTools.Core.Registry;

namespace DockerHostTools.Commands;

/// <summary>
/// <para type="synopsis">Tests whether Docker registries answer from here, and how each one fails: timeout, refused, ICMP reject, not a registry, TLS, authentication.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "RegistryReachable", HelpUri = ProjectInfo.HelpBase + "Test-RegistryReachable.md", DefaultParameterSetName = EndpointSet)]
[OutputType(typeof(RegistryProbeResult))]
[OutputType(typeof(bool))]
public sealed class TestRegistryReachableCommand : DockerHostCmdlet
{
    /// <summary>The parameter set for endpoint strings.</summary>
    public const string EndpointSet = "Endpoint";

    /// <summary>The parameter set for objects with ComputerName/HostName and Port.</summary>
    public const string ComputerNameSet = "ComputerName";

    /// <summary>Above this many endpoints the command shows progress.</summary>
    internal const int ProgressThreshold = 16;

    private readonly List<Slot> _slots = [];
    private RegistryProber? _prober;
    private int _written;

    /// <summary>The endpoints: host, host:port, [v6addr]:port, http://host:port or https://host:port (port 5000 when none).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = EndpointSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    [PipelineInput("Endpoint", OtherNames = ["ComputerName", "HostName"])]
    public string[] Endpoint { get; set; } = [];

    /// <summary>The host to probe (binds the ComputerName or HostName property of piped objects).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ComputerNameSet, ValueFromPipelineByPropertyName = true)]
    [Alias("HostName")]
    [AllowEmptyString]
    public string ComputerName { get; set; } = string.Empty;

    /// <summary>The port for -ComputerName (5000 when absent).</summary>
    [Parameter(ParameterSetName = ComputerNameSet, ValueFromPipelineByPropertyName = true)]
    public int Port { get; set; } = RegistryEndpoint.DefaultPort;

    /// <summary>Seconds each network step may take (lookup, connect, each HTTP attempt).</summary>
    [Parameter]
    [ValidateRange(1, 300)]
    public int TimeoutSec { get; set; } = 5;

    /// <summary>How many endpoints are probed at once.</summary>
    [Parameter]
    [ValidateRange(1, 4096)]
    public int ThrottleLimit { get; set; } = 64;

    /// <summary>Credentials for HTTP basic authentication; never echoed.</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>
    /// Send -Credential over plain HTTP even when -Scheme Auto fell back to it. Without it, credentials go only over TLS
    /// or over plain HTTP asked for with -Scheme Http or an http:// endpoint; the result's CredentialsWithheld says when
    /// they were held back.
    /// </summary>
    [Parameter]
    public SwitchParameter AllowInsecureCredential { get; set; }

    /// <summary>Accept any TLS certificate.</summary>
    [Parameter]
    public SwitchParameter SkipCertificateCheck { get; set; }

    /// <summary>The scheme for endpoints that name none: Auto (HTTPS, then HTTP), Https or Http.</summary>
    [Parameter]
    public RegistryScheme Scheme { get; set; } = RegistryScheme.Auto;

    /// <summary>Return one bool per endpoint instead of result objects.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    /// <summary>Only open the TCP connection; do not ask the registry API.</summary>
    [Parameter]
    public SwitchParameter TcpOnly { get; set; }

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        // Each running probe holds one socket: more at once than the open-file limit allows would fail as ProbeFailed.
        var throttle = ThrottleLimit;
        if (ProcessLimits.SocketBudget() is { } budget && throttle > budget)
        {
            if (budget < 1)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new InvalidOperationException($"The open-file limit ({ProcessLimits.OpenFileLimit()}) leaves no descriptor for a probe socket; raise it (ulimit -n)."),
                    "OpenFileLimitTooLow", ErrorCategory.ResourceUnavailable, ThrottleLimit));
            }

            WriteWarning($"-ThrottleLimit {throttle} is more than the open-file limit ({ProcessLimits.OpenFileLimit()}, {ProcessLimits.OpenDescriptors()} open) allows; probing {budget} at a time.");
            throttle = budget;
        }

        _prober = new RegistryProber(new RegistryProbeOptions
        {
            Timeout = TimeSpan.FromSeconds(TimeoutSec),
            ThrottleLimit = throttle,
            Scheme = Scheme,
            TcpOnly = TcpOnly,
            SkipCertificateCheck = SkipCertificateCheck,
            AllowInsecureCredential = AllowInsecureCredential,
            // The user name as typed (CORP\bob, ci@gitlab): GetNetworkCredential() would split a domain off it.
            Credential = Credential is null ? null : new NetworkCredential(Credential.UserName, Credential.Password),
        });
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (ParameterSetName == ComputerNameSet)
        {
            try
            {
                Add(RegistryEndpoint.FromHostAndPort(ComputerName, Port), ComputerName);
            }
            catch (ArgumentException ex)
            {
                _slots.Add(new Slot(null, new ErrorRecord(ex, "InvalidEndpoint", ErrorCategory.InvalidArgument, ComputerName)));
            }
        }
        else if (PipelineInput.Original(Endpoint) is { } original)
        {
            _slots.Add(new Slot(null, PipelineInput.NotRecognized(original, MyInvocation.MyCommand.Name,
                "endpoints (host, host:port, URL) or objects with an Endpoint property, or a ComputerName (or HostName) and optionally a Port property", "ComputerName")));
        }
        else
        {
            foreach (var text in Endpoint ?? [])
            {
                if (RegistryEndpoint.TryParse(text, out var endpoint, out var error))
                {
                    Add(endpoint!, text);
                }
                else
                {
                    // The target is the text with any user:password@ part masked: errors never echo a password.
                    _slots.Add(new Slot(null, new ErrorRecord(new ArgumentException(error), "InvalidEndpoint", ErrorCategory.InvalidArgument, RegistryEndpoint.Redact(text))));
                }
            }
        }

        // Results stream out as soon as everything before them is done.
        Flush(wait: false);
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        Flush(wait: true);
        if (_slots.Count > ProgressThreshold)
        {
            WriteProgress(new ProgressRecord(1, "Test-RegistryReachable", "Done") { RecordType = ProgressRecordType.Completed });
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _prober?.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Add(RegistryEndpoint endpoint, string target)
    {
        var prober = _prober!;
        var token = CancellationToken;
        WriteVerbose($"Probing {endpoint.Authority} ({(TcpOnly ? "TCP only" : (endpoint.Scheme ?? Scheme).ToString())}).");
        _slots.Add(new Slot(Task.Run(() => prober.ProbeAsync(endpoint, token), token), null) { Target = target });
    }

    private void Flush(bool wait)
    {
        var lastProgress = DateTime.MinValue;
        while (_written < _slots.Count)
        {
            var slot = _slots[_written];
            if (slot.Probe is { } probe)
            {
                while (!probe.IsCompleted)
                {
                    if (!wait)
                    {
                        return;
                    }

                    if (CancellationToken.IsCancellationRequested)
                    {
                        return;
                    }

                    if (_slots.Count > ProgressThreshold && DateTime.UtcNow - lastProgress > TimeSpan.FromMilliseconds(250))
                    {
                        lastProgress = DateTime.UtcNow;
                        var done = _slots.Count(s => s.Probe is null || s.Probe.IsCompleted);
                        WriteProgress(new ProgressRecord(1, "Test-RegistryReachable", $"{done} of {_slots.Count} endpoints done")
                        {
                            PercentComplete = done * 100 / _slots.Count,
                        });
                    }

                    try
                    {
                        probe.Wait(TimeSpan.FromMilliseconds(100), CancellationToken.None);
                    }
                    catch (AggregateException)
                    {
                        // Ended with an error or cancelled: handled below.
                    }
                }

                if (probe.IsCanceled || CancellationToken.IsCancellationRequested)
                {
                    return;
                }

                if (probe.IsFaulted)
                {
                    WriteError(ToErrorRecord(probe.Exception!.GetBaseException(), "ProbeFailed", slot.Target));
                    if (Quiet)
                    {
                        WriteObject(false);
                    }
                }
                else
                {
                    var result = probe.Result;
                    WriteVerbose($"{result.Endpoint}: {result.Outcome}");
                    WriteObject(Quiet ? result.Success : result);
                }
            }
            else
            {
                WriteError(slot.Error!);
                if (Quiet)
                {
                    WriteObject(false);
                }
            }

            _written++;
        }
    }

    private sealed record Slot(Task<RegistryProbeResult>? Probe, ErrorRecord? Error)
    {
        public string? Target { get; init; }
    }
}
