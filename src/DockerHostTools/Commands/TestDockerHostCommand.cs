using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text.Json;
using DockerHostTools.Fleet;
using DockerHostTools.Core.Diagnosis;
using DockerHostTools.Core.Diagnosis.Checks;
using DockerHostTools.Core.Docker;
using DockerHostTools.Core.Trace;

namespace DockerHostTools.Commands;

/// <summary>
/// <para type="synopsis">Tells why a Docker host's published ports do not answer from outside: findings with evidence and the exact remedy.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "DockerHost", HelpUri = ProjectInfo.HelpBase + "Test-DockerHost.md", DefaultParameterSetName = LiveSet)]
[OutputType(typeof(Finding), ParameterSetName = [LiveSet, SnapshotSet])]
[OutputType(typeof(DockerHostFleetResult), ParameterSetName = [FleetCommand.SessionSet, FleetCommand.HostNameSet])]
public sealed class TestDockerHostCommand : FleetCapableCmdlet
{
    private const string LiveSet = "Live";
    private const string SnapshotSet = "Snapshot";

    /// <summary>Published host ports to check (all published ports by default).</summary>
    [Parameter(Position = 0)]
    [ValidateRange(1, 65535)]
    public int[]? Port { get; set; }

    /// <summary>A snapshot from Get-DockerHostNetState, live or read back with Import-Clixml.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = SnapshotSet)]
    public PSObject? InputObject { get; set; }

    /// <summary>The Docker Engine API socket (live check only).</summary>
    [Parameter(ParameterSetName = LiveSet)]
    [ValidateHostPath(Absolute = true)]
    public string Socket { get; set; } = DockerEngineClient.DefaultSocket;

    /// <summary>Also return Info findings.</summary>
    [Parameter]
    public SwitchParameter IncludeInfo { get; set; }

    /// <summary>How many hosts are read at once (as Invoke-Command -ThrottleLimit).</summary>
    [Parameter(ParameterSetName = FleetCommand.SessionSet)]
    [Parameter(ParameterSetName = FleetCommand.HostNameSet)]
    [ValidateRange(1, int.MaxValue)]
    public int ThrottleLimit { get; set; } = FleetCommand.DefaultThrottle;

    /// <summary>Arm the kernel's trace for each port judged, wait for clients, and confirm or refute each finding of that port
    /// in its evidence (live check only; needs root).</summary>
    [Parameter(ParameterSetName = LiveSet)]
    public SwitchParameter Trace { get; set; }

    /// <summary>With -Trace: how long to wait for clients on each port (a number is seconds; 30 s by default).</summary>
    [Parameter(ParameterSetName = LiveSet)]
    [SecondsTransformation]
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(30);

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (ParameterSetName != SnapshotSet || InputObject is null)
        {
            return;
        }

        var facts = FactsOf(InputObject);
        if (facts is null)
        {
            WriteError(new ErrorRecord(new ArgumentException("The input is not a snapshot from Get-DockerHostNetState (it has no FactsJson)."),
                "InputNotASnapshot", ErrorCategory.InvalidArgument, InputObject));
            return;
        }

        Emit(facts);
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (ParameterSetName is FleetCommand.SessionSet or FleetCommand.HostNameSet)
        {
            var version = FleetCommand.Version(this);
            var names = FleetCommand.UsableHostNames(this, HostName, UserName, KeyFilePath, Options);
            if (ParameterSetName == FleetCommand.HostNameSet && names.Length == 0)
            {
                return;
            }

            var reads = Await(async ct =>
            {
                var hosts = await FleetCommand.HostsAsync(ParameterSetName, Session, names, UserName, KeyFilePath, Options,
                    ConnectingTimeout, ThrottleLimit, ct).ConfigureAwait(false);
                return await FleetDiagnosis.ReadAsync(hosts, version, Port, ThrottleLimit, ct).ConfigureAwait(false);
            });
            foreach (var read in reads)
            {
                WriteObject(FleetDiagnosis.Judge(read, Port, IncludeInfo));
            }

            return;
        }

