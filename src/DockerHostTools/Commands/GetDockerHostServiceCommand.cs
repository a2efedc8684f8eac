using System.Management.Automation;
using DockerHostTools.Core.Docker;
using DockerHostTools.Core.Native;
using DockerHostTools.Core.Systemd;

namespace DockerHostTools.Commands;

/// <summary>
/// <para type="synopsis">Shows the services of a Docker host (docker, containerd, firewalld, the network managers present) and whether firewalld became active after dockerd.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "DockerHostService", HelpUri = ProjectInfo.HelpBase + "Get-DockerHostService.md")]
[OutputType(typeof(DockerHostService))]
public sealed class GetDockerHostServiceCommand : DockerHostCmdlet
{
    /// <summary>The units to show (a name without a suffix means .service); by default docker, containerd, firewalld and the network managers present.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [PipelineInput("Name")]
    [ArgumentCompleter(typeof(Completers.SystemdUnitCompleter))]
    public string[]? Name { get; set; }

    /// <summary>The Docker socket asked for the engine's firewall report.</summary>
    [Parameter]
    [ValidateHostPath(Absolute = true)]
    public string Socket { get; set; } = DockerEngineClient.DefaultSocket;

    private readonly List<string> _names = [];

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (PipelineInput.Original(Name) is { } original)
        {
            WriteError(PipelineInput.NotRecognized(original, MyInvocation.MyCommand.Name, "unit names or objects with a Name property", "Name"));
            return;
        }

        foreach (var n in Name ?? [])
        {
            try
            {
                _names.Add(SystemdReader.NormalizeUnit(n));
            }
            catch (ArgumentException ex)
            {
                WriteError(new ErrorRecord(ex, "InvalidUnitName", ErrorCategory.InvalidArgument, n));
            }
        }
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (Name is not null && _names.Count == 0)
        {
            return; // every name was invalid: the errors said so
        }

        using var engine = new DockerEngineClient(Socket, TimeSpan.FromSeconds(5)) { Log = ReadLog };
        DockerHostServiceSnapshot snapshot;
        try
        {
            snapshot = Await(ct => DockerHostServices.ReadAsync(new SystemdReader(Runner), engine, Name is null ? null : _names, ct));
        }
        catch (SystemdNotRunningException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "SystemdNotRunning", ErrorCategory.ResourceUnavailable, "systemctl"));
            return;
        }
        catch (Exception ex) when (ex is NativeProgramNotFoundException or NativeTimeoutException or NativeCommandFailedException)
        {
            ThrowTerminatingError(ToErrorRecord(ex, "SystemctlFailed", "systemctl"));
            return;
        }

        if (snapshot.EngineError is not null)
        {
            WriteWarning($"docker.service is active but its engine could not be asked for its firewall report: {snapshot.EngineError}");
        }

        foreach (var s in snapshot.Services.Where(s => s.ActiveAfterDocker == true && s.Name == "firewalld.service"))
        {
            WriteWarning($"{s.Name} became active after docker.service ({s.ActiveSince:u}): it flushed Docker's iptables rules then. " +
                "Check Get-DockerChain and Get-DockerPublishedPort; Repair-DockerChain restores them.");
        }

        WriteObject(snapshot.Services, enumerateCollection: true);
    }
}
