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
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 65535)]
    public int[]? Port { get; set; }

    /// <summary>The Docker Engine API socket.</summary>
    [Parameter]
    [ValidateHostPath(Absolute = true)]
    public string Socket { get; set; } = DockerEngineClient.DefaultSocket;

    private readonly List<int> _ports = [];

    /// <inheritdoc />
    protected override void ProcessRecord() => _ports.AddRange(Port ?? []);

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        var state = ReadHostState(_ports, Socket);
        foreach (var problem in state.Problems)
        {
            WriteWarning(problem);
        }

        WriteObject(state);
    }
}
