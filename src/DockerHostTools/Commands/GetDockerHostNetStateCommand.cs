using System.Management.Automation;
using DockerHostTools.Core.Diagnosis;
using DockerHostTools.Core.Docker;
using DockerHostTools.Core.Native;

namespace DockerHostTools.Commands;

/// <summary>
/// <para type="synopsis">Takes one snapshot of everything that decides whether published ports answer from outside.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "DockerHostNetState")]
[OutputType(typeof(DockerHostNetState))]
public sealed class GetDockerHostNetStateCommand : DockerCommandBase
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
        var state = Read(this, _ports, Socket);
        foreach (var problem in state.Problems)
        {
            WriteWarning(problem);
        }

        WriteObject(state);
    }

    internal static DockerHostNetState Read(DockerHostCmdlet cmdlet, IReadOnlyCollection<int> ports, string socket)
    {
        var reader = new DockerHostNetStateReader(Runner, HostFileSystem.Live, socket);
        try
        {
            return cmdlet.AwaitCore(ct => reader.ReadAsync(ports.Count == 0 ? null : ports, ct));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            cmdlet.ThrowTerminatingError(ToErrorRecord(ex, "HostStateReadFailed", "/"));
            throw;
        }
    }
}
