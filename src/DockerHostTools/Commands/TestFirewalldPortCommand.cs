using System.Management.Automation;
using DockerHostTools.Core.Firewalld;
using DockerHostTools.Core.Native;

namespace DockerHostTools.Commands;

/// <summary>
/// <para type="synopsis">Tells whether a port is open at runtime and permanently in the zone the outside traffic arrives in, and why not.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "FirewalldPort", DefaultParameterSetName = InterfaceSet)]
[OutputType(typeof(FirewalldPortTest))]
public sealed class TestFirewalldPortCommand : DockerHostCmdlet
{
    private const string InterfaceSet = "Interface";
    private const string ZoneSet = "Zone";
    private FirewalldState? _state;
    private IReadOnlyDictionary<string, IReadOnlyList<FirewalldPortSpec>>? _services;

    /// <summary>The port or range (<c>5000</c>, <c>8000-8010</c>, or <c>5000/udp</c>).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("PublicPort")]
    [ValidateNotNullOrEmpty]
    public string Port { get; set; } = string.Empty;

    /// <summary>tcp (default), udp, sctp or dccp.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("Type")]
    [ValidateNotNullOrEmpty]
    public string Protocol { get; set; } = "tcp";

    /// <summary>The interface the traffic arrives on; default: the interface of the default route.</summary>
    [Parameter(ParameterSetName = InterfaceSet)]
    [ValidateInterfaceName]
    public string? Interface { get; set; }

    /// <summary>The zone to look in, instead of the interface's zone.</summary>
    [Parameter(ParameterSetName = ZoneSet, Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string? Zone { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        FirewalldPortSpec spec;
        try
        {
            spec = FirewalldPortSpec.Parse(Port, Protocol);
        }
        catch (FirewalldInputException ex)
        {
            WriteError(FirewalldCommandSupport.ToFirewalldError(ex, ex.Value)!);
            return;
        }

        _state ??= Await(ct => FirewalldReader.GetStateAsync(Runner, HostFileSystem.Live, ct));
        _services ??= FirewalldReader.ReadServicePorts(HostFileSystem.Live);
        var iface = ParameterSetName == ZoneSet ? null : Interface ?? FirewalldReader.DefaultRouteInterface(HostFileSystem.Live);
        if (Interface is not null && !HostFileSystem.Live.DirectoryExists("/sys/class/net/" + Interface))
        {
            WriteError(new ErrorRecord(new ItemNotFoundException($"There is no network interface '{Interface}' (no /sys/class/net/{Interface})."),
                "InterfaceNotFound", ErrorCategory.ObjectNotFound, Interface));
            return;
        }

        try
        {
            WriteObject(FirewalldReader.TestPort(_state, _services, spec, Zone, iface));
        }
        catch (FirewalldInputException ex)
        {
            WriteError(FirewalldCommandSupport.ToFirewalldError(ex, ex.Value)!);
        }
    }
}
