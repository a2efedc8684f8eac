using System.Management.Automation;
using DockerHostTools.Core.Diagnosis;
using DockerHostTools.Core.Docker;

namespace DockerHostTools.Commands;

/// <summary>
/// <para type="synopsis">Takes one snapshot of everything that decides whether published ports answer from outside.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "DockerHostNetState", HelpUri = ProjectInfo.HelpBase + "Get-DockerHostNetState.md")]
[OutputType(typeof(DockerHostNetState))]
public sealed class GetDockerHostNetStateCommand : DockerHostCmdlet
{
    /// <summary>Published host ports of interest (all by default).</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 65535)]
    [PipelineInput("Port", Numbers = true)]
    public int[]? Port { get; set; }

    /// <summary>The Docker Engine API socket.</summary>
    [Parameter]
    [ValidateHostPath(Absolute = true)]
    public string Socket { get; set; } = DockerEngineClient.DefaultSocket;

    private readonly List<int> _ports = [];
    private bool _unusable;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (PipelineInput.Original(Port) is { } original)
        {
            WriteError(PipelineInput.NotRecognized(original, MyInvocation.MyCommand.Name, "port numbers or objects with a Port property", "Port"));
            _unusable = true;
            return;
        }

        _ports.AddRange(Port ?? []);
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (_unusable && _ports.Count == 0)
        {
            return; // no port was usable: reading every port instead would answer another question
        }

        var state = ReadHostState(_ports, Socket);
        foreach (var problem in state.Problems)
        {
            WriteWarning(problem);
        }

        WriteObject(state);
    }
}