        if (ParameterSetName == LiveSet)
        {
            var state = ReadHostState(Port ?? [], Socket);
            foreach (var problem in state.Problems)
            {
                WriteWarning(problem);
            }

            Emit(state.GetFacts());
        }
    }

    private void Emit(HostFacts facts)
    {
        IEnumerable<Finding> findings = DockerHostChecks.Evaluate(facts, Port);
        if (Trace && ParameterSetName == LiveSet)
        {
            findings = Traced(facts, findings.ToList());
        }

        foreach (var finding in findings)
        {
            if (finding.Severity != FindingSeverity.Info || IncludeInfo)
            {
                WriteObject(finding);
            }
        }
    }

    /// <summary>
    /// -Trace: the ports judged (-Port, else the ports the findings name, else every published port) are traced one after
    /// the other (at most one client's packet each, -Duration each); each finding of a port, and the forwarding findings
    /// with the first port's packets, get the kernel's verdict in their evidence.
    /// </summary>
    private List<Finding> Traced(HostFacts facts, List<Finding> findings)
    {
        var shown = findings.Where(f => f.Severity != FindingSeverity.Info || IncludeInfo).ToList();
        var named = shown.Where(f => f.Subject.Port is not null).Select(f => (Port: f.Subject.Port!.Value, Protocol: f.Subject.Protocol ?? "tcp")).Distinct().ToList();
        var ports = (Port is { Length: > 0 } ? Port.Select(p => (Port: p, Protocol: ProtocolOf(facts, p)))
                : named.Count > 0 ? named
                : facts.Docker.Ports.Select(p => (p.Port, p.Protocol)))
            .Distinct().ToList();
        if (ports.Count == 0)
        {
            WriteWarning("-Trace: no published port to trace; give -Port.");
            return findings;
        }

        var requests = ports.Select(p => TraceDockerHostPortCommand.Validated(
            new TraceRequest { Port = p.Port, Protocol = p.Protocol, Duration = Duration, Count = 1 }, this)).ToList();
        RequireRoot("Test-DockerHost -Trace", string.Join(", ", ports.Select(p => $"{p.Port}/{p.Protocol}")));
        // by port and protocol: 53/tcp and 53/udp are two traces
        var traced = new Dictionary<(int Port, string Protocol), IReadOnlyList<TracedPacket>>();
        foreach (var request in requests)
        {
            traced[(request.Port, request.Protocol)] = TraceDockerHostPortCommand.RunTrace(null, request, this);
        }

        var first = requests[0];
        return findings.Select(f => TraceChecks.PortOf(f) is { } p
                ? (traced.TryGetValue((p, f.Subject.Protocol ?? "tcp"), out var packets) ? TraceChecks.WithTrace(f, packets, p, f.Subject.Protocol ?? "tcp") : f)
                : f.Subject.Kind == SubjectKind.Forwarding ? TraceChecks.WithTrace(f, traced[(first.Port, first.Protocol)], first.Port, first.Protocol) : f)
            .ToList();
    }

    private static string ProtocolOf(HostFacts facts, int port) =>
        facts.Docker.Ports.FirstOrDefault(p => p.Port == port)?.Protocol ?? "tcp";

    internal HostFacts? FactsOf(PSObject input)
    {
        if (input.BaseObject is DockerHostNetState live)
        {
            return live.GetFacts();
        }

        if (input.BaseObject is HostFacts facts)
        {
            return facts;
        }

        // A snapshot read back with Import-Clixml is a property bag: its FactsJson survived whole.
        var value = input.Properties["FactsJson"]?.Value;
        if ((value is PSObject wrapped ? wrapped.BaseObject : value) is string json)
        {
            try
            {
                return HostFacts.FromJson(json);
            }
            catch (JsonException ex)
            {
                WriteError(new ErrorRecord(ex, "SnapshotNotReadable", ErrorCategory.InvalidData, input));
            }
        }

        return null;
    }
}
