using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using DockerHostTools.Core.Diagnosis;
using DockerHostTools.Fleet;
using DockerHostTools.Core.Docker;

namespace DockerHostTools.Commands;

/// <summary>
/// <para type="synopsis">Takes one snapshot of everything that decides whether published ports answer from outside.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "DockerHostNetState", HelpUri = ProjectInfo.HelpBase + "Get-DockerHostNetState.md", DefaultParameterSetName = LocalSet)]
[OutputType(typeof(DockerHostNetState))]
public sealed class GetDockerHostNetStateCommand : FleetCapableCmdlet
{
    private const string LocalSet = "Local";

    /// <summary>Published host ports of interest (all by default).</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 65535)]
    [PipelineInput("Port", Numbers = true)]
    public int[]? Port { get; set; }

    /// <summary>The Docker Engine API socket.</summary>
    [Parameter(ParameterSetName = LocalSet)]
    [ValidateHostPath(Absolute = true)]
    public string Socket { get; set; } = DockerEngineClient.DefaultSocket;

    /// <summary>How many hosts are read at once.</summary>
    [Parameter(ParameterSetName = FleetCommand.SessionSet)]
    [Parameter(ParameterSetName = FleetCommand.HostNameSet)]
    [ValidateRange(1, int.MaxValue)]
    public int ThrottleLimit { get; set; } = FleetCommand.DefaultThrottle;

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

        if (ParameterSetName != LocalSet)
        {
            var version = FleetCommand.Version(this);
            var ports = _ports.Count == 0 ? null : _ports.ToArray();
            var names = FleetCommand.UsableHostNames(this, HostName, UserName, KeyFilePath, Options);
            if (ParameterSetName == FleetCommand.HostNameSet && names.Length == 0)
            {
                return;
            }

            var reads = Await(async ct =>
            {
                var hosts = await FleetCommand.HostsAsync(ParameterSetName, Session, names, UserName, KeyFilePath, Options,
                    ConnectingTimeout, ThrottleLimit, ct).ConfigureAwait(false);
                return await FleetDiagnosis.ReadAsync(hosts, version, ports, ThrottleLimit, ct).ConfigureAwait(false);
            });
            foreach (var read in reads)
            {
                if (read.Snapshot is { } snapshot)
                {
                    FleetOrigin.Note(snapshot, "PSComputerName", read.Host.HostName);
                    WriteObject(snapshot);
                }
                else
                {
                    WriteError(FleetCommand.HostError(read.Host with { Reason = read.Status, Message = read.Failure }));
                }
            }

            return;
        }

        var state = ReadHostState(_ports, Socket);
        foreach (var problem in state.Problems)
        {
            WriteWarning(problem);
        }

        WriteObject(state);
    }
}
