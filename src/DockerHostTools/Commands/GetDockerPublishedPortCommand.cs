using System.Management.Automation;
using DockerHostTools.Core.Docker;
using DockerHostTools.Core.Iptables;
using DockerHostTools.Core.Native;

namespace DockerHostTools.Commands;

/// <summary>
/// <para type="synopsis">Lists every published port from the Docker Engine API, cross-checked with its DNAT and ACCEPT rules and with docker-proxy's listening socket.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "DockerPublishedPort", HelpUri = ProjectInfo.HelpBase + "Get-DockerPublishedPort.md")]
[OutputType(typeof(DockerPublishedPort))]
public sealed class GetDockerPublishedPortCommand : DockerCommandBase
{
    /// <summary>Only containers whose name matches (wildcards allowed).</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ContainerName")]
    [ValidateNotNullOrEmpty]
    [PipelineInput("Name", "ContainerName")]
    [ArgumentCompleter(typeof(Completers.DockerContainerNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Only these host ports.</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int[]? Port { get; set; }

    /// <summary>The Docker socket.</summary>
    [Parameter]
    [ValidateHostPath(Absolute = true)]
    public string Socket { get; set; } = DockerEngineClient.DefaultSocket;

    private readonly List<WildcardPattern> _patterns = [];
    private bool _named;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        _named |= Name is not null;
        if (PipelineInput.Original(Name) is { } original)
        {
            WriteError(PipelineInput.NotRecognized(original, MyInvocation.MyCommand.Name, "container names or objects with a Name (or ContainerName) property", "Name"));
            return;
        }

        foreach (var n in Name ?? [])
        {
            if (Wildcards.TryCreate(n, out var bad) is { } pattern)
            {
                _patterns.Add(pattern);
            }
            else
            {
                WriteError(bad!);
            }
        }
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (_named && _patterns.Count == 0)
        {
            return; // every name was unusable: the errors said so
        }

        using var engine = new DockerEngineClient(Socket) { Log = ReadLog };
        IReadOnlyList<DockerContainer> containers;
        try
        {
            containers = Await(ct => DockerPublishedPorts.GetContainersAsync(engine, ct));
        }
        catch (DockerEngineUnavailableException ex)
        {
            WriteError(EngineError(ex));
            return;
        }

        // The engine's word on its firewall backend (nftables: its rules are in ip docker-bridges) and on swarm (services
        // publish through nat DOCKER-INGRESS); an engine that cannot say is judged as before.
        DockerEngineInfo? info = null;
        IReadOnlyList<DockerService> services = [];
        IReadOnlyList<NftDockerTable>? nft = null;
        try
        {
            info = Await(ct => engine.GetInfoAsync(ct));
            if (info.SwarmNodeState == "active")
            {
                services = Await(ct => engine.GetServicesAsync(ct));
            }

            if (info.FirewallBackend is { } backend && backend.StartsWith("nftables", StringComparison.OrdinalIgnoreCase))
            {
                nft = Await(ct => NftablesDocker.ReadAsync(Runner, ct));
            }
        }
        catch (Exception ex) when (ex is DockerEngineUnavailableException or NativeCommandFailedException or NativeProgramNotFoundException or NativeTimeoutException or System.Text.Json.JsonException)
        {
            WriteWarning($"Swarm services or the nftables backend's rules could not be read: {ex.Message}");
        }

        var snapshot = ReadIptables();
        WarnAboutVariants(snapshot);
        var selected = containers.Where(c => _patterns.Count == 0 || _patterns.Any(p => p.IsMatch(c.Name))).ToList();
        var selectedServices = services.Where(s => _patterns.Count == 0 || _patterns.Any(p => p.IsMatch(s.Name))).ToList();
        var ports = selected.SelectMany(c => c.Ports).Where(p => p.PublicPort is not null).Select(p => p.PublicPort!.Value)
            .Concat(selectedServices.SelectMany(s => s.Ports).Select(p => p.PublishedPort)).ToHashSet();
        var listeners = ports.Count == 0 ? [] : ListeningSockets.Read(LiveFiles, ports);
        WriteReadLog();
        var published = DockerPublishedPorts.Build(selected, snapshot, listeners);
        if (nft is not null)
        {
            published = DockerPublishedPorts.WithNftables(published, selected, nft);
        }

        foreach (var p in published.Concat(DockerPublishedPorts.BuildServices(selectedServices, snapshot, listeners)).Where(p => Port is null || Port.Contains(p.Port)))
        {
            WriteObject(p);
        }
    }
}
