using System.Management.Automation;
using System.Text.Json;
using DockerHostTools.Core.Diagnosis;
using DockerHostTools.Core.Docker;

namespace DockerHostTools.Commands;

/// <summary>
/// <para type="synopsis">Tells why a Docker host's published ports do not answer from outside: findings with evidence and the exact remedy.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "DockerHost", HelpUri = ProjectInfo.HelpBase + "Test-DockerHost.md", DefaultParameterSetName = LiveSet)]
[OutputType(typeof(Finding))]
public sealed class TestDockerHostCommand : DockerHostCmdlet
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
        foreach (var finding in DockerHostChecks.Evaluate(facts, Port))
        {
            if (finding.Severity != FindingSeverity.Info || IncludeInfo)
            {
                WriteObject(finding);
            }
        }
    }

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
