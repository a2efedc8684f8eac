using System.Management.Automation;
using DockerHostTools.Core.Firewalld;
using DockerHostTools.Core.Native;

namespace DockerHostTools.Commands;

/// <summary>
/// <para type="synopsis">Tells whether a port is open at runtime and permanently in the zone the outside traffic arrives in, and why not.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "FirewalldPort", HelpUri = ProjectInfo.HelpBase + "Test-FirewalldPort.md", DefaultParameterSetName = InterfaceSet)]
[OutputType(typeof(FirewalldPortTest))]
public sealed class TestFirewalldPortCommand : FirewalldPortCommand
{
    private const string InterfaceSet = "Interface";
    private const string ZoneSet = "Zone";
    private FirewalldState? _state;
    private IReadOnlyDictionary<string, IReadOnlyList<FirewalldPortSpec>>? _services;

    /// <summary>The interface the traffic arrives on; default: the interface of the default route.</summary>
    [Parameter(ParameterSetName = InterfaceSet)]
    [ValidateInterfaceName]
    [ArgumentCompleter(typeof(Completers.NetworkInterfaceCompleter))]
    public string? Interface { get; set; }

    /// <summary>The zone to look in, instead of the interface's zone.</summary>
    [Parameter(ParameterSetName = ZoneSet, Mandatory = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(Completers.FirewalldZoneCompleter))]
    public string? Zone { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var specs = ParseSpecs();
        if (specs.Count == 0)
        {
            return;
        }

        if (Interface is not null && !LiveFiles.DirectoryExists("/sys/class/net/" + Interface))
        {
            WriteError(new ErrorRecord(new ItemNotFoundException($"There is no network interface '{Interface}' (no /sys/class/net/{Interface})."),
                "InterfaceNotFound", ErrorCategory.ObjectNotFound, Interface));
            return;
        }

        _state ??= Await(ct => FirewalldReader.GetStateAsync(Runner, LiveFiles, ct));
        _services ??= FirewalldReader.ReadServicePorts(LiveFiles);
        var iface = ParameterSetName == ZoneSet ? null : Interface ?? OutsideZone.Interface(LiveFiles);
        WriteReadLog();
        foreach (var (_, spec) in specs)
        {
            try
            {
                WriteObject(FirewalldReader.TestPort(_state, _services, spec, Zone, iface));
            }
            catch (FirewalldInputException ex)
            {
                WriteError(InputError(ex, ex.Value));
                return; // the zone does not exist: every port of this item would fail the same way
            }
        }
    }
}
